-- Feed health, one row per configured source: is each feed alive, how often does it work,
-- does it still bring news, and when will a failing one be tried again.
-- status: ok | failing (last attempt failed) | backing_off (failing, skipped until
-- next_attempt_at) | never_fetched. Rates and means cover the 7 days before now().
CREATE OR REPLACE VIEW v_feed_health AS
WITH state AS (
    SELECT source,
           arg_max(consecutive_failures, coalesce(updated_at, TIMESTAMPTZ '1970-01-01')) AS consecutive_failures,
           arg_max(next_attempt_at, coalesce(updated_at, TIMESTAMPTZ '1970-01-01'))      AS next_attempt_at,
           arg_max(last_success_at, coalesce(updated_at, TIMESTAMPTZ '1970-01-01'))      AS last_success_at,
           arg_max(last_error_at, coalesce(updated_at, TIMESTAMPTZ '1970-01-01'))        AS last_error_at,
           arg_max(last_error, coalesce(updated_at, TIMESTAMPTZ '1970-01-01'))           AS last_error
    FROM feed_state
    GROUP BY source
),
log AS (
    SELECT source,
           max(started_at)                                                   AS last_fetch_at,
           arg_max(outcome, started_at)                                      AS last_outcome,
           arg_max(http_status, started_at)                                  AS last_http_status,
           max(started_at) FILTER (WHERE outcome IN ('ok', 'not_modified'))  AS last_success_at,
           max(started_at) FILTER (WHERE outcome = 'error')                  AS last_error_at,
           arg_max(error, started_at) FILTER (WHERE outcome = 'error')       AS last_error,
           max(started_at) FILTER (WHERE coalesce(new_articles, 0) > 0)      AS last_new_at,
           count(*) FILTER (WHERE outcome <> 'skipped'
                              AND started_at >= now() - INTERVAL 7 DAY)       AS attempts_7d,
           count(*) FILTER (WHERE outcome IN ('ok', 'not_modified')
                              AND started_at >= now() - INTERVAL 7 DAY)       AS successes_7d,
           coalesce(sum(new_articles) FILTER (WHERE started_at >= now() - INTERVAL 7 DAY), 0)
                                                                             AS new_articles_7d,
           min(started_at) FILTER (WHERE started_at >= now() - INTERVAL 7 DAY) AS first_fetch_7d
    FROM fetch_log
    GROUP BY source
),
latest_article AS (
    SELECT source, max(first_seen_at) AS last_new_at
    FROM articles
    GROUP BY source
)
SELECT
    s.name                                                        AS source,
    s.outlet,
    s.region,
    s.url,
    coalesce(l.last_success_at, st.last_success_at)              AS last_success_at,
    coalesce(l.last_error_at, st.last_error_at)                  AS last_error_at,
    coalesce(l.last_error, st.last_error)                        AS last_error,
    coalesce(st.consecutive_failures, 0)                         AS consecutive_failures,
    CASE WHEN l.attempts_7d > 0
         THEN round(l.successes_7d / l.attempts_7d, 3) END       AS success_rate_7d,
    -- Over the days actually observed (a feed added yesterday is not divided by 7), at least 1.
    CASE WHEN l.first_fetch_7d IS NOT NULL
         THEN round(l.new_articles_7d / greatest(1.0, least(7.0,
                    epoch(now() - l.first_fetch_7d) / 86400.0)), 2) END AS new_articles_per_day_7d,
    round(epoch(now() - CASE
        WHEN a.last_new_at IS NULL THEN l.last_new_at
        WHEN l.last_new_at IS NULL THEN a.last_new_at
        ELSE greatest(a.last_new_at, l.last_new_at) END) / 86400.0, 1) AS days_since_last_new_article,
    st.next_attempt_at,
    CASE
        WHEN l.last_fetch_at IS NULL AND st.source IS NULL THEN 'never_fetched'
        WHEN st.next_attempt_at > now() AND coalesce(st.consecutive_failures, 0) > 0
            THEN 'backing_off'
        WHEN coalesce(st.consecutive_failures, 0) > 0 OR l.last_outcome = 'error' THEN 'failing'
        ELSE 'ok'
    END                                                          AS status,
    l.last_fetch_at,
    l.last_outcome,
    l.last_http_status,
    coalesce(l.attempts_7d, 0)                                   AS attempts_7d,
    coalesce(l.new_articles_7d, 0)                               AS new_articles_7d
FROM sources s
LEFT JOIN state st ON st.source = s.name
LEFT JOIN log l ON l.source = s.name
LEFT JOIN latest_article a ON a.source = s.name;

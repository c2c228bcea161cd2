-- name: feed_health
-- description: per feed: last fetch and outcome, failures, success rate and new articles over 7 days, status
-- filters:
-- order: status_rank, source
--
-- One row per feed of sources.yaml (as of the last load), from fetch_log and feed_state.
-- The 7-day figures count the fetch_log rows of the last 7 days before now.
-- status: failing (the last fetch failed), backing_off (the last cycle skipped it: it failed
-- repeatedly and waits until next_attempt_at), never_fetched, or ok (the last fetch got the
-- feed, changed or not). status_rank orders the worst first.
CREATE OR REPLACE VIEW r_feed_health AS
WITH last AS (
    SELECT source, arg_max(outcome, started_at) AS last_outcome,
           arg_max(http_status, started_at) AS last_http_status,
           max(started_at) AS last_fetch_at
    FROM fetch_log GROUP BY source
),
week AS (
    SELECT source,
           count(*) AS fetches_7d,
           count(*) FILTER (WHERE outcome IN ('ok', 'not_modified')) AS ok_7d,
           count(*) FILTER (WHERE outcome = 'error') AS errors_7d,
           coalesce(sum(new_articles), 0) AS new_articles_7d
    FROM fetch_log
    WHERE started_at >= now() - INTERVAL 7 DAY
    GROUP BY source
),
arts AS (
    SELECT source, count(*) AS articles_total,
           max(pm_article_time(published_at, first_seen_at)) AS last_article_at
    FROM articles GROUP BY source
),
rows AS (
    SELECT s.name AS source, s.outlet, s.region, s.url,
           l.last_fetch_at, l.last_outcome, l.last_http_status,
           f.last_success_at, f.last_error_at, f.last_error,
           coalesce(f.consecutive_failures, 0) AS consecutive_failures,
           f.next_attempt_at,
           coalesce(w.fetches_7d, 0) AS fetches_7d,
           CASE WHEN coalesce(w.fetches_7d, 0) = 0 THEN NULL
                ELSE round(100.0 * w.ok_7d / w.fetches_7d, 1) END AS success_rate_7d_pct,
           coalesce(w.new_articles_7d, 0) AS new_articles_7d,
           coalesce(a.articles_total, 0) AS articles_total,
           a.last_article_at,
           CASE WHEN l.last_outcome IS NULL THEN 'never_fetched'
                WHEN l.last_outcome = 'skipped' THEN 'backing_off'
                WHEN l.last_outcome = 'error' THEN 'failing'
                ELSE 'ok' END AS status
    FROM sources s
    LEFT JOIN last l ON l.source = s.name
    LEFT JOIN week w ON w.source = s.name
    LEFT JOIN feed_state f ON f.source = s.name
    LEFT JOIN arts a ON a.source = s.name
)
SELECT *, CASE status WHEN 'failing' THEN 1 WHEN 'backing_off' THEN 2
                      WHEN 'never_fetched' THEN 3 ELSE 4 END AS status_rank
FROM rows;

-- One row per ingest cycle, summed from fetch_log (one row per feed per cycle).
CREATE OR REPLACE VIEW cycles AS
SELECT
    cycle_id,
    any_value(runner)                                     AS runner,
    min(started_at)                                       AS started_at,
    max(loaded_at)                                        AS loaded_at,
    count(*) FILTER (WHERE outcome = 'ok')::INTEGER           AS feeds_ok,
    count(*) FILTER (WHERE outcome = 'not_modified')::INTEGER AS feeds_not_modified,
    count(*) FILTER (WHERE outcome = 'error')::INTEGER        AS feeds_error,
    count(*) FILTER (WHERE outcome = 'skipped')::INTEGER      AS feeds_skipped,
    coalesce(sum(new_articles), 0)::INTEGER               AS new_articles,
    coalesce(sum(updated_articles), 0)::INTEGER           AS updated_articles,
    coalesce(sum(relevant_articles), 0)::INTEGER          AS relevant_articles,
    coalesce(sum(new_stories), 0)::INTEGER                AS new_stories,
    any_value(rules_version)                              AS rules_version,
    any_value(load_key)                                   AS load_key
FROM fetch_log
GROUP BY cycle_id;

-- name: feed_health
-- description: per feed: status, last fetch and outcome, failures, 7-day success rate and new articles, stored articles
-- filters:
-- order: status_rank, source
--
-- One row per feed of sources.yaml (as of the last load): the view v_feed_health (status
-- ok / failing / backing_off / never_fetched, rates over the 7 days before now) with the
-- feed's stored articles and the date of its newest one. status_rank orders the worst first.
CREATE OR REPLACE VIEW r_feed_health AS
WITH arts AS (
    SELECT source, count(*) AS articles_total,
           max(pm_article_time(published_at, first_seen_at)) AS last_article_at
    FROM articles GROUP BY source
)
SELECT h.*,
       coalesce(a.articles_total, 0) AS articles_total,
       a.last_article_at,
       CASE h.status WHEN 'failing' THEN 1 WHEN 'backing_off' THEN 2
                     WHEN 'never_fetched' THEN 3 ELSE 4 END AS status_rank
FROM v_feed_health h
LEFT JOIN arts a ON a.source = h.source;

-- name: coverage_by_outlet
-- description: articles and stories per ISO week, mission and outlet
-- filters: week, mission
-- order: week, mission_id NULLS LAST, articles DESC, outlet
--
-- One row per week (Europe/Paris, by publication date, else first fetch), mission
-- (mission_id NULL: articles about no mission) and outlet. Sum over mission_id for a outlet's
-- whole coverage of a week.
CREATE OR REPLACE VIEW r_coverage_by_outlet AS
SELECT pm_iso_week(pm_article_time(a.published_at, a.first_seen_at)) AS week,
       a.mission_id,
       a.outlet,
       count(*) AS articles,
       count(*) FILTER (WHERE a.relevant) AS relevant_articles,
       count(DISTINCT coalesce(a.story_id, a.article_id)) AS stories
FROM v_articles a
GROUP BY ALL;

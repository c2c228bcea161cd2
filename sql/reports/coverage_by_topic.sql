-- name: coverage_by_topic
-- description: articles and stories per ISO week, mission and topic
-- filters: week, mission
-- order: week, mission_id NULLS LAST, articles DESC, topic
--
-- One row per week (Europe/Paris, by publication date, else first fetch), mission
-- (mission_id NULL: articles about no mission) and topic. An article counts once under each
-- of its topics, so the rows of a week add up to more than its articles.
CREATE OR REPLACE VIEW r_coverage_by_topic AS
SELECT pm_iso_week(pm_article_time(a.published_at, a.first_seen_at)) AS week,
       a.mission_id,
       t.topic,
       count(*) AS articles,
       count(*) FILTER (WHERE a.relevant) AS relevant_articles,
       count(DISTINCT coalesce(a.story_id, a.article_id)) AS stories
FROM v_articles a, unnest(a.topics) AS t(topic)
GROUP BY ALL;

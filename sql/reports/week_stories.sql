-- name: week_stories
-- description: the stories of each ISO week, with the outlets, regions and languages that carried them
-- filters: week, mission
-- order: week, articles DESC, first_published_at, story_id
--
-- One row per week and story: the story's articles published that week (Europe/Paris, by
-- publication date, else first fetch). title and original_outlet are the story's original
-- (v_stories); mission_id is the story's (its articles' most frequent mission).
CREATE OR REPLACE VIEW r_week_stories AS
WITH a AS (
    SELECT *, coalesce(story_id, 's-' || article_id) AS sid,
           pm_iso_week(pm_article_time(published_at, first_seen_at)) AS week
    FROM v_articles
)
SELECT a.week,
       a.sid AS story_id,
       coalesce(s.mission_id, any_value(a.mission_id)) AS mission_id,
       coalesce(s.original_title, arg_min(a.title, (pm_article_time(a.published_at, a.first_seen_at), a.article_id))) AS title,
       coalesce(s.original_outlet, arg_min(a.outlet, (pm_article_time(a.published_at, a.first_seen_at), a.article_id))) AS original_outlet,
       count(*) AS articles,
       list_sort(list_distinct(list(a.outlet))) AS outlets,
       list_sort(list_distinct(list(a.region))) AS regions,
       list_sort(list_distinct(list(a.language) FILTER (WHERE a.language IS NOT NULL))) AS languages,
       bool_or(a.relevant) AS relevant,
       min(a.published_at) AS first_published_at,
       coalesce(s.article_count, count(*)) AS story_articles
FROM a
LEFT JOIN v_stories s ON s.story_id = a.sid
GROUP BY a.week, a.sid, s.mission_id, s.original_title, s.original_outlet, s.article_count;

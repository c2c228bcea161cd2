-- One row per story: its original article, when it was first published and seen, how many
-- articles (the original and its copies) and which outlets, regions and languages carried it.
-- Built from articles.story_id (written by the load) and stories.original_article_id; a story
-- whose stories row is missing falls back to its earliest article.
CREATE OR REPLACE VIEW v_stories AS
WITH members AS (
    SELECT a.*, coalesce(a.published_at, a.first_seen_at) AS match_at
    FROM articles a
    WHERE a.story_id IS NOT NULL
),
agg AS (
    SELECT story_id,
           arg_min(article_id, (match_at, first_seen_at, article_id)) AS earliest_article_id,
           min(published_at) AS first_published_at,
           min(first_seen_at) AS first_seen_at,
           count(*)::INTEGER AS article_count,
           list_sort(list_distinct(list(outlet))) AS outlets,
           list_sort(list_distinct(list(region))) AS regions,
           list_sort(list_distinct(list(language) FILTER (WHERE language IS NOT NULL))) AS languages,
           bool_or(relevant) AS relevant
    FROM members
    GROUP BY story_id
),
missions AS (
    SELECT story_id,
           arg_max(mission_id, (n, -rank_key)) AS mission_id
    FROM (
        SELECT story_id, mission_id, count(*) AS n,
               -- ties between equally frequent missions: the alphabetically first wins
               dense_rank() OVER (PARTITION BY story_id ORDER BY mission_id) AS rank_key
        FROM members WHERE mission_id IS NOT NULL
        GROUP BY story_id, mission_id
    )
    GROUP BY story_id
)
SELECT g.story_id,
       o.article_id AS original_article_id,
       o.title AS original_title,
       o.outlet AS original_outlet,
       o.url AS original_url,
       g.first_published_at,
       g.first_seen_at,
       g.article_count,
       g.article_count - 1 AS copy_count,
       g.outlets,
       g.regions,
       g.languages,
       g.relevant,
       m.mission_id
FROM agg g
LEFT JOIN stories s ON s.story_id = g.story_id
LEFT JOIN articles o ON o.article_id = coalesce(s.original_article_id, g.earliest_article_id)
LEFT JOIN missions m ON m.story_id = g.story_id;

-- One row per event: the stories that report one happening, across outlets and languages
-- (see docs/events.md). Built from event_stories (written by the load) and the articles of
-- those stories. mission_id: the event's articles' most frequent mission (ties: the
-- alphabetically first). label: the title of its earliest French article (relevant ones
-- first), else of its earliest article. home/partner: press groups as in pm_press_group, with
-- the event's mission's partner_region. why: what the linked articles share, most frequent first.
CREATE OR REPLACE VIEW v_events AS
WITH members AS (
    SELECT es.event_id, a.article_id, a.story_id, a.outlet, a.region, a.language, a.title,
           a.relevant, a.mission_id, a.published_at,
           pm_article_time(a.published_at, a.first_seen_at) AS t
    FROM event_stories es JOIN articles a ON a.story_id = es.story_id
),
mission AS (
    SELECT event_id, mission_id FROM (
        SELECT event_id, mission_id,
               row_number() OVER (PARTITION BY event_id ORDER BY count(*) DESC, mission_id) AS rn
        FROM members WHERE mission_id IS NOT NULL
        GROUP BY event_id, mission_id)
    WHERE rn = 1
),
day AS (
    SELECT m.event_id, mode(f.reported_day) AS reported_day
    FROM members m JOIN event_features f USING (article_id)
    WHERE f.reported_day IS NOT NULL
    GROUP BY m.event_id
),
why AS (
    SELECT event_id, list(item ORDER BY n DESC, item)[1:8] AS why FROM (
        SELECT event_id, item, count(*) AS n
        FROM (SELECT event_id, unnest(shared) AS item FROM event_stories)
        GROUP BY event_id, item)
    GROUP BY event_id
),
agg AS (
    SELECT m.event_id,
           arg_min(m.title, (coalesce(m.language, '') <> 'fr', NOT coalesce(m.relevant, false),
                             m.t, m.article_id)) AS title,
           min(m.t) AS first_published,
           max(m.t) AS last_published,
           count(*)::INTEGER AS articles,
           count(DISTINCT m.story_id)::INTEGER AS stories,
           count(DISTINCT m.outlet)::INTEGER AS outlets,
           list_sort(list_distinct(list(m.outlet))) AS outlet_names,
           list_sort(list_distinct(list(m.language) FILTER (WHERE m.language IS NOT NULL))) AS languages,
           list_sort(list_distinct(list(m.region))) AS regions,
           count(*) FILTER (WHERE pm_press_group(m.region, ms.partner_region) = 'home')::INTEGER
               AS home_articles,
           count(*) FILTER (WHERE pm_press_group(m.region, ms.partner_region) = 'partner')::INTEGER
               AS partner_articles
    FROM members m
    LEFT JOIN mission mi ON mi.event_id = m.event_id
    LEFT JOIN missions ms ON ms.mission_id = mi.mission_id
    GROUP BY m.event_id
)
SELECT g.event_id,
       mi.mission_id,
       CASE WHEN length(g.title) > 120 THEN left(g.title, 119) || '…' ELSE g.title END AS label,
       g.first_published,
       g.last_published,
       g.articles,
       g.stories,
       g.outlets,
       g.languages,
       g.regions,
       g.home_articles,
       g.partner_articles,
       coalesce(w.why, []) AS why,
       d.reported_day,
       g.outlet_names,
       e.founding_story_id,
       e.created_at,
       e.updated_at
FROM agg g
JOIN events e ON e.event_id = g.event_id
LEFT JOIN mission mi ON mi.event_id = g.event_id
LEFT JOIN day d ON d.event_id = g.event_id
LEFT JOIN why w ON w.event_id = g.event_id;

-- One row per event and story: the story's original, its articles, languages and press
-- groups (with the event's mission's partner region), and the link that brought it in.
CREATE OR REPLACE VIEW v_event_stories AS
WITH members AS (
    SELECT es.event_id, a.*, pm_article_time(a.published_at, a.first_seen_at) AS t
    FROM event_stories es JOIN articles a ON a.story_id = es.story_id
)
SELECT m.event_id,
       m.story_id,
       s.original_title AS title,
       s.original_outlet AS outlet,
       s.original_url AS url,
       min(m.t) AS first_published,
       count(*)::INTEGER AS articles,
       list_sort(list_distinct(list(m.outlet))) AS outlets,
       list_sort(list_distinct(list(m.language) FILTER (WHERE m.language IS NOT NULL))) AS languages,
       list_sort(list_distinct(list(m.region))) AS regions,
       count(*) FILTER (WHERE pm_press_group(m.region, ms.partner_region) = 'home')::INTEGER
           AS home_articles,
       count(*) FILTER (WHERE pm_press_group(m.region, ms.partner_region) = 'partner')::INTEGER
           AS partner_articles,
       bool_or(m.relevant) AS relevant,
       es.linked_article_id,
       es.score,
       coalesce(es.shared, []) AS shared
FROM members m
JOIN event_stories es ON es.story_id = m.story_id
LEFT JOIN v_stories s ON s.story_id = m.story_id
LEFT JOIN v_events ev ON ev.event_id = m.event_id
LEFT JOIN missions ms ON ms.mission_id = ev.mission_id
GROUP BY m.event_id, m.story_id, s.original_title, s.original_outlet, s.original_url,
         es.linked_article_id, es.score, es.shared;

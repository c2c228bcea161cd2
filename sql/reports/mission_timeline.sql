-- name: mission_timeline
-- description: a mission's coverage per day, two weeks before to two weeks after it, home vs partner press
-- filters: week, mission
-- order: mission_id, day
--
-- One row per mission and Europe/Paris day from 14 days before its start to 14 days after
-- its end (days without coverage give zeros), plus any other day with coverage of it.
-- phase: before / during (start to end, inclusive) / after. day_offset: days since the start.
CREATE OR REPLACE VIEW r_mission_timeline AS
WITH cov AS (
    SELECT a.mission_id,
           pm_local_day(pm_article_time(a.published_at, a.first_seen_at)) AS day,
           pm_press_group(a.region, m.partner_region) AS press,
           a.outlet, coalesce(a.story_id, a.article_id) AS sid
    FROM v_articles a JOIN missions m ON m.mission_id = a.mission_id
),
days AS (
    SELECT m.mission_id, CAST(d AS DATE) AS day
    FROM missions m,
         generate_series(CAST(m.start_date - INTERVAL 14 DAY AS TIMESTAMP),
                         CAST(m.end_date + INTERVAL 14 DAY AS TIMESTAMP), INTERVAL 1 DAY) AS g(d)
    UNION
    SELECT mission_id, day FROM cov
)
SELECT d.mission_id,
       d.day,
       strftime(d.day, '%G-W%V') AS week,
       CASE WHEN d.day < m.start_date THEN 'before'
            WHEN d.day <= m.end_date THEN 'during'
            ELSE 'after' END AS phase,
       CAST(d.day - m.start_date AS INTEGER) AS day_offset,
       count(c.sid) AS articles,
       count(c.sid) FILTER (WHERE c.press = 'home') AS home_articles,
       count(c.sid) FILTER (WHERE c.press = 'partner') AS partner_articles,
       count(c.sid) FILTER (WHERE c.press = 'other') AS other_articles,
       count(DISTINCT c.sid) AS stories,
       count(DISTINCT c.outlet) AS outlets
FROM days d
JOIN missions m ON m.mission_id = d.mission_id
LEFT JOIN cov c ON c.mission_id = d.mission_id AND c.day = d.day
GROUP BY d.mission_id, d.day, m.start_date, m.end_date;

-- name: outlets_without_coverage
-- description: per mission, the monitored outlets that never published an article about it
-- filters: mission
-- order: mission_id, press, outlet
--
-- One row per mission and outlet of sources.yaml (as of the last load) with no article
-- tagged with that mission. articles_during_mission (published from the mission's start to
-- its end, Europe/Paris days) and last_article_at tell an outlet that ignored the mission
-- from a feed that published nothing at all.
CREATE OR REPLACE VIEW r_outlets_without_coverage AS
WITH outlets AS (
    SELECT outlet, min(region) AS region, list_sort(list(name)) AS feeds
    FROM sources GROUP BY outlet
)
SELECT m.mission_id,
       o.outlet,
       o.region,
       pm_press_group(o.region, m.partner_region) AS press,
       o.feeds,
       (SELECT count(*) FROM articles a WHERE a.outlet = o.outlet) AS articles_total,
       (SELECT count(*) FROM articles a WHERE a.outlet = o.outlet
          AND pm_local_day(a.published_at) BETWEEN m.start_date AND m.end_date) AS articles_during_mission,
       (SELECT max(pm_article_time(a.published_at, a.first_seen_at)) FROM articles a
          WHERE a.outlet = o.outlet) AS last_article_at
FROM missions m CROSS JOIN outlets o
WHERE NOT EXISTS (SELECT 1 FROM articles a
                  WHERE a.outlet = o.outlet AND a.mission_id = m.mission_id);

-- name: coverage_by_mission
-- description: articles and stories per ISO week and mission, home vs partner-city press
-- filters: week, mission
-- order: week, mission_id NULLS LAST
--
-- One row per week (Europe/Paris, by publication date, else first fetch) and mission
-- (mission_id NULL: articles about no mission). stories counts distinct stories, so a wire
-- copy carried by three outlets is one story and three articles. Home press: regions
-- marseille and national; partner: the mission's partner_region (every other region when
-- it names none, and for articles about no mission); other: any remaining region.
CREATE OR REPLACE VIEW r_coverage_by_mission AS
SELECT pm_iso_week(pm_article_time(a.published_at, a.first_seen_at)) AS week,
       a.mission_id,
       count(*) AS articles,
       count(DISTINCT coalesce(a.story_id, a.article_id)) AS stories,
       count(*) FILTER (WHERE pm_press_group(a.region, m.partner_region) = 'home') AS home_articles,
       count(*) FILTER (WHERE pm_press_group(a.region, m.partner_region) = 'partner') AS partner_articles,
       count(*) FILTER (WHERE pm_press_group(a.region, m.partner_region) = 'other') AS other_articles,
       count(DISTINCT a.outlet) AS outlets,
       list_sort(list_distinct(list(a.language) FILTER (WHERE a.language IS NOT NULL))) AS languages
FROM v_articles a
LEFT JOIN missions m ON m.mission_id = a.mission_id
GROUP BY ALL;

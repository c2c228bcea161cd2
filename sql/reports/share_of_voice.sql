-- name: share_of_voice
-- description: per mission, home press (marseille, national) vs partner-city press: articles, stories, outlets, share
-- filters: mission
-- order: mission_id, press
--
-- One row per mission and press group over all the articles about the mission. home:
-- regions marseille and national; partner: the mission's partner_region (every non-home
-- region when it names none); other: any remaining region (a row only when it has articles).
-- share_pct: the group's percentage of the mission's articles.
CREATE OR REPLACE VIEW r_share_of_voice AS
WITH cov AS (
    SELECT a.mission_id, pm_press_group(a.region, m.partner_region) AS press,
           a.outlet, a.language, coalesce(a.story_id, a.article_id) AS sid
    FROM v_articles a JOIN missions m ON m.mission_id = a.mission_id
),
groups AS (
    SELECT m.mission_id, g.press, m.partner_region
    FROM missions m, (VALUES ('home'), ('partner'), ('other')) AS g(press)
),
counted AS (
    SELECT g.mission_id, g.press,
           CASE g.press WHEN 'home' THEN ['marseille', 'national']
                        WHEN 'partner' THEN [g.partner_region] END AS regions,
           count(c.sid) AS articles,
           count(DISTINCT c.sid) AS stories,
           count(DISTINCT c.outlet) AS outlets,
           list_sort(list_distinct(list(c.language) FILTER (WHERE c.language IS NOT NULL))) AS languages
    FROM groups g
    LEFT JOIN cov c ON c.mission_id = g.mission_id AND c.press = g.press
    GROUP BY g.mission_id, g.press, g.partner_region
)
SELECT mission_id, press, regions, articles, stories, outlets, languages,
       CASE WHEN sum(articles) OVER (PARTITION BY mission_id) = 0 THEN NULL
            ELSE round(100.0 * articles / sum(articles) OVER (PARTITION BY mission_id), 1)
       END AS share_pct
FROM counted
WHERE press <> 'other' OR articles > 0;

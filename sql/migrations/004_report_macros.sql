-- Calendar and press-group helpers shared by the reports in sql/reports/:
-- defined once here so that every report counts a day, a week and "home press" the same way.
-- Analysts can call them from any DuckDB client.

-- The communications team works on Marseille time: days and weeks are Europe/Paris days
-- and ISO weeks (Monday to Sunday).
CREATE MACRO pm_local_day(ts) AS CAST(timezone('Europe/Paris', ts) AS DATE);

-- ISO week label, 'YYYY-Www' (the ISO year: 2018-12-31 is in 2019-W01).
CREATE MACRO pm_iso_week(ts) AS strftime(timezone('Europe/Paris', ts), '%G-W%V');

-- The date an article is counted on: its publication, else when it was first fetched.
CREATE MACRO pm_article_time(published_at, first_seen_at) AS coalesce(published_at, first_seen_at);

-- Home press is the Métropole's own (regions marseille and national); partner-city press is
-- the mission's partner_region, or every other region when the mission names none.
CREATE MACRO pm_press_group(region, partner_region) AS
    CASE WHEN region IN ('marseille', 'national') THEN 'home'
         WHEN partner_region IS NULL OR region = partner_region THEN 'partner'
         ELSE 'other' END;

-- name: events
-- description: the events of each ISO week (stories reporting one happening, any language), with outlets, languages and home vs partner press
-- filters: week, mission, event
-- order: week, articles DESC, first_published, event_id
--
-- One row per event (v_events), in the week of its first article (Europe/Paris, by
-- publication date, else first fetch). An event groups at least two stories; stories in no
-- event are in week_stories. why: what the linked articles share (entities, names, numbers).
CREATE OR REPLACE VIEW r_events AS
SELECT pm_iso_week(e.first_published) AS week,
       e.mission_id,
       e.event_id,
       e.label,
       e.reported_day,
       e.first_published,
       e.last_published,
       e.articles,
       e.stories,
       e.outlets,
       e.languages,
       e.regions,
       e.home_articles,
       e.partner_articles,
       e.why
FROM v_events e;

-- The fingerprint keys an article's title, summary and first paragraph name: what it is about,
-- rather than what it recalls further down. Grouping keeps two groups of stories apart when
-- their leads share too little (pressmon.events._cluster, docs/events.md). Fingerprints stored
-- before have none, and are never kept apart for it; `pressmon reclassify` computes them.
ALTER TABLE event_features ADD COLUMN lead_keys VARCHAR[] DEFAULT [];

-- Names people read instead of ids. Separate tables, so that the tables scripts insert into
-- by position (sources, missions) keep their columns.
--
-- feed_titles: one row per feed: the display name staff gave it (sources.yaml `title:`,
-- refreshed by every load) and the feed's own channel title as last fetched. The digest and the
-- Press monitor name a feed, and its outlet, from them (pressmon.names).
CREATE TABLE feed_titles (
    source         VARCHAR NOT NULL,
    title          VARCHAR,
    channel_title  VARCHAR,
    updated_at     TIMESTAMPTZ
);

-- mission_names: a mission's partner as French readers name it (missions.yaml `partner_fr:`),
-- when the mission gives one; the digest shows it instead of the official `partner`.
CREATE TABLE mission_names (
    mission_id  VARCHAR NOT NULL,
    partner_fr  VARCHAR
);

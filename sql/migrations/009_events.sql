-- Events: the stories that report one happening (a signing, a visit, a pitch, a press
-- conference), across outlets and languages. Written by pressmon.events.assign_events inside
-- the load transaction, after the stories; recomputed by `pressmon reclassify`.

-- One row per relevant article: its event fingerprint, what linking compares.
CREATE TABLE event_features (
    article_id    VARCHAR NOT NULL,
    story_id      VARCHAR NOT NULL,
    mission_id    VARCHAR,
    match_at      TIMESTAMPTZ NOT NULL,   -- published_at, else first_seen_at
    reported_day  DATE,                   -- the day the lead says the happening took place
    day_cue       VARCHAR,                -- the words it was read from ('mardi', 'tuesday', '13 juin')
    keys          VARCHAR[] NOT NULL,     -- 'home:Jean-Claude Gaudin', 'partner:PortMiami', 'name:morel', 'num:120'
    shown         VARCHAR[] NOT NULL,     -- names as written when not Title-cased ('MSC'), to show them back
    version       INTEGER NOT NULL,       -- pressmon.events.FINGERPRINT_VERSION
    updated_at    TIMESTAMPTZ NOT NULL
);

-- Inverted index of the fingerprints: candidates are found by an equality join on key_hash
-- within the window, so a batch is never compared with every stored article.
CREATE TABLE event_keys (
    key_hash      BIGINT NOT NULL,
    article_id    VARCHAR NOT NULL,
    match_at      TIMESTAMPTZ NOT NULL,
    reported_day  DATE,       -- copied from event_features: the rule's gates apply in the join
    mission_id    VARCHAR,
    weight        REAL NOT NULL  -- the key's evidence (pressmon.events.key_weight)
);

-- One row per live event. Its id is derived from its founding story's; it never changes.
CREATE TABLE events (
    event_id           VARCHAR NOT NULL,
    founding_story_id  VARCHAR NOT NULL,
    founded_at         TIMESTAMPTZ NOT NULL,  -- when the founding story began: older events win merges
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);

-- The stories of each event (a story is in one event at most) and the link that brought it.
CREATE TABLE event_stories (
    story_id           VARCHAR NOT NULL,
    event_id           VARCHAR NOT NULL,
    article_id         VARCHAR NOT NULL,   -- the story's article that was linked
    linked_article_id  VARCHAR,            -- the article of another story it was linked to (NULL: the founding story)
    score              DOUBLE,             -- the evidence they share
    shared             VARCHAR[],          -- what they share: entities, names, numbers
    joined_at          TIMESTAMPTZ NOT NULL
);

-- Event ids retired by a merge (or by reclassify): links in sent digests still resolve.
CREATE TABLE event_aliases (
    retired_event_id  VARCHAR NOT NULL,
    event_id          VARCHAR NOT NULL,    -- the live event it became
    retired_at        TIMESTAMPTZ NOT NULL,
    reason            VARCHAR NOT NULL     -- 'merged' | 'reclassified'
);

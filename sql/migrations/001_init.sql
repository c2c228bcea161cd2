-- pressmon core schema. Migrations run in order of their number, each in one transaction,
-- and are recorded in schema_version by the runner (pressmon.store).

-- The feeds as configured in sources.yaml at the last load (refreshed by every load).
CREATE TABLE sources (
    name        VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    language    VARCHAR,
    outlet      VARCHAR NOT NULL,
    position    INTEGER NOT NULL,
    is_home     BOOLEAN NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- One row per ingest cycle (CLI or Airflow run).
CREATE TABLE cycles (
    cycle_id            VARCHAR NOT NULL,
    runner              VARCHAR,          -- 'cli' or the Airflow run id
    started_at          TIMESTAMPTZ NOT NULL,
    loaded_at           TIMESTAMPTZ,
    feeds_ok            INTEGER,
    feeds_not_modified  INTEGER,
    feeds_error         INTEGER,
    feeds_skipped       INTEGER,
    new_articles        INTEGER,
    updated_articles    INTEGER,
    relevant_articles   INTEGER,
    new_stories         INTEGER,
    rules_version       VARCHAR
);

-- Contract: one row per feed per cycle.
CREATE TABLE fetch_log (
    cycle_id     VARCHAR,
    source       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR NOT NULL,   -- ok | not_modified | error | skipped
    http_status  INTEGER,
    error        VARCHAR,
    items        INTEGER,
    duration_ms  INTEGER,
    new_articles INTEGER
);

-- Per-feed memory between cycles: conditional GET validators and failure backoff.
CREATE TABLE feed_state (
    source               VARCHAR NOT NULL,
    etag                 VARCHAR,
    last_modified        VARCHAR,
    body_hash            VARCHAR,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TIMESTAMPTZ,
    last_success_at      TIMESTAMPTZ,
    last_error_at        TIMESTAMPTZ,
    last_error           VARCHAR,
    updated_at           TIMESTAMPTZ
);

-- Page-level outcomes: robots.txt refusals, refused links, page errors, pages fetched.
CREATE TABLE page_log (
    cycle_id     VARCHAR,
    source       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR NOT NULL,   -- ok | robots_disallowed | refused | error
    http_status  INTEGER,
    error        VARCHAR,
    duration_ms  INTEGER
);

-- One row per article: one outlet's publication, whatever URLs and feeds list it.
CREATE TABLE articles (
    article_id          VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    outlet              VARCHAR NOT NULL,
    region              VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    canonical_url       VARCHAR NOT NULL,
    title               VARCHAR,
    summary             VARCHAR,
    text                VARCHAR,
    author              VARCHAR,
    published_at        TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ,
    first_seen_at       TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    cycle_id            VARCHAR,
    content_hash        VARCHAR NOT NULL,
    word_count          INTEGER,
    revision            INTEGER NOT NULL DEFAULT 1,
    language            VARCHAR,
    language_confidence DOUBLE,
    language_mix        DOUBLE,
    relevant            BOOLEAN NOT NULL DEFAULT false,
    relevance_score     DOUBLE,
    matched_terms       VARCHAR[],
    mission_id          VARCHAR,
    topics              VARCHAR[],
    rules_version       VARCHAR,
    classified_at       TIMESTAMPTZ,
    story_id            VARCHAR
);

-- Every URL an article was seen under (as listed, and its canonical form).
CREATE TABLE article_aliases (
    url            VARCHAR NOT NULL,
    canonical_url  VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL
);

-- The previous state of an article each time its text or title changed.
CREATE TABLE article_revisions (
    article_id    VARCHAR NOT NULL,
    revision      INTEGER NOT NULL,
    title         VARCHAR,
    content_hash  VARCHAR NOT NULL,
    text          VARCHAR,
    replaced_at   TIMESTAMPTZ NOT NULL
);

-- missions.yaml as of the last load.
CREATE TABLE missions (
    mission_id      VARCHAR NOT NULL,
    name            VARCHAR,
    partner         VARCHAR,
    start_date      DATE NOT NULL,
    end_date        DATE NOT NULL,
    partner_region  VARCHAR,
    terms           VARCHAR[]
);

-- Digests sent: at most one per week unless forced.
CREATE TABLE digest_log (
    week        VARCHAR NOT NULL,
    message_id  VARCHAR NOT NULL,
    subject     VARCHAR,
    recipients  VARCHAR[],
    sent_at     TIMESTAMPTZ NOT NULL,
    stories     INTEGER,
    articles    INTEGER,
    forced      BOOLEAN NOT NULL DEFAULT false
);

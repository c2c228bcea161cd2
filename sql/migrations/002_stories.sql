-- Stories: copies of one text (wire copy, reprints, lightly edited republications) grouped
-- under one story_id. Written by pressmon.dedupe.assign_stories inside the load transaction.

-- One row per story. The original is the earliest member (published_at, else first_seen_at;
-- ties: first seen, then article_id). A story never splits and never changes id.
CREATE TABLE stories (
    story_id             VARCHAR NOT NULL,
    original_article_id  VARCHAR NOT NULL,
    original_date        TIMESTAMPTZ NOT NULL,   -- the original's published_at, else first_seen_at
    first_seen_at        TIMESTAMPTZ NOT NULL,   -- earliest first_seen_at of the members
    article_count        INTEGER NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

-- Every clustered article: its story, its MinHash signature and how it joined the story.
CREATE TABLE story_members (
    article_id          VARCHAR NOT NULL,
    story_id            VARCHAR NOT NULL,
    match_at            TIMESTAMPTZ NOT NULL,   -- published_at, else first_seen_at: the window applies to it
    published_at        TIMESTAMPTZ,
    first_seen_at       TIMESTAMPTZ NOT NULL,
    signature           BLOB NOT NULL,          -- NUM_PERM little-endian uint32 MinHash values
    matched_article_id  VARCHAR,                -- the member it was matched with (NULL: founded the story)
    similarity          DOUBLE,                 -- estimated Jaccard similarity with that member
    assigned_at         TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

-- LSH index: one row per article per band of its signature. Candidate copies are found by an
-- equality join on band_key (the band number is part of the hash), restricted to match_at
-- within the window, so a new batch is never compared with every stored article.
CREATE TABLE story_bands (
    band_key    BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL,
    match_at    TIMESTAMPTZ NOT NULL
);

-- How the stored signatures and band hashes were made (one row). Signatures made with other
-- parameters are not comparable: assign_stories refuses to mix them.
CREATE TABLE story_index_meta (
    signature_version  INTEGER NOT NULL,
    num_perm           INTEGER NOT NULL,
    band_rows          INTEGER NOT NULL,
    shingle_words      INTEGER NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);

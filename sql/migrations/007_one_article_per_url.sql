-- One canonical URL, one article. Up to schema 6 an article was one outlet's URL, and a feed
-- without `outlet` was its own outlet: two feeds of one site listing one article stored it
-- twice. This merges the rows that share a canonical URL (their own or an alias's), whatever
-- their outlets:
-- - the kept row is the earliest first seen (ties: the feed listed first in sources.yaml, then
--   the smaller id): its article_id, text and tags stay, and its outlet becomes the site of its
--   feed (host without www./m./amp., as sources.yaml now defaults it);
-- - the dropped rows' URLs become aliases of the kept row, their revisions and their last text
--   (when it differs) become revisions of it, and search postings, story members and bands
--   that named them are removed or repointed; stories that held one copy each are merged into
--   the older story, whose counts and original are recomputed.
-- Tables without article ids (fetch_log, page_log, feed_state, digest_log) are untouched.
--
-- It also adds articles.topic_terms, the phrases that decided each topic (NULL for articles
-- tagged before; `pressmon reclassify` fills it).

-- The site of a URL, as pressmon.canonical.site_of computes it.
CREATE TEMP MACRO _m_host(u) AS regexp_replace(lower(regexp_extract(
    u, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/?#]*@)?([^/?#]*)', 1)), ':(80|443)$', '');
CREATE TEMP MACRO _m_site(u) AS
    CASE WHEN regexp_matches(_m_host(u), '^(www|www2|www3|m|mobile|amp)\.[^.:]+\.')
         THEN regexp_replace(_m_host(u), '^(www|www2|www3|m|mobile|amp)\.', '')
         ELSE _m_host(u) END;

-- Every canonical URL an article is known by, and the articles sharing one.
CREATE TEMP TABLE _m_urls AS
SELECT DISTINCT article_id, canonical_url FROM (
    SELECT article_id, canonical_url FROM articles
    UNION ALL
    SELECT article_id, canonical_url FROM article_aliases
    WHERE article_id IN (SELECT article_id FROM articles)
);
CREATE TEMP TABLE _m_edges AS
SELECT DISTINCT a.article_id AS x, b.article_id AS y
FROM _m_urls a JOIN _m_urls b
  ON a.canonical_url = b.canonical_url AND a.article_id <> b.article_id;

-- Groups: every article reachable through shared URLs (transitively).
CREATE TEMP TABLE _m_reach AS
WITH RECURSIVE reach(x, y) AS (
    SELECT x, x FROM _m_edges
    UNION
    SELECT r.x, e.y FROM reach r JOIN _m_edges e ON e.x = r.y
)
SELECT DISTINCT x, y FROM reach;

CREATE TEMP TABLE _m_map AS
SELECT dropped, kept FROM (
    SELECT r.x AS dropped,
           arg_min(r.y, (a.first_seen_at, coalesce(s.position, 2147483647), a.article_id)) AS kept
    FROM _m_reach r
    JOIN articles a ON a.article_id = r.y
    LEFT JOIN sources s ON s.name = a.source
    GROUP BY r.x
) WHERE dropped <> kept;

-- Aliases: the dropped rows' URLs now name the kept row.
INSERT INTO article_aliases
SELECT d.url, d.canonical_url, m.kept, d.source, d.first_seen_at
FROM articles d JOIN _m_map m ON m.dropped = d.article_id
WHERE d.url NOT IN (SELECT url FROM article_aliases);
UPDATE article_aliases SET article_id = m.kept
FROM _m_map m WHERE article_aliases.article_id = m.dropped;
DELETE FROM article_aliases WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (PARTITION BY url ORDER BY first_seen_at, article_id) AS n
        FROM article_aliases
    ) WHERE n > 1
);

-- Revisions: the texts the dropped rows held (earlier revisions and their last state) that the
-- kept row never held, once each.
CREATE TEMP TABLE _m_revisions AS
SELECT kept AS article_id, revision, title, content_hash, text, replaced_at FROM (
    SELECT c.*, row_number() OVER (PARTITION BY c.kept, c.content_hash
                                   ORDER BY c.replaced_at, c.revision) AS n
    FROM (
        SELECT m.kept, r.revision, r.title, r.content_hash, r.text, r.replaced_at
        FROM article_revisions r JOIN _m_map m ON m.dropped = r.article_id
        UNION ALL
        SELECT m.kept, d.revision, d.title, d.content_hash, d.text, d.last_seen_at
        FROM articles d JOIN _m_map m ON m.dropped = d.article_id
    ) c
    JOIN articles k ON k.article_id = c.kept
    WHERE c.content_hash <> k.content_hash
      AND NOT EXISTS (SELECT 1 FROM article_revisions o
                      WHERE o.article_id = c.kept AND o.content_hash = c.content_hash)
) WHERE n = 1;
DELETE FROM article_revisions WHERE article_id IN (SELECT dropped FROM _m_map);
INSERT INTO article_revisions SELECT * FROM _m_revisions;

-- Stories: a dropped row's story is merged with its kept row's story when they differ
-- (transitively), into the story first seen.
CREATE TEMP TABLE _m_story_edges AS
SELECT DISTINCT d.story_id AS x, k.story_id AS y
FROM _m_map m
JOIN articles d ON d.article_id = m.dropped
JOIN articles k ON k.article_id = m.kept
WHERE d.story_id IS NOT NULL AND k.story_id IS NOT NULL AND d.story_id <> k.story_id;
INSERT INTO _m_story_edges SELECT y, x FROM _m_story_edges;
CREATE TEMP TABLE _m_story_map AS
WITH RECURSIVE reach(x, y) AS (
    SELECT x, x FROM _m_story_edges
    UNION
    SELECT r.x, e.y FROM reach r JOIN _m_story_edges e ON e.x = r.y
),
story_first AS (
    SELECT story_id, min(first_seen_at) AS first_seen_at FROM articles
    WHERE story_id IS NOT NULL GROUP BY story_id
)
SELECT old_story, new_story FROM (
    SELECT r.x AS old_story,
           arg_min(r.y, (s.story_id IS NULL, coalesce(s.first_seen_at, f.first_seen_at), r.y))
               AS new_story
    FROM reach r
    LEFT JOIN stories s ON s.story_id = r.y
    LEFT JOIN story_first f ON f.story_id = r.y
    GROUP BY r.x
) WHERE old_story <> new_story;

DELETE FROM story_members WHERE article_id IN (SELECT dropped FROM _m_map);
DELETE FROM story_bands WHERE article_id IN (SELECT dropped FROM _m_map);
UPDATE story_members SET matched_article_id = m.kept
FROM _m_map m WHERE story_members.matched_article_id = m.dropped;
-- A kept row that had joined the story through its own double founded it in effect.
UPDATE story_members SET matched_article_id = NULL, similarity = NULL
WHERE matched_article_id = article_id;
UPDATE story_members SET story_id = sm.new_story
FROM _m_story_map sm WHERE story_members.story_id = sm.old_story;
UPDATE articles SET story_id = sm.new_story
FROM _m_story_map sm WHERE articles.story_id = sm.old_story;

-- Search postings of the dropped rows; then the rows themselves.
DELETE FROM search_terms WHERE article_id IN (SELECT dropped FROM _m_map);
DELETE FROM articles WHERE article_id IN (SELECT dropped FROM _m_map);

UPDATE articles SET outlet = coalesce(nullif(_m_site(coalesce(
           (SELECT s.url FROM sources s WHERE s.name = articles.source), articles.canonical_url)),
           ''), outlet)
WHERE article_id IN (SELECT kept FROM _m_map);

-- The stories that lost or gained members: original, dates and size as the load computes them.
CREATE TEMP TABLE _m_touched AS
SELECT DISTINCT story_id FROM (
    SELECT new_story AS story_id FROM _m_story_map
    UNION ALL SELECT old_story FROM _m_story_map
    UNION ALL SELECT a.story_id FROM articles a JOIN _m_map m ON a.article_id = m.kept
    UNION ALL SELECT story_id FROM stories
              WHERE original_article_id IN (SELECT dropped FROM _m_map)
) WHERE story_id IS NOT NULL;
CREATE TEMP TABLE _m_story_state AS
SELECT story_id,
       arg_min(article_id, (match_at, first_seen_at, article_id)) AS original_article_id,
       min(match_at) AS original_date,
       min(first_seen_at) AS first_seen_at,
       count(*)::INTEGER AS article_count
FROM story_members WHERE story_id IN (SELECT story_id FROM _m_touched)
GROUP BY story_id;
DELETE FROM stories WHERE story_id IN (SELECT story_id FROM _m_touched)
  AND story_id NOT IN (SELECT story_id FROM _m_story_state);
UPDATE stories SET original_article_id = s.original_article_id,
       original_date = s.original_date, first_seen_at = s.first_seen_at,
       article_count = s.article_count, updated_at = now()
FROM _m_story_state s WHERE stories.story_id = s.story_id;

DROP TABLE _m_story_state;
DROP TABLE _m_touched;
DROP TABLE _m_story_map;
DROP TABLE _m_story_edges;
DROP TABLE _m_revisions;
DROP TABLE _m_map;
DROP TABLE _m_reach;
DROP TABLE _m_edges;
DROP TABLE _m_urls;
DROP MACRO _m_site;
DROP MACRO _m_host;

ALTER TABLE articles ADD COLUMN topic_terms VARCHAR[];

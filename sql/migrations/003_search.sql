-- Full-text search without the DuckDB `fts` extension (not in the wheel, not downloadable
-- here): a term table maintained by the load (pressmon.search: forget_articles in the load
-- transaction, index_pending after it) and ranked with BM25 by the table macro pm_search.
-- Tokenising is done by the
-- macros below, in SQL, so the index, the backfill and the query always fold words the same
-- way, and analysts can call them from any DuckDB client.

-- The change to an existing table: each article's indexed length (BM25 normalises scores by
-- it), NULL while the article is not indexed. Search scores such articles on the fly, so an
-- article is findable whether or not the load has indexed it yet.
ALTER TABLE articles ADD COLUMN search_length INTEGER;

-- Case- and accent-insensitive form of a text: lower case, ligatures spelled out, accents
-- stripped ("Œuvre à Marseille" -> "oeuvre a marseille").
CREATE MACRO pm_fold(s) AS
    strip_accents(replace(replace(replace(lower(coalesce(s, '')), 'œ', 'oe'), 'æ', 'ae'),
                          'ß', 'ss'));

-- The words of a text as indexed: folded, split on anything that is not a letter or digit,
-- without one-letter words and the commonest French, English and Spanish function words
-- (they match nearly every article and only slow the index down), and with a plural "s"
-- dropped from words of four letters or more ("croisières" and "croisiere" meet).
CREATE MACRO pm_terms(s) AS
    list_transform(
        list_filter(
            regexp_split_to_array(pm_fold(s), '[^a-z0-9]+'),
            lambda t: length(t) >= 2 AND NOT list_contains([
                'le', 'la', 'les', 'un', 'une', 'des', 'de', 'du', 'et', 'ou', 'en', 'au',
                'aux', 'ce', 'ces', 'cet', 'cette', 'son', 'sa', 'ses', 'leur', 'leurs',
                'qui', 'que', 'qu', 'dans', 'par', 'pour', 'sur', 'avec', 'est', 'sont',
                'il', 'elle', 'ils', 'elles', 'ne', 'pas', 'se',
                'the', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'for', 'by', 'with',
                'from', 'is', 'are', 'was', 'were', 'be', 'been', 'it', 'its', 'this',
                'that', 'as',
                'el', 'los', 'las', 'unos', 'unas', 'del', 'al', 'por', 'para', 'con',
                'su', 'sus', 'es', 'lo', 'y'], t)),
        lambda t: CASE WHEN length(t) >= 4 AND t[-1] = 's' AND t[-2] <> 's'
                       THEN left(t, length(t) - 1) ELSE t END);

-- Every article's terms, counted in its title and in its text: what the index holds,
-- computed from the articles table. With pending_only, only the articles not indexed yet
-- (search_length IS NULL): the filter sits on the table scan, before the costly tokenising.
CREATE MACRO pm_article_postings(pending_only) AS TABLE
SELECT article_id, term,
       (count(*) FILTER (WHERE field = 'title'))::INTEGER AS title_tf,
       (count(*) FILTER (WHERE field = 'text'))::INTEGER AS body_tf
FROM (
    SELECT article_id, 'title' AS field, unnest(pm_terms(title)) AS term
    FROM articles WHERE NOT pending_only OR search_length IS NULL
    UNION ALL
    SELECT article_id, 'text' AS field, unnest(pm_terms(text)) AS term
    FROM articles WHERE NOT pending_only OR search_length IS NULL
)
GROUP BY article_id, term;

-- The inverted index: one row per article per distinct term.
CREATE TABLE search_terms (
    article_id  VARCHAR NOT NULL,
    term        VARCHAR NOT NULL,   -- pm_terms() form
    title_tf    INTEGER NOT NULL,   -- occurrences in the title
    body_tf     INTEGER NOT NULL    -- occurrences in the text
);

-- Backfill: index every article already stored.
INSERT INTO search_terms SELECT article_id, term, title_tf, body_tf FROM pm_article_postings(true);
UPDATE articles SET search_length = n.len
FROM (SELECT article_id, sum(title_tf + body_tf)::INTEGER AS len
      FROM search_terms GROUP BY article_id) n
WHERE articles.article_id = n.article_id;
UPDATE articles SET search_length = 0 WHERE search_length IS NULL;

-- Ranked search: BM25 (k1 = 1.2, b = 0.75) over title and text, a title occurrence counting
-- as three text occurrences. One row per matching article: its score and the query terms it
-- contains. Usage: SELECT * FROM pm_search('croisière Miami') ORDER BY score DESC;
CREATE MACRO pm_search(query) AS TABLE
WITH q AS (
    SELECT DISTINCT unnest(pm_terms(query)) AS term
),
postings AS (
    SELECT s.article_id, s.term, s.title_tf, s.body_tf
    FROM search_terms s
    WHERE s.term IN (SELECT term FROM q)
    UNION ALL
    SELECT p.article_id, p.term, p.title_tf, p.body_tf
    FROM pm_article_postings(true) p
    WHERE p.term IN (SELECT term FROM q)
),
docs AS (
    SELECT article_id,
           coalesce(search_length, len(pm_terms(title)) + len(pm_terms(text))) AS doc_len
    FROM articles
),
corpus AS (
    SELECT count(*) AS n_docs, greatest(avg(doc_len), 1) AS avg_len FROM docs
),
df AS (
    SELECT term, count(DISTINCT article_id) AS df FROM postings GROUP BY term
)
SELECT p.article_id,
       sum(ln(1 + (c.n_docs - df.df + 0.5) / (df.df + 0.5))
           * (3 * p.title_tf + p.body_tf) * 2.2
           / ((3 * p.title_tf + p.body_tf)
              + 1.2 * (0.25 + 0.75 * d.doc_len / c.avg_len))) AS score,
       count(DISTINCT p.term) AS matched,
       list_sort(list_distinct(list(p.term))) AS matched_terms
FROM postings p
JOIN df USING (term)
JOIN docs d USING (article_id)
CROSS JOIN corpus c
GROUP BY p.article_id;

COMMENT ON TABLE search_terms IS 'Inverted index for pressmon search: one row per article per distinct term (pm_terms form), with its counts in title and text. Maintained by the load.';
COMMENT ON COLUMN articles.search_length IS 'Number of indexed words of title and text (BM25 document length); NULL while not indexed.';

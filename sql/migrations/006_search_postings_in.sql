-- The postings of chosen articles only, so that the load can index a large cycle in small
-- transactions (memory stays bounded; an article is indexed whole or not at all).
CREATE MACRO pm_article_postings_in(ids) AS TABLE
SELECT article_id, term,
       (count(*) FILTER (WHERE field = 'title'))::INTEGER AS title_tf,
       (count(*) FILTER (WHERE field = 'text'))::INTEGER AS body_tf
FROM (
    SELECT article_id, 'title' AS field, unnest(pm_terms(title)) AS term
    FROM articles WHERE article_id IN (SELECT unnest(ids))
    UNION ALL
    SELECT article_id, 'text' AS field, unnest(pm_terms(text)) AS term
    FROM articles WHERE article_id IN (SELECT unnest(ids))
)
GROUP BY article_id, term;

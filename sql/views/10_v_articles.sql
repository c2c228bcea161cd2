-- Contract view: one row per article (see DESIGN.md). Columns may be added, never removed.
CREATE OR REPLACE VIEW v_articles AS
SELECT
    a.article_id,
    a.source,
    a.region,
    a.url,
    a.canonical_url,
    a.title,
    a.published_at,
    a.language,
    coalesce(a.topics, ['other'])          AS topics,
    a.relevant,
    a.relevance_score,
    coalesce(a.matched_terms, [])::VARCHAR[] AS matched_terms,
    a.mission_id,
    a.story_id,
    a.outlet,
    a.region IN ('marseille', 'national')  AS is_home,
    a.author,
    a.summary,
    a.text,
    a.word_count,
    a.language_confidence,
    a.language_mix,
    a.content_hash,
    a.revision,
    a.updated_at,
    a.first_seen_at,
    a.cycle_id,
    a.rules_version,
    es.event_id
FROM articles a
LEFT JOIN event_stories es ON es.story_id = a.story_id;

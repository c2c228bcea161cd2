-- A cycle's figures live in fetch_log, one row per feed, instead of a separate cycles table:
-- a rerun then adds fetch_log rows and changes nothing else, and `cycles` becomes a view
-- (sql/views/05_cycles.sql) that sums them. Each feed's row counts what its entries brought.
ALTER TABLE fetch_log ADD COLUMN runner VARCHAR;            -- 'cli' or the Airflow run id
ALTER TABLE fetch_log ADD COLUMN loaded_at TIMESTAMPTZ;     -- when the cycle was loaded
ALTER TABLE fetch_log ADD COLUMN updated_articles INTEGER;  -- stored articles whose text changed
ALTER TABLE fetch_log ADD COLUMN relevant_articles INTEGER; -- new articles about a mission
ALTER TABLE fetch_log ADD COLUMN new_stories INTEGER;       -- stories founded by new articles
ALTER TABLE fetch_log ADD COLUMN rules_version VARCHAR;     -- tagging rules of that load
ALTER TABLE fetch_log ADD COLUMN load_key VARCHAR;          -- fingerprint of the staged cycle
ALTER TABLE fetch_log ADD COLUMN warning VARCHAR;           -- non-fatal: dropped entries...

-- Cycles loaded before this migration keep their run, load time and rules version; their
-- per-cycle totals stay on the first feed of each cycle so that the view's sums hold.
UPDATE fetch_log SET runner = c.runner, loaded_at = c.loaded_at, rules_version = c.rules_version
FROM cycles c WHERE fetch_log.cycle_id = c.cycle_id;
UPDATE fetch_log SET updated_articles = c.updated_articles,
                     relevant_articles = c.relevant_articles,
                     new_stories = c.new_stories
FROM cycles c, (SELECT cycle_id, min(source) AS source FROM fetch_log GROUP BY 1) f
WHERE fetch_log.cycle_id = c.cycle_id AND f.cycle_id = c.cycle_id
  AND fetch_log.source = f.source;
DROP TABLE cycles;

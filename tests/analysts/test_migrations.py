"""Schema upgrades: a database made by the first migration only, with rows in every table,
is upgraded in place by the current code without losing a row; a newer one is refused."""

from __future__ import annotations

import duckdb
import pytest

from pressmon import search, store

from .conftest import build_db, read_corpus

INIT = store.MIGRATIONS_DIR / "001_init.sql"
TABLES_001 = ["sources", "cycles", "fetch_log", "feed_state", "page_log", "articles",
              "article_aliases", "article_revisions", "missions", "digest_log"]


def make_v1_database(path):
    """What pressmon's first release wrote: 001 applied and recorded, and some history (a
    cycle whose figures agree with its fetch_log rows, as the first release wrote them)."""
    con = duckdb.connect(str(path))
    con.execute(INIT.read_text(encoding="utf-8"))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1, 'init', '2017-10-01 00:00:00+00')")
    con.execute("""
        INSERT INTO sources VALUES
          ('gomet', 'https://gomet.test/feed/', 'marseille', 'fr', 'gomet', 0, true, '2017-11-06 08:00+00'),
          ('herald', 'https://herald.test/rss', 'miami', 'en', 'herald', 1, false, '2017-11-06 08:00+00');
        INSERT INTO cycles VALUES ('c1', 'cli', '2017-11-06 08:00+00', '2017-11-06 08:01+00',
          1, 0, 1, 0, 1, 0, 1, 1, 'r1');
        INSERT INTO fetch_log VALUES
          ('c1', 'gomet', 'https://gomet.test/feed/', '2017-11-06 08:00+00', 'ok', 200, NULL, 5, 120, 1),
          ('c1', 'herald', 'https://herald.test/rss', '2017-11-06 08:00+00', 'error', 503, 'HTTP 503', NULL, 80, 0);
        INSERT INTO feed_state (source, consecutive_failures, updated_at)
          VALUES ('herald', 1, '2017-11-06 08:00+00');
        INSERT INTO page_log VALUES ('c1', 'gomet', 'https://gomet.test/a1', '2017-11-06 08:00+00',
          'ok', 200, NULL, 40);
        INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, title, text,
          published_at, first_seen_at, last_seen_at, content_hash, word_count, revision, language,
          relevant, matched_terms, mission_id, topics, story_id, cycle_id) VALUES
          ('a1', 'gomet', 'gomet', 'marseille', 'https://gomet.test/a1', 'https://gomet.test/a1',
           'Les croisières à Miami', 'Le port de Marseille et PortMiami signent un accord.',
           '2017-11-06 07:00+00', '2017-11-06 08:00+00', '2017-11-06 08:00+00', 'h1', 9, 2, 'fr',
           true, ['PortMiami'], 'miami-2017', ['cruise', 'port'], 's1', 'c1'),
          ('a2', 'herald', 'herald', 'miami', 'https://herald.test/a2', 'https://herald.test/a2',
           'County budget', NULL, NULL, '2017-11-06 08:00+00', '2017-11-06 08:00+00', 'h2', 0, 1,
           'en', false, [], NULL, ['other'], 's2', 'c1');
        INSERT INTO article_aliases VALUES ('https://gomet.test/a1?utm_source=rss',
          'https://gomet.test/a1', 'a1', 'gomet', '2017-11-06 08:00+00');
        INSERT INTO article_revisions VALUES ('a1', 1, 'Croisières : Miami', 'h0', 'Ancien texte.',
          '2017-11-06 08:00+00');
        INSERT INTO missions VALUES ('miami-2017', 'Miami', 'Miami-Dade County', '2017-11-05',
          '2017-11-10', 'miami', ['PortMiami']);
        INSERT INTO digest_log VALUES ('2017-W45', '<m1@test>', 'Digest', ['a@test'],
          '2017-11-13 07:00+00', 3, 5, false);
    """)
    con.close()


def snapshot_rows(con, table, columns=None):
    cols = ", ".join(columns) if columns else "*"
    return sorted(con.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)


def columns_of(con, table):
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]


def test_first_release_database_is_upgraded_without_losing_rows(tmp_path):
    db = tmp_path / "old.duckdb"
    make_v1_database(db)
    con = duckdb.connect(str(db))
    before = {t: (columns_of(con, t), snapshot_rows(con, t)) for t in TABLES_001}
    con.close()
    assert all(rows for _, rows in before.values()), "every table holds rows"

    con = store.open_writer(db)
    try:
        assert store.schema_version(con) == store.latest_version() >= 3
        applied = [r[0] for r in con.execute(
            "SELECT version FROM schema_version ORDER BY version").fetchall()]
        assert applied == [n for n, _, _ in store.migrations()]
        for table, (cols, rows) in before.items():
            assert snapshot_rows(con, table, cols) == rows, table
        # The later migration changed an existing table: articles gained search_length,
        # back-filled for the old rows. a1 by hand: croisiere, miami | port, marseille,
        # portmiami, signent, accord = 7 words; a2: county, budget = 2.
        assert "search_length" in columns_of(con, "articles")
        assert dict(con.execute("SELECT article_id, search_length FROM articles").fetchall()) \
            == {"a1": 7, "a2": 2}
        assert con.execute("SELECT count(*) FROM v_articles").fetchone()[0] == 2
        hits = search.search(con, "CROISIERE portmiami")
        assert [h["article_id"] for h in hits] == ["a1"]
        assert hits[0]["matched_terms"] == ["croisiere", "portmiami"]
    finally:
        con.close()

    # A second run finds nothing to do and changes nothing.
    con = store.open_writer(db)
    try:
        assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == \
            len(store.migrations())
        assert con.execute("SELECT count(*) FROM search_terms WHERE article_id = 'a1'") \
            .fetchone()[0] == 7
    finally:
        con.close()


def test_upgraded_database_takes_new_rows_through_the_load_path(tmp_path):
    """Rows inserted after the upgrade the way the load inserts them (by name, without the new
    column) are pending, then indexed by index_articles."""
    db = tmp_path / "old.duckdb"
    make_v1_database(db)
    con = store.open_writer(db)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO articles BY NAME SELECT 'a3' AS article_id, 'gomet' AS source, "
                    "'gomet' AS outlet, 'marseille' AS region, 'u3' AS url, "
                    "'u3' AS canonical_url, 'Euroméditerranée séduit Miami' AS title, "
                    "now() AS first_seen_at, now() AS last_seen_at, 'h3' AS content_hash")
        assert con.execute("SELECT search_length FROM articles WHERE article_id = 'a3'") \
            .fetchone()[0] is None
        assert search.index_articles(con, ["a3"]) == 1
        con.execute("COMMIT")
        assert con.execute("SELECT search_length FROM articles WHERE article_id = 'a3'") \
            .fetchone()[0] == 3
        assert [h["article_id"] for h in search.search(con, "euromediterranee")] == ["a3"]
    finally:
        con.close()


def test_newer_database_is_refused_and_left_alone(tmp_path):
    db = build_db(tmp_path / "new.duckdb", read_corpus("small_corpus.yaml"))
    newer = store.latest_version() + 1
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version VALUES (?, 'from_the_future', now())", [newer])
    con.close()
    with pytest.raises(store.StoreError) as err:
        store.open_writer(db)
    assert f"schema version {newer}, newer than this pressmon knows " \
           f"({store.latest_version()})" in str(err.value)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == newer
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 11
    finally:
        con.close()


def test_every_table_and_view_is_documented():
    """docs/schema.md has a section for every table and view the migrations and views create."""
    from pathlib import Path

    doc = (Path(store.PROJECT_ROOT) / "docs" / "schema.md").read_text(encoding="utf-8")
    con = duckdb.connect()
    try:
        store.migrate(con, "in-memory")
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()]
        for name in names:
            assert f"### `{name}`" in doc, f"docs/schema.md does not document {name}"
            for col in columns_of(con, name):
                assert f"| `{col}` |" in doc.split(f"### `{name}`")[1].split("\n### ")[0], \
                    f"docs/schema.md: {name}.{col} is not documented"
    finally:
        con.close()

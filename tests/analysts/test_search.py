"""`pressmon search`: accent- and case-insensitive words, BM25 ranking, filters, and an index
kept by the load (index_articles and index_pending share one indexing core) that search
does not depend on."""

from __future__ import annotations

import json

import pytest

from pm_testing import run_cli
from pressmon import search, store

from .conftest import build_db, insert_articles, read_corpus

CORPUS = read_corpus("search_corpus.yaml")
SOURCES = {s["name"]: s for s in CORPUS["sources"]}


@pytest.fixture
def search_db(tmp_path):
    return build_db(tmp_path / "press.duckdb", CORPUS)


def ids(con, query, **filters):
    return [r["article_id"] for r in search.search(con, query, **filters)]


@pytest.fixture
def con(search_db):
    c = store.open_reader(search_db)
    yield c
    c.close()


@pytest.mark.parametrize("query, expected", [
    ("CROISIERES", ["s1", "s2"]),          # case, accents and plural folded
    ("croisière", ["s1", "s2"]),           # title match (s1) beats text match (s2)
    ("portmiami", ["s3", "s1"]),           # twice in s3 (title and text), once in s1's title
    ("oeuvre", ["s6"]),                    # the ligature of "Œuvres" spelled out
    ("Miami-Dade", ["s4"]),                # words "miami" and "dade"; "PortMiami" is one word
    ("marseille terminal", ["s2", "s3", "s1"]),  # terminal in s2's title and text, s3's text
    ("terminals", ["s2", "s3"]),
    ("le la de", []),                      # only function words: refused below
])
def test_words_are_matched_and_ranked(con, query, expected):
    if not expected:
        with pytest.raises(search.SearchError, match="nothing to search"):
            search.search(con, query)
        return
    assert ids(con, query) == expected


def test_filters(con):
    assert ids(con, "marseille", language="en") == ["s3"]
    # Once in both titles: the shorter article (9 indexed words against 11) ranks first.
    assert ids(con, "marseille", source="gomet") == ["s2", "s1"]
    assert set(ids(con, "marseille", mission="miami-2017")) == {"s1", "s3"}
    assert set(ids(con, "marseille", relevant=True)) == {"s1", "s3"}
    assert ids(con, "marseille", limit=1) == ids(con, "marseille")[:1]
    # s3 was published at 23:30 in Miami on Nov 6: Nov 7 in Paris, where days are counted.
    assert set(ids(con, "marseille", since="2017-11-07")) == {"s2", "s3"}
    assert set(ids(con, "marseille", until="2017-11-06")) == {"s1"}
    # An article without a publication date is left out once a date bound is given.
    assert ids(con, "oeuvre", since="2017-01-01") == []


def test_unindexed_articles_are_found_and_rank_the_same_once_indexed(tmp_path):
    db = build_db(tmp_path / "press.duckdb", CORPUS, index=False)
    con = store.open_writer(db)
    try:
        assert con.execute("SELECT count(*) FROM search_terms").fetchone()[0] == 0
        before = search.search(con, "marseille croisière")
        assert search.index_articles(con) == len(CORPUS["articles"])
        assert con.execute("SELECT count(*) FROM articles WHERE search_length IS NULL") \
            .fetchone()[0] == 0
        after = search.search(con, "marseille croisière")
        assert [(r["article_id"], r["score"]) for r in before] == \
            [(r["article_id"], r["score"]) for r in after]
        assert search.index_articles(con) == 0  # nothing pending
    finally:
        con.close()


def test_a_revised_article_is_reindexed(search_db):
    """The load replaces a revised article's row; its old words stop matching."""
    con = store.open_writer(search_db)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM articles WHERE article_id = 's5'")
        revised = dict(next(a for a in CORPUS["articles"] if a["id"] == "s5"))
        revised["text"] = "Commissioners approved the port budget."
        insert_articles(con, [revised], SOURCES)
        search.index_articles(con, ["s5"])
        con.execute("COMMIT")
        assert ids(con, "roads") == []
        assert "s5" in ids(con, "port budget")
        assert con.execute("SELECT search_length FROM articles WHERE article_id = 's5'") \
            .fetchone()[0] == 7  # county budget approved | commissioner approved port budget
    finally:
        con.close()


def test_deleted_article_ids_leave_no_terms(search_db):
    con = store.open_writer(search_db)
    try:
        con.execute("DELETE FROM articles WHERE article_id = 's6'")
        search.index_articles(con, ["s6"])
        assert con.execute("SELECT count(*) FROM search_terms WHERE article_id = 's6'") \
            .fetchone()[0] == 0
    finally:
        con.close()


def test_snippet_is_the_sentence_holding_a_word():
    text = "First sentence here. The cruise lines signed in PortMiami! Last one."
    assert search.snippet(text, ["portmiami"]) == "The cruise lines signed in PortMiami!"
    assert search.snippet(text, ["absent"]) == "First sentence here."


def test_cli_json_and_errors(search_db):
    proc = run_cli("search", "Croisière", "--db", str(search_db), "--format", "json")
    rows = json.loads(proc.stdout)
    assert [r["article_id"] for r in rows] == ["s1", "s2"]
    assert rows[0]["matched_terms"] == ["croisiere"]
    assert rows[0]["rank"] == 1 and rows[0]["score"] > rows[1]["score"] > 0
    assert "croisière" in rows[1]["snippet"]

    table = run_cli("search", "marseille", "--db", str(search_db), "--limit", "2").stdout
    assert table.splitlines()[0].split() == ["rank", "score", "published", "source",
                                             "language", "title", "url"]
    assert table.splitlines()[-1] == "(2 rows)"

    for argv, message in [(["--since", "2017-13-01"], "--since '2017-13-01' is not a date"),
                          (["--limit", "0"], "--limit must be a positive number"),
                          (["--since", "2017-11-10", "--until", "2017-11-01"], "is after")]:
        proc = run_cli("search", "marseille", "--db", str(search_db), *argv, check=False)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_index_articles_leaves_the_load_connection_usable(search_db):
    """The load goes on with the same connection (registering Arrow tables), whether or not
    there was anything to index."""
    import pyarrow as pa

    con = store.open_writer(search_db)
    try:
        con.execute("BEGIN TRANSACTION")
        assert search.index_articles(con, []) == 0
        con.register("_after_index", pa.table({"x": [1]}))
        assert search.index_articles(con, ["s1"]) == 1
        con.register("_after_reindex", pa.table({"x": [1]}))
        con.execute("COMMIT")
    finally:
        con.close()


@pytest.mark.parametrize("limit", ["99999999999999999999", "-5", "0", "10001"])
def test_limit_out_of_range_is_a_usage_error(search_db, limit):
    proc = run_cli("search", "marseille", "--db", str(search_db), "--limit", limit,
                   check=False)
    assert proc.returncode == 2, proc.stderr
    assert "--limit must be a positive number, at most 10000, not " in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""

"""`pressmon ingest` end to end over the sample news sites served on loopback, through the
installed console script, into a real DuckDB file."""

from __future__ import annotations

import duckdb
import pytest

from pm_testing import CONFIG, run_cli

CONTRACT = {
    "article_id": "VARCHAR", "source": "VARCHAR", "region": "VARCHAR", "url": "VARCHAR",
    "canonical_url": "VARCHAR", "title": "VARCHAR", "published_at": "TIMESTAMP WITH TIME ZONE",
    "language": "VARCHAR", "topics": "VARCHAR[]", "relevant": "BOOLEAN",
    "relevance_score": "DOUBLE", "matched_terms": "VARCHAR[]", "mission_id": "VARCHAR",
    "story_id": "VARCHAR", "event_id": "VARCHAR",
}
TOPICS = {"diplomacy", "economy", "investment", "tourism", "cruise", "port",
          "urban_development", "innovation", "culture", "politics", "sports", "other"}


def ingest(sources, db, *extra):
    return run_cli("ingest", "--sources", str(sources), "--db", str(db),
                   "--missions", str(CONFIG / "missions.yaml"), *extra)


def table_state(db, tables=None):
    """Every base table but fetch_log (or the ones named), and v_articles."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        if tables is None:
            tables = [t for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = "
                "'BASE TABLE' AND table_name <> 'fetch_log'").fetchall()]
        state = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
                 for t in tables}
        state["v_articles"] = sorted(map(repr, con.execute("SELECT * FROM v_articles").fetchall()))
        return state
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded(sample_server, tmp_path_factory):
    """One ingest of the sample corpus, then a second identical one."""
    from siteserver import render_sources
    from pm_testing import SAMPLE

    tmp = tmp_path_factory.mktemp("ingest")
    sources = render_sources(SAMPLE / "sources.yaml", sample_server, tmp / "sources.yaml")
    db = tmp / "press.duckdb"
    sample_server.reset_log()
    first = ingest(sources, db)
    first_requests = list(sample_server.requests)
    state1 = table_state(db)
    sample_server.reset_log()
    second = ingest(sources, db)
    second_requests = list(sample_server.requests)
    state2 = table_state(db)
    return {"db": db, "sources": sources, "first": first, "second": second,
            "first_requests": first_requests, "second_requests": second_requests,
            "state1": state1, "state2": state2}


def test_contract_columns(loaded):
    """v_articles has every contract column with its contract type."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    cols = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                            "WHERE table_name = 'v_articles'").fetchall())
    for name, typ in CONTRACT.items():
        assert cols.get(name) == typ, (name, cols.get(name))


def test_every_column_filled(loaded):
    """Each article row is complete as DESIGN.md defines it."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    rows = con.execute("SELECT * FROM v_articles").fetchall()
    names = [d[0] for d in con.description]
    assert len(rows) > 20
    regions = {s: r for s, r in con.execute("SELECT name, region FROM sources").fetchall()}
    for row in rows:
        a = dict(zip(names, row))
        for key in ("article_id", "source", "region", "url", "canonical_url", "title",
                    "language", "story_id", "relevance_score"):
            assert a[key] not in (None, ""), (key, a["url"])
        assert a["region"] == regions[a["source"]]
        assert a["url"].startswith("http") and a["canonical_url"].startswith("http")
        assert "utm_" not in a["canonical_url"] and "#" not in a["canonical_url"]
        assert a["language"] in {"fr", "en", "es"}, (a["url"], a["language"])
        assert a["topics"] and set(a["topics"]) <= TOPICS
        assert isinstance(a["relevant"], bool)
        if a["relevant"]:
            assert a["matched_terms"], a["url"]
        else:
            assert a["matched_terms"] == [] and a["mission_id"] is None
    # The sample gives a date for every article, in the feed or in the page.
    assert con.execute("SELECT count(*) FROM v_articles WHERE published_at IS NULL").fetchone()[0] == 0


def test_one_row_per_article(loaded):
    """No canonical URL or article id appears twice; an outlet's text under two URLs is one row."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    assert con.execute("SELECT count(*) - count(DISTINCT article_id) FROM v_articles").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM (SELECT canonical_url FROM v_articles "
                       "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0] == 0
    # several URLs were seen for at least one article (the same article under two URLs)
    assert con.execute("SELECT max(n) FROM (SELECT article_id, count(*) n FROM article_aliases "
                       "GROUP BY 1)").fetchone()[0] >= 2


def test_fetch_log_one_row_per_feed(loaded):
    """Each feed has one fetch_log row per cycle; the broken feed's error is readable."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    n_feeds = con.execute("SELECT count(*) FROM sources").fetchone()[0]
    per_cycle = con.execute("SELECT cycle_id, count(*), count(DISTINCT source) FROM fetch_log "
                            "GROUP BY 1").fetchall()
    assert len(per_cycle) == 2
    assert all(n == d == n_feeds for _, n, d in per_cycle)
    errors = con.execute("SELECT source, error FROM fetch_log WHERE outcome = 'error'").fetchall()
    assert errors, "the sample corpus has one broken feed"
    for source, error in errors:
        assert error and len(error) > 10
    ok = con.execute("SELECT count(*) FROM fetch_log WHERE outcome = 'ok' AND items > 0").fetchone()[0]
    assert ok >= n_feeds - 1


def test_second_run_changes_nothing_but_logs(loaded):
    """An identical second cycle adds fetch_log rows and changes nothing else."""
    assert set(loaded["state1"]) >= {"articles", "article_aliases", "feed_state", "sources"}
    for table in loaded["state1"]:
        assert loaded["state1"][table] == loaded["state2"][table], table
    assert "0 new articles" in loaded["second"].stdout


def test_second_run_only_conditional_feed_requests(loaded):
    """Unchanged feeds cost one conditional request each; no article page is fetched again."""
    first_pages = [r for r in loaded["first_requests"] if not r.path.endswith((".xml", "robots.txt"))
                   and "/feed" not in r.path]
    assert first_pages, "the first run fetched article pages"
    second = loaded["second_requests"]
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    feeds = con.execute("SELECT count(*) FROM sources").fetchone()[0]
    assert len(second) <= feeds  # the backed-off broken feed is not even requested
    for r in second:
        headers = {k.lower(): v for k, v in dict(r.headers).items()}
        assert "if-none-match" in headers or "if-modified-since" in headers, r.path
    outcomes = dict(con.execute("SELECT outcome, count(*) FROM fetch_log WHERE cycle_id = "
                                "(SELECT max(cycle_id) FROM fetch_log) GROUP BY 1").fetchall())
    assert outcomes.get("not_modified", 0) >= feeds - 1


def test_snapshot_published(loaded):
    """Readers get a snapshot beside the database with the same articles."""
    snap = loaded["db"].with_name("press.snapshot.duckdb")
    assert snap.exists()
    a = duckdb.connect(str(snap), read_only=True).execute("SELECT count(*) FROM v_articles").fetchone()
    b = duckdb.connect(str(loaded["db"]), read_only=True).execute("SELECT count(*) FROM v_articles").fetchone()
    assert a == b


def test_bad_config_stops_before_any_fetch(sample_server, sample_sources, tmp_path):
    """An invalid sources entry: exit 2, file/entry/field named, no request sent."""
    import yaml

    data = yaml.safe_load(sample_sources.read_text())
    data["sources"][2]["colour"] = "blue"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    third = data["sources"][2]["name"]
    sample_server.reset_log()
    proc = run_cli("ingest", "--sources", str(bad), "--db", str(tmp_path / "x.duckdb"), check=False)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr
    assert f"sources entry 3 ({third}), field 'colour': unknown key" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sample_server.requests == []
    assert not (tmp_path / "x.duckdb").exists()


def test_unwritable_database(sample_sources, tmp_path):
    """A database path that cannot be written: a clear message, no traceback."""
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    proc = run_cli("ingest", "--sources", str(sample_sources), "--db",
                   str(blocker / "press.duckdb"), check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert str(blocker) in proc.stderr and "database" in proc.stderr


# --------------------------------------------------------------------------- the sample's oracle
# sample/expected.yaml holds facts counted by hand from the corpus (see sample/EXPECTED.md).


@pytest.fixture(scope="module")
def expected(sample_server):
    import yaml

    from pm_testing import SAMPLE

    data = yaml.safe_load((SAMPLE / "expected.yaml").read_text(encoding="utf-8"))
    return data


def _path(url):
    import re

    return re.sub(r"^(https?://[^/]+|\{\{site:[^}]+\}\})", "", url).split("?")[0].rstrip("/")


def test_sample_counts(loaded, expected):
    """Articles per source, region and language are the hand-counted ones."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    assert con.execute("SELECT count(*) FROM v_articles").fetchall()[0][0] == expected["articles"]
    assert dict(con.execute("SELECT source, count(*) FROM v_articles GROUP BY 1").fetchall()) \
        == expected["per_source"]
    assert dict(con.execute("SELECT region, count(*) FROM v_articles GROUP BY 1").fetchall()) \
        == expected["per_region"]
    assert dict(con.execute("SELECT language, count(*) FROM v_articles GROUP BY 1").fetchall()) \
        == expected["per_language"]
    failed = {s for (s,) in con.execute(
        "SELECT DISTINCT source FROM fetch_log WHERE outcome = 'error'").fetchall()}
    assert failed == {f["source"] for f in expected["failing_feeds"]}


def test_sample_story_groups(loaded, expected):
    """The copies named by hand share one story, with nothing else in it; the rest are alone."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    story_of = {_path(u): s for u, s in con.execute(
        "SELECT canonical_url, story_id FROM v_articles").fetchall()}
    assert len(set(story_of.values())) == expected["stories"]
    grouped = set()
    for group in expected["story_groups"]:
        paths = [_path(u) for u in group["urls"]]
        ids = {story_of[p] for p in paths}
        assert len(ids) == 1, group["id"]
        members = {p for p, s in story_of.items() if s in ids}
        assert members == set(paths), group["id"]
        grouped |= members
    for p, s in story_of.items():
        if p not in grouped:
            assert sum(1 for t in story_of.values() if t == s) == 1, p


def test_sample_aliases_and_robots(loaded, expected):
    """An article under two URLs is one row knowing both; the robots-refused page is logged."""
    con = duckdb.connect(str(loaded["db"]), read_only=True)
    for case in expected["same_article_several_urls"]:
        urls = [_path(x["url"]) for x in case["listed_as"]]
        rows = con.execute(
            "SELECT DISTINCT article_id FROM article_aliases WHERE regexp_replace("
            "split_part(url, '?', 1), '^https?://[^/]+', '') IN (SELECT unnest(?))",
            [[u for u in urls] + [u + "/" for u in urls]]).fetchall()
        assert len(rows) == 1, case["path"]
    refused = {_path(u) for (u,) in con.execute(
        "SELECT url FROM page_log WHERE outcome = 'robots_disallowed'").fetchall()}
    assert refused == {_path(r["url"]) for r in expected["robots_disallowed"]}


def test_reclassify_follows_edited_rules_offline(loaded, tmp_path, sample_server):
    """A watchlist edit re-tags stored articles with `pressmon reclassify`, without any request."""
    import re
    import shutil

    db = tmp_path / "press.duckdb"
    shutil.copyfile(loaded["db"], db)
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    watchlist = config / "watchlist.yaml"
    text = watchlist.read_text(encoding="utf-8")
    raised = re.sub(r"(\n\s*threshold:\s*)[0-9.]+", r"\g<1>1000.0", text, count=1)
    assert raised != text
    before = duckdb.connect(str(db), read_only=True).execute(
        "SELECT count(*) FILTER (WHERE relevant), any_value(rules_version) FROM articles").fetchall()[0]
    assert before[0] > 0
    sample_server.reset_log()
    watchlist.write_text(raised, encoding="utf-8")
    out = run_cli("reclassify", "--db", str(db), "--config-dir", str(config),
                  "--missions", str(config / "missions.yaml"))
    assert "reclassified" in out.stdout
    con = duckdb.connect(str(db), read_only=True)
    relevant, versions = con.execute(
        "SELECT count(*) FILTER (WHERE relevant), list(DISTINCT rules_version) FROM articles").fetchall()[0]
    assert relevant == 0 and versions != [before[1]] and len(versions) == 1
    assert con.execute("SELECT count(*) FROM v_articles WHERE matched_terms <> [] "
                       "OR mission_id IS NOT NULL").fetchall()[0][0] == 0
    assert sample_server.requests == []
    # and back: the original rules give the original tags again
    watchlist.write_text(text, encoding="utf-8")
    con.close()
    run_cli("reclassify", "--db", str(db), "--config-dir", str(config),
            "--missions", str(config / "missions.yaml"))
    again = duckdb.connect(str(db), read_only=True).execute(
        "SELECT count(*) FILTER (WHERE relevant), any_value(rules_version) FROM articles").fetchall()[0]
    assert again == before

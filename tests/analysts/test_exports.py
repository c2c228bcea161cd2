"""Parquet exports by month, published atomically, and an analyst holding the snapshot open
while the next loads run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from pressmon import exports, search, store
from pressmon.settings import get_paths

from .conftest import build_db, insert_articles, read_corpus

CORPUS = read_corpus("small_corpus.yaml")
SOURCES = {s["name"]: s for s in CORPUS["sources"]}
READER = Path(__file__).parent / "scripts" / "analyst_reader.py"


def publish(db):
    paths = get_paths(db=str(db))
    con = store.open_writer(db)
    try:
        return exports.publish_exports(con, paths), paths
    finally:
        con.close()


def test_exports_are_partitioned_by_month(tmp_path, monkeypatch):
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    db = build_db(tmp_path / "press.duckdb", CORPUS)
    folder, paths = publish(db)
    assert folder == exports.current_set(paths) == (tmp_path / "exports" / "current").resolve()
    months = {p.parent.name: p.name for p in folder.glob("articles/*/*.parquet")}
    # By hand (Paris time): a1 on Oct 31; a9, a10 in May 2018; the 8 others in Nov 2017.
    mem = duckdb.connect()
    per_month = dict(mem.execute(
        f"SELECT month, count(*) FROM read_parquet('{folder}/articles/*/*.parquet', "
        f"hive_partitioning = true) GROUP BY month").fetchall())
    assert sorted(months) == ["month=2017-10", "month=2017-11", "month=2018-05"]
    assert per_month == {"2017-10": 1, "2017-11": 8, "2018-05": 2}
    manifest = json.loads((folder / "manifest.json").read_text())
    # Stories s1..s8 (a8 has none); fetch_log has 11 rows.
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == {
        "articles": 11, "stories": 8, "fetch_log": 11}
    assert manifest["schema_version"] == store.latest_version()
    row = mem.execute(f"SELECT title, topics, published_at FROM read_parquet("
                     f"'{folder}/articles/*/*.parquet') WHERE article_id = 'a4'").fetchone()
    assert row[0] == "PortMiami courts Marseille cruise lines" and row[1] == ["port", "cruise"]


def test_current_moves_to_each_new_set_and_old_sets_are_pruned(tmp_path, monkeypatch):
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    db = build_db(tmp_path / "press.duckdb", CORPUS)
    made = [publish(db)[0] for _ in range(5)]
    sets = sorted(p.name for p in (tmp_path / "exports" / "sets").iterdir())
    assert sets == sorted(p.name for p in made[-exports.KEEP_SETS:])
    assert (tmp_path / "exports" / "current").resolve() == made[-1]
    assert not list((tmp_path / "exports").glob(".current*"))


def test_a_failed_export_leaves_the_current_set_alone(tmp_path, monkeypatch):
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    db = build_db(tmp_path / "press.duckdb", CORPUS)
    first, paths = publish(db)
    con = store.open_writer(db)
    try:
        con.execute("CREATE OR REPLACE VIEW v_stories AS SELECT 1 / 0 AS x, "
                    "error('broken view') AS first_published_at, NULL AS first_seen_at")
        try:
            exports.publish_exports(con, paths)
        except exports.ExportError as exc:
            assert "cannot write the Parquet exports" in str(exc)
        else:
            raise AssertionError("the broken view did not fail the export")
    finally:
        con.close()
    assert exports.current_set(paths) == first
    assert not list((tmp_path / "exports" / "sets").glob(".building-*"))


def _load_more(db, paths, batch: int) -> None:
    """What a load does to the database, then the publications that follow it."""
    con = store.open_writer(db)  # no wait: a reader of the snapshot must not hold us up
    try:
        con.execute("BEGIN TRANSACTION")
        insert_articles(con, [
            {"id": f"n{batch}-{i}", "source": "gomet", "published": "2017-11-20T10:00:00+01:00",
             "title": f"Article {batch}-{i}", "text": "Nouvelles de la Métropole."}
            for i in range(3)], SOURCES)
        search.index_articles(con)
        con.execute("COMMIT")
        store.publish_snapshot(con, db)
        exports.publish_exports(con, paths)
    finally:
        con.close()


def test_analyst_holding_the_snapshot_does_not_stop_the_next_loads(tmp_path, monkeypatch):
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    db = build_db(tmp_path / "press.duckdb", CORPUS)
    _, paths = publish(db)
    reader = subprocess.Popen(
        [sys.executable, str(READER), str(store.snapshot_path(db)), str(paths.exports_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        hello = json.loads(reader.stdout.readline())
        assert hello == {"ready": True, "held_count": 11}
        expected = [11]
        for batch in range(1, 6):
            _load_more(db, paths, batch)
            expected.append(11 + 3 * batch)
            reader.stdin.write("check\n")
            reader.stdin.flush()
            assert json.loads(reader.stdout.readline()) == {"parquet": expected[-1]}
            fresh = store.open_reader(db)  # a new session sees the new snapshot
            try:
                assert fresh.execute("SELECT count(*) FROM v_articles").fetchone()[0] \
                    == expected[-1]
            finally:
                fresh.close()
        reader.stdin.write("stop\n")
        reader.stdin.flush()
        summary = json.loads(reader.stdout.readline())
    finally:
        if reader.poll() is None:
            reader.stdin.close()
        reader.wait(timeout=30)
    assert summary["errors"] == [], summary["errors"]
    assert summary["held_count_end"] == 11  # its open file never changed under it
    assert set(summary["seen_parquet"]) <= set(expected)
    assert reader.returncode == 0, reader.stderr.read()


def test_ingest_runs_while_an_analyst_holds_the_snapshot(sample_sources, pm_env, tmp_path):
    """The real load path: `pressmon ingest` publishes the snapshot and the exports, and a
    second ingest succeeds while an analyst process keeps the first snapshot open."""
    from pm_testing import run_cli

    db = tmp_path / "db" / "press.duckdb"
    run_cli("ingest", "--sources", str(sample_sources), "--db", str(db), env=pm_env)
    paths = get_paths(db=str(db))
    first_set = exports.current_set(paths)
    assert first_set is not None
    reader = subprocess.Popen(
        [sys.executable, str(READER), str(store.snapshot_path(db)), str(paths.exports_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        hello = json.loads(reader.stdout.readline())
        assert hello == {"ready": True, "held_count": 72}  # sample/EXPECTED.md: 72 articles
        proc = run_cli("ingest", "--sources", str(sample_sources), "--db", str(db),
                       env=pm_env, check=False)
        assert proc.returncode == 0, proc.stderr
        reader.stdin.write("check\nstop\n")
        reader.stdin.flush()
        assert json.loads(reader.stdout.readline()) == {"parquet": 72}
        summary = json.loads(reader.stdout.readline())
    finally:
        if reader.poll() is None:
            reader.stdin.close()
        reader.wait(timeout=30)
    assert summary["errors"] == [] and summary["held_count_end"] == 72
    assert exports.current_set(paths) != first_set  # the second load published a new set
    manifest = json.loads((exports.current_set(paths) / "manifest.json").read_text())
    assert manifest["tables"]["articles"]["rows"] == 72


def test_paths_holding_quotes_are_data_not_sql(tmp_path, monkeypatch):
    """The export's COPY takes its folder as a value: a folder named quo'te gets its export,
    and a --db folder holding SQL runs none of it (no table created, no file written
    outside the data folder)."""
    from pm_testing import run_cli

    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    outside = tmp_path / "a"
    evil = tmp_path / ("a' (FORMAT csv); CREATE TABLE pwned AS SELECT 42 AS x; "
                       "COPY pwned TO 'b")
    for folder in (tmp_path / "quo'te", evil):
        folder.mkdir()
        db = build_db(folder / "press.duckdb", CORPUS)
        proc = run_cli("reclassify", "--db", str(db), check=False)
        assert proc.returncode == 0, proc.stderr
        assert "Parquet exports not published" not in proc.stderr, proc.stderr
        current = exports.current_set(get_paths(db=str(db)))
        assert current is not None and current.parent == folder / "exports" / "sets"
        manifest = json.loads((current / "manifest.json").read_text())
        assert manifest["tables"]["articles"]["rows"] == 11
        assert len(list(current.glob("articles/month=*/*.parquet"))) == 3
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'pwned'").fetchone()[0] == 0
        finally:
            con.close()
    assert not outside.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([evil.name, "quo'te"])

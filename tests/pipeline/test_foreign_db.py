"""Another application's DuckDB file given as the database: every command refuses it before
any fetch and without writing to it; a new empty DuckDB file is still taken as today."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from pm_testing import CONFIG, run_cli


def foreign_db(path):
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE invoices (id INTEGER, amount DECIMAL(10, 2))")
        con.execute("INSERT INTO invoices VALUES (1, 12.50), (2, 99.00)")
        con.execute("CREATE VIEW v_totals AS SELECT sum(amount) AS total FROM invoices")
    finally:
        con.close()
    return path


def digest_of(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables_of(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall())
    finally:
        con.close()


COMMANDS = {
    "ingest": ["ingest", "--missions", str(CONFIG / "missions.yaml")],
    "reclassify": ["reclassify"],
    "digest": ["digest", "--week", "2017-W45"],
    "report": ["report", "coverage_by_region", "--week", "2017-W45"],
    "search": ["search", "croisière"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_foreign_database_is_refused_untouched(command, sample_server, sample_sources,
                                               tmp_path, monkeypatch):
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)  # nothing beside it either
    db = foreign_db(tmp_path / "accounts.duckdb")
    before = digest_of(db)
    argv = COMMANDS[command] + ["--db", str(db)]
    if command == "ingest":
        argv += ["--sources", str(sample_sources)]
    sample_server.reset_log()
    proc = run_cli(*argv, check=False)
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith(f"pressmon {command}: error: {db} is not a pressmon "
                                  f"database"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert sample_server.requests == []
    assert digest_of(db) == before
    assert tables_of(db) == ["invoices", "v_totals"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["accounts.duckdb", "sources.yaml"])


def test_airflow_plan_refuses_a_foreign_database(tmp_path, monkeypatch):
    from pressmon.airflow.common import TaskFailed
    from pressmon.airflow.ingest import plan_cycle

    db = foreign_db(tmp_path / "accounts.duckdb")
    before = digest_of(db)
    monkeypatch.setenv("PRESSMON_DB", str(db))
    monkeypatch.setenv("PRESSMON_CONFIG_DIR", str(CONFIG))
    monkeypatch.delenv("PRESSMON_SOURCES", raising=False)
    monkeypatch.delenv("PRESSMON_MISSIONS", raising=False)
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    with pytest.raises(TaskFailed, match="is not a pressmon database"):
        plan_cycle()
    assert digest_of(db) == before


def test_new_empty_duckdb_file_is_taken(tmp_path):
    """A DuckDB file without any table (just created) is set up as a new database."""
    db = tmp_path / "new.duckdb"
    duckdb.connect(str(db)).close()
    proc = run_cli("reclassify", "--db", str(db))
    assert proc.stdout.startswith("reclassified 0 articles")
    assert "schema_version" in tables_of(db)

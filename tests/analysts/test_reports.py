"""The SQL reports of sql/reports/ against hand-worked figures, and `pressmon report`."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pressmon import reports, store
from pm_testing import run_cli

from .conftest import read_corpus

CORPUS = read_corpus("small_corpus.yaml")
EXPECTED = CORPUS["expected"]


def _as_text(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _matches(row: dict, where: dict) -> bool:
    return all(_as_text(row[k]) == v for k, v in where.items())


def test_every_report_file_has_hand_worked_figures():
    """A report added without expectations is caught here."""
    assert sorted(r.name for r in reports.list_reports()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_figures(small_db, name):
    """Each report's rows equal the figures worked out by hand in small_corpus.yaml."""
    con = store.open_reader(small_db)
    try:
        columns, rows = reports.run_report(con, name)
    finally:
        con.close()
    rows = [dict(zip(columns, r)) for r in rows]
    spec = EXPECTED[name]
    assert len(rows) == spec["rows"], [tuple(r.values())[:4] for r in rows]
    for check in spec["check"]:
        found = [r for r in rows if _matches(r, check["where"])]
        assert len(found) == 1, f"{name}: {check['where']} matched {len(found)} rows"
        got = {k: _as_text(found[0][k]) for k in check["values"]}
        assert got == check["values"], f"{name} {check['where']}"


def test_list_prints_one_report_per_line_name_first(small_db):
    proc = run_cli("report", "--list", "--db", str(small_db))
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names == sorted(EXPECTED)


def test_week_and_mission_filters_through_the_cli(small_db):
    proc = run_cli("report", "coverage_by_region", "--db", str(small_db), "--week", "2017-W45",
                   "--mission", "miami-2017", "--format", "json")
    rows = json.loads(proc.stdout)
    assert sorted((r["region"], r["articles"]) for r in rows) == [
        ("marseille", 1), ("miami", 1), ("national", 1)]
    assert {r["week"] for r in rows} == {"2017-W45"}


def test_csv_format_has_a_header_and_joins_lists(small_db):
    proc = run_cli("report", "share_of_voice", "--db", str(small_db), "--mission", "miami-2017",
                   "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["press"], r["articles"], r["share_pct"]) for r in rows] == [
        ("home", "4", "66.7"), ("partner", "2", "33.3")]
    assert rows[0]["regions"] == "marseille, national"


def test_table_format_is_aligned_and_counts_rows(small_db):
    proc = run_cli("report", "mission_timeline", "--db", str(small_db), "--mission",
                   "montreal-2018", "--week", "2018-W20")
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["mission_id", "day", "week"]
    assert lines[-1] == "(7 rows)"
    assert len({len(line) for line in lines[2:-1]}) == 1  # every data row equally wide


@pytest.mark.parametrize("argv, message", [
    (["no_such_report"], "unknown report 'no_such_report'"),
    (["coverage_by_region", "--week", "2017-W60"], "week '2017-W60' does not exist"),
    (["coverage_by_region", "--week", "45"], "is not an ISO week"),
    (["coverage_by_region", "--week", "2015-W53x"], "is not an ISO week"),
    (["coverage_by_region", "--week", ""], "is not an ISO week"),
    (["coverage_by_region", "--week", "0000-W01"], "out of range"),
    (["coverage_by_region", "--week", "9999-W52"], "out of range"),
    (["coverage_by_region", "--week", "\uff12\uff10\uff11\uff17-W45"], "is not an ISO week"),
    (["share_of_voice", "--week", "2017-W45"], "cannot be filtered by week"),
    (["feed_health", "--mission", "miami-2017"], "cannot be filtered by mission"),
    (["coverage_by_region", "--mission", "tokyo"], "unknown mission 'tokyo'"),
    (["events", "--event", "ev_0000000000000000"], "unknown event 'ev_0000000000000000'"),
    (["coverage_by_region", "--event", "ev_0000000000000000"], "cannot be filtered by event"),
    ([], "name a report"),
])
def test_clear_errors(small_db, argv, message):
    proc = run_cli("report", *argv, "--db", str(small_db), check=False)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stdout == ""


def test_an_event_by_id_even_a_retired_one(tmp_path):
    """`report events --event ID`: the event's row; the id of an event merged into another
    (kept in a sent digest or a note) gives the surviving event's row, and stderr says so."""
    from pm_testing import merged_events_db

    db = tmp_path / "press.duckdb"
    retired, live = merged_events_db(db)
    proc = run_cli("report", "events", "--db", str(db), "--event", live, "--format", "json")
    [row] = json.loads(proc.stdout)
    assert (row["event_id"], row["articles"], row["stories"]) == (live, 5, 5)
    assert proc.stderr == ""
    proc = run_cli("report", "events", "--db", str(db), "--event", retired, "--week",
                   "2017-W45", "--format", "json")
    assert [r["event_id"] for r in json.loads(proc.stdout)] == [live]
    assert f"event {retired} was merged into {live}" in proc.stderr


def test_week_53_exists_only_in_long_years():
    assert reports.parse_week("2015-W53") == "2015-W53"
    with pytest.raises(reports.ReportError, match="W01 to W52"):
        reports.parse_week("2017-W53")


def test_reports_read_the_snapshot_not_the_live_file(small_db):
    """A report runs while another process holds the live database open for writing."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(small_db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        proc = run_cli("report", "share_of_voice", "--db", str(small_db), "--format", "json")
        assert len(json.loads(proc.stdout)) == EXPECTED["share_of_voice"]["rows"]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_missing_database_is_a_clear_error(tmp_path):
    proc = run_cli("report", "feed_health", "--db", str(tmp_path / "none.duckdb"), check=False)
    assert proc.returncode == 3
    assert "does not exist" in proc.stderr


def test_csv_neutralises_formula_cells_only():
    """Text cells a spreadsheet would run as a formula get a leading quote in CSV; numbers
    (a negative day_offset) stay numbers, and table and JSON show the text as it is."""
    columns = ["title", "day_offset", "score", "terms", "note"]
    rows = [("=HYPERLINK(\"http://evil.example\",\"x\")", -3, -0.5, ["@SUM(A1)", "ok"], "+1"),
            ("-2 degrees", 4, 1.25, [], "\tx"), ("\rcarriage", 0, 0.0, None, "plain")]
    got = list(csv.reader(io.StringIO(reports.format_rows(columns, rows, "csv"))))
    assert got[1:] == [
        ["'=HYPERLINK(\"http://evil.example\",\"x\")", "-3", "-0.5", "'@SUM(A1), ok", "'+1"],
        ["'-2 degrees", "4", "1.25", "", "'\tx"],
        ["'\rcarriage", "0", "0", "", "plain"]]
    assert json.loads(reports.format_rows(columns, rows, "json"))[0]["title"].startswith("=")
    assert reports.format_rows(columns, rows, "table").splitlines()[2].startswith("=HYPER")


def test_search_csv_neutralises_a_formula_title(tmp_path):
    from .conftest import build_db

    corpus = read_corpus("search_corpus.yaml")
    corpus["articles"][0]["title"] = "=cmd|' /C calc'!A0 croisière"
    db = build_db(tmp_path / "press.duckdb", corpus)
    proc = run_cli("search", "croisière", "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0 croisière"
    assert rows[0]["rank"] == "1" and float(rows[0]["score"]) > 0

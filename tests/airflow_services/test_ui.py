"""The "Press monitor" page: what it shows from a real snapshot, escaping, and the empty case;
and the plugin file that registers it stays cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from services_support import ROOT

DATA = ROOT / "tests" / "airflow_services" / "data"


def build_snapshot(db, fixture: str):
    """A real pressmon database (current migrations) filled from a fixture file, published."""
    from pressmon import store

    con = store.open_writer(db)
    try:
        con.execute((DATA / fixture).read_text(encoding="utf-8"))
        store.publish_snapshot(con, db)
    finally:
        con.close()


@pytest.fixture
def client(tmp_path):
    from pressmon.settings import get_paths
    from pressmon.airflow.ui import create_app

    db = tmp_path / "press.duckdb"
    paths = get_paths(db=str(db))
    return db, TestClient(create_app(require_auth=False, paths=paths))


def test_page_before_any_load(client):
    """Without a database the page answers 200 and says there is no data yet."""
    _, c = client
    r = c.get("/")
    assert r.status_code == 200
    assert "No data yet" in r.text and "press_ingest" in r.text
    assert c.get("/summary.json").json()["cycles"] == []


def test_page_shows_runs_health_and_stories(client):
    """Last run figures, the failing feed marked, the week's stories ranked by outlets."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    summary = c.get("/summary.json", params={"week": "2017-W45"}).json()
    assert summary["notice"] is None
    assert summary["cycles"][0]["cycle_id"] == "af-manual-2"
    assert summary["cycles"][0]["new_articles"] == 17
    health = {row["source"]: row for row in summary["feed_health"]}
    assert health["lavoixdumiami"]["consecutive_failures"] == 1
    assert [s["story"] for s in summary["stories"]] == ["s-accord", "s-cruise"]
    assert summary["stories"][0]["outlets"] == 2

    page = c.get("/", params={"week": "2017-W45"}).text
    assert "<b>17</b>new articles" in page
    assert "timed out after 20 s" in page
    assert "Marseille et Miami-Dade signent un accord" in page
    assert "/dags/press_ingest/runs/manual__2017-11-08T09%3A00%3A00%2B00%3A00" in page


def test_values_are_escaped(client):
    """Markup in stored titles is shown as text; a non-http link is not made a link."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2017-W45"}).text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; PortMiami &amp; Marseille" in page
    assert 'href="javascript' not in page


def test_week_without_stories_points_to_the_latest(client):
    """An empty week says so and links to the latest week with relevant articles."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2018-W02"}).text
    assert "No relevant article published this week" in page
    assert "?week=2017-W45" in page
    assert c.get("/", params={"week": "2017-45"}).status_code == 400
    assert c.get("/summary.json", params={"week": "2017-W60"}).status_code == 400


@pytest.mark.parametrize("week, words", [
    ("0000-W01", "out of range"),
    ("9999-W52", "out of range"),
    ("\uff12\uff10\uff11\uff17-W45", "YYYY-Www"),
    ("", "YYYY-Www"),
    ("2017-W53", "2017 has weeks W01 to W52"),
])
def test_bad_weeks_are_a_400_naming_the_problem(client, week, words):
    """Every week the digest and reports refuse, the page refuses the same way (never a 500)."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": week})
    assert page.status_code == 400 and words in page.text
    summary = c.get("/summary.json", params={"week": week})
    assert summary.status_code == 400 and words in summary.json()["error"]


def test_plugin_registers_page_and_imports_nothing_heavy():
    """The plugin file adds no FastAPI, DuckDB or pressmon import to the process loading it."""
    code = (
        "import sys, json\n"
        "import airflow.plugins_manager\n"
        "before = set(sys.modules)\n"
        f"sys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "import pressmon_ui\n"
        "new = sorted(set(sys.modules) - before)\n"
        "p = pressmon_ui.PressmonUIPlugin\n"
        "print(json.dumps({'new': new, 'apps': [a['url_prefix'] for a in p.fastapi_apps],\n"
        "  'views': [(v['name'], v['href'], v['url_route']) for v in p.external_views]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["new"] == ["pressmon_ui"]
    assert out["apps"] == ["/pressmon"]
    assert out["views"] == [["Press monitor", "/pressmon/", "press-monitor"]]

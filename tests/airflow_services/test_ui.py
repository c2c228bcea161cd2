"""The "Press monitor" page: what it shows from a real snapshot, escaping, and the empty case;
and the plugin file that registers it stays cheap to import."""

from __future__ import annotations

import json
import re
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
    assert "Pas encore de données" in r.text and "press_ingest" in r.text
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
    assert "<html lang='fr'>" in page
    assert "<b>17</b>nouveaux articles" in page
    assert "timed out after 20 s" in page
    assert "Marseille et Miami-Dade signent un accord" in page


def test_cards_count_healthy_and_failing_feeds(client):
    """Not modified is healthy (gomet ok + miamiherald not modified); a backed-off feed is
    failing with the feed in error (lavoixdumiami error + vieuxflux skipped)."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2017-W45"}).text
    assert re.search(r"data-figure='feeds_healthy'><b>2</b>flux en bon état", page)
    assert re.search(r"data-figure='feeds_failing'><b>2</b>flux en échec", page)


def test_names_not_ids(client):
    """Feeds and outlets by display name, the mission by its name; ids only as small print."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2017-W45"}).text
    stories = page[page.index("<h2>Sujets de la semaine"):]
    assert "Délégation métropolitaine à Miami" in stories and "miami-2017" not in stories
    assert "GoMet, Miami Herald" in stories  # the outlets of the first story
    health = page[page.index("<h2>État des flux"):page.index("<h2>Sujets")]
    assert "<span class='oneline' title='Miami Herald - Local'>Miami Herald - Local</span>" \
        in health
    assert "<span class='oneline id'>miamiherald</span>" in health


def test_feed_health_at_a_glance(client):
    """Four columns; status in words and colour; a feed in backoff says until when (Paris
    time); the error on one line, in full on demand; the rest in the details and the CSV."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2017-W45"}).text
    health = page[page.index("<h2>État des flux"):page.index("<h2>Sujets")]
    assert re.findall(r"<th>([^<]*)</th>", health) == ["flux", "état", "dernier succès",
                                                        "dernière erreur"]
    rows = {src: cls for cls, src in re.findall(r"<tr class='(\w+)' data-source='(\w+)'>",
                                                 health)}
    assert rows == {
        "lavoixdumiami": "bad", "vieuxflux": "bad", "gomet": "ok", "miamiherald": "ok"}
    assert ("<span class='badge bad'>en échec</span><span class='status-note'>en pause "
            "jusqu’au 1er janv. 10:00</span>") in health
    assert "<span class='badge ok'>OK</span>" in health
    assert "not_modified" not in health and "backing_off" not in health
    assert "<details><summary><span class='oneline' title='8 nov. 2017 08:00 : not a feed" \
        in health
    assert "<dt>prochain essai</dt><dd>1er janv. 2099 10:00</dd>" in health
    assert "Toutes les heures sont celles de Paris (CET)" in page or \
        "Toutes les heures sont celles de Paris (CEST)" in page

    csv_r = c.get("/feed_health.csv")
    assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
    lines = csv_r.text.splitlines()
    assert lines[0].startswith("name,source,outlet,region,url,")
    assert len(lines) == 5 and any(li.startswith("Miami Herald - Local,miamiherald,") for li in lines)


def test_run_links_leave_the_sandboxed_frame(client):
    """Runs link to their Airflow page relative to the page's mount, named by their Paris
    time, marked for the script that opens them in the whole window (the UI's iframe sandbox
    forbids target=_top and popups); article links open a new tab the same way."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2017-W45"}).text
    assert 'target="_top"' not in page and "target='_top'" not in page
    assert ('<a href="../dags/press_ingest/runs/manual__2017-11-08T09%3A00%3A00%2B00%3A00" '
            'data-open="top" title="manual__2017-11-08T09:00:00+00:00">8 nov. 2017 10:00</a>'
            in page)
    assert re.search(r'<a href="http://127\.0\.0\.2:8000/2017/11/accord-miami\.html" '
                     r'target="_blank" rel="noopener noreferrer" data-open="tab">', page)
    assert "closest('a[data-open]')" in page and "window.top.document" in page


def test_values_are_escaped(client):
    """Markup in stored titles is shown as text; a non-http link is not made a link."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2017-W45"}).text
    assert page.count("<script") == 1  # the page's own link script only
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; PortMiami &amp; Marseille" in page
    assert 'href="javascript' not in page


def test_week_without_stories_points_to_the_latest(client):
    """An empty week says so and links to the latest week with relevant articles."""
    db, c = client
    build_snapshot(db, "snapshot_two_cycles.sql")
    page = c.get("/", params={"week": "2018-W02"}).text
    assert "Aucun article pertinent publié cette semaine" in page
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

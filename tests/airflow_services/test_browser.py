"""What people see, in a real browser (headless Chromium, skipped when it is not installed):
the Press monitor page embedded as Airflow 3.3 embeds it, and the widths of the page, the
digest on a phone and the alert email."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from services_support import ROOT
from test_ui import build_snapshot

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "digest"))

from browser import Chromium, find_chromium  # noqa: E402
from screenshots import AIRFLOW_IFRAME_SANDBOX, Server, monitor_site  # noqa: E402

chromium = pytest.mark.skipif(find_chromium() is None,
                              reason="Chromium not installed (apt-get install -y chromium)")


def test_the_sandbox_is_airflows():
    """The sandbox the browser checks use is the one the installed Airflow UI puts on a
    plugin's external view: no allow-top-navigation, no allow-popups."""
    import airflow

    assets = list((Path(airflow.__file__).parent / "ui" / "dist" / "assets").glob("index-*.js"))
    assert assets, "Airflow's UI bundle not found"
    found = set()
    for js in assets:
        found |= set(re.findall(r"externalView:\w+,sandbox:`([^`]*)`", js.read_text(
            encoding="utf-8", errors="replace")))
    assert found == {AIRFLOW_IFRAME_SANDBOX}
    assert "allow-top-navigation" not in AIRFLOW_IFRAME_SANDBOX
    assert "allow-popups" not in AIRFLOW_IFRAME_SANDBOX


@pytest.fixture
def site(tmp_path):
    from pressmon.settings import get_paths

    db = tmp_path / "press.duckdb"
    build_snapshot(db, "snapshot_two_cycles.sql")
    app, hits = monitor_site(get_paths(db=str(db)))
    with Server(app) as server:
        yield server, hits


def _frame_link_box(page, selector: str):
    return page.eval(f"""(() => {{
        const f = document.getElementById('pm');
        const a = f.contentDocument.querySelector({selector!r});
        if (!a) return null;
        a.scrollIntoView({{block: 'center'}});
        const r = a.getBoundingClientRect(), fr = f.getBoundingClientRect();
        return {{x: fr.left + r.left + r.width / 2, y: fr.top + r.top + r.height / 2}};
    }})()""")


@pytest.mark.browser
@chromium
def test_run_link_opens_the_run_from_the_sandboxed_frame(site):
    """A click on a run link inside the sandboxed frame opens the run's Airflow page in the
    whole window; the same click on a target=_top link (what the page had) does nothing."""
    server, hits = site
    with Chromium() as browser:
        page = browser.page()
        page.viewport(1400, 900)
        page.goto(f"{server.base}/embedded?week=2017-W45")
        # the control: a target=_top link in the frame is blocked by the sandbox
        page.eval("""(() => {
            const d = document.getElementById('pm').contentDocument;
            const a = d.createElement('a');
            a.id = 'old'; a.target = '_top'; a.textContent = 'old run link';
            a.href = '/dags/press_ingest/runs/old-style';
            d.body.prepend(a);
        })()""")
        box = _frame_link_box(page, "#old")
        page.click(box["x"], box["y"])
        page.eval("new Promise(r => setTimeout(r, 1500))")
        assert hits == [] and "/embedded" in page.eval("location.href")

        box = _frame_link_box(page, 'a[data-open="top"]')
        assert box, "no run link on the page"
        page.events.clear()
        page.click(box["x"], box["y"])
        page.wait_event("Page.loadEventFired", timeout=15)
        assert page.eval("location.pathname") == \
            "/dags/press_ingest/runs/manual__2017-11-08T09%3A00%3A00%2B00%3A00"
        assert hits == ["press_ingest/manual__2017-11-08T09:00:00+00:00"]
        page.close()


@pytest.mark.browser
@chromium
def test_article_link_opens_a_new_tab_from_the_sandboxed_frame(site):
    """An article link clicked in the frame opens a new tab (the sandbox forbids popups from
    the frame itself); the Airflow page stays."""
    server, _ = site
    with Chromium() as browser:
        page = browser.page()
        page.viewport(1400, 900)
        page.goto(f"{server.base}/embedded?week=2017-W45")
        before = {t["id"] for t in browser.targets() if t["type"] == "page"}
        box = _frame_link_box(page, 'a[data-open="tab"]')
        page.click(box["x"], box["y"])
        page.eval("new Promise(r => setTimeout(r, 1500))")
        new = [t for t in browser.targets() if t["type"] == "page" and t["id"] not in before]
        assert [t["url"] for t in new] == ["http://127.0.0.2:8000/2017/11/accord-miami.html"] \
            or [t["url"] for t in new] == ["http://127.0.0.2:8000/2017/11/accord-miami.html/"]
        assert "/embedded" in page.eval("location.href")
        page.close()


@pytest.mark.browser
@chromium
def test_nothing_wider_than_its_window(site, tmp_path):
    """The Press monitor at 1,400 and 1,280 px, the digest at 760 and 375 px: no sideways
    scrolling, whatever the feeds' errors and the stories' titles."""
    from digest_fixtures import build_db
    from pressmon.digest.build import build_digest
    from pressmon.digest.render import render
    from pressmon.store import open_reader

    server, _ = site
    db = build_db(tmp_path / "digest" / "press.duckdb", "week45")
    con = open_reader(db)
    try:
        html = render(build_digest(con, "2017-W45"))[1]
    finally:
        con.close()
    digest = tmp_path / "digest.html"
    digest.write_text(html, encoding="utf-8")
    with Chromium() as browser:
        page = browser.page()
        widths = {}
        for w in (1400, 1280):
            page.viewport(w, 900)
            page.goto(f"{server.base}/pressmon/?week=2017-W45")
            widths[f"monitor {w}"] = (page.size()["scrollWidth"], w)
        for w in (760, 375):
            page.viewport(w, 800, mobile=w < 500)
            page.goto(digest.as_uri())
            widths[f"digest {w}"] = (page.size()["scrollWidth"], w)
        page.close()
    assert all(doc <= w for doc, w in widths.values()), widths

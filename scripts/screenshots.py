"""`make screenshots`: what operators and communications staff see, rendered by a real browser.

Builds a real database from the sample corpus (the demo: `press_ingest` run by Airflow over the
sample news sites, reused when it exists), then, in headless Chromium (Debian's package,
installed with apt-get when missing):

- the Press monitor page, served by its FastAPI app on loopback, at 1,400 and 1,280 px (the UI's
  frame is a little narrower than the window), with the week's widest event opened through its
  link (``?event=ID``) at 1,400 px, and embedded in an iframe sandboxed as Airflow 3.3
  sandboxes plugin pages, where a click on a run link must open the run in the whole window;
- the digest of the sample week at 760 px (desktop mail client) and 375 px (a phone);
- the failure alert email, sent by the real notifier to a loopback SMTP server, at 760 and
  375 px.

Each page's document width is measured in the browser (scrollWidth) and must not exceed its
viewport: the script exits 1 when one does. PNGs, as tall as their content, go to
``out/screenshots/``.

    .venv/bin/python scripts/screenshots.py [--out out/screenshots] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "scripts"))

from browser import BrowserError, Chromium, ensure_chromium  # noqa: E402

SAMPLE_WEEK = "2017-W45"
# What Airflow 3.3.2's UI puts on the iframe of a plugin's external view (read from its bundle
# by tests/airflow_services/test_browser.py, which fails if it changes).
AIRFLOW_IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-downloads"


class Server:
    """uvicorn on a free loopback port, in a thread, serving ``app``."""

    def __init__(self, app):
        import socket

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        if not self.server.started:
            raise SystemExit("screenshots: the loopback web server did not start")
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def monitor_site(paths, hits: list[str] | None = None):
    """The Press monitor app under /pressmon, as Airflow's API server mounts it; a host page
    at /embedded that frames it with Airflow's sandbox; and stand-ins for Airflow's run pages
    that record which run was opened (the page's links point there)."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    from pressmon.airflow.ui import create_app

    hits = hits if hits is not None else []
    app = FastAPI()

    @app.get("/embedded", response_class=HTMLResponse)
    def embedded(week: str = SAMPLE_WEEK):
        return HTMLResponse(
            "<!doctype html><html><body style='margin:0;display:flex;height:100vh'>"
            "<nav style='width:64px;background:#1a202c'></nav>"
            f"<iframe id='pm' sandbox='{AIRFLOW_IFRAME_SANDBOX}' src='/pressmon/?week={week}' "
            "style='border:0;flex:1;height:100%'></iframe></body></html>")

    @app.get("/dags/{dag_id}/runs/{run_id}", response_class=HTMLResponse)
    def run_page(dag_id: str, run_id: str):
        hits.append(f"{dag_id}/{run_id}")
        return HTMLResponse(f"<!doctype html><title>run</title><p id='run'>{dag_id} "
                            f"{run_id}</p>")

    app.mount("/pressmon", create_app(require_auth=False, paths=paths))
    return app, hits


def sample_database(out: Path, fresh: bool) -> Path:
    """The demo's database (press_ingest run by Airflow over the sample sites)."""
    db = out / "sample" / "press.duckdb"
    if fresh or not db.exists():
        print("screenshots: building the sample database (scripts/demo.py, about 2 min)",
              flush=True)
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), "--out",
                               str(db.parent)], cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0 or not db.exists():
            raise SystemExit(f"screenshots: the demo failed ({proc.returncode}):\n"
                             f"{(proc.stdout + proc.stderr)[-3000:]}")
    return db


def alert_html(out: Path) -> tuple[str, str]:
    """The failure alert as the notifier mails it (HTML and plain text), captured by a
    loopback SMTP server: a mapped fetch task that failed with a long error."""
    import email
    import email.policy
    import socket
    from types import SimpleNamespace

    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the SMTP server's chatter
    got = []

    class Box:
        async def handle_DATA(self, server, session, envelope):
            got.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Box(), hostname="127.0.0.1", port=port)
    controller.start()
    os.environ["AIRFLOW_CONN_SMTP_DEFAULT"] = json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"from_email": "pressmon@localhost", "disable_ssl": True,
                  "disable_tls": True, "retry_limit": 0}})
    try:
        from pressmon.airflow.alerts import failure_notifier

        run_id = "scheduled__2026-11-27T13:00:00+00:00"
        ti = SimpleNamespace(
            dag_id="press_ingest", task_id="per_feed.fetch", map_index=6,
            rendered_map_index="laprovence-economie", run_id=run_id, try_number=1,
            max_tries=0,
            log_url="http://127.0.0.1:8080/dags/press_ingest/runs/scheduled__2026-11-27T13%3A00"
                    "%3A00%2B00%3A00/tasks/per_feed.fetch/mapped/6?try_number=1")
        # what fetch_feed fails with: the cause on the first line, the feed's URL after
        cause = ("feed laprovence-economie failed: not a feed: text/html page (HTTP 200) "
                 "<html><head><title>La Provence</title></head>...\n  feed URL: "
                 "http://127.0.0.3:43117/rss/economie-nouvelle-adresse-du-flux-apres-la-"
                 "refonte-du-site.xml?utm_source=rss&utm_medium=feed&utm_campaign=laprovence")
        failure_notifier()({"ti": ti, "task_instance": ti, "exception": RuntimeError(cause),
                            "var": {"value": {"pressmon_alert_recipients":
                                              "operators@localhost"}},
                            "conf": None})
        deadline = time.monotonic() + 20
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        controller.stop()
    if not got:
        raise SystemExit("screenshots: the alert was not sent")
    msg = got[0]
    html_part = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",))
    return html_part, text.get_content() if text is not None else ""


def shoot(page, name: str, out: Path, width: int, height: int, *, mobile: bool = False,
          url: str | None = None, html: str | None = None) -> dict:
    page.viewport(width, height, mobile=mobile)
    if url:
        page.goto(url)
    else:
        page.set_html(html or "")
    size = page.size()
    png = out / f"{name}.png"
    w, h = page.screenshot(png, width=width)
    wide = size["scrollWidth"] > width
    print(f"  {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}: {w}x{h} px, "
          f"document {size['scrollWidth']} px wide in a {width} px viewport"
          + ("  <-- WIDER THAN ITS VIEWPORT" if wide else ""), flush=True)
    return {"name": name, "png": str(png), "width": width, "height": h,
            "scroll_width": size["scrollWidth"], "too_wide": wide}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "out" / "screenshots"))
    ap.add_argument("--fresh", action="store_true", help="rebuild the sample database")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    try:
        binary = ensure_chromium()
    except BrowserError as exc:
        raise SystemExit(f"screenshots: {exc}")
    db = sample_database(out, args.fresh)

    from pressmon.digest.command import preview
    from pressmon.settings import get_paths

    paths = get_paths(db=str(db), config_dir=str(ROOT / "config"))
    digest, (subject, digest_html, _text) = preview(paths, SAMPLE_WEEK)
    (out / f"digest-{SAMPLE_WEEK}.html").write_text(digest_html, encoding="utf-8")
    alert, alert_text = alert_html(out)
    (out / "alert.html").write_text(alert, encoding="utf-8")
    (out / "alert.txt").write_text(alert_text, encoding="utf-8")

    results = []
    app, hits = monitor_site(paths)
    print(f"screenshots of {db} (week {SAMPLE_WEEK}) with {binary}:", flush=True)
    with Server(app) as server, Chromium(binary) as browser:
        page = browser.page()
        monitor = f"{server.base}/pressmon/?week={SAMPLE_WEEK}"
        results.append(shoot(page, "press-monitor-1400", out, 1400, 900, url=monitor))
        results.append(shoot(page, "press-monitor-1280", out, 1280, 900, url=monitor))
        event = widest_event(paths)
        if event:
            results.append(shoot(page, "press-monitor-event-1400", out, 1400, 900,
                                 url=f"{server.base}/pressmon/?event={event}"))
        else:
            print(f"  no event in {SAMPLE_WEEK}: the page's events are not pictured", flush=True)
        results.append(shoot(page, "press-monitor-embedded-1400", out, 1400, 900,
                             url=f"{server.base}/embedded?week={SAMPLE_WEEK}"))
        opened = click_run_link(page)
        print(f"  run link clicked in the sandboxed frame: the window "
              f"{'opened ' + opened if opened else 'did NOT leave the frame'}", flush=True)
        results.append(shoot(page, "digest-760", out, 760, 900,
                             url=(out / f"digest-{SAMPLE_WEEK}.html").as_uri()))
        results.append(shoot(page, "digest-375", out, 375, 812, mobile=True,
                             url=(out / f"digest-{SAMPLE_WEEK}.html").as_uri()))
        results.append(shoot(page, "alert-760", out, 760, 600,
                             url=(out / "alert.html").as_uri()))
        results.append(shoot(page, "alert-375", out, 375, 812, mobile=True,
                             url=(out / "alert.html").as_uri()))
        page.close()
    (out / "screenshots.json").write_text(json.dumps(
        {"results": results, "run_link_opened": opened}, indent=2), encoding="utf-8")
    failed = [r["name"] for r in results if r["too_wide"]]
    if failed:
        print(f"screenshots: wider than the viewport: {', '.join(failed)}", file=sys.stderr)
        return 1
    if not opened:
        print("screenshots: the run link did not leave the sandboxed frame", file=sys.stderr)
        return 1
    return 0


def widest_event(paths) -> str | None:
    """The id of the sample week's event with the most outlets, as the page lists it first."""
    from pressmon import store

    con = store.open_reader(paths.db)
    try:
        row = con.execute("SELECT event_id FROM r_events WHERE week = ? "
                          "ORDER BY outlets DESC, articles DESC, first_published LIMIT 1",
                          [SAMPLE_WEEK]).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def click_run_link(page) -> str | None:
    """Clicks (a real mouse click) the first run link of the embedded page; the URL the whole
    window shows afterwards, when it left the frame."""
    box = page.eval("""(() => {
        const f = document.getElementById('pm');
        const a = f && f.contentDocument.querySelector('a[data-open="top"]');
        if (!a) return null;
        a.scrollIntoView({block: 'center'});
        const r = a.getBoundingClientRect(), fr = f.getBoundingClientRect();
        return {x: fr.left + r.left + r.width / 2, y: fr.top + r.top + r.height / 2};
    })()""")
    if not box:
        return None
    page.events.clear()
    page.click(box["x"], box["y"])
    try:
        page.wait_event("Page.loadEventFired", timeout=10)
    except BrowserError:
        return None
    location = page.eval("location.href")
    return location if "/dags/" in location else None


if __name__ == "__main__":
    sys.exit(main())

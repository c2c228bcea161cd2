"""The "Press monitor" page of the Airflow UI: feed health, the last runs' figures and the
week's top stories, read from the published DuckDB snapshot.

A small FastAPI app that the Airflow plugin (``plugins/pressmon_ui.py``) mounts under
``/pressmon`` in Airflow's API server; the UI shows it in its navigation as an embedded page.
It only ever opens the snapshot published after each load (``store.open_reader``), never the
live database, so it cannot block the writer. The page is rendered on the server, every value
escaped; it answers before the first load too, saying there is nothing yet.

Routes: ``GET /`` (the page; ``?week=YYYY-Www`` picks another week) and ``GET /summary.json``
(the same figures as JSON, for scripts and checks). Behind Airflow's authentication (its
session cookie or a bearer token) unless ``create_app(require_auth=False)``.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ..digest.weeks import parse_week, week_of as iso_week
from ..settings import Paths, get_paths

# Weeks are the communications team's weeks (the digest's), in Marseille time.
WEEK_TZ = ZoneInfo("Europe/Paris")
RECENT_CYCLES = 12
TOP_STORIES = 10
INGEST_DAG = "press_ingest"

CYCLE_COLUMNS = ("cycle_id", "runner", "started_at", "loaded_at", "feeds_ok",
                 "feeds_not_modified", "feeds_error", "feeds_skipped", "new_articles",
                 "updated_articles", "relevant_articles", "new_stories")

# Used when the v_feed_health view is not in the snapshot (a database from before it).
FEED_HEALTH_FALLBACK = """
SELECT s.name AS source, s.region, last.outcome AS last_outcome,
       last.started_at AS last_attempt_at, fs.last_success_at, fs.last_error_at,
       fs.last_error, fs.consecutive_failures, fs.next_attempt_at
FROM sources s
LEFT JOIN feed_state fs ON fs.source = s.name
LEFT JOIN (
    SELECT source, outcome, started_at,
           row_number() OVER (PARTITION BY source ORDER BY started_at DESC) AS rn
    FROM fetch_log
) last ON last.source = s.name AND last.rn = 1
ORDER BY s.position
"""

TOP_STORIES_SQL = """
WITH week AS (
    SELECT *, coalesce(published_at, first_seen_at) AS seen
    FROM v_articles
    WHERE relevant AND coalesce(published_at, first_seen_at) >= ?
      AND coalesce(published_at, first_seen_at) < ?
)
-- A story is named by its original article and mission as v_stories (and so the reports)
-- name it; the week's own earliest article stands in when the view has no row for it.
SELECT coalesce(w.story_id, w.article_id) AS story,
       coalesce(any_value(s.original_title), arg_min(w.title, w.seen)) AS title,
       coalesce(any_value(s.original_url), arg_min(w.url, w.seen)) AS url,
       count(*) AS articles,
       count(DISTINCT w.outlet) AS outlets,
       list(DISTINCT w.region ORDER BY w.region) AS regions,
       list(DISTINCT w.language ORDER BY w.language) FILTER (WHERE w.language IS NOT NULL)
           AS languages,
       coalesce(any_value(s.mission_id), arg_min(w.mission_id, w.seen)) AS mission_id,
       min(w.seen) AS first_seen
FROM week w LEFT JOIN v_stories s ON s.story_id = w.story_id
GROUP BY 1
ORDER BY outlets DESC, articles DESC, first_seen, story
LIMIT ?
"""


@dataclass
class Monitor:
    """What the page shows; ``notice`` explains an empty or unreadable snapshot."""

    snapshot: Path
    snapshot_time: dt.datetime | None = None
    notice: str | None = None
    feed_health_columns: list[str] = field(default_factory=list)
    feed_health: list[tuple] = field(default_factory=list)
    feed_health_source: str = ""
    cycles: list[dict] = field(default_factory=list)
    week: str = ""
    stories: list[dict] = field(default_factory=list)
    latest_story_week: str | None = None

    def as_dict(self) -> dict:
        return {
            "snapshot": str(self.snapshot),
            "snapshot_time": _iso(self.snapshot_time),
            "notice": self.notice,
            "feed_health": [dict(zip(self.feed_health_columns, map(_iso, row)))
                            for row in self.feed_health],
            "cycles": [{k: _iso(v) for k, v in c.items()} for c in self.cycles],
            "week": self.week,
            "stories": [{k: _iso(v) for k, v in s.items()} for s in self.stories],
            "latest_story_week": self.latest_story_week,
        }


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def week_bounds(week: str) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, Marseille time (ValueError for a bad week)."""
    start = dt.datetime.combine(parse_week(week).start, dt.time(), tzinfo=WEEK_TZ)
    return start, start + dt.timedelta(days=7)


def gather(paths: Paths, week: str | None = None, *, today: dt.date | None = None) -> Monitor:
    """Reads everything the page shows from the snapshot; never raises for a missing or
    unreadable database (the notice says what is wrong)."""
    from .. import store

    snap = store.snapshot_path(paths.db)
    today = today or dt.datetime.now(WEEK_TZ).date()
    mon = Monitor(snapshot=snap, week=week or iso_week(today))
    if not snap.exists():
        mon.notice = (f"No data yet: the snapshot {snap} does not exist. It is published by "
                      f"the load task of {INGEST_DAG} after its first successful run.")
        return mon
    mon.snapshot_time = dt.datetime.fromtimestamp(snap.stat().st_mtime, WEEK_TZ)
    start, end = week_bounds(mon.week)
    try:
        con = store.open_reader(paths.db)
    except store.StoreError as exc:
        mon.notice = f"The snapshot cannot be opened: {exc}"
        return mon
    try:
        _read(con, mon, start, end)
    except Exception as exc:  # a snapshot from another schema version: say so, keep the page
        mon.notice = f"The snapshot {snap} could not be read: {str(exc).splitlines()[0]}"
    finally:
        con.close()
    return mon


def _read(con, mon: Monitor, start: dt.datetime, end: dt.datetime) -> None:
    has_view = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = 'v_feed_health'").fetchone()[0]
    if has_view:
        cur = con.execute("SELECT * FROM v_feed_health")
        mon.feed_health_source = "v_feed_health"
    else:
        cur = con.execute(FEED_HEALTH_FALLBACK)
        mon.feed_health_source = "feed_state and fetch_log"
    mon.feed_health_columns = [d[0] for d in cur.description]
    mon.feed_health = cur.fetchall()

    rows = con.execute(
        f"SELECT {', '.join(CYCLE_COLUMNS)} FROM cycles "
        f"ORDER BY coalesce(loaded_at, started_at) DESC, cycle_id DESC LIMIT ?",
        [RECENT_CYCLES]).fetchall()
    mon.cycles = [dict(zip(CYCLE_COLUMNS, r)) for r in rows]

    cur = con.execute(TOP_STORIES_SQL, [start, end, TOP_STORIES])
    cols = [d[0] for d in cur.description]
    mon.stories = [dict(zip(cols, r)) for r in cur.fetchall()]
    if not mon.stories:
        latest = con.execute(
            "SELECT max(coalesce(published_at, first_seen_at)) FROM v_articles "
            "WHERE relevant AND coalesce(published_at, first_seen_at) < ?", [start]).fetchone()[0]
        if latest is not None:
            mon.latest_story_week = iso_week(latest.astimezone(WEEK_TZ).date())


# ---- HTML -------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.2rem; color: #1a202c; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
.meta, .note { color: #4a5568; font-size: .9rem; }
.notice { background: #fefcbf; border: 1px solid #ecc94b; padding: .6rem .8rem; }
table { border-collapse: collapse; font-size: .88rem; }
th, td { border-bottom: 1px solid #e2e8f0; padding: .3rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f7fafc; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.bad td { background: #fff5f5; } tr.warn td { background: #fffff0; }
.figures { display: flex; gap: 1.2rem; flex-wrap: wrap; }
.figure { border: 1px solid #e2e8f0; border-radius: 6px; padding: .5rem .9rem; }
.figure b { display: block; font-size: 1.5rem; }
"""

BAD_WORDS = ("error", "fail", "dead", "down", "broken")
WARN_WORDS = ("skipped", "backing", "backoff", "stale", "warn", "degraded")


def e(value) -> str:
    """Escaped text of any value (None as an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(WEEK_TZ).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, float):
        value = f"{value:.2f}"
    elif isinstance(value, (list, tuple)):
        value = ", ".join("" if v is None else str(v) for v in value)
    return html.escape(str(value), quote=True)


def link(url, text) -> str:
    """A link only for http(s) addresses; anything else is shown as text."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(text)}</a>'
    return e(text)


def _health_class(columns: list[str], row: tuple) -> str:
    values = dict(zip(columns, row))
    status = str(values.get("status") or values.get("last_outcome") or "").lower()
    if any(w in status for w in BAD_WORDS):
        return "bad"
    if any(w in status for w in WARN_WORDS):
        return "warn"
    failures = values.get("consecutive_failures")
    if isinstance(failures, int) and failures > 0:
        return "bad"
    return ""


def render(mon: Monitor, *, airflow_root: str = "/") -> str:
    """The page. ``airflow_root`` is where Airflow's UI lives, for links to runs."""
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<title>Press monitor</title><style>", STYLE, "</style></head><body>",
           "<h1>Press monitor</h1>"]
    when = e(mon.snapshot_time) if mon.snapshot_time else "never"
    out.append(f"<p class='meta'>Snapshot <code>{e(mon.snapshot)}</code>, "
               f"published {when}. Times are Marseille time.</p>")
    if mon.notice:
        out.append(f"<p class='notice'>{e(mon.notice)}</p>")

    out.append("<h2>Last runs</h2>")
    if mon.cycles:
        last = mon.cycles[0]
        out.append("<div class='figures'>")
        for label, key in (("new articles", "new_articles"),
                           ("relevant", "relevant_articles"), ("new stories", "new_stories"),
                           ("feeds ok", "feeds_ok"), ("feeds failed", "feeds_error")):
            out.append(f"<div class='figure' data-figure='{key}'><b>{e(last[key])}</b>"
                       f"{e(label)}</div>")
        out.append("</div><p class='note'>Figures of the last loaded cycle.</p>")
        out.append("<table><tr><th>run</th><th>loaded</th><th>feeds ok</th>"
                   "<th>not modified</th><th>failed</th><th>skipped</th><th>new articles</th>"
                   "<th>updated</th><th>relevant</th><th>new stories</th></tr>")
        for c in mon.cycles:
            runner = c["runner"] or c["cycle_id"]
            if runner and runner != "cli" and c["cycle_id"].startswith("af-"):
                href = (f"{airflow_root.rstrip('/')}/dags/{INGEST_DAG}/runs/"
                        f"{_quote(runner)}")
                run = f'<a href="{e(href)}" target="_top">{e(runner)}</a>'
            else:
                run = e(runner)
            cls = " class='bad'" if (c["feeds_error"] or 0) > 0 else ""
            out.append(
                f"<tr{cls}><td>{run}</td><td>{e(c['loaded_at'] or c['started_at'])}</td>"
                + "".join(f"<td class='num'>{e(c[k])}</td>" for k in (
                    "feeds_ok", "feeds_not_modified", "feeds_error", "feeds_skipped",
                    "new_articles", "updated_articles", "relevant_articles", "new_stories"))
                + "</tr>")
        out.append("</table>")
    elif not mon.notice:
        out.append("<p>No cycle loaded yet.</p>")

    out.append("<h2>Feed health</h2>")
    if mon.feed_health:
        out.append(f"<p class='note'>From {e(mon.feed_health_source)}; failing feeds in red.</p>")
        out.append("<table><tr>" + "".join(
            f"<th>{e(c.replace('_', ' '))}</th>" for c in mon.feed_health_columns) + "</tr>")
        for row in mon.feed_health:
            cls = _health_class(mon.feed_health_columns, row)
            cells = "".join(
                f"<td class='num'>{e(v)}</td>" if isinstance(v, (int, float))
                and not isinstance(v, bool) else f"<td>{e(v)}</td>" for v in row)
            out.append(f"<tr class='{cls}'>{cells}</tr>" if cls else f"<tr>{cells}</tr>")
        out.append("</table>")
    elif not mon.notice:
        out.append("<p>No feed recorded yet.</p>")

    out.append(f"<h2>Top stories, week {e(mon.week)}</h2>")
    if mon.stories:
        out.append("<table><tr><th>story</th><th>outlets</th><th>articles</th>"
                   "<th>regions</th><th>languages</th><th>mission</th><th>first seen</th></tr>")
        for s in mon.stories:
            out.append(
                f"<tr><td>{link(s['url'], s['title'] or s['url'])}</td>"
                f"<td class='num'>{e(s['outlets'])}</td><td class='num'>{e(s['articles'])}</td>"
                f"<td>{e(s['regions'])}</td><td>{e(s['languages'])}</td>"
                f"<td>{e(s['mission_id'])}</td><td>{e(s['first_seen'])}</td></tr>")
        out.append("</table>")
    elif not mon.notice:
        out.append("<p>No relevant article published this week.")
        if mon.latest_story_week:
            w = mon.latest_story_week
            out.append(f" The latest week with some: <a href='?week={e(w)}'>{e(w)}</a>.")
        out.append("</p>")
    out.append("</body></html>")
    return "\n".join(out)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# ---- the app ----------------------------------------------------------------------------

def create_app(*, require_auth: bool = True, paths: Paths | None = None):
    """The FastAPI app. Paths are read from the environment at each request unless given."""
    from fastapi import Depends, FastAPI, Query
    from fastapi.responses import HTMLResponse, JSONResponse

    dependencies = []
    if require_auth:
        # Airflow's own check: its session cookie (the embedded page) or a bearer token.
        from airflow.api_fastapi.core_api.security import requires_authenticated

        dependencies.append(Depends(requires_authenticated()))
    app = FastAPI(title="pressmon: Press monitor", dependencies=dependencies,
                  docs_url=None, redoc_url=None, openapi_url=None)

    def _monitor(week: str | None):
        if week is not None:
            week = parse_week(week).label  # its DigestError is a ValueError: a 400
        return gather(paths or get_paths(), week)

    @app.get("/", response_class=HTMLResponse)
    def page(week: str | None = Query(default=None)):
        try:
            mon = _monitor(week)
        except ValueError as exc:
            mon, bad = None, str(exc)
        else:
            bad = f"week must look like 2017-W45, got {week!r}"
        if mon is None:
            return HTMLResponse(f"<!doctype html><p>{e(bad)}</p>", status_code=400)
        return HTMLResponse(render(mon))

    @app.get("/summary.json")
    def summary(week: str | None = Query(default=None)):
        try:
            mon = _monitor(week)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if mon is None:
            return JSONResponse({"error": f"week must look like 2017-W45, got {week!r}"},
                                status_code=400)
        return JSONResponse(mon.as_dict())

    return app

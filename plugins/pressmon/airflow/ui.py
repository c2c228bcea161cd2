"""The "Press monitor" page of the Airflow UI: feed health, the last runs' figures, the week's
events and top stories, read from the published DuckDB snapshot.

A small FastAPI app that the Airflow plugin (``plugins/pressmon_ui.py``) mounts under
``/pressmon`` in Airflow's API server; the UI shows it in its navigation as an embedded page.
It only ever opens the snapshot published after each load (``store.open_reader``), never the
live database, so it cannot block the writer. The page is rendered on the server, every value
escaped; it answers before the first load too, saying there is nothing yet.

The page is in French for communications staff, names things by their display names
(``pressmon.display_names``) and gives times in Paris time. Routes: ``GET /`` (the page;
``?week=YYYY-Www`` picks another week; ``?event=ID`` shows the week of that event with its
stories open, an id retired by a merge leading to the event that absorbed it), ``GET
/summary.json`` (the same figures as JSON, for scripts and checks; ``week`` and ``event`` as
for the page) and ``GET /feed_health.csv`` (every column of the feed health). Behind Airflow's
authentication (its session cookie or a bearer token) unless ``create_app(require_auth=False)``.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.requests import Request  # a route's annotation, resolved in this module

from ..digest.weeks import parse_week, week_of as iso_week, week_span
from ..display_names import Names
from ..settings import Paths, get_paths

# Weeks are the communications team's weeks (the digest's), in Marseille time.
WEEK_TZ = ZoneInfo("Europe/Paris")
RECENT_CYCLES = 12
TOP_STORIES = 10
MAX_EVENT_ID = 200  # longer than any id the load makes: refused before reaching the database
INGEST_DAG = "press_ingest"
URL_PREFIX = "/pressmon"  # where plugins/pressmon_ui.py mounts the app

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
       list(DISTINCT w.outlet ORDER BY w.outlet) AS outlet_ids,
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
    names: Names = field(default_factory=Names)
    events: list[dict] = field(default_factory=list)     # events.week_events, widest first
    events_available: bool = True  # False: a snapshot from before events
    event_asked: str | None = None   # the ?event= of the request
    event_id: str | None = None      # ... resolved through event_aliases
    event_notice: str | None = None  # why it is not shown

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
            "events": [_plain(ev) for ev in self.events],
            "event": {"asked": self.event_asked, "event_id": self.event_id,
                      "notice": self.event_notice} if self.event_asked else None,
            "latest_story_week": self.latest_story_week,
            "names": {"feeds": self.names.feeds, "outlets": self.names.outlets,
                      "missions": self.names.missions},
        }


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _plain(value):
    """JSON-ready: times in ISO 8601, nested lists and dicts too."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _iso(value)


def week_bounds(week: str) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, Marseille time (ValueError for a bad week)."""
    start = dt.datetime.combine(parse_week(week).start, dt.time(), tzinfo=WEEK_TZ)
    return start, start + dt.timedelta(days=7)


def gather(paths: Paths, week: str | None = None, *, today: dt.date | None = None,
           event: str | None = None) -> Monitor:
    """Reads everything the page shows from the snapshot; never raises for a missing or
    unreadable database (the notice says what is wrong). ``event``: an event id (a retired one
    resolves to the event that absorbed it): its week is shown, whatever ``week`` says."""
    from .. import store

    snap = store.snapshot_path(paths.db)
    today = today or dt.datetime.now(WEEK_TZ).date()
    mon = Monitor(snapshot=snap, week=week or iso_week(today), event_asked=event)
    if not snap.exists():
        mon.notice = (f"Pas encore de données : l’instantané {snap} n’existe pas. La tâche "
                      f"load de {INGEST_DAG} le publie après sa première exécution réussie.")
        return mon
    mon.snapshot_time = dt.datetime.fromtimestamp(snap.stat().st_mtime, WEEK_TZ)
    try:
        con = store.open_reader(paths.db)
    except store.StoreError as exc:
        mon.notice = f"L’instantané ne peut pas être ouvert : {exc}"
        return mon
    try:
        mon.events_available = _has_view(con, "r_events")
        if event is not None:
            _find_event(con, mon, event)
        start, end = week_bounds(mon.week)
        _read(con, mon, start, end)
    except Exception as exc:  # a snapshot from another schema version: say so, keep the page
        mon.notice = (f"L’instantané {snap} n’a pas pu être lu : "
                      f"{str(exc).splitlines()[0]}")
    finally:
        con.close()
    return mon


def _has_view(con, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = ?", [name]).fetchone()[0])


def _find_event(con, mon: Monitor, asked: str) -> None:
    """``?event=``: the live id (``events.resolve_event_id``: the event itself, or the one a
    merge or a reclassification folded it into) and its week; a notice when it is unknown."""
    from ..events import resolve_event_id

    if not mon.events_available:
        mon.event_notice = "Cet instantané ne contient pas encore d’événements."
        return
    live = resolve_event_id(con, asked)
    row = con.execute("SELECT week FROM r_events WHERE event_id = ?", [live]).fetchone() \
        if live else None
    if row is None:
        mon.event_notice = (f"Événement inconnu : {asked} (ni dans cet instantané, ni parmi "
                            "les événements réunis à un autre).")
        return
    mon.event_id, mon.week = live, row[0]


def _read(con, mon: Monitor, start: dt.datetime, end: dt.datetime) -> None:
    from ..display_names import read_names

    mon.names = read_names(con)
    if _has_view(con, "v_feed_health"):
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

    if mon.events_available:
        from ..events import week_events

        # the widest reach first, as in the digest
        mon.events = sorted(week_events(con, mon.week), key=lambda ev: (
            -ev["outlets"], -ev["articles"], ev["first_published"], ev["event_id"]))

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
# The page is read by communications staff as much as by operators: French, names rather than
# ids, Paris time with the zone said. It must fit the Airflow UI's frame (about 1,400 px wide):
# the feed-health table shows what is needed at a glance, the rest on demand and in a CSV.

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.2rem; color: #1a202c; max-width: 1320px; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
.meta, .note { color: #4a5568; font-size: .9rem; }
.notice { background: #fefcbf; border: 1px solid #ecc94b; padding: .6rem .8rem; }
table { border-collapse: collapse; font-size: .88rem; width: 100%; }
th, td { border-bottom: 1px solid #e2e8f0; padding: .3rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #f7fafc; font-weight: 600; } td.num, th.num { text-align: right;
     font-variant-numeric: tabular-nums; } td.num { white-space: nowrap; }
td.when { white-space: nowrap; }
tr.bad td { background: #fff5f5; }
.figures { display: flex; gap: 1rem; flex-wrap: wrap; }
.figure { border: 1px solid #e2e8f0; border-radius: 6px; padding: .5rem .9rem; min-width: 8rem; }
.figure b { display: block; font-size: 1.5rem; }
.figure.bad { border-color: #feb2b2; background: #fff5f5; }
.figure.good { border-color: #9ae6b4; background: #f0fff4; }
.id, .sub { color: #718096; font-size: .8rem; overflow-wrap: anywhere; }
.status-note { display: block; color: #718096; font-size: .8rem; margin-top: .15rem; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 9px; font-size: .8rem;
         font-weight: 600; white-space: nowrap; }
.badge.ok { background: #c6f6d5; color: #22543d; } .badge.bad { background: #fed7d7;
         color: #822727; } .badge.new { background: #e2e8f0; color: #2d3748; }
table.health { table-layout: fixed; }
.oneline { display: block; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
details > summary { cursor: pointer; list-style-position: outside; }
details[open] > summary .oneline { white-space: normal; }
details dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem;
             margin: .4rem 0 .2rem; font-size: .82rem; }
details dt { color: #4a5568; } details dd { margin: 0; overflow-wrap: anywhere; }
a { color: #2b6cb0; }
table.events { table-layout: fixed; }
table.events tr.focus td { background: #fffbea; }
table.events summary b { font-weight: 600; } table.events summary .sub { white-space: nowrap; }
ul.stories { margin: .4rem 0 .2rem; padding-left: 1.1rem; font-size: .84rem; }
ul.stories li { margin: .2rem 0; overflow-wrap: anywhere; }
.why { color: #4a5568; font-size: .8rem; margin: .2rem 0 0; overflow-wrap: anywhere; }
"""

# Embedded in Airflow, the page is in an iframe sandboxed with "allow-scripts allow-same-origin
# allow-forms allow-downloads" (Airflow 3.3): neither target="_top" nor target="_blank" may
# leave it. The frame is same-origin, so a click on a link marked data-open is replayed on a
# link created in the top document, which is not sandboxed: "top" opens an Airflow page in the
# whole window, "tab" an article in a new tab. Opened on its own, the page's links work as
# written.
LINK_SCRIPT = """
(function () {
  if (window.top === window.self) return;
  var doc;
  try { doc = window.top.document; } catch (err) { return; }
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[data-open]') : null;
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey ||
        ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    var out = doc.createElement('a');
    out.href = a.href;
    if (a.getAttribute('data-open') === 'tab') {
      out.target = '_blank';
      out.rel = 'noopener noreferrer';
    }
    out.style.display = 'none';
    doc.body.appendChild(out);
    out.click();
    out.remove();
  });
})();
"""

def e(value) -> str:
    """Escaped text of any value (None as an empty cell; times in Paris)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = when(value)
    elif isinstance(value, float):
        value = f"{value:.2f}"
    elif isinstance(value, (list, tuple)):
        value = ", ".join("" if v is None else str(v) for v in value)
    return html.escape(str(value), quote=True)


def when(value: dt.datetime | None, *, year: bool = True) -> str:
    """``8 nov. 2017 10:02``, Paris time (the page says the zone once, in its header)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    from ..digest.weeks import short_date

    local = value.astimezone(WEEK_TZ)
    return f"{short_date(local.date(), year=year)} {local:%H:%M}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if abs(n) < 2 else many}"


def link(url, text, *, open_in: str = "tab") -> str:
    """A link only for http(s) addresses (an article: a new tab); anything else is text."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return (f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer" '
                f'data-open="{open_in}">{e(text)}</a>')
    return e(text)


@dataclass
class FeedRow:
    """One feed as the health table shows it."""

    source: str
    name: str
    level: str          # ok | bad | new: the colour
    status: str         # in words
    pause: str          # until when a failing feed is left alone, in words
    last_success: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str
    details: list[tuple[str, str]]


def feed_rows(mon: Monitor) -> list[FeedRow]:
    """The health table's rows from ``v_feed_health`` (or its fallback) and the names."""
    rows = []
    for raw in mon.feed_health:
        v = dict(zip(mon.feed_health_columns, raw))
        source = v.get("source") or ""
        status = v.get("status")
        if status is None:  # the fallback query: from the last outcome
            status = {"error": "failing", "skipped": "backing_off", None: "never_fetched"}.get(
                v.get("last_outcome"), "ok")
        fails = v.get("consecutive_failures") or 0
        next_at = v.get("next_attempt_at")
        if status == "ok":
            level, words = "ok", "OK"
        elif status == "never_fetched":
            level, words = "new", "pas encore relevé"
        elif not v.get("last_success_at"):
            level, words = "bad", "n’a jamais fonctionné"
        else:
            level, words = "bad", "en échec"
        pause = (f"en pause jusqu’au {when(next_at, year=False)}"
                 if status == "backing_off" and next_at else "")
        details = [
            ("flux", source),
            ("adresse", v.get("url") or ""),
            ("média", mon.names.outlet(v.get("outlet")) if v.get("outlet") else ""),
            ("région", v.get("region") or ""),
            ("échecs consécutifs", str(fails)),
            ("prochain essai", when(next_at) if next_at and fails else ""),
            ("dernier relevé", when(v.get("last_fetch_at")) if v.get("last_fetch_at") else ""),
            ("dernier statut HTTP", str(v.get("last_http_status") or "")),
            ("réussite sur 7 jours", f"{v['success_rate_7d']:.0%}"
             if isinstance(v.get("success_rate_7d"), (int, float)) else ""),
            ("nouveaux articles par jour (7 j)", f"{v['new_articles_per_day_7d']:.1f}"
             if isinstance(v.get("new_articles_per_day_7d"), (int, float)) else ""),
        ]
        rows.append(FeedRow(source, mon.names.feed(source), level, words, pause,
                            v.get("last_success_at"), v.get("last_error_at"),
                            v.get("last_error") or "", [d for d in details if d[1]]))
    return rows


def render(mon: Monitor, *, airflow_root: str = "../", page_root: str = "") -> str:
    """The page. ``airflow_root`` is where Airflow's UI lives (by default relative to the page,
    served at ``<airflow>/pressmon/``), for links to runs; ``page_root`` is the page's own
    path, for its CSV."""
    tz = (mon.snapshot_time or dt.datetime.now(WEEK_TZ)).strftime("%Z")
    out = ["<!doctype html><html lang='fr'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           "<title>Press monitor : veille presse</title><style>", STYLE, "</style></head><body>",
           "<h1>Press monitor : veille presse</h1>"]
    published = when(mon.snapshot_time) if mon.snapshot_time else "jamais"
    out.append(f"<p class='meta'>Données publiées le {e(published)}. Toutes les heures sont "
               f"celles de Paris ({e(tz)}). <span class='id'>Instantané "
               f"<code>{e(mon.snapshot)}</code></span></p>")
    if mon.notice:
        out.append(f"<p class='notice'>{e(mon.notice)}</p>")
    out += _runs_html(mon, airflow_root)
    out += _health_html(mon, page_root)
    out += _events_html(mon)
    out += _stories_html(mon)
    out.append(f"<script>{LINK_SCRIPT}</script></body></html>")
    return "\n".join(out)


def _runs_html(mon: Monitor, airflow_root: str) -> list[str]:
    out = ["<h2>Dernières exécutions</h2>"]
    if not mon.cycles:
        if not mon.notice:
            out.append("<p>Aucune exécution chargée pour l’instant.</p>")
        return out
    last = mon.cycles[0]
    healthy = (last["feeds_ok"] or 0) + (last["feeds_not_modified"] or 0)
    failing = (last["feeds_error"] or 0) + (last["feeds_skipped"] or 0)
    cards = [("nouveaux articles", "new_articles", last["new_articles"], ""),
             ("articles pertinents", "relevant_articles", last["relevant_articles"], ""),
             ("nouveaux sujets", "new_stories", last["new_stories"], ""),
             ("flux en bon état", "feeds_healthy", healthy,
              "good" if healthy and not failing else ""),
             ("flux en échec", "feeds_failing", failing, "bad" if failing else "")]
    out.append("<div class='figures'>")
    for label, key, value, cls in cards:
        out.append(f"<div class='figure {cls}' data-figure='{key}'><b>{e(value)}</b>"
                   f"{e(label)}</div>")
    out.append("</div><p class='note'>Chiffres de la dernière exécution chargée "
               f"({e(when(last['started_at']))}). En bon état : flux lus, modifiés ou non ; "
               "en échec : flux en erreur ou en pause après des échecs.</p>")
    out.append("<table><tr><th>exécution</th><th>chargée</th><th class='num'>flux lus</th>"
               "<th class='num'>inchangés</th><th class='num'>en erreur</th>"
               "<th class='num'>en pause</th><th class='num'>nouveaux articles</th>"
               "<th class='num'>mis à jour</th><th class='num'>pertinents</th>"
               "<th class='num'>nouveaux sujets</th></tr>")
    for c in mon.cycles:
        runner = c["runner"] or c["cycle_id"]
        started = e(when(c["started_at"]))
        if runner and runner != "cli" and c["cycle_id"].startswith("af-"):
            # named by its start in Paris time; the run id (UTC) as small print
            href = f"{airflow_root}dags/{INGEST_DAG}/runs/{_quote(runner)}"
            run = (f'<a href="{e(href)}" data-open="top" title="{e(runner)}">{started}</a>'
                   f"<br><span class='id'>{e(runner)}</span>")
        else:
            by = "ligne de commande" if runner == "cli" else e(runner)
            run = f"{started}<br><span class='id'>{by}</span>"
        cls = " class='bad'" if (c["feeds_error"] or 0) > 0 else ""
        out.append(
            f"<tr{cls}><td class='when'>{run}</td>"
            f"<td class='when'>{e(when(c['loaded_at']) if c['loaded_at'] else '')}</td>"
            + "".join(f"<td class='num'>{e(c[k])}</td>" for k in (
                "feeds_ok", "feeds_not_modified", "feeds_error", "feeds_skipped",
                "new_articles", "updated_articles", "relevant_articles", "new_stories"))
            + "</tr>")
    out.append("</table>")
    return out


def _health_html(mon: Monitor, page_root: str = "") -> list[str]:
    out = ["<h2>État des flux</h2>"]
    rows = feed_rows(mon)
    if not rows:
        if not mon.notice:
            out.append("<p>Aucun flux enregistré pour l’instant.</p>")
        return out
    bad = sum(r.level == "bad" for r in rows)
    out.append(f"<p class='note'>{plural(len(rows), 'flux', 'flux')}, "
               f"{plural(bad, 'en échec', 'en échec') if bad else 'aucun en échec'}. "
               "Cliquez sur une erreur pour le détail ; "
               f"<a href='{e(page_root)}feed_health.csv' download>tout l’état des flux en "
               "CSV</a>.</p>")
    out.append("<table class='health'><colgroup><col style='width:22%'>"
               "<col style='width:20%'><col style='width:13%'><col></colgroup>"
               "<tr><th>flux</th><th>état</th><th>dernier succès</th>"
               "<th>dernière erreur</th></tr>")
    for r in sorted(rows, key=lambda r: (r.level != "bad", r.level != "new", r.name.lower())):
        error = ""
        if r.last_error:
            error = f"{when(r.last_error_at)} : {r.last_error}" if r.last_error_at \
                else r.last_error
        detail = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in r.details)
        summary = (f"<span class='oneline' title='{e(error)}'>{e(error)}</span>" if error
                   else "<span class='oneline sub'>aucune</span>")
        out.append(
            f"<tr class='{r.level}' data-source='{e(r.source)}'>"
            f"<td><span class='oneline' title='{e(r.name)}'>{e(r.name)}</span>"
            + (f"<span class='oneline id'>{e(r.source)}</span>" if r.name != r.source else "")
            + f"</td><td><span class='badge {r.level}'>{e(r.status)}</span>"
            + (f"<span class='status-note'>{e(r.pause)}</span>" if r.pause else "")
            + "</td>"
            f"<td class='when'>{e(when(r.last_success) if r.last_success else 'jamais')}</td>"
            f"<td><details><summary>{summary}</summary><dl>{detail}</dl></details></td></tr>")
    out.append("</table>")
    return out


def _events_html(mon: Monitor) -> list[str]:
    """The week's events: what each reached (articles, outlets, languages, home and partner
    press, first and last publication), its stories on demand. An event asked for by
    ``?event=`` is open and marked."""
    from ..canonical import strip_tracking
    from ..digest.model import LANGUAGES

    if not mon.events_available:
        return [f"<p class='notice'>{e(mon.event_notice)}</p>"] if mon.event_notice else []
    wk = parse_week(mon.week)
    out = [f"<h2>Événements de la semaine {wk.number} ({e(week_span(wk))})</h2>",
           "<p class='note'>Un événement réunit les sujets qui rapportent un même fait "
           "(une signature, une visite…), quels que soient le média et la langue ; il est "
           "compté dans la semaine de son premier article. Presse locale : locale et "
           "nationale ; presse partenaire : celle de la ville partenaire de la mission. "
           "Cliquez sur un événement pour ses sujets.</p>"]
    if mon.event_notice:
        out.append(f"<p class='notice'>{e(mon.event_notice)}</p>")
    if mon.event_asked and mon.event_id and mon.event_id != mon.event_asked:
        out.append(f"<p class='note'>L’événement <code>{e(mon.event_asked)}</code> a été "
                   f"réuni à un autre : le voici, <code>{e(mon.event_id)}</code>.</p>")
    if not mon.events:
        if not mon.notice:
            out.append("<p>Aucun événement cette semaine.</p>")
        return out
    # the label and its stories take what the figures leave: about 500 px at 1,400
    out.append("<table class='events'><colgroup><col><col style='width:13%'>"
               "<col style='width:6%'><col style='width:6%'><col style='width:11%'>"
               "<col style='width:7%'><col style='width:8%'><col style='width:12.5%'>"
               "</colgroup>"
               "<tr><th>événement</th><th>mission</th><th class='num'>articles</th>"
               "<th class='num'>médias</th><th>langues</th><th class='num'>presse locale</th>"
               "<th class='num'>presse partenaire</th><th>premier et dernier article</th>"
               "</tr>")
    for ev in mon.events:
        focus = ev["event_id"] == mon.event_id
        languages = ", ".join(LANGUAGES.get(x, x) for x in (ev["languages"] or []))
        mission = mon.names.mission(ev["mission_id"]) if ev["mission_id"] else ""
        items = []
        for st in ev["stories"]:
            outlets = ", ".join(mon.names.outlet(o) for o in (st["outlets"] or []))
            url = strip_tracking(st["url"]) if isinstance(st["url"], str) else None
            langs = ", ".join(LANGUAGES.get(x, x) for x in (st["languages"] or []))
            items.append(
                f"<li>{link(url, st['title'] or st['url'] or st['story_id'])} "
                f"<span class='sub'>{e(outlets)} · {e(langs)} · "
                f"{e(plural(st['articles'], 'article', 'articles'))} · "
                f"{e(when(st['first_published']) if st['first_published'] else '')}</span></li>")
        why = (f"<p class='why'>Liés par : {e(', '.join(ev['why']))}</p>"
               if ev.get("why") else "")
        out.append(
            f"<tr id='event-{e(ev['event_id'])}' data-event='{e(ev['event_id'])}'"
            + (" class='focus'" if focus else "") + ">"
            f"<td><details{' open' if focus else ''}><summary><b>{e(ev['label'])}</b> "
            f"<span class='sub'>{e(plural(len(ev['stories']), 'sujet', 'sujets'))}</span>"
            f"</summary><ul class='stories'>{''.join(items)}</ul>{why}"
            f"<p class='why'><a href='?event={e(_quote(ev['event_id']))}'>lien vers cet "
            f"événement</a></p></details></td>"
            f"<td>{e(mission)}</td><td class='num'>{e(ev['articles'])}</td>"
            f"<td class='num'>{e(ev['outlets'])}</td><td>{e(languages)}</td>"
            f"<td class='num'>{e(ev['home_articles'])}</td>"
            f"<td class='num'>{e(ev['partner_articles'])}</td>"
            f"<td class='when'>{e(when(ev['first_published']))}<br>"
            f"{e(when(ev['last_published']))}</td></tr>")
    out.append("</table>")
    return out


def _stories_html(mon: Monitor) -> list[str]:
    from ..digest.model import LANGUAGES

    wk = parse_week(mon.week)
    prev_week, next_week = (iso_week(wk.monday - dt.timedelta(days=7)),
                            iso_week(wk.monday + dt.timedelta(days=7)))
    out = [f"<h2>Sujets de la semaine {wk.number} ({e(week_span(wk))})</h2>",
           f"<p class='note'><a href='?week={e(prev_week)}'>← semaine précédente</a> · "
           f"<a href='?week={e(next_week)}'>semaine suivante →</a> · les articles "
           "pertinents de la semaine, regroupés en sujets (un article et ses reprises), "
           "les plus repris d’abord.</p>"]
    if mon.stories:
        out.append("<table><tr><th>sujet</th><th class='num'>médias</th>"
                   "<th class='num'>articles</th><th>langues</th><th>mission</th>"
                   "<th>première parution</th></tr>")
        for s in mon.stories:
            outlets = ", ".join(mon.names.outlet(o) for o in (s.get("outlet_ids") or []))
            languages = ", ".join(LANGUAGES.get(x, x) for x in (s["languages"] or []))
            mission = mon.names.mission(s["mission_id"]) if s["mission_id"] else ""
            out.append(
                f"<tr><td>{link(s['url'], s['title'] or s['url'])}"
                f"<br><span class='sub'>{e(outlets)}</span></td>"
                f"<td class='num'>{e(s['outlets'])}</td><td class='num'>{e(s['articles'])}</td>"
                f"<td>{e(languages)}</td><td>{e(mission)}</td>"
                f"<td class='when'>{e(when(s['first_seen']) if s['first_seen'] else '')}</td>"
                "</tr>")
        out.append("</table>")
    elif not mon.notice:
        out.append("<p>Aucun article pertinent publié cette semaine.")
        if mon.latest_story_week:
            w = mon.latest_story_week
            out.append(f" La dernière semaine qui en compte : <a href='?week={e(w)}'>"
                       f"{e(w)}</a>.")
        out.append("</p>")
    return out


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def feed_health_csv(mon: Monitor) -> str:
    """Every column of the feed-health view, one row per feed, with its display name; times
    in ISO 8601 with their Paris offset. Cells that a spreadsheet would read as a formula are
    prefixed with a quote."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["name", *mon.feed_health_columns])
    for raw in mon.feed_health:
        source = dict(zip(mon.feed_health_columns, raw)).get("source")
        cells = [mon.names.feed(source)]
        for value in raw:
            if isinstance(value, dt.datetime):
                value = value.astimezone(WEEK_TZ).isoformat(timespec="seconds")
            cells.append("" if value is None else value)
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t",
                                                                      "\r") else c
                         for c in cells])
    return buf.getvalue()


# ---- the app ----------------------------------------------------------------------------

def create_app(*, require_auth: bool = True, paths: Paths | None = None):
    """The FastAPI app. Paths are read from the environment at each request unless given."""
    from fastapi import Depends, FastAPI, Query
    from fastapi.responses import HTMLResponse, JSONResponse, Response

    dependencies = []
    if require_auth:
        # Airflow's own check: its session cookie (the embedded page) or a bearer token.
        from airflow.api_fastapi.core_api.security import requires_authenticated

        dependencies.append(Depends(requires_authenticated()))
    app = FastAPI(title="pressmon: Press monitor", dependencies=dependencies,
                  docs_url=None, redoc_url=None, openapi_url=None)

    def _monitor(week: str | None, event: str | None = None):
        if week is not None:
            week = parse_week(week).label  # its DigestError is a ValueError: a 400
        if event is not None and not 0 < len(event) <= MAX_EVENT_ID:
            raise ValueError(f"event id: 1 to {MAX_EVENT_ID} characters, not {len(event)}")
        return gather(paths or get_paths(), week, event=event)

    def _roots(request) -> tuple[str, str]:
        """Airflow's UI root and this page's, from where the API server mounted the app."""
        root = (request.scope.get("root_path") or "").rstrip("/")
        airflow = root[: -len(URL_PREFIX)] if root.endswith(URL_PREFIX) else None
        return ((airflow + "/") if airflow is not None else "../"), (root + "/" if root else "")

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request, week: str | None = Query(default=None),
             event: str | None = Query(default=None)):
        try:
            mon = _monitor(week, event)
        except ValueError as exc:
            return HTMLResponse(f"<!doctype html><p>{e(exc)}</p>", status_code=400)
        airflow_root, page_root = _roots(request)
        return HTMLResponse(render(mon, airflow_root=airflow_root, page_root=page_root))

    @app.get("/summary.json")
    def summary(week: str | None = Query(default=None), event: str | None = Query(default=None)):
        try:
            mon = _monitor(week, event)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(mon.as_dict())

    @app.get("/feed_health.csv")
    def feed_health():
        mon = gather(paths or get_paths(), None)
        return Response(feed_health_csv(mon), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="pressmon-feed-health.csv"'})

    return app

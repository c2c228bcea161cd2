"""Data-quality checks run after each load, on the published snapshot.

They fail loudly when a load is wrong (rows that break the article contract, every feed
down, coverage collapsing) and summarise the cycle for the operator's log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import store
from .store import fetch_one
from .settings import Paths

# "Zero articles where the previous week had many": how many is many.
COLLAPSE_PREVIOUS_WEEK_MIN = 20
FUTURE_TOLERANCE = "1 day"


@dataclass
class QualityReport:
    cycle_id: str
    figures: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def summary_text(self) -> str:
        f = self.figures
        return (f"cycle {self.cycle_id}: feeds {f.get('feeds_ok', 0)} ok / "
                f"{f.get('feeds_not_modified', 0)} not modified / {f.get('feeds_error', 0)} "
                f"failed / {f.get('feeds_skipped', 0)} skipped; {f.get('new_articles', 0)} new "
                f"articles, {f.get('relevant_articles', 0)} relevant, {f.get('new_stories', 0)} "
                f"new stories; database: {f.get('total_articles', 0)} articles, "
                f"{f.get('total_stories', 0)} stories")

    def as_dict(self) -> dict:
        return {"cycle_id": self.cycle_id, "figures": self.figures, "problems": self.problems}


def check_cycle(paths: Paths, cycle_id: str) -> QualityReport:
    con = store.open_reader(paths.db)
    try:
        return check_connection(con, cycle_id)
    finally:
        con.close()


def check_connection(con, cycle_id: str) -> QualityReport:
    report = QualityReport(cycle_id)
    row = fetch_one(con,
        "SELECT feeds_ok, feeds_not_modified, feeds_error, feeds_skipped, new_articles, "
        "relevant_articles, new_stories FROM cycles WHERE cycle_id = ?", [cycle_id])
    if row is None:
        report.problems.append(f"cycle {cycle_id} was not loaded")
        return report
    keys = ("feeds_ok", "feeds_not_modified", "feeds_error", "feeds_skipped", "new_articles",
            "relevant_articles", "new_stories")
    report.figures = dict(zip(keys, row))
    total, stories = fetch_one(con,
        "SELECT count(*), count(DISTINCT story_id) FROM articles")
    report.figures.update(total_articles=total, total_stories=stories)
    f = report.figures

    n = fetch_one(con, "SELECT count(*) FROM articles WHERE url IS NULL OR url = '' "
                    "OR source IS NULL OR source = ''")[0]
    if n:
        report.problems.append(f"{n} article(s) without URL or source")
    dups = con.execute(
        "SELECT outlet, canonical_url, count(*) FROM articles GROUP BY ALL HAVING count(*) > 1 "
        "ORDER BY 3 DESC LIMIT 5").fetchall()
    if dups:
        report.problems.append("several rows for one canonical URL: " + "; ".join(
            f"{o} {u} ({c} rows)" for o, u, c in dups))
    ids = fetch_one(con, "SELECT count(*) - count(DISTINCT article_id) FROM articles")[0]
    if ids:
        report.problems.append(f"{ids} duplicated article_id value(s)")
    future = fetch_one(con,
        f"SELECT count(*), min(url) FROM articles WHERE published_at > now() + INTERVAL "
        f"'{FUTURE_TOLERANCE}'")
    if future[0]:
        report.problems.append(f"{future[0]} article(s) published in the future (e.g. {future[1]})")
    attempted = f["feeds_ok"] + f["feeds_not_modified"] + f["feeds_error"]
    if f["feeds_error"] and f["feeds_ok"] + f["feeds_not_modified"] == 0 and attempted:
        report.problems.append(f"every feed failed ({f['feeds_error']} of {attempted})")
    this_week, last_week = fetch_one(con,
        "SELECT count(*) FILTER (WHERE first_seen_at >= now() - INTERVAL 7 DAY), "
        "count(*) FILTER (WHERE first_seen_at < now() - INTERVAL 7 DAY "
        "AND first_seen_at >= now() - INTERVAL 14 DAY) FROM articles")
    if this_week == 0 and last_week >= COLLAPSE_PREVIOUS_WEEK_MIN:
        report.problems.append(
            f"no new article in the last 7 days, against {last_week} the week before")
    return report


def feed_failures(paths: Paths, cycle_id: str) -> dict[str, list[dict]]:
    """The feeds that failed in this cycle, as two lists of ``{"source", "error"}``:
    ``broken``, those that worked in their previous attempted cycle (they stopped working:
    worth failing the run), and ``never_worked``, those that have never once been read (a new
    feed with a wrong address: reported, not a run failure). A feed that was already failing
    is in neither: it backs off and shows in feed health."""
    con = store.open_reader(paths.db)
    try:
        rows = con.execute(
            """
            WITH ranked AS (
                SELECT source, cycle_id, outcome, error, started_at
                FROM fetch_log WHERE outcome <> 'skipped'
            ),
            this AS (SELECT * FROM fetch_log WHERE cycle_id = ? AND outcome = 'error')
            SELECT t.source, t.error, p.outcome,
                   EXISTS (SELECT 1 FROM fetch_log w WHERE w.source = t.source
                           AND w.outcome IN ('ok', 'not_modified')) AS ever_worked
            FROM this t
            LEFT JOIN ranked p ON p.source = t.source AND p.cycle_id <> t.cycle_id
                 AND p.started_at < t.started_at
            QUALIFY row_number() OVER (PARTITION BY t.source ORDER BY p.started_at DESC) = 1
            """, [cycle_id]).fetchall()
    finally:
        con.close()
    out: dict[str, list[dict]] = {"broken": [], "never_worked": []}
    for source, error, prev, ever_worked in sorted(rows):
        if not ever_worked:
            out["never_worked"].append({"source": source, "error": error})
        elif prev in ("ok", "not_modified"):
            out["broken"].append({"source": source, "error": error})
    return out


def newly_failed_feeds(paths: Paths, cycle_id: str) -> list[dict]:
    """Feeds that failed in this cycle after succeeding in their previous attempted cycle."""
    return feed_failures(paths, cycle_id)["broken"]

"""The analysts' reports: the SQL views of ``sql/reports/``, listed, filtered and printed.

Each report is one file ``sql/reports/<name>.sql`` defining the view ``r_<name>`` (created by
``store.create_views`` after the migrations), with a header of ``-- key: value`` lines: name,
description, filters (the columns ``--week``, ``--mission`` and ``--event`` may filter:
``week``, ``mission`` and ``event``) and order (the ORDER BY applied when it is printed). The view
is the report: analysts query or copy it; ``pressmon report`` only filters and formats it. An
event id given to ``--event`` is resolved through ``event_aliases`` first: the id of an event
since merged into another, kept in a sent digest or an analyst's note, still finds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import store
from .errors import DigestError, UsageError
from .settings import Paths

REPORTS_DIR = store.SQL_DIR / "reports"
HEADER_RE = re.compile(r"^--\s*(name|description|filters|order):\s*(.*?)\s*$")
FILTER_COLUMNS = {"week": "week", "mission": "mission_id", "event": "event_id"}
TABLE_CELL_MAX = 60
# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula (CSV
# injection): text from feeds and pages must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ReportError(ValueError):
    """A report or a filter value is unknown or malformed; the message says which."""


@dataclass(frozen=True)
class Report:
    name: str
    description: str
    filters: tuple[str, ...]
    order: str
    path: Path

    @property
    def view(self) -> str:
        return f"r_{self.name}"


def parse_report(path: Path) -> Report:
    """Read a report file's header; a file without name and description is an error."""
    meta: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = HEADER_RE.match(line)
        if m:
            meta.setdefault(m.group(1), m.group(2))
        elif not line.startswith("--"):
            break
    for key in ("name", "description"):
        if not meta.get(key):
            raise ReportError(f"{path}: the header has no '-- {key}:' line")
    if meta["name"] != path.stem:
        raise ReportError(f"{path}: header name {meta['name']!r} differs from the file name")
    filters = tuple(f.strip() for f in meta.get("filters", "").split(",") if f.strip())
    unknown = [f for f in filters if f not in FILTER_COLUMNS]
    if unknown:
        raise ReportError(f"{path}: unknown filter {unknown[0]!r} "
                          f"(known: {', '.join(FILTER_COLUMNS)})")
    return Report(meta["name"], meta["description"], filters, meta.get("order", ""), path)


def list_reports(reports_dir: Path = REPORTS_DIR) -> list[Report]:
    return [parse_report(p) for p in sorted(Path(reports_dir).glob("*.sql"))]


def get_report(name: str, reports_dir: Path = REPORTS_DIR) -> Report:
    reports = {r.name: r for r in list_reports(reports_dir)}
    if name not in reports:
        raise ReportError(f"unknown report {name!r}; known reports: {', '.join(sorted(reports))} "
                          f"(see `pressmon report --list`)")
    return reports[name]


def parse_week(week: str) -> str:
    """Validate an ISO week label 'YYYY-Www' (2017-W45); returns it unchanged."""
    from .digest.weeks import parse_week as parse_iso_week

    try:
        return parse_iso_week(week).label
    except DigestError as exc:
        raise ReportError(str(exc)) from None


def resolve_event(con, event_id: str) -> str:
    """The live id of ``event_id`` (itself, or the event a merge or a reclassification folded
    it into); ReportError when the database knows neither."""
    from .events import resolve_event_id

    live = resolve_event_id(con, event_id) if event_id else None
    if live is None:
        raise ReportError(f"unknown event {event_id!r}: no event and no retired event id "
                          f"in the database has it")
    return live


def run_report(con, name: str, *, week: str | None = None, mission: str | None = None,
               event: str | None = None,
               reports_dir: Path = REPORTS_DIR) -> tuple[list[str], list[tuple]]:
    """Run one report on an open connection: its column names and its rows, filtered."""
    report = get_report(name, reports_dir)
    wanted = {"week": parse_week(week) if week is not None else None, "mission": mission,
              "event": event}
    present = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
        [report.view]).fetchall()}
    if not present:
        raise store.StoreError(
            f"the database has no view {report.view}: it was written by an older pressmon; "
            f"the next `pressmon ingest` upgrades it")
    where, params = [], []
    for key, value in wanted.items():
        if value is None:
            continue
        if key not in report.filters or FILTER_COLUMNS[key] not in present:
            can = ", ".join(f"--{f}" for f in report.filters) or "no filter"
            raise ReportError(f"report {name} cannot be filtered by {key} (it takes {can})")
        if key == "mission":
            known = [r[0] for r in con.execute(
                "SELECT mission_id FROM missions ORDER BY mission_id").fetchall()]
            if value not in known:
                raise ReportError(f"unknown mission {value!r}; missions in the database: "
                                  f"{', '.join(known) or 'none'}")
        if key == "event":
            value = resolve_event(con, value)
        where.append(f"{FILTER_COLUMNS[key]} = ?")
        params.append(value)
    sql = f"SELECT * FROM {report.view}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {report.order or 'ALL'}"
    cur = con.execute(sql, params)
    columns = [d[0] for d in cur.description]
    return columns, cur.fetchall()


def _plain(value):
    """A cell as JSON-ready data: dates and times in ISO 8601, lists kept as lists."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(_plain(value))


def _csv_cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with ``'``.
    Numbers (a negative ``day_offset``) are left as they are: they are not text."""
    cell = _cell(value)
    if isinstance(value, (str, list, tuple)) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    """Rows as an aligned text table, CSV (lists joined by ', '; text cells starting with
    = + - @, a tab or a carriage return prefixed with ``'``) or a JSON array of objects."""
    if fmt == "json":
        return json.dumps([{c: _plain(v) for c, v in zip(columns, row)} for row in rows],
                          ensure_ascii=False, indent=1)
    if fmt == "csv":
        # The csv module quotes a field holding a character of the line terminator only:
        # rows are written with "\r\n" (so a lone CR in a text is quoted too), ended by "\n".
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        lines = []
        for cells in [columns] + [[_csv_cell(v) for v in row] for row in rows]:
            buf.seek(0)
            buf.truncate()
            writer.writerow(cells)
            lines.append(buf.getvalue()[:-2])
        return "\n".join(lines)
    if fmt != "table":
        raise ReportError(f"unknown format {fmt!r} (table, csv or json)")
    cells = [[_cell(v).replace("\n", " ") for v in row] for row in rows]
    cells = [[c if len(c) <= TABLE_CELL_MAX else c[:TABLE_CELL_MAX - 1] + "…" for c in row]
             for row in cells]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [bool(rows) and all(isinstance(row[i], (int, float, decimal.Decimal))
                                  or row[i] is None for row in rows)
               for i in range(len(columns))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def run_report_command(args, paths: Paths) -> int:
    """`pressmon report --list` / `pressmon report NAME [--week] [--mission] [--event]
    [--format]`."""

    try:
        if args.list:
            for r in list_reports():
                filters = ", ".join(r.filters) or "-"
                print(f"{r.name}\t{r.description} [filters: {filters}]")
            return 0
        if not args.name:
            raise ReportError("name a report (see `pressmon report --list`)")
        get_report(args.name)
        if args.week is not None:  # an empty --week is a mistake, not "every week"
            parse_week(args.week)
        event = getattr(args, "event", None)
        con = store.open_reader(paths.db)
        try:
            columns, rows = run_report(con, args.name, week=args.week, mission=args.mission,
                                       event=event)
            if event is not None and resolve_event(con, event) != event:
                # said on stderr: stdout stays the report, for scripts and spreadsheets
                print(f"event {event} was merged into {resolve_event(con, event)}; showing it",
                      file=sys.stderr)
        finally:
            con.close()
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(format_rows(columns, rows, args.format) + "\n")
    return 0

"""ISO weeks as the digest, the reports and the Press monitor page read them (Monday to Sunday,
Europe/Paris), and the French date labels the digest prints.

``parse_week`` is the one parser of a week written by a user (``--week``, ``?week=``, a DAG
param): ASCII digits only, years FIRST_YEAR to LAST_YEAR, so that every accepted week has a
representable start, end and previous week."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..errors import DigestError

PARIS = ZoneInfo("Europe/Paris")
WEEK_RE = re.compile(r"([0-9]{4})-W([0-9]{2})")  # [0-9]: \d would take full-width digits
FIRST_YEAR, LAST_YEAR = 1900, 2999
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")
DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


@dataclass(frozen=True)
class Week:
    """One ISO week; ``start``/``end`` are aware datetimes in Europe/Paris, end exclusive."""

    label: str          # 2017-W45
    year: int
    number: int
    monday: dt.date
    sunday: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.monday, dt.time(0), PARIS)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.sunday + dt.timedelta(days=1), dt.time(0), PARIS)

    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    def previous(self) -> "Week":
        y, w, _ = (self.monday - dt.timedelta(days=7)).isocalendar()
        return _week(y, w)


def _week(year: int, number: int) -> Week:
    monday = dt.date.fromisocalendar(year, number, 1)
    return Week(f"{year:04d}-W{number:02d}", year, number, monday,
                monday + dt.timedelta(days=6))


def parse_week(text: str) -> Week:
    """``YYYY-Www`` to a Week; anything else is refused with the reason and an example."""
    shown = repr(text[:40] + ("…" if len(text) > 40 else "")) if isinstance(text, str) \
        else repr(text)
    m = WEEK_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if not m:
        raise DigestError(f"week {shown} is not an ISO week: write it YYYY-Www, e.g. 2017-W45")
    year, number = int(m.group(1)), int(m.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DigestError(f"week {shown} is out of range: weeks of the years {FIRST_YEAR} to "
                          f"{LAST_YEAR} are read")
    weeks_in_year = dt.date(year, 12, 28).isocalendar()[1]
    if not 1 <= number <= weeks_in_year:
        raise DigestError(f"week {shown} does not exist: {year} has weeks W01 to "
                          f"W{weeks_in_year:02d}")
    return _week(year, number)


def week_of(day: dt.date) -> str:
    """The label of the ISO week holding ``day``."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def previous_week_of(moment: dt.datetime | dt.date) -> str:
    """The last complete ISO week before ``moment`` (Paris time): what a Monday run reports."""
    if isinstance(moment, dt.datetime):
        day = (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
               ).astimezone(PARIS).date()
    else:
        day = moment
    return week_of(day - dt.timedelta(days=7))


def short_date(d: dt.date, *, year: bool = True) -> str:
    """``6 nov. 2017``; the first of a month is ``1er``, as French writes it."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")


def week_span(week: Week) -> str:
    return date_span(week.monday, week.sunday)


def date_span(a: dt.date, b: dt.date) -> str:
    """``du 6 au 12 nov. 2017``; ``du 30 oct. au 5 nov. 2017``;
    ``du 29 déc. 2025 au 4 janv. 2026``; one day: ``le 6 nov. 2017``."""
    if a == b:
        return f"le {short_date(a)}"
    if a.year != b.year:
        return f"du {short_date(a)} au {short_date(b)}"
    if a.month != b.month:
        return f"du {short_date(a, year=False)} au {short_date(b)}"
    return f"du {'1er' if a.day == 1 else a.day} au {short_date(b)}"

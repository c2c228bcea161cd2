"""Times as pressmon stores and compares them: timezone-aware, in UTC; and as it shows them to
people: Paris time, with the zone said."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
PARIS = ZoneInfo("Europe/Paris")


def parse_time(value) -> dt.datetime | None:
    """An aware UTC datetime from a datetime or an ISO 8601 string ('Z' accepted); naive
    times are taken as UTC; None for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        t = value
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def now() -> dt.datetime:
    """The current time, aware, in UTC: what every stored timestamp is."""
    return dt.datetime.now(UTC)


def paris_time(value: dt.datetime) -> str:
    """``2017-11-08 11:00 CET``: a stored time as operators read it in logs and messages."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS).strftime("%Y-%m-%d %H:%M %Z")

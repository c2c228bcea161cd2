"""ISO weeks: parsing with clear errors, Paris boundaries, French spans."""

from __future__ import annotations

import datetime as dt

import pytest

from pressmon.digest.weeks import parse_week, previous_week_of, week_span
from pressmon.errors import DigestError


def test_week_boundaries_are_paris_monday_to_sunday():
    """2017-W45 runs from Monday 6 Nov 00:00 to Monday 13 Nov 00:00, Paris time."""
    w = parse_week("2017-W45")
    assert (w.monday, w.sunday) == (dt.date(2017, 11, 6), dt.date(2017, 11, 12))
    assert w.start.isoformat() == "2017-11-06T00:00:00+01:00"
    assert w.end.isoformat() == "2017-11-13T00:00:00+01:00"
    assert w.previous().label == "2017-W44"


@pytest.mark.parametrize("text,words", [
    ("2017-W60", "2017 has weeks W01 to W52"),
    ("2017-W53", "2017 has weeks W01 to W52"),
    ("2017-W00", "W01 to W52"),
    ("45", "YYYY-Www"),
    ("2017-45", "YYYY-Www"),
    ("", "YYYY-Www"),
    (" ", "YYYY-Www"),
    ("0000-W01", "out of range"),
    ("9999-W52", "out of range"),
    ("1899-W52", "out of range"),
    ("\uff12\uff10\uff11\uff17-W45", "YYYY-Www"),   # full-width digits
    ("2017-W\uff14\uff15", "YYYY-Www"),
    ("2017-W4\u0665", "YYYY-Www"),                  # an Arabic-Indic digit
    ("2017-w45", "YYYY-Www"),
    ("2017-W45x", "YYYY-Www"),
    ("2017-W45\n2018-W01", "YYYY-Www"),
])
def test_bad_weeks_are_refused_with_the_reason(text, words):
    """A wrong week names the expected form or the year's last week."""
    with pytest.raises(DigestError, match=words):
        parse_week(text)


def test_53_week_year_and_year_crossing_span():
    """2020 has a W53 that spans two years; the subject span says both."""
    w = parse_week("2020-W53")
    assert week_span(w) == "du 28 déc. 2020 au 3 janv. 2021"
    assert week_span(parse_week("2017-W45")) == "du 6 au 12 nov. 2017"
    assert week_span(parse_week("2017-W44")) == "du 30 oct. au 5 nov. 2017"


def test_french_date_spans():
    """"du 23 au 29 nov. 2026", the first of a month written "1er", one day "le ..."."""
    from pressmon.digest.weeks import date_span

    assert week_span(parse_week("2026-W48")) == "du 23 au 29 nov. 2026"
    assert week_span(parse_week("2021-W13")) == "du 29 mars au 4 avr. 2021"
    assert date_span(dt.date(2026, 6, 1), dt.date(2026, 6, 7)) == "du 1er au 7 juin 2026"
    assert date_span(dt.date(2017, 11, 5), dt.date(2017, 11, 5)) == "le 5 nov. 2017"
    assert date_span(dt.date(2017, 10, 30), dt.date(2017, 11, 1)) == "du 30 oct. au 1er nov. 2017"


def test_a_monday_run_reports_the_previous_week():
    """Monday 08:00 Paris (07:00 UTC) and a Wednesday both report the last complete week."""
    monday = dt.datetime(2017, 11, 13, 7, 0, tzinfo=dt.timezone.utc)
    assert previous_week_of(monday) == "2017-W45"
    assert previous_week_of(dt.datetime(2017, 11, 15, 12, tzinfo=dt.timezone.utc)) == "2017-W45"
    # Sunday 23:30 UTC is already Monday in Paris
    assert previous_week_of(dt.datetime(2017, 11, 12, 23, 30, tzinfo=dt.timezone.utc)) \
        == "2017-W45"


def test_every_week_in_range_has_its_neighbours():
    """The first and last weeks accepted have a previous week and a representable end."""
    first, last = parse_week("1900-W01"), parse_week("2999-W52")
    assert first.previous().label == "1899-W52" and first.start < first.end
    assert last.end.year == 2999 and parse_week("2020-W53").label == "2020-W53"


def test_label_is_rebuilt_from_the_numbers():
    assert parse_week(" 2017-W45 ").label == "2017-W45"

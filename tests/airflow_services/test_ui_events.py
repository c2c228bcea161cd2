"""The Press monitor page shows the week's events: the labelled dev split of the events set
loaded through the pipeline's stages (as scripts/eval_events.py loads it), then the page read
through its app; links to an event by id, a retired id (merged away) resolving to the event
that absorbed it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from pm_testing import script_module


def _eval_module():
    return script_module("eval_events")


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    """(client, paths, week of the Miami signing, that week's events as events.week_events
    reads them)."""
    from pressmon import store
    from pressmon.airflow.ui import create_app
    from pressmon.digest.weeks import PARIS, week_of
    from pressmon.events import week_events

    ev = _eval_module()
    cases = ev.load_cases("dev")
    paths, _got = ev.run_split(tmp_path_factory.mktemp("ui-events"), cases)
    signing = [c for c in cases if c["labels"]["event"] == "miami-2017-signing"]
    week = week_of(min(dt.datetime.fromisoformat(str(c["published_at"])) for c in signing)
                   .astimezone(PARIS).date())
    con = store.open_reader(paths.db)
    try:
        events = week_events(con, week)
    finally:
        con.close()
    return TestClient(create_app(require_auth=False, paths=paths)), paths, week, events


def _row(page: str, event_id: str) -> str:
    m = re.search(rf"<tr id='event-{re.escape(event_id)}'.*?</tr>", page, re.S)
    assert m, f"no row for {event_id}"
    return m.group(0)


def test_page_shows_the_weeks_events(dev):
    """Each event of the week: label, mission name, articles, outlets, languages, home and
    partner press, first and last article in Paris time, and every story under a closed
    <details>; the widest reach first."""
    from pressmon.airflow.ui import e as escape, when
    from pressmon.digest.model import LANGUAGES

    c, _paths, week, events = dev
    assert len(events) >= 2 and any(len(e["languages"]) == 3 for e in events)
    page = c.get("/", params={"week": week})
    assert page.status_code == 200
    text = page.text
    assert "Événements de la semaine" in text
    for ev in events:
        row = _row(text, ev["event_id"])
        assert f"<b>{escape(ev['label'])}</b>" in row
        assert "Délégation métropolitaine à Miami" in row  # the mission's name, not its id
        for n in (ev["articles"], ev["outlets"], ev["home_articles"], ev["partner_articles"]):
            assert f"<td class='num'>{n}</td>" in row
        assert f"{when(ev['first_published'])}<br>{when(ev['last_published'])}" in row
        assert "<details>" in row  # on demand: closed
        assert f"{len(ev['stories'])} sujets" in row
        names = ", ".join(LANGUAGES[x] for x in ev["languages"])
        assert f"<td>{names}</td>" in row
        for st in ev["stories"]:
            assert str(escape(st["title"])) in row

    summary = c.get("/summary.json", params={"week": week}).json()
    ids = [e["event_id"] for e in summary["events"]]
    assert sorted(ids) == sorted(e["event_id"] for e in events)
    reach = [(e["outlets"], e["articles"]) for e in summary["events"]]
    assert reach == sorted(reach, reverse=True)
    assert summary["events"][0]["stories"][0]["first_published"].endswith("+00:00")


def test_a_link_to_an_event_opens_its_week_and_its_stories(dev):
    """?event=ID shows that event's week (whatever ?week says), its row marked and open; an
    unknown id says so on a normal page; an absurd one is refused."""
    c, _paths, week, events = dev
    target = events[-1]["event_id"]
    page = c.get("/", params={"event": target, "week": "2018-W24"})
    assert page.status_code == 200
    row = _row(page.text, target)
    assert "class='focus'" in row and "<details open>" in row
    assert f"semaine {int(week[-2:])}" in page.text
    assert c.get("/summary.json", params={"event": target}).json()["week"] == week

    unknown = c.get("/", params={"event": "ev_0000000000000000", "week": week})
    assert unknown.status_code == 200
    assert "Événement inconnu : ev_0000000000000000" in unknown.text
    assert "data-event=" in unknown.text  # the week's events are still shown
    assert c.get("/", params={"event": "x" * 500}).status_code == 400


def test_a_retired_event_id_leads_to_the_event_that_absorbed_it(tmp_path):
    """Two events merged by a bridging article (events.assign_events, as the load does): the
    link to the retired one opens the surviving one, saying so."""
    from pm_testing import merged_events_db
    from pressmon.airflow.ui import create_app
    from pressmon.settings import get_paths

    db = tmp_path / "press.duckdb"
    retired, live = merged_events_db(db)

    c = TestClient(create_app(require_auth=False, paths=get_paths(db=str(db))))
    page = c.get("/", params={"event": retired})
    assert page.status_code == 200
    assert f"id='event-{retired}'" not in page.text
    row = _row(page.text, live)
    assert "class='focus'" in row and "<details open>" in row
    assert f"<code>{retired}</code> a été réuni à un autre" in page.text
    assert c.get("/summary.json", params={"event": retired}).json()["event"] == {
        "asked": retired, "event_id": live, "notice": None}

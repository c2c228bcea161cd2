"""The digest groups its full entries by event, as the pipeline linked them: the labelled dev
split of the events set (tests/data/events/dev) goes through the pipeline's own stages into a
fresh DuckDB (as scripts/eval_events.py loads it), then the digest of the week of the Miami
signing is built from it and checked against the labels: the group's header, its counts and
its home/partner split, the lone stories, and every relevant article named."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import duckdb
import pytest
from markupsafe import escape

from pm_testing import script_module
from pressmon.digest.build import build_digest
from pressmon.digest.config import DigestConfig
from pressmon.digest.render import render
from pressmon.digest.weeks import PARIS, week_of
from pressmon.store import open_reader

HOME = ("marseille", "national")
SIGNING = "miami-2017-signing"


def _eval_module():
    return script_module("eval_events")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    ev = _eval_module()
    cases = ev.load_cases("dev")
    paths, got = ev.run_split(tmp_path_factory.mktemp("digest-events"), cases)
    return cases, paths, got


def _published(case) -> dt.datetime:
    return dt.datetime.fromisoformat(str(case["published_at"]))


def _week(cases) -> str:
    signing = [c for c in cases if c["labels"]["event"] == SIGNING]
    return week_of(min(_published(c) for c in signing).astimezone(PARIS).date())


def _digest(paths, week, limit=8):
    con = open_reader(paths.db)
    try:
        return build_digest(con, week, config=DigestConfig(path=None,
                                                           max_stories_per_section=limit))
    finally:
        con.close()


def _in_week(cases, week):
    return [c for c in cases if c["labels"]["relevant"]
            and week_of(_published(c).astimezone(PARIS).date()) == week]


def test_an_event_in_three_languages_under_its_header(loaded):
    """The signing: one group holding exactly its labelled stories, first of the section (the
    widest reach), titled by v_events' label (its earliest French title), with the articles,
    outlets and languages counted from the labels, and its home/partner split."""
    cases, paths, got = loaded
    week = _week(cases)
    digest = _digest(paths, week)
    signing = [c for c in cases if c["labels"]["event"] == SIGNING]
    mission = signing[0]["labels"]["mission_id"]
    [section] = [s for s in digest.sections if s.key == mission]

    stories = {got[c["id"]]["story_id"] for c in signing}
    group = section.groups[0]
    assert {s.story_id for s in group.stories} == stories
    [event_id] = {got[c["id"]]["event_id"] for c in signing}
    assert group.event_id == event_id

    french = sorted((c for c in signing if c["labels"]["language"] == "fr"), key=_published)
    assert group.label == french[0]["title"]
    langs = Counter(c["labels"]["language"] for c in signing)
    assert len(langs) == 3
    order = sorted(langs, key=lambda k: (-langs[k], k))
    outlets = len({c["outlet"] for c in signing})
    assert group.summary == (f"{len(signing)} articles, {outlets} médias, {'/'.join(order)}")
    home = sum(c["region"] in HOME for c in signing)
    partner = sum(c["region"] == "miami" for c in signing)
    assert home and partner and home + partner == len(signing)
    assert group.split == (f"{home} dans la presse locale et nationale, "
                           f"{partner} dans la presse de la ville partenaire")

    # the same figures as the event's own row
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        row = con.execute("SELECT label, articles, outlets, home_articles, partner_articles "
                          "FROM v_events WHERE event_id = ?", [event_id]).fetchone()
    finally:
        con.close()
    assert row == (group.label, group.articles, group.outlets, home, partner)

    subject, html, text = render(digest)
    assert f"ÉVÉNEMENT : {group.label} — {group.summary}" in text
    assert f"   {group.split[0].upper()}{group.split[1:]}" in text
    assert f">{escape(group.label)}</div>" in html
    assert f">{escape(group.summary)}</div>" in html
    assert f">{escape(group.split)}</div>" in html
    assert html.count(">Événement</div>") == len(section.events)


def test_lone_stories_and_nothing_hidden(loaded):
    """Stories in no event are groups of one, after the events; every relevant article of the
    week is linked exactly once (as its story's original or among "Aussi dans"), in both
    parts, and every relevant story of the week is in the digest once."""
    cases, paths, got = loaded
    week = _week(cases)
    digest = _digest(paths, week)
    week_cases = _in_week(cases, week)
    lone = [c for c in week_cases if c["labels"]["event"] is None]
    assert lone, "the week has relevant stories in no event"
    listed = [s.story_id for sec in digest.sections for s in sec.stories + sec.others]
    assert len(listed) == len(set(listed))
    assert set(listed) == {got[c["id"]]["story_id"] for c in week_cases}
    for sec in digest.sections:
        kinds = [bool(g.label) for g in sec.groups]
        assert kinds == sorted(kinds, reverse=True), "events first, then lone stories"
        in_events = {s.story_id for g in sec.events for s in g.stories}
        assert not {got[c["id"]]["story_id"] for c in lone} & in_events
        assert all(len(g.stories) == 1 for g in sec.groups if not g.label)
        assert all(len(g.stories) >= 2 for g in sec.events)

    _, html, text = render(digest)
    for c in week_cases:
        assert html.count(f'href="{escape(c["url"])}"') == 1, c["id"]
        assert text.count(f"<{c['url']}>") == 1, c["id"]


def test_a_small_limit_keeps_an_event_whole(loaded):
    """With 3 stories in full, the signing's six are all in full under its header (an event
    started is never cut), and every other story of the week is on one line."""
    cases, paths, got = loaded
    week = _week(cases)
    digest = _digest(paths, week, limit=3)
    signing = {got[c["id"]]["story_id"] for c in cases if c["labels"]["event"] == SIGNING}
    [section] = [s for s in digest.sections if s.key == "miami-2017"]
    assert len(section.groups) == 1 and {s.story_id for s in section.stories} == signing
    assert len(signing) > 3
    rest = {got[c["id"]]["story_id"] for c in _in_week(cases, week)} - signing
    assert {s.story_id for s in section.others} | {
        s.story_id for sec in digest.sections if sec is not section
        for s in sec.stories + sec.others} == rest

"""Grouping stories into events in a real DuckDB file: stable ids, merges under the older id
with an alias, reruns that change nothing, and the recomputation of `pressmon reclassify`."""

from __future__ import annotations

import datetime as dt

import pytest

from pressmon import store
from pressmon.events import (FINGERPRINT_VERSION, assign_events, event_id_for, rebuild_events,
                             resolve_event_id)

UTC = dt.timezone.utc
DAY = dt.date(2017, 11, 7)
HOME = "home:Jean-Claude Gaudin"
# Two happenings of one day: each pair shares its own names, the two pairs only the home side.
SIGNING = [HOME, "partner:Carlos Giménez", "num:120", "name:stephen", "name:clark"]
PITCH = [HOME, "home:Euroméditerranée", "num:80", "name:morel", "name:brickell"]


@pytest.fixture
def con(tmp_path):
    """A database already holding the rest of the trip's coverage: a key weighs by how few
    articles of the mission's window carry it, and two articles alone in a window share
    nothing distinctive yet."""
    con = store.open_writer(tmp_path / "events.duckdb")
    load(con, *(item(f"bg{i}", 24 * (i % 5 - 2) + 9 + i, [HOME, f"name:bg{i}", f"num:{900 + i}"],
                     day=DAY + dt.timedelta(days=i % 5 - 2)) for i in range(10)))
    yield con
    con.close()


def item(aid, hour, keys, day=DAY, story=None):
    """A relevant article published on 7 Nov 2017 at `hour`, with its fingerprint; the
    articles row too, as the load would have written it."""
    return {"article_id": aid, "story_id": story or f"st_{aid}", "mission_id": "miami-2017",
            "published_at": dt.datetime(2017, 11, 7, tzinfo=UTC) + dt.timedelta(hours=hour),
            "first_seen_at": dt.datetime(2017, 11, 9, tzinfo=UTC),
            "fingerprint": {"v": FINGERPRINT_VERSION, "day": day.isoformat() if day else None,
                            "cue": "mardi", "keys": list(keys), "shown": []}}


def load(con, *items):
    """What the load does for these items: article rows, then events, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    for it in items:
        con.execute("DELETE FROM articles WHERE article_id = ?", [it["article_id"]])
        con.execute(
            "INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, "
            "title, published_at, first_seen_at, last_seen_at, content_hash, relevant, "
            "mission_id, story_id) VALUES (?, 's', ?, 'marseille', ?, ?, ?, ?, ?, ?, ?, true, "
            "'miami-2017', ?)",
            [it["article_id"], it["article_id"], "https://x.test/" + it["article_id"],
             "https://x.test/" + it["article_id"], "T " + it["article_id"], it["published_at"],
             it["first_seen_at"], it["first_seen_at"], it["article_id"], it["story_id"]])
    out = assign_events(con, list(items))
    con.execute("COMMIT")
    return out


def event_of(con, article_id):
    return con.execute("SELECT event_id FROM v_articles WHERE article_id = ?",
                       [article_id]).fetchall()[0][0]


def tables(con):
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
            for t in ("event_features", "event_keys", "events", "event_stories", "event_aliases")}


def test_a_story_alone_is_in_no_event_and_a_second_one_founds_it(con):
    load(con, item("a1", 10, SIGNING))
    assert event_of(con, "a1") is None
    load(con, item("a2", 12, SIGNING))
    founder = event_id_for("st_a1")
    assert event_of(con, "a1") == event_of(con, "a2") == founder
    row = con.execute("SELECT founding_story_id FROM events").fetchall()
    assert row == [("st_a1",)]
    why = con.execute("SELECT why FROM v_events").fetchall()[0][0]
    assert "120" in why and "Carlos Giménez" in why


def test_later_stories_join_without_changing_the_id(con):
    load(con, item("a1", 10, SIGNING), item("a2", 12, SIGNING))
    first = event_of(con, "a1")
    # A story published earlier than the founder, loaded later (a slow feed), joins too.
    load(con, item("a0", 8, SIGNING))
    load(con, item("a3", 30, SIGNING))
    assert {event_of(con, a) for a in ("a0", "a1", "a2", "a3")} == {first}
    assert con.execute("SELECT count(*) FROM events").fetchall()[0][0] == 1


def test_a_bridging_article_merges_two_events_under_the_older_id_with_an_alias(con):
    load(con, item("s1", 10, SIGNING), item("s2", 12, SIGNING))
    load(con, item("p1", 14, PITCH), item("p2", 16, PITCH))
    signing, pitch = event_of(con, "s1"), event_of(con, "p1")
    assert signing != pitch, "two happenings of one day share only the home side"
    load(con, item("bridge", 18, SIGNING + PITCH))
    assert {event_of(con, a) for a in ("s1", "s2", "p1", "p2", "bridge")} == {signing}
    assert con.execute("SELECT retired_event_id, event_id, reason FROM event_aliases"
                       ).fetchall() == [(pitch, signing, "merged")]
    assert [r[0] for r in con.execute("SELECT event_id FROM events").fetchall()] == [signing]
    assert resolve_event_id(con, pitch) == signing
    assert resolve_event_id(con, signing) == signing
    assert resolve_event_id(con, "ev_unknown") is None


def test_loading_the_same_articles_again_changes_nothing(con):
    items = [item("s1", 10, SIGNING), item("s2", 12, SIGNING), item("p1", 14, PITCH)]
    load(con, *items)
    before = tables(con)
    load(con, *items)
    assert tables(con) == before
    # ... nor does one of them alone, in another batch.
    load(con, items[1])
    assert tables(con) == before


def test_an_article_no_longer_relevant_loses_its_fingerprint_not_its_event(con):
    load(con, item("s1", 10, SIGNING), item("s2", 12, SIGNING))
    ev = event_of(con, "s2")
    gone = dict(item("s2", 12, SIGNING), fingerprint=None)
    load(con, gone)
    assert con.execute("SELECT count(*) FROM event_features WHERE article_id = 's2'"
                       ).fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM event_keys WHERE article_id = 's2'"
                       ).fetchall()[0][0] == 0
    assert event_of(con, "s2") == ev


def test_a_fingerprint_of_another_version_is_not_compared(con):
    old = item("s2", 12, SIGNING)
    old["fingerprint"] = dict(old["fingerprint"], v=FINGERPRINT_VERSION + 1)
    load(con, item("s1", 10, SIGNING), old)
    assert event_of(con, "s1") is None and event_of(con, "s2") is None


def test_bad_items_are_refused_with_the_article_named(con):
    with pytest.raises(ValueError, match="'x'.*aware"):
        assign_events(con, [dict(item("x", 1, SIGNING), published_at=None,
                                 first_seen_at=dt.datetime(2017, 11, 7))])
    with pytest.raises(ValueError, match="twice"):
        assign_events(con, [item("x", 1, SIGNING), item("x", 2, SIGNING)])


def fingerprints(con):
    return {aid: {"v": FINGERPRINT_VERSION, "day": day.isoformat() if day else None,
                  "cue": cue, "keys": list(keys), "shown": list(shown)}
            for aid, day, cue, keys, shown in con.execute(
                "SELECT article_id, reported_day, day_cue, keys, shown FROM event_features"
            ).fetchall()}


def test_reclassify_keeps_the_id_of_every_event_whose_founding_story_is_unchanged(con):
    load(con, item("s1", 10, SIGNING), item("s2", 12, SIGNING))
    load(con, item("p1", 14, PITCH), item("p2", 16, PITCH))
    # A late story older than the founder: recomputed from scratch, it would found the event.
    load(con, item("s0", 8, SIGNING))
    before = {a: event_of(con, a) for a in ("s0", "s1", "s2", "p1", "p2")}
    fps = fingerprints(con)

    con.execute("BEGIN TRANSACTION")
    summary = rebuild_events(con, fps)
    con.execute("COMMIT")
    assert {a: event_of(con, a) for a in before} == before
    assert summary == {"events": 2, "kept_ids": 2, "new_ids": 0, "retired_ids": 0}
    assert con.execute("SELECT founding_story_id FROM events WHERE event_id = ?",
                       [before["s1"]]).fetchall() == [("st_s1",)]


def test_reclassify_retires_the_id_of_an_event_whose_founder_left_into_an_alias(con):
    load(con, item("s1", 10, SIGNING), item("s2", 12, SIGNING), item("s3", 13, SIGNING))
    old = event_of(con, "s1")
    fps = fingerprints(con)
    fps["s1"] = None  # the founder is no longer relevant under the new rules
    con.execute("BEGIN TRANSACTION")
    rebuild_events(con, fps)
    con.execute("COMMIT")
    new = event_of(con, "s2")
    assert new == event_id_for("st_s2") != old
    # The founding story keeps no event of its own; links to the old id still resolve.
    assert resolve_event_id(con, old) == new
    assert con.execute("SELECT reason FROM event_aliases WHERE retired_event_id = ?",
                       [old]).fetchall() == [("reclassified",)]


def test_an_event_left_with_one_story_dissolves_without_an_alias(con):
    load(con, item("s1", 10, SIGNING), item("s2", 12, SIGNING))
    old = event_of(con, "s1")
    fps = fingerprints(con)
    fps["s2"] = None
    con.execute("BEGIN TRANSACTION")
    rebuild_events(con, fps)
    con.execute("COMMIT")
    assert event_of(con, "s1") is None and event_of(con, "s2") is None
    assert resolve_event_id(con, old) is None


def test_an_article_of_no_mission_joins_the_report_it_shares_with_and_another_mission_does_not(con):
    """Candidates of an article of no mission are looked up among every mission's articles,
    those of an article of a mission among its own and those of none: a report of the signing
    whose mission is unknown joins the signing's event (found from its side alone: the event
    is stored, only the new articles search), a report of another trip with the same names
    does not."""
    load(con, item("m1", 10, SIGNING), item("m2", 11, SIGNING))
    signing = event_of(con, "m1")
    assert signing == event_of(con, "m2") == event_id_for("st_m1")
    other = dict(item("x1", 12, SIGNING), mission_id="montreal-2018")
    stray = dict(item("n1", 13, SIGNING), mission_id=None)
    load(con, other, stray)
    assert event_of(con, "n1") == signing
    assert event_of(con, "x1") != signing


# Two happenings of one day whose reports recall each other further down: the morning's visit
# (its reports end on the evening's signing) and the signing (its reports recall the visit).
VISIT_LEAD = [HOME, "name:royal", "name:caribbean", "num:42", "name:bayley", "name:dodge"]
VISIT = VISIT_LEAD + ["partner:Carlos Giménez", "name:clark"]
SIGNING_LEAD = SIGNING
SIGNING_RECALLING = SIGNING + ["name:royal", "name:caribbean", "num:42"]


def with_lead(it, lead):
    it["fingerprint"]["lead"] = list(lead)
    return it


def two_happenings(lead: bool) -> list[dict]:
    items = [item("v1", 9, VISIT), item("v2", 10, VISIT),
             item("s1", 20, SIGNING_RECALLING), item("s2", 21, SIGNING_RECALLING)]
    if lead:
        for it in items:
            with_lead(it, VISIT_LEAD if it["article_id"].startswith("v") else SIGNING_LEAD)
    return items


def test_two_happenings_whose_reports_recall_each_other_stay_apart_on_their_leads(con):
    """Their bodies share the same rare facts across as within (the two groups' average link
    is far above the threshold), but their titles and leads name each their own: the two
    events stay apart."""
    load(con, *two_happenings(lead=True))
    visit, signing = event_of(con, "v1"), event_of(con, "s1")
    assert visit == event_of(con, "v2") and visit is not None
    assert signing == event_of(con, "s2") and signing is not None
    assert visit != signing


def test_fingerprints_without_lead_keys_are_never_kept_apart_for_them(con):
    """Fingerprints stored before the lead keys were kept (or a text whose lead names none of
    its keys): nothing tells the groups apart, and the bodies merge them, as before."""
    load(con, *two_happenings(lead=False))
    assert len({event_of(con, a) for a in ("v1", "v2", "s1", "s2")}) == 1


def test_two_halves_of_one_happening_whose_leads_share_its_facts_merge(con):
    """Two groups of stories each whose leads name the same happening's facts merge as
    before: the guard asks what the leads share across, not that they be the same."""
    lead = [HOME, "name:royal", "name:caribbean", "num:42"]
    a = [with_lead(item(f"a{i}", 9 + i, VISIT), lead) for i in range(2)]
    b = [with_lead(item(f"b{i}", 12 + i, VISIT[:4] + ["name:kuryla", "num:31"]), lead)
         for i in range(2)]
    load(con, *a)
    load(con, *b)
    assert len({event_of(con, x["article_id"]) for x in a + b}) == 1

"""The link rule between two fingerprinted articles, on hand-made fingerprints."""

from __future__ import annotations

import datetime as dt

from pressmon.events import MIN_EVIDENCE, STRONG_EVIDENCE, Article, key_weight, link

UTC = dt.timezone.utc
HOME_KEY = "home:Jean-Claude Gaudin"
SIGNING = frozenset({"home:Jean-Claude Gaudin", "partner:Miami-Dade County",
                     "partner:Carlos Giménez", "term:sister city", "num:120", "name:stephen",
                     "name:msc"})


def art(aid, keys=SIGNING, day=dt.date(2017, 11, 7), mission="miami-2017", hours=20):
    return Article(aid, "st_" + aid, mission, dt.datetime(2017, 11, 7, tzinfo=UTC)
                   + dt.timedelta(hours=hours), day, frozenset(keys))


def test_same_day_and_shared_facts_link_with_their_evidence():
    found = link(art("a"), art("b", hours=30))
    assert found is not None
    assert found.score == sum(key_weight(k) for k in SIGNING) >= MIN_EVIDENCE
    # The heaviest evidence first: names and numbers before entities.
    assert found.shared[:3] == ("name:msc", "name:stephen", "num:120")


def test_two_missions_never_link():
    assert link(art("a"), art("b", mission="montreal-2018")) is None
    assert link(art("a"), art("b", mission=None)) is not None


def test_without_a_shared_home_entity_it_is_the_partner_s_own_news():
    partner_only = {k for k in SIGNING if not k.startswith("home:")}
    assert link(art("a"), art("b", keys=partner_only)) is None


def test_another_day_is_another_happening():
    """Two happenings of one trip on consecutive days share most names (the signing and the
    next day's pitch): whatever their overlap, articles reporting different days never link."""
    rich = SIGNING | {f"name:n{i}" for i in range(20)}
    assert link(art("a", keys=rich), art("b", keys=rich, day=dt.date(2017, 11, 8))) is None
    assert link(art("a", keys=rich), art("b", keys=rich, day=dt.date(2017, 11, 9))) is None


def test_an_undated_article_needs_a_strong_overlap_published_after_the_happening():
    rich = SIGNING | {f"name:n{i}" for i in range(8)}
    assert link(art("a"), art("b", day=None, hours=50)) is None
    assert link(art("a", keys=rich), art("b", keys=rich, day=None, hours=50)) is not None
    # Published the day before the happening it would report: a preview, not a report.
    assert link(art("a", keys=rich), art("b", keys=rich, day=None, hours=-10)) is None


def test_articles_published_a_window_apart_are_never_compared():
    assert link(art("a"), art("b", hours=20 + 24 * 4)) is None


def test_keys_too_common_around_them_are_no_evidence_but_still_anchor():
    """A key in more than MAX_KEY_ARTICLES articles of the window (given as `common`) tells
    no happening from another: it does not count, though a common home entity still anchors."""
    full = link(art("a"), art("b"))
    weak = link(art("a"), art("b"), common=frozenset({"num:120", "name:msc", "name:stephen"}))
    assert full is not None and weak is None
    anchored = link(art("a"), art("b"), common=frozenset({HOME_KEY}))
    assert anchored is not None and HOME_KEY not in anchored.shared


def test_a_day_read_from_yesterday_or_today_may_be_one_off():
    """"ayer"/"today" count from a publication time stored in UTC: a Miami evening article's
    today is already tomorrow in UTC, so such a day matches its neighbour too."""
    from dataclasses import replace

    evening = replace(art("b", day=dt.date(2017, 11, 8), hours=26), approx=True)
    assert link(art("a"), evening) is not None
    assert link(art("a"), replace(evening, approx=False)) is None

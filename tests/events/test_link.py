"""The evidence between two fingerprinted articles and between two groups of them, on
hand-made fingerprints."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

from pressmon.events import (DAY_GAP, IDF_SMOOTHING, LINK_THRESHOLD, MAX_KEY_WEIGHT,
                             PUBLICATION_GAP, SAME_DAY, SHARE_EXPONENT, WINDOW_DAYS,
                             WINDOW_REFERENCE, Article, average_link, key_weight, link,
                             window_excess)

UTC = dt.timezone.utc
HOME_KEY = "home:Jean-Claude Gaudin"
SIGNING = frozenset({HOME_KEY, "partner:Miami-Dade County", "partner:Carlos Giménez",
                     "term:sister city", "num:120", "name:stephen", "name:msc"})


def art(aid, keys=SIGNING, day=dt.date(2017, 11, 7), mission="miami-2017", hours=20,
        weights=None):
    return Article(aid, "st_" + aid, mission, dt.datetime(2017, 11, 7, tzinfo=UTC)
                   + dt.timedelta(hours=hours), day, frozenset(keys), weights=weights)


def test_key_weight_is_how_few_articles_of_the_window_carry_the_key():
    # Every article of a 40-article window names the mayor: no evidence of which happening.
    assert key_weight(40, 40) < 0.05
    # Three of them name a company: about as much as one key may say, less the small share of
    # the window that carries it.
    assert key_weight(40, 3) == MAX_KEY_WEIGHT * (1 - 2 / 41) ** SHARE_EXPONENT
    assert key_weight(40, 10) == math.log(42 / 11) * (1 - 9 / 41) ** SHARE_EXPONENT
    # Ten of twelve name the Métropole's president: IDF alone gives 0.24, the share leaves 0.13.
    assert key_weight(12, 10) < 0.6 * math.log(14 / 11)
    # In a window of two articles nothing is distinctive yet: smoothing keeps a pair of
    # articles alone from linking on whatever they happen to share.
    assert key_weight(2, 2) < 0.3


def test_same_day_and_shared_facts_link_with_their_evidence():
    weights = {k: (1.5 if k.startswith(("name:", "num:")) else 0.2) for k in SIGNING}
    found = link(art("a", weights=weights), art("b", hours=30, weights=weights))
    assert found is not None
    assert found.score == round(sum(weights.values()) + SAME_DAY, 3) >= LINK_THRESHOLD
    # The heaviest evidence first; among equals, the watchlist before names and numbers.
    assert found.shared[:3] == ("name:msc", "name:stephen", "num:120")
    assert found.shared[3] == HOME_KEY


def test_each_side_s_weight_of_a_key_is_averaged():
    a = art("a", weights={"name:msc": 1.5})
    b = art("b", weights={"name:msc": 0.5})
    keys = {HOME_KEY, "name:msc"}
    found = link(replace(a, keys=frozenset(keys)), replace(b, keys=frozenset(keys)))
    assert found.score == round(MAX_KEY_WEIGHT + 1.0 + SAME_DAY, 3)


def test_two_missions_never_link():
    assert link(art("a"), art("b", mission="montreal-2018")) is None
    assert link(art("a"), art("b", mission=None)) is not None


def test_without_a_shared_home_entity_it_is_the_partner_s_own_news():
    partner_only = {k for k in SIGNING if not k.startswith("home:")}
    found = link(art("a"), art("b", keys=partner_only))
    assert found.shared == () and found.score == SAME_DAY < LINK_THRESHOLD


def test_another_reported_day_takes_evidence_off_per_day():
    """Two happenings of one trip on consecutive days share most names (the signing and the
    next day's pitch): a different reported day costs DAY_GAP per day, so what they share must
    outweigh it by far."""
    same = link(art("a"), art("b")).score
    next_day = link(art("a"), art("b", day=dt.date(2017, 11, 8))).score
    two_days = link(art("a"), art("b", day=dt.date(2017, 11, 9))).score
    assert same - next_day == SAME_DAY + DAY_GAP
    assert next_day - two_days == DAY_GAP
    # With what a typical pair of reports of one trip shares (a few keys of middling
    # weight), a day apart is below the threshold.
    middling = {k: 0.6 for k in SIGNING}
    assert link(art("a", weights=middling), art("b", weights=middling)).score >= LINK_THRESHOLD
    assert link(art("a", weights=middling),
                art("b", weights=middling, day=dt.date(2017, 11, 8))).score < LINK_THRESHOLD


def test_an_undated_article_published_before_the_happening_is_a_preview():
    undated_after = link(art("a"), art("b", day=None, hours=30)).score
    undated_before = link(art("a"), art("b", day=None, hours=-2)).score
    # Neither bonus nor penalty after the day; DAY_GAP per day published before it.
    assert undated_after == round(len(SIGNING) * MAX_KEY_WEIGHT, 3)
    assert undated_after - undated_before == DAY_GAP


def test_publication_days_apart_cost_evidence_and_a_window_apart_are_never_compared():
    near = link(art("a"), art("b", hours=20 + 24)).score
    far = link(art("a"), art("b", hours=20 + 48)).score
    assert near - far == PUBLICATION_GAP
    assert link(art("a"), art("b", hours=20 + 24 * WINDOW_DAYS)) is None
    assert link(art("a"), art("b", hours=20 + 24 * WINDOW_DAYS - 1)) is not None


def test_a_day_read_from_yesterday_or_today_may_be_one_off():
    """"ayer"/"today" count from a publication time stored in UTC: a Miami evening article's
    today is already tomorrow in UTC, so such a day matches its neighbour too."""
    evening = replace(art("b", day=dt.date(2017, 11, 8), hours=26), approx=True)
    assert link(art("a"), evening).score == link(art("a"), art("b")).score
    assert link(art("a"), replace(evening, approx=False)).score < link(art("a"), evening).score


def test_one_bridging_article_cannot_chain_two_groups():
    """Average link: an article naming both the signing and the pitch of one day links
    strongly to each, but the mean over every pair of the two groups stays below the
    threshold; groups that share enough everywhere merge."""
    pitch_keys = frozenset({HOME_KEY, "home:Euroméditerranée", "num:80", "name:morel",
                            "name:brickell"})
    # As in a trip's window: every article names the mayor, a few the pitch's facts, fewer
    # the signing's.
    w = {HOME_KEY: key_weight(15, 15), **dict.fromkeys(pitch_keys - {HOME_KEY}, 0.8)}
    signing = [art(f"s{i}", hours=20 + i, weights=w) for i in range(3)]
    pitch = [art(f"p{i}", keys=pitch_keys, hours=21 + i, weights=w) for i in range(3)]
    bridge = art("b", keys=SIGNING | pitch_keys, hours=24, weights=w)
    assert link(bridge, signing[0]).score >= LINK_THRESHOLD
    assert link(bridge, pitch[0]).score >= LINK_THRESHOLD
    assert link(signing[0], pitch[0]).score < LINK_THRESHOLD
    assert average_link(signing + [bridge], pitch) < LINK_THRESHOLD
    more = [art(f"s{i}", hours=20 + i, weights=w) for i in range(3, 5)]
    assert average_link(signing, more) >= LINK_THRESHOLD
    # A pair that can never link (another mission) keeps the groups apart whatever the rest.
    assert average_link(signing, [art("x", mission="montreal-2018")]) is None


def test_a_busy_window_asks_for_more_evidence():
    """Among a few hundred articles of one mission around the same days, two unrelated ones
    share a couple of middling keys by chance: the evidence a pair needs grows with the log of
    the window's size beyond WINDOW_REFERENCE, so what links in a quiet window does not in a
    busy one, while a pair sharing many rare keys still does."""
    assert window_excess(WINDOW_REFERENCE - IDF_SMOOTHING) == 0.0
    assert window_excess(10) == 0.0
    busy = window_excess(350)
    assert busy == math.log((350 + IDF_SMOOTHING) / WINDOW_REFERENCE)
    keys = frozenset({HOME_KEY, "name:stephen", "name:msc"})
    weights = {HOME_KEY: 0.1, "name:stephen": 1.2, "name:msc": 1.2}
    quiet_pair = [art(x, keys=keys, weights=weights) for x in ("a", "b")]
    assert link(*quiet_pair).score >= LINK_THRESHOLD
    busy_pair = [replace(a, excess=busy) for a in quiet_pair]
    assert link(*busy_pair).score == round(link(*quiet_pair).score - busy, 3) < LINK_THRESHOLD
    many = {f"name:rare{i}" for i in range(4)}
    rich = [replace(a, keys=a.keys | many, weights={**weights, **dict.fromkeys(many, 1.5)})
            for a in busy_pair]
    assert link(*rich).score >= LINK_THRESHOLD
    # One side busy, the other quiet (a day's difference at the edge of a burst): half each.
    half = link(busy_pair[0], quiet_pair[1]).score
    assert half == round(link(*quiet_pair).score - busy / 2, 3)


def test_every_pair_that_can_link_shares_a_key_looked_up():
    """Candidates are looked up only through the keys an article does not leave out
    (``_left_out``): checked against every pair of random fingerprints whose windows weigh
    keys a little differently, a pair whose score reaches the threshold always shares one of
    them."""
    import random

    import numpy as np

    from pressmon.events import _left_out, _need

    rng = random.Random(7)
    pool = [f"name:n{i}" for i in range(40)] + [f"num:{i}" for i in range(10)]
    weight = {k: rng.choice((0.0, 0.2, 0.7, 1.2, 1.5)) for k in [HOME_KEY, *pool]}
    arts = []
    for i in range(120):
        keys = {HOME_KEY, *rng.sample(pool, rng.randint(2, 12))}
        # Each article's window sees a key's weight a little differently.
        weights = {k: max(0.0, weight[k] + rng.uniform(-0.05, 0.05)) for k in keys}
        arts.append(art(f"a{i}", keys=keys, weights=weights, hours=rng.randint(0, 48),
                        day=dt.date(2017, 11, 7) + dt.timedelta(days=rng.randint(0, 1))))
    # Which keys are left out depends on how many articles carry them: any choice is a bound.
    carriers = {k: rng.randint(1, 300) for k in weight}
    entries = [(i, k) for i, a in enumerate(arts) for k in sorted(a.keys)]
    out = _left_out(np.array([i for i, _k in entries]),
                    np.array([arts[i].weight(k) for i, k in entries]),
                    np.array([float(carriers[k]) for _i, k in entries]),
                    np.zeros(len(arts)), np.array([_need(a) for a in arts]))
    kept: list[set] = [set() for _a in arts]
    for (i, k), left in zip(entries, out.tolist()):
        if not left:
            kept[i].add(k)
    checked = 0
    for a, prefix in zip(arts, kept):
        for b in arts:
            if b is a:
                continue
            found = link(a, b)
            if found is not None and found.score >= LINK_THRESHOLD:
                checked += 1
                assert prefix & b.keys, (a.article_id, b.article_id)
    assert checked > 100
    assert sum(map(len, kept)) < 0.8 * len(entries)

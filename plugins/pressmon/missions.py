"""Missions: which configured mission (``missions.yaml``) a relevant article covers.

A mission is a trip: a destination, a partner, dates. It is named in the press by the names
``pressmon.names`` derives from what staff write (the partner and its fr/en/es forms, its
distinctive part and the destination of the mission's name, the acronym, the optional terms and
partner region): for the Miami 2017 mission "Miami-Dade County", "comté de Miami-Dade",
"Miami-Dade", "Miami", ... A relevant article is linked to the mission whose names it mentions
most (a mention in the title or lead counts more; an article from the partner's own press counts
as one mention) among the missions whose dates it is near: announcements up to ``days_before``
days before the start, follow-ups up to ``days_after`` days after the end (``mission_window`` in
``watchlist.yaml``). Two trips to one place are told apart by their dates (the nearer wins when
their windows overlap), two places by their names. Articles published far outside stay
unlinked: a return visit a year later is relevant but is not that mission's coverage. An article
without a date is linked on its words alone, since nothing says it is far from the mission.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .config import Mission, MissionsConfig
from .names import fold, mission_names
from .relevance import ZONES, MissionWindow, PhraseIndex, Term, Watchlist, tokens

# Mentions by zone: the title says what the article is about more than the body does.
ZONE_WEIGHT = {"title": 2.0, "lead": 1.5, "body": 1.0}


@dataclass(frozen=True)
class MissionMatcher:
    missions: tuple[Mission, ...]
    window: MissionWindow
    index: PhraseIndex
    # phrase (tokens) -> the missions it names; several missions may share a name
    owners: dict = field(default_factory=dict)
    acronyms: re.Pattern | None = None
    acronym_owners: dict = field(default_factory=dict)
    # source region (as in sources.yaml) -> the missions whose partner it is
    regions: dict = field(default_factory=dict)


def build_matcher(missions: MissionsConfig, window: MissionWindow,
                  watchlist: Watchlist | None = None) -> MissionMatcher:
    """The names of every mission, as one phrase index. Names that the watchlist gives to home
    entities, competitors or exclusions are left out: a visit received in Marseille does not
    make every article naming Marseille its coverage."""
    taken = set()
    if watchlist is not None:
        taken = {p for t in watchlist.terms if t.kind in ("home", "competitors", "exclusions")
                 for p in t.phrases}
    owners: dict[tuple[str, ...], list[str]] = {}
    acronym_owners: dict[str, list[str]] = {}
    regions: dict[str, list[str]] = {}
    for m in missions.missions:
        names = mission_names(m)
        for name in (*names.full, *names.places):
            phrase = tuple(tokens(name))
            if phrase and phrase not in taken and m.id not in owners.get(phrase, ()):
                owners.setdefault(phrase, []).append(m.id)
        for acronym in names.acronyms:
            if m.id not in acronym_owners.get(acronym, ()):
                acronym_owners.setdefault(acronym, []).append(m.id)
        for region in ([m.partner_region] if m.partner_region else names.places):
            key = _region_key(region)
            if key and m.id not in regions.get(key, ()):
                regions.setdefault(key, []).append(m.id)
    terms = [Term(" ".join(p), "mission", 1.0, (p,)) for p in owners]
    pattern = None
    if acronym_owners:
        alternatives = "|".join(re.escape(a) for a in sorted(acronym_owners, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w]){'(?:' + alternatives + ')'}(?![\w])")
    return MissionMatcher(tuple(missions.missions), window, PhraseIndex(terms),
                          {p: tuple(ids) for p, ids in owners.items()}, pattern,
                          {a: tuple(ids) for a, ids in acronym_owners.items()},
                          {k: tuple(ids) for k, ids in regions.items()})


def _region_key(text: str | None) -> str:
    return " ".join(re.split(r"[^a-z0-9]+", fold(text or ""))).strip()


def in_window(mission: Mission, window: MissionWindow, published: dt.datetime | dt.date | None
              ) -> bool:
    if published is None:
        return True
    day = published.date() if isinstance(published, dt.datetime) else published
    first = mission.start - dt.timedelta(days=window.days_before)
    last = mission.end + dt.timedelta(days=window.days_after)
    return first <= day <= last


def mission_mentions(matcher: MissionMatcher, zones: dict[str, list[str]],
                     raw_text: str | None = None, region: str | None = None) -> dict[str, float]:
    """How much the article names each mission: its names by zone, its acronyms (in capitals)
    and the region of its outlet."""
    mentions: dict[str, float] = {}
    for zone in ZONES:
        for hit in matcher.index.find(zones.get(zone, []), zone):
            for mid in matcher.owners.get(hit.term.phrases[0], ()):
                mentions[mid] = mentions.get(mid, 0.0) + ZONE_WEIGHT[zone]
    if matcher.acronyms is not None and raw_text:
        for found in matcher.acronyms.findall(raw_text):
            for mid in matcher.acronym_owners.get(found, ()):
                mentions[mid] = mentions.get(mid, 0.0) + 1.0
    for mid in matcher.regions.get(_region_key(region), ()) if region else ():
        mentions[mid] = mentions.get(mid, 0.0) + 1.0
    return mentions


def link_mission(matcher: MissionMatcher, zones: dict[str, list[str]],
                 published: dt.datetime | dt.date | None, *, raw_text: str | None = None,
                 region: str | None = None) -> str | None:
    """The id of the mission this (relevant) article covers, or None."""
    mentions = mission_mentions(matcher, zones, raw_text, region)
    best: tuple[float, int, str] | None = None
    for m in matcher.missions:
        n = mentions.get(m.id, 0.0)
        if not n or not in_window(m, matcher.window, published):
            continue
        key = (-n, _days_from(m, published), m.id)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _days_from(m: Mission, published: dt.datetime | dt.date | None) -> int:
    if published is None:
        return 0
    day = published.date() if isinstance(published, dt.datetime) else published
    if day < m.start:
        return (m.start - day).days
    if day > m.end:
        return (day - m.end).days
    return 0

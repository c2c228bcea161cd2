"""Missions: which configured mission (``missions.yaml``) a relevant article covers.

A mission is named by its partner, its extra terms and its partner region (for the Miami 2017
mission: "Miami-Dade County", "PortMiami", ..., "miami"). An article is linked to the mission
whose names it mentions most and whose dates it is near: announcements up to
``days_before`` days before the start, follow-ups up to ``days_after`` days after the end
(``mission_window`` in ``watchlist.yaml``). Articles published far outside stay unlinked: a
return visit a year later is relevant but is not that mission's coverage. An article without a
date is linked on its words alone, since nothing says it is far from the mission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .config import Mission, MissionsConfig
from .relevance import ZONES, MissionWindow, PhraseIndex, Term, tokens


@dataclass(frozen=True)
class MissionMatcher:
    missions: tuple[Mission, ...]
    window: MissionWindow
    index: PhraseIndex


def build_matcher(missions: MissionsConfig, window: MissionWindow) -> MissionMatcher:
    terms = []
    for m in missions.missions:
        names = [n for n in (m.partner, *m.terms, m.partner_region or "") if n and tokens(n)]
        phrases = tuple(dict.fromkeys(tuple(tokens(n)) for n in names))
        if phrases:
            terms.append(Term(m.id, "mission", 1.0, phrases, mission_id=m.id))
    return MissionMatcher(tuple(missions.missions), window, PhraseIndex(terms))


def in_window(mission: Mission, window: MissionWindow, published: dt.datetime | dt.date | None
              ) -> bool:
    if published is None:
        return True
    day = published.date() if isinstance(published, dt.datetime) else published
    first = mission.start - dt.timedelta(days=window.days_before)
    last = mission.end + dt.timedelta(days=window.days_after)
    return first <= day <= last


def link_mission(matcher: MissionMatcher, zones: dict[str, list[str]],
                 published: dt.datetime | dt.date | None) -> str | None:
    """The id of the mission this (relevant) article covers, or None."""
    mentions: dict[str, int] = {}
    for zone in ZONES:
        for hit in matcher.index.find(zones.get(zone, []), zone):
            mentions[hit.term.mission_id] = mentions.get(hit.term.mission_id, 0) + 1
    best: tuple[int, int, str] | None = None
    for m in matcher.missions:
        n = mentions.get(m.id, 0)
        if not n or not in_window(m, matcher.window, published):
            continue
        distance = _days_from(m, published)
        key = (-n, distance, m.id)
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

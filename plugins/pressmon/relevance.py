"""Relevance: is an article about the Métropole's international missions, and why.

Owns the watch vocabulary (``config/watchlist.yaml``): the home entities (the Métropole, the city
of Marseille, its officials and institutions), the partner authorities, the vocabulary of
international missions and the exclusions, each with names in French, English and Spanish and a
weight. It also owns the phrase matcher shared with ``topics``: text and phrases are reduced to
the same tokens (lower case, no accents, light plural/feminine stemming, on word boundaries), and
the longest phrase wins at each position, so that an exclusion such as "Olympique de Marseille"
or "Métropole Nice Côte d'Azur" consumes the words that would otherwise count as "Marseille" or
"Métropole".

Scoring, kept simple enough to explain to an analyst (see docs/classification.md):
each matched entry counts once at its best place (title, lead or body, weighted), repeats add a
little, a home entity within a few words of a mission term or partner adds a proximity bonus,
exclusions and competitors subtract. An article is relevant when

- a home entity is salient (in the title or lead, or named several times), and no competing
  actor (another city, its mayor, its delegation) is at least as salient;
- it uses strong mission vocabulary (a delegation, a sister-city deal, a cooperation agreement:
  weight >= ``strong_mission_weight``) together with something abroad (a partner or a
  ``foreign`` place), or names a strong partner near a home entity; weak words such as
  "coopération" or "partenariat" only add to the score, since the Métropole's domestic politics
  is full of them;
- its score reaches the threshold.

``matched_terms`` lists the entries that counted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import compress, count
from pathlib import Path
from typing import Iterable, Iterator

from .config import (HOME_REGIONS, MissionsConfig, Section, non_negative, positive,
                     quote_value, read_yaml)
from .errors import ConfigError
from .names import mission_names
from .text import Words

KINDS = ("home", "partner", "mission_terms", "competitors", "exclusions", "foreign")
# Kinds that subtract (weight 0 or negative) and may be left out of the file.
NEGATIVE_KINDS = ("competitors", "exclusions")
ZONES = ("title", "lead", "body")


# --------------------------------------------------------------------------- tokens


_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_WORDS = Words(r"[0-9a-z]+")


def _drop_combining(m: re.Match) -> str:
    c = m.group()
    return "" if unicodedata.combining(c) else c


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    # Only non-ASCII characters can be combining marks: judge those, not every character.
    return _NON_ASCII_RE.sub(_drop_combining, decomposed)


def stem(token: str) -> str:
    """Fold plural and feminine endings so that singular and plural forms meet.

    Applied identically to the text and to the configured phrases, so it only has to be
    consistent, not linguistically right: "jumelages"/"jumelage", "ciudades"/"ciudad",
    "hermanas"/"hermana", "délégations"/"délégation", "cities"/"city",
    "internationaux"/"internationale"/"international".
    """
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("aux") and len(token) > 5:
        return token[:-3] + "al"
    if token.endswith(("s", "x")):
        token = token[:-1]
    if token.endswith("e") and len(token) > 3:
        token = token[:-1]
    return token


class _StemCache(dict):
    """word -> stem, filled on first use: a text repeats its words, and a corpus its vocabulary."""

    def __missing__(self, word: str) -> str:
        if len(self) >= STEM_CACHE_SIZE:
            self.clear()
        value = self[word] = stem(word)
        return value


STEM_CACHE_SIZE = 50_000   # about 150 bytes a word: 7 MB at most
_STEMS = _StemCache()


def tokens(text: str | None) -> list[str]:
    """Normalised, stemmed word tokens of ``text`` (accents, case and punctuation removed)."""
    if not text:
        return []
    plain = _strip_accents(text.lower())
    if not plain.isascii():
        # No character of a word is lost, and Words' ASCII path is cheaper than the regex.
        plain = _NON_ASCII_RUN.sub(" ", plain)
    return list(map(_STEMS.__getitem__, _WORDS(plain)))


@dataclass(frozen=True)
class Term:
    """One configured entry: its display name, kind, weight and the phrases that name it."""

    name: str
    kind: str
    weight: float
    phrases: tuple[tuple[str, ...], ...]
    mission_id: str | None = None


@dataclass(frozen=True)
class Hit:
    term: Term
    zone: str
    position: int  # token index in its zone


class PhraseIndex:
    """Longest-match lookup of many phrases over a token list."""

    def __init__(self, terms: Iterable[Term]):
        by_first: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        for term in terms:
            for phrase in term.phrases:
                by_first.setdefault(phrase[0], []).append((phrase, term))
        # Phrases of two tokens or more are looked up by their first two, one-token phrases by
        # it: many phrases start with a word as common as "de" or "la", and keying them by the
        # first token alone made every such word a place to try.
        self._by_pair: dict[tuple[str, str], list[tuple[tuple[str, ...], Term]]] = {}
        self._single: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        self._first = frozenset(by_first)
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
            for phrase, term in entries:
                if len(phrase) > 1:
                    self._by_pair.setdefault(phrase[:2], []).append((phrase, term))
                else:
                    self._single.setdefault(phrase[0], []).append((phrase, term))

    def candidates(self, toks: list[str]) -> Iterator[tuple[int, list]]:
        """The positions of ``toks`` where some phrase may start, each with the phrases that
        may start there, longest first. The positions holding a phrase's first token are found
        without a Python step per token; only there are the first two looked up."""
        pairs, single = self._by_pair, self._single
        last = len(toks) - 1
        for i in compress(count(), map(self._first.__contains__, toks)):
            longer = pairs.get((toks[i], toks[i + 1])) if i < last else None
            one = single.get(toks[i])
            if longer or one:
                yield i, (longer + one if longer and one else longer or one)

    def find(self, toks: list[str], zone: str) -> list[Hit]:
        hits: list[Hit] = []
        free = 0  # tokens before this one belong to a phrase already matched
        for i, entries in self.candidates(toks):
            if i < free:
                continue
            for phrase, term in entries:
                k = len(phrase)
                if tuple(toks[i:i + k]) == phrase:
                    hits.append(Hit(term, zone, i))
                    free = i + k
                    break
        return hits


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Scoring:
    threshold: float = 6.0
    title_weight: float = 2.0
    lead_weight: float = 1.5
    repeat_bonus: float = 0.25
    max_repeats: int = 3
    proximity_words: int = 12
    proximity_bonus: float = 2.0
    strong_partner_weight: float = 2.5
    strong_mission_weight: float = 2.0  # mission terms below it only add to the score
    mission_term_weight: float = 2.5  # partner weight of a mission's own partner and terms
    mission_place_weight: float = 1.0  # partner weight of the places a mission's names derive
    min_home_mentions: int = 2  # a home entity only in the body must be named this often


@dataclass(frozen=True)
class MissionWindow:
    days_before: int = 21
    days_after: int = 28


@dataclass(frozen=True)
class Watchlist:
    scoring: Scoring
    window: MissionWindow
    terms: tuple[Term, ...]
    index: PhraseIndex
    # Places abroad, matched on their own: they only say "abroad", they hide no other word.
    foreign: PhraseIndex
    # The missions' acronyms (CMM, AMB), matched in capitals in the raw text: something abroad.
    acronyms: re.Pattern | None = None


SCORING_KEYS = set(Scoring.__dataclass_fields__)
WINDOW_KEYS = set(MissionWindow.__dataclass_fields__)
ENTRY_KEYS = {"name", "weight", "aliases", "note"}
FOREIGN_KEYS = {"name", "aliases", "note"}


def _phrases(sec: Section, names: list[str]) -> tuple[tuple[str, ...], ...]:
    out = []
    for alias in names:
        toks = tuple(tokens(alias))
        if not toks:
            sec.fail("aliases", f"alias {quote_value(alias)} has no letters or digits")
        out.append(toks)
    return tuple(dict.fromkeys(out))


def load_watchlist(path: Path, missions: MissionsConfig | None = None) -> Watchlist:
    """Read and validate ``watchlist.yaml``; each mission's partner and terms join the partners."""
    path = Path(path)
    data = read_yaml(path)
    top = Section(path, "top level", data if data is not None else {})
    top.only({"scoring", "mission_window", *KINDS})

    sc = Section(path, "scoring", top.get("scoring", dict, default={}))
    sc.only(SCORING_KEYS)
    d = Scoring()
    pos, nonneg = positive, non_negative
    scoring = Scoring(
        threshold=sc.get("threshold", float, d.threshold, check=pos),
        title_weight=sc.get("title_weight", float, d.title_weight, check=pos),
        lead_weight=sc.get("lead_weight", float, d.lead_weight, check=pos),
        repeat_bonus=sc.get("repeat_bonus", float, d.repeat_bonus, check=nonneg),
        max_repeats=sc.get("max_repeats", int, d.max_repeats, check=nonneg),
        proximity_words=sc.get("proximity_words", int, d.proximity_words, check=pos),
        proximity_bonus=sc.get("proximity_bonus", float, d.proximity_bonus, check=nonneg),
        strong_partner_weight=sc.get("strong_partner_weight", float, d.strong_partner_weight,
                                     check=pos),
        strong_mission_weight=sc.get("strong_mission_weight", float, d.strong_mission_weight,
                                     check=pos),
        mission_term_weight=sc.get("mission_term_weight", float, d.mission_term_weight,
                                   check=pos),
        mission_place_weight=sc.get("mission_place_weight", float, d.mission_place_weight,
                                    check=pos),
        min_home_mentions=sc.get("min_home_mentions", int, d.min_home_mentions, check=pos),
    )
    mw = Section(path, "mission_window", top.get("mission_window", dict, default={}))
    mw.only(WINDOW_KEYS)
    window = MissionWindow(
        days_before=mw.get("days_before", int, MissionWindow.days_before, check=nonneg),
        days_after=mw.get("days_after", int, MissionWindow.days_after, check=nonneg),
    )

    terms: list[Term] = []
    for kind in KINDS:
        entries = top.get(kind, list, default=[],
                          required=kind not in (*NEGATIVE_KINDS, "foreign"))
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            label = f"{kind} entry {i + 1}"
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                label += f" ({entry['name']})"
            sec = Section(path, label, entry)
            sec.only(FOREIGN_KEYS if kind == "foreign" else ENTRY_KEYS)
            name = sec.get("name", str, required=True,
                           check=lambda v: None if v.strip() else "must not be empty").strip()
            if name in seen:
                sec.fail("name", f"duplicate name '{name}' in {kind}")
            seen.add(name)
            if kind == "foreign":
                weight = 0.0  # a gate, not a score
            elif kind in NEGATIVE_KINDS:
                what = "an exclusion" if kind == "exclusions" else "a competitor"
                weight = sec.get("weight", float, required=True,
                                 check=lambda v, what=what: None if v <= 0 else
                                 f"must be 0 or negative for {what} (it subtracts)")
            else:
                weight = sec.get("weight", float, required=True, check=pos)
            aliases = sec.str_list("aliases")
            # The name is always an alias: what staff read is what is matched.
            terms.append(Term(name, kind, weight, _phrases(sec, [name, *aliases])))

    # Each mission's names (derived from what staff write, see pressmon.names): the partner
    # and the terms are strong partners; the places count as something abroad.
    for m in (missions.missions if missions else ()):
        names = mission_names(m)
        full = [n for n in names.full if tokens(n)]
        if full:
            terms.append(Term(m.partner or m.id, "partner", scoring.mission_term_weight,
                              tuple(dict.fromkeys(tuple(tokens(n)) for n in full)),
                              mission_id=m.id))
        for place in names.places:
            if tokens(place):
                terms.append(Term(place, "partner", scoring.mission_place_weight,
                                  (tuple(tokens(place)),), mission_id=m.id))
    _check_clashes(path, [t for t in terms if t.kind != "foreign"])
    main = [t for t in terms if t.kind != "foreign"]
    acronyms = sorted({a for m in (missions.missions if missions else ())
                       for a in mission_names(m).acronyms}, key=lambda a: (-len(a), a))
    pattern = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, acronyms)) + r")(?!\w)")
               if acronyms else None)
    return Watchlist(scoring, window, tuple(terms), PhraseIndex(main),
                     PhraseIndex(t for t in terms if t.kind == "foreign"), pattern)


def _check_clashes(path: Path, terms: list[Term]) -> None:
    """One phrase naming two entries of different kinds would make scores depend on order."""
    owner: dict[tuple[str, ...], Term] = {}
    for term in terms:
        if term.mission_id:
            continue
        for phrase in term.phrases:
            other = owner.get(phrase)
            if other and other.kind != term.kind:
                raise ConfigError(
                    f"{path}: {term.kind} entry ({term.name}), field 'aliases': "
                    f"'{' '.join(phrase)}' is also an alias of {other.kind} entry ({other.name})")
            owner.setdefault(phrase, term)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    matched_terms: list[str]
    hits: list[Hit]


def find_hits(watchlist: Watchlist, zones: dict[str, list[str]]) -> list[Hit]:
    hits: list[Hit] = []
    for zone in ZONES:
        hits.extend(watchlist.index.find(zones.get(zone, []), zone))
    return hits


def score_relevance(watchlist: Watchlist, zones: dict[str, list[str]],
                    raw_text: str | None = None, region: str | None = None) -> Relevance:
    """Score tokenised zones (``title``, ``lead``, ``body``) against the watchlist; the raw
    text, when given, is searched for the missions' acronyms; an outlet outside the home
    regions (``region``) is something abroad."""
    sc = watchlist.scoring
    zone_factor = {"title": sc.title_weight, "lead": sc.lead_weight, "body": 1.0}
    hits = find_hits(watchlist, zones)

    best: dict[str, float] = {}
    count: dict[str, int] = {}
    by_name: dict[str, Term] = {}
    for h in hits:
        key = f"{h.term.kind}:{h.term.name}"
        by_name[key] = h.term
        count[key] = count.get(key, 0) + 1
        w = h.term.weight * (zone_factor[h.zone] if h.term.weight > 0 else 1.0)
        best[key] = max(best.get(key, w), w) if w > 0 else min(best.get(key, w), w)

    score = 0.0
    for key, w in best.items():
        score += w
        if w > 0:
            score += _repeat_bonus(count[key], by_name[key].weight, sc)

    has_home = any(t.kind == "home" for t in by_name.values())
    strong_mission = any(t.kind == "mission_terms" and t.weight >= sc.strong_mission_weight
                         for t in by_name.values())
    # The international reading needs something abroad: a partner, or a foreign place.
    foreign = _foreign_names(watchlist, zones)
    partner_named = any(t.kind == "partner" for t in by_name.values())
    if not foreign and not partner_named:
        # Searched only when nothing else says abroad: the raw text is long.
        if watchlist.acronyms is not None and raw_text:
            foreign.extend(dict.fromkeys(watchlist.acronyms.findall(raw_text)))
        if region and region not in HOME_REGIONS:
            foreign.append(f"{region} press")
    abroad = bool(foreign) or partner_named
    near = _proximity(hits, sc.proximity_words, mission_weight=sc.strong_mission_weight)
    # A partner alone is not a mission (a Marseille company at PortMiami is business news):
    # without mission vocabulary, a strong partner must stand next to a home entity.
    strong_near = _proximity(hits, sc.proximity_words, strong=sc.strong_partner_weight)
    if near:
        score += sc.proximity_bonus

    salient = home_is_salient(hits, sc)
    competitor = leading_competitor(hits, sc)
    relevant = (has_home and salient and competitor is None
                and ((strong_mission and abroad) or strong_near is not None)
                and score >= sc.threshold)
    matched: list[str] = []
    if relevant:
        order = {"home": 0, "partner": 1, "mission_terms": 2}
        for key in sorted((k for k, w in best.items() if w > 0),
                          key=lambda k: (order[by_name[k].kind], -best[k], k)):
            matched.append(by_name[key].name)
        if not any(t.kind == "partner" for t in by_name.values()):
            matched.extend(f"abroad: {name}" for name in foreign)
        if near:
            matched.append(f"near: {near[0]} ~ {near[1]}")
    return Relevance(relevant, round(score, 3), matched, hits)


def salience(hits: list[Hit], kind: str, sc: Scoring) -> dict[str, float]:
    """How prominent each entry of ``kind`` is: its mentions weighted by zone."""
    zone_factor = {"title": sc.title_weight, "lead": sc.lead_weight, "body": 1.0}
    out: dict[str, float] = {}
    for h in hits:
        if h.term.kind == kind:
            out[h.term.name] = out.get(h.term.name, 0.0) + zone_factor[h.zone]
    return out


def home_is_salient(hits: list[Hit], sc: Scoring) -> bool:
    """A home entity in the title or lead, or named ``min_home_mentions`` times: an article
    that mentions Marseille once in passing is about something else."""
    homes = [h for h in hits if h.term.kind == "home"]
    return (any(h.zone != "body" for h in homes)
            or len(homes) >= sc.min_home_mentions)


def leading_competitor(hits: list[Hit], sc: Scoring) -> str | None:
    """The competing actor (another city, its mayor or delegation) at least as prominent as all
    home entities together, if any: the trip, the deal or the visit is theirs. Exclusions that
    subtract (a football club named after the city) compete too: the story is the club's."""
    rivals = salience(hits, "competitors", sc)
    rivals.update(salience([h for h in hits if h.term.weight < 0], "exclusions", sc))
    if not rivals:
        return None
    name, weight = max(rivals.items(), key=lambda kv: (kv[1], kv[0]))
    home = sum(salience(hits, "home", sc).values())
    return name if weight >= home else None


def _foreign_names(watchlist: Watchlist, zones: dict[str, list[str]]) -> list[str]:
    names: dict[str, None] = {}
    for zone in ZONES:
        for h in watchlist.foreign.find(zones.get(zone, []), zone):
            names[h.term.name] = None
    return list(names)


def _repeat_bonus(n: int, weight: float, sc: Scoring) -> float:
    return sc.repeat_bonus * weight * min(max(n - 1, 0), sc.max_repeats)


def _proximity(hits: list[Hit], window: int, strong: float | None = None,
               mission_weight: float = 0.0) -> tuple[str, str] | None:
    """The first home entity found within ``window`` words of a mission term (of weight
    ``mission_weight`` or more) or a partner (only partners of weight ``strong`` or more, and no
    mission term, when ``strong`` is given)."""
    for zone in ZONES:
        homes = [h for h in hits if h.zone == zone and h.term.kind == "home"]
        if strong is None:
            others = [h for h in hits if h.zone == zone
                      and (h.term.kind == "partner" or (h.term.kind == "mission_terms"
                                                        and h.term.weight >= mission_weight))]
        else:
            others = [h for h in hits if h.zone == zone and h.term.kind == "partner"
                      and h.term.weight >= strong]
        for a in homes:
            for b in others:
                if abs(a.position - b.position) <= window:
                    return a.term.name, b.term.name
    return None

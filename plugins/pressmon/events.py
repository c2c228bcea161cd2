"""Events: the stories that report one happening (a signing, a visit, a pitch to investors, a
press conference), whatever the outlet and the language.

Owns the *event fingerprint* of a relevant article (``fingerprint``, computed when the article
is tagged, from what tagging already found), the rule that says whether two articles report the
same happening (``link``), the grouping of stories into events inside the load's transaction
(``assign_events``), its offline recomputation for ``pressmon reclassify`` (``rebuild_events``)
and the events of a week as a reader (digest, page, analyst) needs them (``week_events``).

A fingerprint holds what survives translation:

- the *reported day*: the day the article says the happening took place, read from its lead
  ("a signé mardi", "signed a sister agreement Tuesday", "firmaron el martes", "mercredi 13
  juin", "hier"), resolved against the publication date;
- the watchlist entities it names, by entry (one id whatever the language: "comté de
  Miami-Dade", "Miami-Dade County" and "condado de Miami-Dade" are one key), including the
  missions' partners and terms;
- proper names outside the watchlist ("Anne Morel", "Brickell", "Valérie Plante"), accents and
  case folded;
- numbers ("120 décideurs" / "120 business leaders" / "120 empresarios", "480 hectares").

What two articles share is weighed by how distinctive it is among the articles of their mission
and window (``key_weight``: a name every article of the trip carries says nothing about which
happening, a name few share says a lot), and their dates add or take off evidence (same reported
day, days apart, published days apart: ``date_evidence``); two missions, or publications
WINDOW_DAYS apart, never link (``link``). Stories are grouped by average link (``_cluster``):
two groups merge when the mean evidence over all their pairs of articles reaches
LINK_THRESHOLD, so one article naming two happenings of a trip cannot chain them, and two
groups of several stories each stay apart when their titles and leads share too little of what
each group's own share (``_Leads``: two happenings whose reports recall each other's facts
further down). An event's id is derived from its founding story's, later stories join it
without changing it, and a group that brings two events together merges them under the older
one's id, the other being kept in ``event_aliases``. Why and how far this holds:
docs/events.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import add
from typing import Iterable, Mapping

# Tuned on the dev to holdout4 parts of tests/data/events, LEAD_SHARE on all nine
# (docs/events.md). A fingerprint made under another FINGERPRINT_VERSION is not comparable:
# `pressmon reclassify` recomputes every fingerprint (one stored without lead keys is compared,
# and never kept apart for them).
FINGERPRINT_VERSION = 1
WINDOW_DAYS = 4          # articles published this many days apart or more are never in one event
IDF_SMOOTHING = 2.0      # pseudo-articles naming nothing, added to each window (key_weight)
MAX_KEY_WEIGHT = 1.5     # the most one shared key counts for, however rare
WINDOW_REFERENCE = 25    # window size up to which the weights and threshold hold as tuned
SAME_DAY = 1.0           # evidence added when both articles report the same day
DAY_GAP = 3.0            # evidence taken off per day between two reported days
PUBLICATION_GAP = 2.0    # ... per day of publication apart, beyond the first
SHARE_EXPONENT = 0.5     # how hard a key carried by much of the window is discounted (key_weight)
LINK_THRESHOLD = 2.0     # average evidence between two groups of stories for them to merge
MIN_ENTITY_WEIGHT = 1.5  # watchlist entries lighter than this are context words ("Miami", "accord")
LEAD_PARAGRAPHS = 3      # where the reported day is looked for, after the summary and title
LEAD_ZONES = ("title", "lead")  # tagging's zones whose entities the fingerprint's ``lead`` holds
# Two groups of several stories each merge only when what their titles and leads share across
# (the mean over their pairs of articles) reaches this share of what each group's own leads
# share (``_cluster``): two happenings of one trip whose reports recall each other's facts
# further down merge on their bodies, not on their leads. Wrong merges of the labelled splits
# sit at 0.07 to 0.13, right ones at 0.69 and above (docs/events.md).
LEAD_SHARE = 0.35
MAX_KEYS = 120           # a fingerprint keeps at most this many keys (long texts: the first ones)
MAX_KEY_ARTICLES = 500   # a key carried by more articles in the window finds no candidates
# Two stories are candidates for one event only when a pair of their articles shares this
# many keys (the home-side entity included). The arithmetic floor is two (each key weighs
# MAX_KEY_WEIGHT at most, the dates add SAME_DAY at most), but in a small window IDF makes
# almost any key distinctive: with two, one rare name or number shared by chance beside the
# home entity linked unrelated reports of a busy mission (bench_stories: 790 of 900 unrelated
# articles at 10,000 stored, 366 with three). On the four labelled splits three groups
# exactly as two did.
MIN_SHARED_KEYS = 3
PREFIX_MARGIN = 0.5   # how much more another article's view of the shared keys may weigh (_need)
CANDIDATE_VISITS = 250_000  # carriers enumerated at once (memory: _candidates, _neighbours)

ENTITY_KINDS = {"home": "home", "partner": "partner", "mission_terms": "term"}
# Names that every article of this coverage shares, or capitalised words that are not names:
# they would make unrelated reports look alike. Accent-free, case-folded.
_STOP_NAMES = frozenset("""
    france french francais francaise francaises franceses francia frances francesa europe
    european europeans europa europeen europeenne europeo europea afrique africa african
    africain africaine amerique america americas american americans americain americaine
    americains americaines americano americana latin latine latina latino mediterranean
    mediterranee mediterraneo mediterranea atlantic atlantique atlantico caribbean caribe caraibes
    paris spanish english anglais anglaise espagnol espagnole ingles espanol
    mayor maire alcalde alcaldesa president presidente presidenta senator senateur
    mr mrs ms dr mme mlle sr sra don dona monsieur madame
    center centre centro hall street city county department government gouvernement gobierno
    council conseil consejo new old great grand grande north south east west nord sud est ouest
    saint san santa the les los las del des une uno una this that cette este esta
    """.split())

_WEEKDAYS = {name: i for i, names in enumerate((
    ("lundi", "monday", "lunes"), ("mardi", "tuesday", "martes"),
    ("mercredi", "wednesday", "miercoles"), ("jeudi", "thursday", "jueves"),
    ("vendredi", "friday", "viernes"), ("samedi", "saturday", "sabado"),
    ("dimanche", "sunday", "domingo"))) for name in names}
_MONTHS = {name: i + 1 for i, names in enumerate((
    ("janvier", "january", "jan", "enero"), ("fevrier", "february", "feb", "febrero"),
    ("mars", "march", "mar", "marzo"), ("avril", "april", "apr", "abril"),
    ("mai", "may", "mayo"), ("juin", "june", "jun", "junio"),
    ("juillet", "july", "jul", "julio"), ("aout", "august", "aug", "agosto"),
    ("septembre", "september", "sept", "sep", "septiembre", "setiembre"),
    ("octobre", "october", "oct", "octubre"), ("novembre", "november", "nov", "noviembre"),
    ("decembre", "december", "dec", "diciembre"))) for name in names}
_RELATIVE = {"avant-hier": -2, "anteayer": -2, "hier": -1, "yesterday": -1, "ayer": -1,
             "aujourd'hui": 0, "today": 0, "hoy": 0, "ce matin": 0, "this morning": 0,
             "esta manana": 0, "ce soir": 0, "tonight": 0, "esta noche": 0}
_ALT = lambda words: "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))  # noqa: E731
_DAY_RE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:de\s+)?(?P<m1>{_ALT(_MONTHS)})\b"
    rf"|(?P<m2>{_ALT(_MONTHS)})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|(?P<wd>{_ALT(_WEEKDAYS)})\b"
    rf"|(?P<rel>{_ALT(_RELATIVE)})\b)")
# "lundi prochain", "next Monday", "el próximo lunes": a day to come, not what happened.
_FUTURE_RE = re.compile(r"(?:\b(?:prochain|prochaine|next|coming|proximo|proxima)\s+$)|"
                        r"(?:^\s+(?:prochain|prochaine|next))")
_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)?)(?![\w])")
_THOUSANDS_RE = re.compile(r"[,.\u00a0\u202f ](?=\d{3}(?!\d))")
# A capitalised word (inner hyphens kept: "Jean-Philippe") that neither opens a line nor
# follows a mark that ends a sentence or opens a quote ("« Nous", ". The"), nor continues a
# hyphenated word. Upper case: Latin-1 and Latin Extended-A capitals, what fr/en/es write.
_NAME_RE = re.compile(
    r"(?<![.!?:«\"“—–(¿¡])(?<![.!?:«\"“—–(¿¡]\s)(?<![-\w])(?<!^)"
    r"([A-ZÀ-ÖØ-ÞĀ-ſ][^\W\d_]*(?:-[^\W\d_]+)*)", re.MULTILINE)
_PARA_RE = re.compile(r"\n\s*\n")


def plain(text: str) -> str:
    """Case-folded, accent-free text: what cues and names are compared on."""
    t = text.casefold().replace("\u2019", "'")
    if t.isascii():
        return t
    return _COMBINING.sub("", unicodedata.normalize("NFKD", t))


_COMBINING = re.compile("[\u0300-\u036f]")


# --------------------------------------------------------------------------- fingerprint


def fingerprint(watchlist, hits, title: str | None, summary: str | None, text: str | None,
                published: dt.datetime | dt.date | None) -> dict:
    """The event fingerprint of one relevant article: ``{"v", "day", "cue", "keys", "shown",
    "lead"}``.

    ``hits`` are the watchlist hits tagging already found (``relevance.Relevance.hits``), so
    the entities cost nothing more; the rest is a few regular-expression passes over the text.
    ``day`` is the reported day (ISO date) or None, ``cue`` the words it was read from,
    ``keys`` what the article names (``home:``/``partner:``/``term:`` + watchlist entry,
    ``name:`` + folded name, ``num:`` + number), ``shown`` the names not simply capitalised as
    written ("MSC"), to show them back, ``lead`` the keys among ``keys`` that the title, the
    summary or the first paragraph name (what the article is about, rather than what it
    recalls further down: ``_cluster``). Plain JSON: it travels in the staged records.
    """
    title, summary, text = title or "", summary or "", text or ""
    paragraphs = [p for p in _PARA_RE.split(text) if p.strip()]
    day, cue = reported_day([summary, title, *paragraphs[:LEAD_PARAGRAPHS]], published)
    keys: dict[str, None] = {}
    lead: set[str] = set()
    for h in hits:
        kind = ENTITY_KINDS.get(h.term.kind)
        if kind and h.term.weight >= MIN_ENTITY_WEIGHT:
            keys[f"{kind}:{h.term.name}"] = None
            if h.zone in LEAD_ZONES:
                lead.add(f"{kind}:{h.term.name}")
    body = "\n\n".join([summary, *paragraphs])
    # The lead as tagging reads it (classify.article_zones): the summary and first paragraph,
    # a prefix of the body, so its names are read in the same context.
    first = "\n\n".join([summary, *paragraphs[:1]])
    for n in numbers(f"{title}\n\n{body}"):
        keys[f"num:{n}"] = None
    lead.update(f"num:{n}" for n in numbers(f"{title}\n\n{first}"))
    words = _watch_words(watchlist)
    shown = []
    for name, written in proper_names(body).items():
        if not _known(name, words):
            keys[f"name:{name}"] = None
            if written != display(f"name:{name}"):
                shown.append(written)  # "MSC", "McDonald": how to show it back
    lead.update(f"name:{name}" for name in proper_names(first))
    kept = list(keys)[:MAX_KEYS]
    return {"v": FINGERPRINT_VERSION, "day": day.isoformat() if day else None, "cue": cue,
            "keys": kept, "shown": shown, "lead": [k for k in kept if k in lead]}


def reported_day(zones: Iterable[str], published: dt.datetime | dt.date | None
                 ) -> tuple[dt.date | None, str | None]:
    """The day the lead says the happening took place, and the words that say it.

    Zone by zone, the first zone that names a day decides: an explicit date within a week
    before publication, a weekday (the latest such day on or before the publication date, in
    UTC as stored), or "hier"/"yesterday"/"ayer"-like words; a day announced ("lundi
    prochain") is skipped. When the zone names several days, the latest is the happening:
    the others are its context ("Après l'accord de mardi, c'était au tour des ports, ce
    mercredi 17 octobre"; "arrived Sunday, signed Tuesday").
    """
    if published is None:
        return None, None
    pub = published.astimezone(dt.timezone.utc).date() if isinstance(published, dt.datetime) \
        else published
    for zone in zones:
        if not zone:
            continue
        low = plain(zone)
        found: list[tuple[dt.date, int, str]] = []
        for m in _DAY_RE.finditer(low):
            if _FUTURE_RE.search(low[max(0, m.start() - 12):m.start()]) or \
                    _FUTURE_RE.search(low[m.end():m.end() + 12]):
                continue
            if m.group("wd"):
                day = pub - dt.timedelta(days=(pub.weekday() - _WEEKDAYS[m.group("wd")]) % 7)
            elif m.group("rel"):
                day = pub + dt.timedelta(days=_RELATIVE[m.group("rel")])
            else:
                d, mon = (m.group("d1"), m.group("m1")) if m.group("d1") \
                    else (m.group("d2"), m.group("m2"))
                day = _nearest_date(int(d), _MONTHS[mon], pub)
                if day is None or not 0 <= (pub - day).days <= 7:
                    continue
            found.append((day, -m.start(), m.group(0)))
        if found:
            day, _pos, cue = max(found)  # the latest day; on a tie, the first words
            return day, cue
    return None, None


def is_relative(cue: str | None) -> bool:
    """Whether a day cue counts from the publication ("hier", "today"), not a weekday or
    date."""
    return cue in _RELATIVE


def _nearest_date(day: int, month: int, pub: dt.date) -> dt.date | None:
    found = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            found.append(dt.date(year, month, day))
        except ValueError:
            continue
    return min(found, key=lambda d: abs((d - pub).days)) if found else None


def numbers(text: str) -> list[str]:
    """Numbers of 10 or more, and decimals, written the same whatever the language:
    "1,200" / "1 200" / "1.200" are 1200, "2,7" and "2.7" are 2.7."""
    out: dict[str, None] = {}
    for m in _NUMBER_RE.finditer(text):
        raw = m.group(1)
        if _THOUSANDS_RE.search(raw) and re.fullmatch(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+", raw):
            raw = _THOUSANDS_RE.sub("", raw)
        raw = raw.replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            continue
        if value < 10 and value == int(value):
            continue  # "3 ans", "five areas": small counts are too common and often spelt out
        out[str(int(value)) if value.is_integer() else f"{value:.6g}"] = None
    return list(out)


def proper_names(text: str) -> dict[str, str]:
    """Capitalised words that do not open a sentence, folded (accents, case) as every
    language writes them ("Giménez" and "Gimenez" are one): {folded: first written form}."""
    out: dict[str, str] = {}
    for m in _NAME_RE.finditer(text):
        if not m.group(1)[0].isupper():
            continue  # Latin Extended-A mixes small letters into the capitals' range
        name = _plain_name(m.group(1))
        if len(name) >= 3 and name not in _STOP_NAMES and name not in _WEEKDAYS \
                and name not in _MONTHS and name not in out:
            out[name] = m.group(1)
    return out


@lru_cache(maxsize=50_000)
def _plain_name(word: str) -> str:
    return plain(word)


_WATCH_WORDS: list = [None, frozenset()]  # [the watchlist, its words]: the last one asked


def _watch_words(watchlist) -> frozenset:
    """The (stemmed) words of the watchlist's phrases, computed once per loaded watchlist."""
    if _WATCH_WORDS[0] is not watchlist:
        _WATCH_WORDS[:] = [watchlist, frozenset(
            w for t in watchlist.terms for phrase in t.phrases for w in phrase)]
    return _WATCH_WORDS[1]


def _known(name: str, words: frozenset) -> bool:
    """A name made only of watchlist words ("gimenez", "jean-claude") is counted through its
    entity, in every language, not as a name."""
    parts = _name_tokens(name)
    return bool(parts) and all(p in words for p in parts)


@lru_cache(maxsize=50_000)
def _name_tokens(name: str) -> tuple[str, ...]:
    # `name` is already folded: split and stem it as relevance.tokens does its text.
    from .relevance import stem

    return tuple(stem(p) for p in _NON_ALNUM.split(name) if p)


_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH = _EPOCH_UTC.date()
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


# --------------------------------------------------------------------------- the link rule


@dataclass(frozen=True)
class Article:
    """What linking needs of one relevant article."""

    article_id: str
    story_id: str
    mission_id: str | None
    match_at: dt.datetime     # published, else first seen (UTC)
    day: dt.date | None       # the reported day
    keys: frozenset
    shown: tuple = field(default=(), compare=False)  # names as written, when not Title-cased
    # The day was read from "hier", "today", "hoy"...: relative to a publication time stored
    # in UTC, it may be a day off for an outlet far from Greenwich (a Miami evening article).
    approx: bool = False
    # How much each key says about which happening, in this article's mission and window
    # (``key_weight``); a key left out weighs MAX_KEY_WEIGHT.
    weights: Mapping[str, float] | None = field(default=None, compare=False, hash=False)
    # How much more evidence a pair needs because the window holds more articles than
    # WINDOW_REFERENCE (``window_excess``).
    excess: float = field(default=0.0, compare=False)
    # The keys its title, summary or first paragraph name (a fingerprint stored before they
    # were kept has none: its groups are never kept apart for their leads).
    lead: frozenset = frozenset()
    # Its home-side entities: a pair's shared keys count only when one is among them.
    home: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "home", frozenset(k for k in self.keys if k.startswith("home:")))

    def weight(self, key: str) -> float:
        return MAX_KEY_WEIGHT if self.weights is None else self.weights.get(key, MAX_KEY_WEIGHT)

    # What ``link_score`` reads for every pair, computed once per article: half of each key's
    # weight (a pair's key counts the mean of its two weights: halves add up to it exactly),
    # and the time as microseconds (differences as exact as timedelta's).
    @cached_property
    def halves(self) -> dict[str, float]:
        return {k: self.weight(k) / 2 for k in self.keys}

    @cached_property
    def micros(self) -> int:
        return (self.match_at - _EPOCH_UTC) // dt.timedelta(microseconds=1)

    def label(self, key: str) -> str:
        if key.startswith("name:"):
            for written in self.shown:
                if key == "name:" + plain(written):
                    return written
        return display(key)


class Link:
    """The evidence of one pair: its score, and the shared keys that count (``shared``,
    heaviest first: sorted only when a link is shown, most pairs are only scored)."""

    __slots__ = ("score", "_weighted", "_shared")

    def __init__(self, score: float, weighted: Mapping[str, float]):
        self.score = score
        self._weighted = weighted
        self._shared: tuple[str, ...] | None = None

    @property
    def shared(self) -> tuple[str, ...]:
        if self._shared is None:
            w = self._weighted
            self._shared = tuple(sorted((k for k in w if w[k] > 0),
                                        key=lambda k: (-w[k], _kind_rank(k), k)))
        return self._shared


def window_excess(in_window: int) -> float:
    """How much more evidence two articles of a busy window need than two of a quiet one.

    The threshold was set on windows of up to WINDOW_REFERENCE articles. Among ``n``
    articles there are about n * n / 2 pairs but only a few happenings' worth of true ones, so
    the odds that a pair picked at random reports one happening fall as 1 / n: in the terms of
    the link score (natural-log evidence), a pair in a window of ``n`` needs ln(n /
    WINDOW_REFERENCE) more. MAX_KEY_WEIGHT stays: lifting it by as much let chance overlaps of
    middling keys through (docs/events.md, *Tried and left out*)."""
    return max(0.0, math.log((in_window + IDF_SMOOTHING) / WINDOW_REFERENCE))


@lru_cache(maxsize=65_536)
def key_weight(in_window: int, carrying: int) -> float:
    """What a shared key says about which happening two articles report: its inverse document
    frequency among the ``in_window`` articles of the mission around the article, ``carrying``
    of which name it. A key that every article of the trip names (the delegation, the mayor,
    the partner, "120") weighs about nothing; one that a few name (a company, a venue, a
    person met that day) weighs up to MAX_KEY_WEIGHT. IDF_SMOOTHING pseudo-articles that name
    nothing keep a window of a handful of articles from making everything distinctive.

    The weight is then discounted by the share of the other articles of the window that carry
    the key, to the power SHARE_EXPONENT: in a window of a dozen articles IDF alone leaves the
    trip's common words (the Métropole, its president, the partner, the year, "sister city")
    at 0.2-0.4 each, and eight of them added up to a link between two happenings of one day
    that had nothing else in common."""
    idf = min(MAX_KEY_WEIGHT, max(0.0, math.log((in_window + IDF_SMOOTHING) / (carrying + 1))))
    share = max(0, carrying - 1) / max(1.0, in_window + IDF_SMOOTHING - 1)
    return idf * (1.0 - min(1.0, share)) ** SHARE_EXPONENT


def display(key: str) -> str:
    """A key as a reader sees it: "Jean-Claude Gaudin", "Morel", "120"."""
    kind, _, value = key.partition(":")
    if kind == "name":
        return "-".join(part[:1].upper() + part[1:] for part in value.split("-"))
    return value


def link(a: Article, b: Article) -> Link | None:
    """The evidence that ``a`` and ``b`` report one happening: the weights of the keys they
    share, plus what their dates say (``date_evidence``); None when they can never be in one
    event (two missions, or published WINDOW_DAYS apart or more).

    Shared keys count only when a home-side entity is among them: without the Métropole's
    side, two articles tell the partner's own news."""
    score = link_score(a, b)
    if score is None:
        return None
    weighted: dict[str, float] = {}
    if not a.home.isdisjoint(b.keys):
        weighted = {k: a.halves[k] + b.halves[k] for k in a.keys & b.keys}
    return Link(score, weighted)


def date_evidence(a: Article, b: Article, gap: float | None = None) -> float:
    """What the dates say: SAME_DAY when both report the same day (a day read from "hier" or
    "today" may be one off: publication times are UTC), DAY_GAP less per day between two
    reported days, as much per day when an undated article was published before the other's
    reported day (a preview); and PUBLICATION_GAP less per day of publication apart beyond
    the first. ``gap``: the days of publication apart, when the caller has them already."""
    if gap is None:
        gap = abs(a.micros - b.micros) / 10**6 / 86400
    score = -PUBLICATION_GAP * max(0.0, gap - 1.0)
    if a.day is not None and b.day is not None:
        days = abs((a.day - b.day).days)
        if days == 0 or (days == 1 and (a.approx or b.approx)):
            score += SAME_DAY
        else:
            score -= DAY_GAP * days
    elif a.day is not None or b.day is not None:
        dated, undated = (a, b) if a.day is not None else (b, a)
        early = (dated.day - undated.match_at.date()).days
        if early > 0:
            score -= DAY_GAP * early
    return score


def link_score(a: Article, b: Article) -> float | None:
    """``link(a, b).score`` without the shared keys: what grouping asks of most pairs."""
    if a.mission_id and b.mission_id and a.mission_id != b.mission_id:
        return None  # two missions: two trips, whatever they share
    gap = abs(a.micros - b.micros) / 10**6 / 86400
    if gap >= WINDOW_DAYS:
        return None
    total = 0.0
    if not a.home.isdisjoint(b.keys):
        shared = a.keys & b.keys
        total = sum(map(add, map(a.halves.__getitem__, shared),
                        map(b.halves.__getitem__, shared)))
    return round(total + date_evidence(a, b, gap) - (a.excess + b.excess) / 2, 3)


def average_link(xs: list[Article], ys: list[Article]) -> float | None:
    """The mean evidence over every pair of an article of ``xs`` and one of ``ys`` (the
    average link between two groups): None when a pair can never be in one event. One
    bridging article cannot join two groups that otherwise share little. (Grouping keeps
    these sums per pair of groups instead: ``_cluster``.)"""
    total = 0.0
    for a in xs:
        for b in ys:
            found = link_score(a, b)
            if found is None:
                return None
            total += found
    return total / (len(xs) * len(ys))


def _left_out(owner, weight, carried, light, need):
    """Which keys an article may leave out of its candidate lookup: arrays of one entry per
    (article, key) (``owner``, the article's number; ``weight``, the key's
    weight in the article's window; ``carried``, how many articles carry it) and per article
    (``light``, the weight of its keys too frequent to look up; ``need``, what its left-out
    keys must stay under: ``_need``). Any article linking with it shares one of the keys
    kept, since the keys left out cannot reach the threshold together. Which keys are left
    out is free as long as their sum stays under it: those carried by most articles for the
    least weight go first, so that an article's candidates are looked up through a few short
    lists instead of every key's. Returns a boolean array over the entries."""
    import numpy as np

    if not len(owner):
        return np.zeros(0, bool)
    rank = np.lexsort((-carried / np.maximum(weight, 1e-6), owner))
    w = weight[rank]
    total = np.cumsum(w)
    start = np.searchsorted(owner[rank], owner[rank], side="left")
    before = np.where(start > 0, total[np.maximum(start - 1, 0)], 0.0)
    out = np.empty(len(owner), bool)
    out[rank] = light[owner[rank]] + (total - before) < need[owner[rank]]
    return out


def _need(a: Article) -> float:
    """What the keys an article leaves out of its candidate lookup (``_left_out``) must stay
    under: the threshold less the most the dates can add (SAME_DAY), its share of the window
    excess added back, and PREFIX_MARGIN: the other article's window may weigh a shared key a
    little more than this one's (a day or two off)."""
    return LINK_THRESHOLD - SAME_DAY - PREFIX_MARGIN + a.excess / 2


def _kind_rank(key: str) -> int:
    return ("home", "partner", "term", "name", "num").index(key.partition(":")[0]) \
        if key.partition(":")[0] in ("home", "partner", "term", "name", "num") else 9


# --------------------------------------------------------------------------- ids


def event_id_for(story_id: str) -> str:
    """The id of an event founded by ``story_id``: derived from it, so that the same articles
    loaded into a fresh database give the same ids."""
    return "ev_" + hashlib.sha1(story_id.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=500_000)
def key_hash(key: str) -> int:
    """A stable signed 64-bit hash of a fingerprint key (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(),
                          "little", signed=True)


# --------------------------------------------------------------------------- grouping


def assign_events(con, items: list[dict], *, now: dt.datetime | None = None) -> dict[str, str]:
    """Group the stories of new or changed articles into events; returns {story_id: event_id}
    for the batch's stories that are in an event.

    ``con`` is inside the caller's transaction (the load's, after ``assign_stories``; nothing
    is committed here). Each item: article_id, story_id, mission_id, published_at and
    first_seen_at (aware datetimes; published may be None) and fingerprint (from
    ``fingerprint``, or None when the article is not relevant: its stored fingerprint is
    dropped, its story stays in its event). The new fingerprints are stored, then grouped
    with their neighbourhood (``_neighbourhood``, ``_cluster``): groups of stories whose
    average link reaches LINK_THRESHOLD merge, the strongest first. A story in an event never
    leaves it; two events brought together merge into the older one (earlier founding story),
    the other's id going to ``event_aliases``. Loading the same items again changes nothing.
    """
    if not items:
        return {}
    import pyarrow as pa

    from .store import on_arrow

    stamp = now or dt.datetime.now(dt.timezone.utc)
    batch = _validate(items)
    stored = _stored_articles(con, {b.article_id for b in batch})
    # Only what changed is rewritten and linked again: the same fingerprint loaded again
    # leaves its rows as they were (dates included).
    changed = [b for b in batch
               if b.keys is None or stored.get(b.article_id) != b.article()]
    gone = [b.article_id for b in changed if b.article_id in stored]
    if gone:
        ids = pa.table({"article_id": pa.array(gone, pa.string())})
        on_arrow(con, ids, "_ev_ids", "DELETE FROM event_keys "
                 "WHERE article_id IN (SELECT article_id FROM _ev_ids)")
        on_arrow(con, ids, "_ev_ids", "DELETE FROM event_features "
                 "WHERE article_id IN (SELECT article_id FROM _ev_ids)")
    fresh = [b for b in changed if b.keys is not None]
    if fresh:
        _store_features(con, fresh, stamp)
        hood = _neighbourhood(con, fresh)
        merges = _cluster(hood, {b.article_id for b in fresh})
        _write_groups(con, hood, merges, stamp)
    mine = sorted({b.story_id for b in batch if b.keys is not None})
    if not mine:
        return {}
    return dict(on_arrow(con, pa.table({"story_id": pa.array(mine, pa.string())}), "_ev_mine",
                         "SELECT es.story_id, es.event_id FROM event_stories es "
                         "JOIN _ev_mine USING (story_id)").fetchall())


@dataclass
class _Item:
    article_id: str
    story_id: str
    mission_id: str | None
    match_at: dt.datetime
    day: dt.date | None
    cue: str | None
    keys: frozenset | None
    shown: tuple = ()
    lead: frozenset = frozenset()

    def article(self) -> Article:
        return Article(self.article_id, self.story_id, self.mission_id, self.match_at,
                       self.day, self.keys, self.shown, is_relative(self.cue), lead=self.lead)


def _validate(items: list[dict]) -> list[_Item]:
    out, seen = [], set()
    for n, item in enumerate(items):
        aid = item.get("article_id")
        if not isinstance(aid, str) or not aid:
            raise ValueError(f"assign_events: item {n} has no article_id")
        if aid in seen:
            raise ValueError(f"assign_events: article_id {aid!r} appears twice in one batch")
        seen.add(aid)
        story = item.get("story_id")
        if not isinstance(story, str) or not story:
            raise ValueError(f"assign_events: article {aid!r} has no story_id")
        when = item.get("published_at") or item.get("first_seen_at")
        if not isinstance(when, dt.datetime) or when.tzinfo is None:
            raise ValueError(f"assign_events: article {aid!r} needs an aware published_at "
                             f"or first_seen_at, got {when!r}")
        fp = item.get("fingerprint")
        day = cue = keys = None
        shown: tuple = ()
        lead: frozenset = frozenset()
        if fp is not None:
            if not isinstance(fp, dict) or not isinstance(fp.get("keys"), list):
                raise ValueError(f"assign_events: fingerprint of {aid!r} must come from "
                                 f"pressmon.events.fingerprint, got {fp!r}")
            if fp.get("v") != FINGERPRINT_VERSION:
                fp = None  # made by another version of the rules: not comparable
        if fp is not None:
            day = dt.date.fromisoformat(fp["day"]) if fp.get("day") else None
            cue = fp.get("cue")
            keys = frozenset(str(k) for k in fp["keys"])
            shown = tuple(str(w) for w in fp.get("shown") or ())
            lead = frozenset(str(k) for k in fp.get("lead") or ()) & keys
        out.append(_Item(aid, story, item.get("mission_id"), when.astimezone(dt.timezone.utc),
                         day, cue, keys, shown, lead))
    return out


def _store_features(con, arts: list[_Item], stamp: dt.datetime) -> None:
    import pyarrow as pa

    from .store import on_arrow

    ts = pa.timestamp("us", tz="UTC")
    keys = [sorted(a.keys) for a in arts]
    table = pa.table({
        "article_id": pa.array([a.article_id for a in arts], pa.string()),
        "story_id": pa.array([a.story_id for a in arts], pa.string()),
        "mission_id": pa.array([a.mission_id for a in arts], pa.string()),
        "match_at": pa.array([a.match_at for a in arts], ts),
        "reported_day": pa.array([a.day for a in arts], pa.date32()),
        "day_cue": pa.array([a.cue for a in arts], pa.string()),
        "keys": pa.array(keys, pa.list_(pa.string())),
        "shown": pa.array([list(a.shown) for a in arts], pa.list_(pa.string())),
        "lead_keys": pa.array([sorted(a.lead) for a in arts], pa.list_(pa.string())),
        "version": pa.array([FINGERPRINT_VERSION] * len(arts), pa.int32()),
        "updated_at": pa.array([stamp] * len(arts), ts),
        "hashes": pa.array([[key_hash(k) for k in ks] for ks in keys], pa.list_(pa.int64())),
    })
    on_arrow(con, table, "_ev_features", "INSERT INTO event_features BY NAME "
             "SELECT * EXCLUDE (hashes) FROM _ev_features")
    # event_keys.weight is kept for the schema's sake: weights are computed when linking,
    # from the window around each article (key_weight).
    on_arrow(con, table, "_ev_features", "INSERT INTO event_keys BY NAME "
             "SELECT unnest(hashes) AS key_hash, article_id, match_at, reported_day, "
             "mission_id, 1.0 AS weight FROM _ev_features")


@dataclass
class _Hood:
    """The fresh articles and everything they may be grouped with: the articles that share
    keys with them, the other articles of their stories, every article of the events of those
    stories; with their keys' weights, the keys too frequent to look for candidates with, the
    current events and when each story began."""

    arts: dict[str, Article]
    hot: dict[str, frozenset]
    event_of: dict[str, str]            # story -> its event, for stories already in one
    events: dict[str, tuple[str, dt.datetime]]  # event -> founding story, founded at


def _ts(value: dt.datetime) -> str:
    return f"TIMESTAMPTZ '{value.astimezone(dt.timezone.utc).isoformat()}'"


def _neighbourhood(con, fresh: list[_Item]) -> _Hood:
    import pyarrow as pa

    from .store import on_arrow

    found = _candidates(con, fresh)
    wanted = sorted({a.article_id for a in fresh} | found)
    # Their stories, the events of those stories, and every article of both.
    rows = on_arrow(con, pa.table({"article_id": pa.array(wanted, pa.string())}), "_ev_hood", """
        WITH s AS (
            SELECT DISTINCT f.story_id FROM event_features f JOIN _ev_hood USING (article_id)
        ),
        e AS (
            SELECT DISTINCT es.event_id FROM event_stories es JOIN s USING (story_id)
        ),
        st AS (
            SELECT story_id FROM s
            UNION SELECT es.story_id FROM event_stories es JOIN e USING (event_id)
        )
        SELECT f.article_id, f.story_id, f.mission_id, f.match_at, f.reported_day, f.keys,
               f.shown, f.day_cue, f.lead_keys, es.event_id, ev.founding_story_id, ev.founded_at
        FROM event_features f JOIN st USING (story_id)
        LEFT JOIN event_stories es ON es.story_id = f.story_id
        LEFT JOIN events ev ON ev.event_id = es.event_id""").fetchall()
    base, event_of, events = {}, {}, {}
    for aid, story, mission, match_at, day, keys, shown, cue, lead, ev, founder, founded in rows:
        base[aid] = (story, mission, _utc(match_at), day, frozenset(keys), tuple(shown or ()),
                     is_relative(cue), frozenset(lead or ()))
        if ev is not None:
            event_of[story] = ev
            events[ev] = (founder, _utc(founded))
    weights, hot, excess = _weights(con, base)
    arts = {aid: Article(aid, story, mission, t, day, keys, shown, approx, weights[aid],
                         excess[aid], lead)
            for aid, (story, mission, t, day, keys, shown, approx, lead) in base.items()}
    return _Hood(arts, hot, event_of, events)


def _candidates(con, fresh: list[_Item]) -> set[str]:
    """The articles that share MIN_SHARED_KEYS keys or more with a fresh one, within the
    window, of a compatible mission. A key carried by more than MAX_KEY_ARTICLES articles
    around it finds none (at scale, the Métropole's name is in everything).

    The window's rows of the fresh articles' keys are read from ``event_keys`` once, and how
    many articles carry each key around each fresh article is counted on them; the pairs are
    then enumerated in arrays, CANDIDATE_VISITS carriers at a time: as a query, the pairs of
    a batch of one busy mission's articles do not fit the load's memory limit."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .store import on_arrow

    w, span = int(WINDOW_DAYS), int(WINDOW_DAYS) - 1
    lo = _ts(min(a.match_at for a in fresh) - dt.timedelta(days=w + 1))
    hi = _ts(max(a.match_at for a in fresh) + dt.timedelta(days=w + 1))
    hashes = pa.table({"key_hash": pa.array(sorted({key_hash(k) for a in fresh for k in a.keys}),
                                            pa.int64())})
    # Days are UTC days since the epoch, as ``_weights`` counts them.
    near = on_arrow(con, hashes, "_ev_new", f"""
        SELECT k.key_hash, k.article_id, epoch_us(k.match_at) AS t, k.mission_id,
               CAST(floor(epoch(k.match_at) / 86400) AS INTEGER) AS d
        FROM event_keys k
        WHERE k.match_at BETWEEN {lo} AND {hi}
          AND k.key_hash IN (SELECT key_hash FROM _ev_new)""").to_arrow_table()
    if not near.num_rows:
        return set()
    ids = pa.array([a.article_id for a in fresh], pa.string())
    near = near.append_column("fresh", pc.is_in(near["article_id"], ids)) \
        .append_column("r", pa.array(np.arange(near.num_rows)))
    # The fresh articles' keys that are not too frequent: carriers within the window counted
    # once per distinct (key, day) asked, over the window's rows of every mission.
    asked = on_arrow(con, near, "_ev_near", f"""
        WITH q AS (SELECT * FROM _ev_near WHERE fresh),
        daily AS (SELECT key_hash, d, count(*) AS n FROM _ev_near GROUP BY ALL),
        days AS (SELECT DISTINCT key_hash, d FROM q),
        freq AS (
            SELECT a.key_hash, a.d, sum(daily.n) AS n
            FROM days a JOIN daily ON daily.key_hash = a.key_hash
             AND daily.d BETWEEN a.d - {span} AND a.d + {span}
            GROUP BY ALL
        )
        SELECT q.r FROM q JOIN freq USING (key_hash, d)
        WHERE freq.n <= {int(MAX_KEY_ARTICLES)}
        ORDER BY q.r""").fetchnumpy()["r"]
    if not len(asked):
        return set()
    # Times as ranks: any span of dates fits the carriers' sort key.
    articles = pc.dictionary_encode(near["article_id"]).combine_chunks()
    art = articles.indices.to_numpy().astype(np.int64)
    missions = pc.dictionary_encode(near["mission_id"]).combine_chunks()
    slot = missions.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
    _keys, key = np.unique(near["key_hash"].to_numpy(), return_inverse=True)
    t = near["t"].to_numpy()
    times, rank = np.unique(t, return_inverse=True)
    window = w * 86_400_000_000
    first = np.searchsorted(times, t[asked] - window, side="right")
    last = np.searchsorted(times, t[asked] + window, side="left")
    n = len(articles.dictionary)
    found: set[int] = set()
    for a, b in _carrier_pairs(art, key, slot, rank, len(missions.dictionary) + 1, len(times),
                               asked, first, last):
        keep = a != b
        pairs, shared = np.unique(a[keep] * n + b[keep], return_counts=True)
        found.update((pairs[shared >= MIN_SHARED_KEYS] % n).tolist())
    names = articles.dictionary.to_pylist()
    return {names[i] for i in found}


def _carrier_pairs(owner, key, slot, rank, slots: int, ranks: int, asked, first, last):
    """(asking article, carrier) pairs, as arrays, a run of whole asking articles of about
    CANDIDATE_VISITS carriers at a time (a busy window has millions).

    Entries are (article ``owner``, key ``key``, mission ``slot`` of ``slots``, 0 for none,
    time rank ``rank`` of ``ranks``); ``asked`` are the entries looked up with, each with the
    time ranks [``first``, ``last``) of its window. A carrier is an entry of the same key,
    of the asking article's mission or of none (any, for an article of none), in its window:
    carriers sorted by key, mission and time are one slice per asked entry and mission."""
    import numpy as np

    code = (key * slots + slot) * ranks + rank
    posting = np.argsort(code, kind="stable")
    sorted_code = code[posting]
    q_art, q_key, q_slot = owner[asked], key[asked], slot[asked]
    none = np.flatnonzero(q_slot == 0)
    some = np.flatnonzero(q_slot != 0)
    row = np.concatenate([some, some, np.repeat(none, slots)])
    ask = np.concatenate([q_key[some] * slots + q_slot[some], q_key[some] * slots,
                          (q_key[none][:, None] * slots + np.arange(slots)).ravel()]) * ranks
    row_order = np.argsort(q_art[row], kind="stable")  # an article's carriers together
    row, ask = row[row_order], ask[row_order]
    begin = np.searchsorted(sorted_code, ask + first[row])
    size = np.searchsorted(sorted_code, ask + last[row]) - begin
    before = np.cumsum(size) - size
    starts = np.flatnonzero(np.r_[True, q_art[row][1:] != q_art[row][:-1]])
    run_of = np.repeat(before[starts] // CANDIDATE_VISITS, np.diff(np.r_[starts, len(row)]))
    cuts = np.flatnonzero(np.r_[True, run_of[1:] != run_of[:-1], True]).tolist()
    for x, y in zip(cuts[:-1], cuts[1:]):
        yield (np.repeat(q_art[row[x:y]], size[x:y]),
               owner[posting[_spread(begin[x:y], size[x:y])]])


def _spread(begin, size):
    """The indices of the slices [begin, begin + size), one after the other."""
    import numpy as np

    return np.repeat(begin - np.cumsum(size) + size, size) + np.arange(int(size.sum()))


def _weights(con, base: dict[str, tuple]
             ) -> tuple[dict[str, dict], dict[str, frozenset], dict[str, float]]:
    """Each key's weight in each article's window (``key_weight``: articles of a compatible
    mission published within WINDOW_DAYS - 1 days, by UTC date), the keys that more than
    MAX_KEY_ARTICLES articles of any mission carry around it, and each article's
    ``window_excess``."""
    import numpy as np
    import pyarrow as pa

    from .store import on_arrow

    span = int(WINDOW_DAYS) - 1
    days = [t.date() for (_s, _m, t, *_rest) in base.values()]
    lo, hi = min(days) - dt.timedelta(days=span), max(days) + dt.timedelta(days=span + 1)
    lo_ts = _ts(dt.datetime.combine(lo, dt.time(), dt.timezone.utc))
    hi_ts = _ts(dt.datetime.combine(hi, dt.time(), dt.timezone.utc))
    # How many fingerprinted articles each mission has each day: the windows' sizes.
    per_day: dict[tuple, int] = {}
    for mission, d, n in con.execute(f"""
            SELECT mission_id, CAST(timezone('UTC', match_at) AS DATE) AS d, count(*)
            FROM event_features WHERE match_at >= {lo_ts} AND match_at < {hi_ts}
            GROUP BY ALL""").fetchall():
        per_day[(mission, d)] = n
    missions = {m for m, _d in per_day}
    order = sorted(base)
    # The neighbourhood's keys are sent rather than looked up in event_keys by article (a scan
    # of the whole table); the counts come back as columns: one row per (article, key), ~30
    # per article of a neighbourhood of thousands, too many to build as Python tuples.
    at, hashes, missions_of, dates = [], [], [], []
    for i, aid in enumerate(order):
        _story, mission, t, _day, keys, *_rest = base[aid]
        at += [i] * len(keys)
        hashes += map(key_hash, keys)
        missions_of += [mission] * len(keys)
        dates += [(t.date() - _EPOCH).days] * len(keys)
    got = on_arrow(con, pa.table({"i": pa.array(at, pa.int32()),
                                  "key_hash": pa.array(hashes, pa.int64()),
                                  "mission_id": pa.array(missions_of, pa.string()),
                                  "d": pa.array(dates, pa.int32())}),
                   "hk", f"""
        WITH daily AS (
            SELECT key_hash, mission_id, CAST(floor(epoch(match_at) / 86400) AS INTEGER) AS d,
                   count(*) AS n
            FROM event_keys
            WHERE match_at >= {lo_ts} AND match_at < {hi_ts}
              AND key_hash IN (SELECT DISTINCT key_hash FROM hk)
            GROUP BY ALL
        ),
        every_day AS (SELECT key_hash, d, sum(n) AS n FROM daily GROUP BY ALL),
        -- Counted once per distinct (key, mission, day) asked, by joining on the key and its
        -- mission before the days: joined on the key alone, a key of every mission would
        -- meet every other mission's days.
        asked AS (SELECT DISTINCT key_hash, mission_id, d FROM hk),
        mine AS (
            SELECT a.key_hash, a.mission_id, a.d, sum(daily.n) AS n
            FROM asked a JOIN daily ON daily.key_hash = a.key_hash
             AND daily.mission_id = a.mission_id
             AND daily.d BETWEEN a.d - {span} AND a.d + {span}
            GROUP BY ALL
        ),
        days AS (SELECT DISTINCT key_hash, d FROM hk),
        unassigned AS (
            SELECT a.key_hash, a.d, sum(daily.n) AS n
            FROM days a JOIN daily ON daily.key_hash = a.key_hash AND daily.mission_id IS NULL
             AND daily.d BETWEEN a.d - {span} AND a.d + {span}
            GROUP BY ALL
        ),
        every AS (
            SELECT a.key_hash, a.d, sum(e.n) AS n
            FROM days a JOIN every_day e ON e.key_hash = a.key_hash
             AND e.d BETWEEN a.d - {span} AND a.d + {span}
            GROUP BY ALL
        )
        SELECT hk.i, hk.key_hash,
               CASE WHEN hk.mission_id IS NULL THEN coalesce(e.n, 0)
                    ELSE coalesce(m.n, 0) + coalesce(z.n, 0) END AS n,
               coalesce(e.n, 0) AS n_all
        FROM hk LEFT JOIN every e ON e.key_hash = hk.key_hash AND e.d = hk.d
        LEFT JOIN unassigned z ON z.key_hash = hk.key_hash AND z.d = hk.d
        LEFT JOIN mine m ON m.key_hash = hk.key_hash AND m.mission_id = hk.mission_id
         AND m.d = hk.d""").fetchnumpy()
    window_sizes: dict[tuple, int] = {}
    sizes = []
    for aid in order:
        _story, mission, t, *_rest = base[aid]
        d = t.date()
        size = window_sizes.get((mission, d))
        if size is None:
            near = [d + dt.timedelta(days=i) for i in range(-span, span + 1)]
            compatible = missions if mission is None else (mission, None)
            size = sum(per_day.get((m, x), 0) for m in compatible for x in near)
            window_sizes[(mission, d)] = size
        sizes.append(size)
    rank = np.argsort(np.asarray(got["i"]), kind="stable")
    at = np.asarray(got["i"], np.int64)[rank]
    carrying = np.asarray(got["n"], np.int64)[rank]
    # key_weight by distinct (window size, carriers): the same few hundred recur.
    pairs = np.asarray(sizes, np.int64)[at] * (1 << 32) + carrying
    distinct, which = np.unique(pairs, return_inverse=True)
    weight_of = [key_weight(int(v) >> 32, int(v) & 0xFFFFFFFF) for v in distinct.tolist()]
    hashes = np.asarray(got["key_hash"], np.int64)[rank].tolist()
    weighed = [weight_of[j] for j in which.tolist()]
    hot_row = (np.asarray(got["n_all"], np.int64)[rank] > MAX_KEY_ARTICLES).tolist()
    bounds = np.searchsorted(at, np.arange(len(order) + 1)).tolist()
    named = {key_hash(k): k for entry in base.values() for k in entry[4]}
    weights, hot, excess = {}, {}, {}
    for i, aid in enumerate(order):
        lo, hi = bounds[i], bounds[i + 1]
        keys = [named[h] for h in hashes[lo:hi]]
        w = dict(zip(keys, weighed[lo:hi]))
        if len(w) < len(base[aid][4]):  # not in the window's counts: weighed as carried once
            for k in base[aid][4] - w.keys():
                w[k] = key_weight(sizes[i], 1)
        weights[aid] = w
        hot[aid] = frozenset(k for k, h in zip(keys, hot_row[lo:hi]) if h)
        excess[aid] = window_excess(sizes[i])
    return weights, hot, excess


@dataclass
class _Merge:
    """Two groups of stories merged: the average link that decided, and for each story of
    either side not yet linked, its strongest pair across (its article, the other article,
    the link)."""

    score: float
    links: dict[str, tuple[str, str, Link]]


def _neighbours(hood: _Hood, group_of: dict[str, str], fresh: set[str]
                ) -> dict[str, set[str]]:
    """For each group, the groups one of whose articles links with one of its own (a score
    reaching LINK_THRESHOLD with MIN_SHARED_KEYS keys in common that are not too frequent),
    looked for from the articles of the *fresh* groups. An article's candidates are the
    carriers of the keys it does not leave out (``_left_out``) of a compatible mission
    published within the window;
    they are enumerated in arrays (a neighbourhood of thousands of articles visits hundreds
    of thousands of carriers), and each distinct pair is then checked and scored once."""
    import numpy as np

    order = sorted(hood.arts.values(), key=lambda a: (a.match_at, a.article_id))
    neighbours: dict[str, set[str]] = {g: set() for g in set(group_of.values())}
    if not order:
        return neighbours
    n = len(order)
    groups = [group_of[a.story_id] for a in order]
    group_ix = {g: j for j, g in enumerate(sorted(set(groups)))}
    group = np.array([group_ix[g] for g in groups], np.int64)
    searched = np.array([g in fresh for g in groups], bool)
    # A pair both of whose articles are searched is found from both sides: kept from the
    # side whose article id sorts first.
    by_id = np.empty(n, np.int64)
    by_id[np.argsort(np.array([a.article_id for a in order], dtype=object), kind="stable")] = \
        np.arange(n)
    when = np.array([a.match_at.timestamp() for a in order])
    mission_ix = {m: j for j, m in enumerate(sorted({a.mission_id for a in order
                                                     if a.mission_id is not None}))}
    mission = np.array([mission_ix.get(a.mission_id, -1) for a in order], np.int64)
    cold = [a.keys - hood.hot[a.article_id] for a in order]
    # Each article's keys that are not too frequent, numbered, with their weights.
    numbered: dict[str, int] = {}
    entry_art, entry_key, entry_weight = [], [], []
    for i, (a, keys) in enumerate(zip(order, cold)):
        entry_art += [i] * len(keys)
        entry_key += [numbered.setdefault(k, len(numbered)) for k in keys]
        entry_weight += map(a.weight, keys)
    entry_art = np.array(entry_art, np.int64)
    entry_key = np.array(entry_key, np.int64)
    keys_n = max(1, len(numbered))
    slots = len(mission_ix) + 1
    slot = mission + 1              # 0: no mission
    # How many articles of each mission carry each key (the order of ``_left_out``).
    _codes, which, counts = np.unique(entry_key * slots + slot[entry_art], return_inverse=True,
                                      return_counts=True)
    # The keys each searched article looks its candidates up with.
    mine = searched[entry_art]
    light = np.array([sum(a.weight(k) for k in a.keys - keys) if searched[i] else 0.0
                      for i, (a, keys) in enumerate(zip(order, cold))])
    need = np.array([_need(a) for a in order])
    out = np.zeros(len(entry_art), bool)
    out[mine] = _left_out(entry_art[mine], np.array(entry_weight)[mine],
                          counts[which][mine].astype(float), light, need)
    asked = np.flatnonzero(mine & ~out)
    # An article's number is its rank in publication order.
    window = WINDOW_DAYS * 86400
    first = np.searchsorted(when, when - window, side="right")  # first published after
    last = np.searchsorted(when, when + window, side="left")    # first published too late
    held = left = left_owner = None
    for a, b in _carrier_pairs(entry_art, entry_key, slot[entry_art], entry_art, slots, n,
                               asked, first[entry_art[asked]], last[entry_art[asked]]):
        ok = (group[a] != group[b]) & ~(searched[b] & (by_id[b] < by_id[a]))
        pairs, found_by = np.unique(a[ok] * n + b[ok], return_counts=True)
        # Keys shared that are not too frequent for either: those looked up (counted above),
        # and those the searching article left out that the other one carries.
        a, b = pairs // n, pairs % n
        spare = np.flatnonzero(found_by < MIN_SHARED_KEYS)
        if len(spare):
            if held is None:
                held = np.sort(entry_art * keys_n + entry_key)
                left = np.flatnonzero(out)  # in article order, as the entries are
                left_owner = entry_art[left]
            begin = np.searchsorted(left_owner, a[spare], side="left")
            many = np.searchsorted(left_owner, a[spare], side="right") - begin
            pair_of = np.repeat(spare, many)
            probe = b[pair_of] * keys_n + entry_key[left[_spread(begin, many)]]
            spot = np.minimum(np.searchsorted(held, probe), len(held) - 1)
            np.add.at(found_by, pair_of, held[spot] == probe)
        check = found_by >= MIN_SHARED_KEYS
        for i, j in zip(a[check].tolist(), b[check].tolist()):
            g, h = groups[i], groups[j]
            if h in neighbours[g]:
                continue
            found = link_score(order[i], order[j])
            if found is not None and found >= LINK_THRESHOLD:
                neighbours[g].add(h)
                neighbours[h].add(g)
    return neighbours


def _cluster(hood: _Hood, fresh_ids: set[str]) -> list[tuple[set[str], list[_Merge]]]:
    """Average-link grouping of the neighbourhood's stories, the strongest merge first, as
    long as one reaches LINK_THRESHOLD. A group is an event (all its stories) or a story in no
    event; every merge involves a *fresh* group: one holding a fresh article, or a story in no
    event (whose evidence may have grown since it was loaded: its window has more articles
    now). Two events already stored merge only through a fresh group that joins them both.
    Returns the groups that changed, as sets of stories, with their merges."""
    import heapq

    arts = hood.arts
    by_story: dict[str, list[Article]] = {}
    for a in sorted(arts.values(), key=lambda a: (a.match_at, a.article_id)):
        by_story.setdefault(a.story_id, []).append(a)
    group_of: dict[str, str] = {}   # story -> group key
    members: dict[str, list[Article]] = {}
    stories: dict[str, set[str]] = {}
    for story in sorted(by_story):
        g = "e:" + hood.event_of[story] if story in hood.event_of else "s:" + story
        group_of[story] = g
        members.setdefault(g, []).extend(by_story[story])
        stories.setdefault(g, set()).add(story)
    fresh = {group_of[arts[a].story_id] for a in fresh_ids if a in arts}
    fresh |= {g for g in members if g.startswith("s:")}

    # Candidate groups: an average can only reach the threshold when one pair does, and a
    # pair only when it shares MIN_SHARED_KEYS keys that are not too frequent
    # (``_neighbours``).
    neighbours = _neighbours(hood, group_of, fresh)

    # The sum of the pair scores between two groups and their number of pairs (None when a
    # pair can never link), kept per pair of groups rather than per pair of articles: when two
    # groups merge, the merged group's sums are the sums of its parts' (average linkage), and
    # memory stays with the groups that meet, not with every pair of a busy window's articles.
    sums: dict[tuple[str, str], tuple[float, int] | None] = {}
    met: dict[str, set[str]] = {g: set() for g in members}

    def between(g: str, h: str) -> tuple[float, int] | None:
        key = (g, h) if g < h else (h, g)
        if key not in sums:
            total, found = 0.0, None
            for a in members[g]:
                for b in members[h]:
                    found = link_score(a, b)
                    if found is None:
                        break
                    total += found
                if found is None:
                    break
            sums[key] = None if found is None else (total, len(members[g]) * len(members[h]))
            met[g].add(h)
            met[h].add(g)
        return sums[key]

    leads = {g: _Leads.of(members[g]) for g in members}
    version = {g: 0 for g in members}
    heap: list = []

    def push(g: str, h: str) -> None:
        if g not in fresh and h not in fresh:
            return
        found = between(g, h)
        if found is not None and found[0] / found[1] >= LINK_THRESHOLD:
            x, y = min(g, h), max(g, h)
            heapq.heappush(heap, (-found[0] / found[1], x, y, version[x], version[y]))

    for g in sorted(neighbours):
        for h in sorted(neighbours[g]):
            if g < h:
                push(g, h)
    merges: dict[str, list[_Merge]] = {}
    linked: set[str] = set()
    while heap:
        neg, x, y, vx, vy = heapq.heappop(heap)
        if x not in members or y not in members or version[x] != vx or version[y] != vy:
            continue
        across = leads[x].across(leads[y])
        if len(stories[x]) > 1 and len(stories[y]) > 1 and leads[x].apart(leads[y], across):
            continue  # two happenings recalling each other; met again if either side grows
        # The stories it links, and how (which event id survives is decided when writing).
        links = {}
        for side, other in ((x, y), (y, x)):
            for story in sorted(stories[side]):
                if story in hood.event_of or story in linked:
                    continue
                best = None
                for a in (m for m in members[side] if m.story_id == story):
                    for b in members[other]:
                        found = link_score(a, b)
                        if found is not None and (best is None or found > best[2]):
                            best = (a, b, found)
                if best is not None:
                    a, b, _score = best
                    links[story] = (a.article_id, b.article_id, link(a, b))
                    linked.add(story)
        keep, drop = x, y
        near = (neighbours[keep] | neighbours.pop(drop)) - {keep, drop}
        merged = {}
        for h in near:
            parts = between(keep, h), between(drop, h)
            merged[h] = None if None in parts else (parts[0][0] + parts[1][0],
                                                     parts[0][1] + parts[1][1])
        for g in (keep, drop):
            for h in met.pop(g):
                sums.pop((g, h) if g < h else (h, g), None)
                if h in met:
                    met[h].discard(g)
        met[keep] = set(merged)
        for h, found in merged.items():
            sums[(keep, h) if keep < h else (h, keep)] = found
            met[h].add(keep)
        members[keep] = members[keep] + members.pop(drop)
        leads[keep].join(leads.pop(drop), across)
        stories[keep] |= stories.pop(drop)
        for story in stories[keep]:
            group_of[story] = keep
        merges[keep] = merges.get(keep, []) + merges.pop(drop, []) + [_Merge(-neg, links)]
        fresh.add(keep)
        fresh.discard(drop)
        version[keep] += 1
        version.pop(drop)
        neighbours[keep] = near
        for h in sorted(near):
            neighbours[h].discard(drop)
            neighbours[h].add(keep)
            push(keep, h)
    return [(stories[g], merges[g]) for g in sorted(merges)]


class _Leads:
    """What the titles and leads of a group's articles name, for ``_cluster``'s guard: per
    key, the half-weights summed over the articles whose lead names it (``weight``) and their
    number (``count``); and the lead evidence summed (``inner``) over the group's pairs of
    articles of different stories (``pairs``). A pair's lead evidence is the weight of the
    keys both leads name, each counting the mean of its two weights as in ``link``; summed
    over the pairs of two groups it is what their profiles share (``across``), so a merge
    costs the keys of the smaller profile, not the pairs."""

    __slots__ = ("weight", "count", "size", "inner", "pairs")

    def __init__(self, arts: list[Article]):
        self.weight: dict[str, float] = {}
        self.count: dict[str, int] = {}
        self.size = len(arts)
        self.inner = 0.0
        self.pairs = 0
        for a in arts:
            # Each lead key's half-weight, as ``halves`` holds it, without filling ``halves``
            # for an article whose pairs are never scored.
            for k in a.lead:
                self.weight[k] = self.weight.get(k, 0.0) + a.weight(k) / 2
                self.count[k] = self.count.get(k, 0) + 1

    @classmethod
    def of(cls, arts: list[Article]) -> "_Leads":
        """A group's profile, its pairs of different stories counted (an event's stories)."""
        if all(a.story_id == arts[0].story_id for a in arts):
            return cls(arts)
        by_story: dict[str, list[Article]] = {}
        for a in arts:
            by_story.setdefault(a.story_id, []).append(a)
        parts = [cls(v) for _story, v in sorted(by_story.items())]
        out = parts[0]
        for part in parts[1:]:
            out.join(part, out.across(part))
        return out

    def across(self, other: "_Leads") -> float:
        a, b = (self, other) if len(self.count) <= len(other.count) else (other, self)
        total = 0.0
        for k, n in a.count.items():
            m = b.count.get(k)
            if m:
                total += a.weight[k] * m + n * b.weight[k]
        return total

    def apart(self, other: "_Leads", across: float) -> bool:
        """Whether two groups of several stories each tell two happenings: their leads share
        less, over their pairs, than LEAD_SHARE of what each group's own leads share. What
        a group's leads share is what it is about; two happenings of one trip, on one day,
        often recall each other's facts further down (the signing's reports end on the
        morning's visit, the visit's reports on the evening's signing), and their bodies then
        link them as well as one happening's reports, but their leads do not."""
        own = min(self.inner / self.pairs, other.inner / other.pairs) \
            if self.pairs and other.pairs else 0.0
        return across / (self.size * other.size) < LEAD_SHARE * own

    def join(self, other: "_Leads", across: float) -> None:
        for k, n in other.count.items():
            self.count[k] = self.count.get(k, 0) + n
            self.weight[k] = self.weight.get(k, 0.0) + other.weight[k]
        self.inner += other.inner + across
        self.pairs += other.pairs + self.size * other.size
        self.size += other.size


def _stored_articles(con, article_ids: set[str]) -> dict[str, Article]:
    if not article_ids:
        return {}
    import pyarrow as pa

    from .store import on_arrow

    rows = on_arrow(
        con, pa.table({"article_id": pa.array(sorted(article_ids), pa.string())}), "_ev_want",
        "SELECT f.article_id, f.story_id, f.mission_id, f.match_at, f.reported_day, f.keys, "
        "f.shown, f.day_cue, f.lead_keys FROM event_features f "
        "JOIN _ev_want USING (article_id)").fetchall()
    return {aid: Article(aid, story, mission, _utc(match_at), day, frozenset(keys),
                         tuple(shown or ()), is_relative(cue), lead=frozenset(lead or ()))
            for aid, story, mission, match_at, day, keys, shown, cue, lead in rows}


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc) if value.tzinfo else \
        value.replace(tzinfo=dt.timezone.utc)


def _write_groups(con, hood: _Hood, groups: list[tuple[set[str], list[_Merge]]],
                  stamp: dt.datetime) -> None:
    """The changed groups, written: a group holding events keeps the oldest one's id (the
    others become its aliases), a group of stories in no event founds one under its earliest
    story's id; every story new to an event gets its row, with the link that brought it."""
    import pyarrow as pa

    from .store import on_arrow

    if not groups:
        return
    all_stories = sorted({s for members, _m in groups for s in members})
    began: dict[str, dt.datetime] = {}
    # When each story began: its original's date, else (an article without a text has no
    # stories row) its earliest fingerprinted article.
    for story, when in on_arrow(con, pa.table({"story_id": pa.array(all_stories, pa.string())}),
                                "_ev_stories", """
            SELECT story_id, min(t) FROM (
                SELECT s.story_id, s.original_date AS t FROM stories s
                JOIN _ev_stories USING (story_id)
                UNION ALL
                SELECT f.story_id, f.match_at FROM event_features f
                JOIN _ev_stories USING (story_id))
            GROUP BY story_id""").fetchall():
        began[story] = _utc(when)
    event_rows, member_rows, retired = [], [], []
    for members, merges in groups:
        olds = sorted({hood.event_of[s] for s in members if s in hood.event_of},
                      key=lambda e: (hood.events[e][1], e))
        founder = None
        if olds:
            survivor = olds[0]
            retired += [(other, survivor) for other in olds[1:]]
        else:
            founder = min(members, key=lambda s: (began.get(s, stamp), s))
            survivor = event_id_for(founder)
            event_rows.append((survivor, founder, began.get(founder, stamp)))
        links = {}
        for merge in merges:
            for story, (mine, other, found) in merge.links.items():
                links[story] = (mine, other, merge.score, found)
        for story in sorted(members):
            if story in hood.event_of:
                continue  # already in an event: it moves with its event
            mine, other, score, found = links[story]
            first = story == founder
            member_rows.append({
                "story_id": story, "event_id": survivor, "article_id": mine,
                "linked_article_id": None if first else other,
                "score": None if first else round(score, 3),
                "shared": [] if first else [_label(hood, mine, other, k)
                                            for k in found.shared[:12]],
                "joined_at": stamp})
    if event_rows:
        con.executemany(
            "INSERT INTO events (event_id, founding_story_id, founded_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)", [[e, f, t, stamp, stamp] for e, f, t in event_rows])
    if member_rows:
        on_arrow(con, pa.table({
            "story_id": pa.array([r["story_id"] for r in member_rows], pa.string()),
            "event_id": pa.array([r["event_id"] for r in member_rows], pa.string()),
            "article_id": pa.array([r["article_id"] for r in member_rows], pa.string()),
            "linked_article_id": pa.array([r["linked_article_id"] for r in member_rows],
                                          pa.string()),
            "score": pa.array([r["score"] for r in member_rows], pa.float64()),
            "shared": pa.array([r["shared"] for r in member_rows], pa.list_(pa.string())),
            "joined_at": pa.array([r["joined_at"] for r in member_rows],
                                  pa.timestamp("us", tz="UTC")),
        }), "_ev_members", "INSERT INTO event_stories BY NAME SELECT * FROM _ev_members")
    for old, survivor in retired:
        _merge(con, old, survivor, stamp, "merged")
    touched = {r["event_id"] for r in member_rows} | {s for _, s in retired}
    if touched:
        con.execute("UPDATE events SET updated_at = ? WHERE event_id IN (SELECT unnest(?))",
                    [stamp, sorted(touched)])


def _label(hood: _Hood, a: str, b: str, key: str) -> str:
    """A shared key as one of the two articles wrote it ("MSC"), else as ``display`` does."""
    first = hood.arts[a].label(key)
    return first if first != display(key) else hood.arts[b].label(key)


def _merge(con, old: str, survivor: str, stamp: dt.datetime, reason: str) -> None:
    """Move every story of event ``old`` into ``survivor``; ``old`` becomes an alias, and the
    aliases that pointed at it now point at the survivor (one lookup always resolves)."""
    con.execute("UPDATE event_stories SET event_id = ? WHERE event_id = ?", [survivor, old])
    con.execute("DELETE FROM events WHERE event_id = ?", [old])
    con.execute("UPDATE event_aliases SET event_id = ? WHERE event_id = ?", [survivor, old])
    con.execute("DELETE FROM event_aliases WHERE retired_event_id = ?", [old])
    con.execute("INSERT INTO event_aliases VALUES (?, ?, ?, ?)", [old, survivor, stamp, reason])


# --------------------------------------------------------------------------- reclassify


CHUNK = 2000


def rebuild_events(con, fingerprints: dict[str, dict | None], *,
                   now: dt.datetime | None = None) -> dict:
    """Recompute every event from fresh fingerprints (``pressmon reclassify``), in the caller's
    transaction, after the articles' tags (mission_id) were rewritten.

    Events are regrouped from scratch, oldest articles first, the way loads would have built
    them; then every recomputed event that holds the founding story of an event of before takes
    that event's id (the oldest one's when it holds several), so ids stay put wherever the
    founding story is unchanged. Ids that disappear become aliases of the event holding most of
    their stories; an event whose articles are no longer relevant leaves no alias.
    """
    import pyarrow as pa

    from .store import on_arrow

    stamp = now or dt.datetime.now(dt.timezone.utc)
    old_story_event = dict(con.execute("SELECT story_id, event_id FROM event_stories").fetchall())
    old_events = {e: (f, _utc(t)) for e, f, t in con.execute(
        "SELECT event_id, founding_story_id, founded_at FROM events").fetchall()}
    for table in ("event_stories", "events", "event_keys", "event_features"):
        con.execute(f"DELETE FROM {table}")

    wanted = sorted(a for a, fp in fingerprints.items() if fp)
    rows = on_arrow(
        con, pa.table({"article_id": pa.array(wanted, pa.string())}), "_ev_all",
        "SELECT a.article_id, a.story_id, a.mission_id, a.published_at, a.first_seen_at "
        "FROM articles a JOIN _ev_all USING (article_id) WHERE a.story_id IS NOT NULL"
    ).fetchall()
    items = [{"article_id": aid, "story_id": story, "mission_id": mission,
              "published_at": _utc(pub) if pub else None, "first_seen_at": _utc(seen),
              "fingerprint": fingerprints[aid]}
             for aid, story, mission, pub, seen in rows]
    items.sort(key=lambda it: (it["published_at"] or it["first_seen_at"], it["article_id"]))
    for start in range(0, len(items), CHUNK):
        assign_events(con, items[start:start + CHUNK], now=stamp)

    new_story_event = dict(con.execute("SELECT story_id, event_id FROM event_stories").fetchall())
    # An old event keeps its id when its founding story is in a recomputed event.
    claims: dict[str, list[str]] = {}
    for old, (founder, _when) in old_events.items():
        now_in = new_story_event.get(founder)
        if now_in:
            claims.setdefault(now_in, []).append(old)
    renamed: dict[str, str] = {}
    for new_id, olds in claims.items():
        keep = min(olds, key=lambda e: (old_events[e][1], e))
        if keep != new_id:
            renamed[new_id] = keep
    for new_id, keep in renamed.items():
        con.execute("UPDATE event_stories SET event_id = ? WHERE event_id = ?", [keep, new_id])
        con.execute("UPDATE events SET event_id = ?, founding_story_id = ?, founded_at = ? "
                    "WHERE event_id = ?", [keep, old_events[keep][0], old_events[keep][1],
                                           new_id])
    final = {s: renamed.get(e, e) for s, e in new_story_event.items()}
    live = set(final.values())
    # Aliases never name a live event, and always name a live one as the survivor.
    con.execute("DELETE FROM event_aliases WHERE retired_event_id IN (SELECT unnest(?))",
                [sorted(live)])
    retired = 0
    gone = sorted(set(old_events) - live)
    for old in gone:
        votes: dict[str, int] = {}
        for story, ev in old_story_event.items():
            if ev == old and story in final:
                votes[final[story]] = votes.get(final[story], 0) + 1
        if votes:
            target = max(votes, key=lambda e: (votes[e], e))
            _merge(con, old, target, stamp, "reclassified")
            retired += 1
    stale = [r for (r,) in con.execute(
        "SELECT DISTINCT event_id FROM event_aliases WHERE event_id NOT IN "
        "(SELECT event_id FROM events)").fetchall()]
    for ev in stale:
        con.execute("DELETE FROM event_aliases WHERE event_id = ?", [ev])
    kept = sum(1 for e in live if e in old_events)
    return {"events": len(live), "kept_ids": kept, "new_ids": len(live) - kept,
            "retired_ids": retired}


# --------------------------------------------------------------------------- reading


def resolve_event_id(con, event_id: str) -> str | None:
    """The live id of ``event_id`` (itself, or the event it was merged into), or None."""
    rows = con.execute(
        "SELECT event_id FROM events WHERE event_id = ? UNION ALL "
        "SELECT event_id FROM event_aliases WHERE retired_event_id = ?",
        [event_id, event_id]).fetchall()
    return rows[0][0] if rows else None


def week_events(con, week: str, mission_id: str | None = None) -> list[dict]:
    """The events of an ISO week ('2017-W45', Europe/Paris, by their first article), biggest
    first, each with its stories (original title, outlet, language, press group, articles):
    what the weekly digest and the Press monitor page show. Reads ``r_events`` and
    ``v_event_stories``; works on the snapshot."""
    from .store import fetch_dicts

    sql = "SELECT * FROM r_events WHERE week = ?"
    params: list = [week]
    if mission_id is not None:
        sql += " AND mission_id = ?"
        params.append(mission_id)
    events = fetch_dicts(con, sql + " ORDER BY articles DESC, first_published, event_id", params)
    if not events:
        return []
    stories = fetch_dicts(con, "SELECT * FROM v_event_stories WHERE event_id IN "
                          "(SELECT unnest(?)) ORDER BY event_id, first_published, story_id",
                          [[e["event_id"] for e in events]])
    by_event: dict[str, list[dict]] = {}
    for s in stories:
        by_event.setdefault(s["event_id"], []).append(s)
    for e in events:
        e["stories"] = by_event.get(e["event_id"], [])
    return events

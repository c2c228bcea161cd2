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

Two relevant articles report one happening when they report it on the same day, are not about
two different missions, share a home-side entity (the Métropole's side of the happening) and
share enough specific facts (``MIN_EVIDENCE``); articles reporting different days never link
(two happenings of one trip share most names), and an article without a day cue needs a much
larger overlap (``STRONG_EVIDENCE``). Stories are grouped by these links; an event's
id is derived from its founding story's, later stories join it without changing it, and a
story that links two events merges them under the older one's id, the other being kept in
``event_aliases``. Why and how far this holds: docs/events.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

# Tuned on the dev part of tests/data/events (docs/events.md). A fingerprint made under another
# FINGERPRINT_VERSION is not comparable: `pressmon reclassify` recomputes every fingerprint.
FINGERPRINT_VERSION = 1
WINDOW_DAYS = 4          # articles published this many days apart or more are never compared
MIN_EVIDENCE = 3.0       # shared evidence needed when both articles report the same day
STRONG_EVIDENCE = 12.0   # ... when an article has no day cue
ENTITY_WEIGHT = 0.5      # a shared watchlist entity (entities name the context more than the happening)
NAME_WEIGHT = 1.0        # a shared proper name outside the watchlist
NUMBER_WEIGHT = 1.0      # a shared number
YEAR_WEIGHT = 0.5        # a shared year (background dates are common to a whole trip)
MIN_ENTITY_WEIGHT = 1.5  # watchlist entries lighter than this are context words ("Miami", "accord")
LEAD_PARAGRAPHS = 3      # where the reported day is looked for, after the summary and title
MAX_KEYS = 120           # a fingerprint keeps at most this many keys (long texts: the first ones)
MAX_KEY_ARTICLES = 500   # a key shared by more stored articles in the window finds no candidates

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
    """The event fingerprint of one relevant article: ``{"v", "day", "cue", "keys", "shown"}``.

    ``hits`` are the watchlist hits tagging already found (``relevance.Relevance.hits``), so
    the entities cost nothing more; the rest is a few regular-expression passes over the text.
    ``day`` is the reported day (ISO date) or None, ``cue`` the words it was read from,
    ``keys`` what the article names (``home:``/``partner:``/``term:`` + watchlist entry,
    ``name:`` + folded name, ``num:`` + number), ``shown`` the names not simply capitalised as
    written ("MSC"), to show them back. Plain JSON: it travels in the staged records.
    """
    title, summary, text = title or "", summary or "", text or ""
    paragraphs = [p for p in _PARA_RE.split(text) if p.strip()]
    day, cue = reported_day([summary, title, *paragraphs[:LEAD_PARAGRAPHS]], published)
    keys: dict[str, None] = {}
    for h in hits:
        kind = ENTITY_KINDS.get(h.term.kind)
        if kind and h.term.weight >= MIN_ENTITY_WEIGHT:
            keys[f"{kind}:{h.term.name}"] = None
    body = "\n\n".join([summary, *paragraphs])
    for n in numbers(f"{title}\n\n{body}"):
        keys[f"num:{n}"] = None
    words = _watch_words(watchlist)
    shown = []
    for name, written in proper_names(body).items():
        if not _known(name, words):
            keys[f"name:{name}"] = None
            if written != display(f"name:{name}"):
                shown.append(written)  # "MSC", "McDonald": how to show it back
    kept = list(keys)[:MAX_KEYS]
    return {"v": FINGERPRINT_VERSION, "day": day.isoformat() if day else None, "cue": cue,
            "keys": kept, "shown": shown}


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

    def label(self, key: str) -> str:
        if key.startswith("name:"):
            for written in self.shown:
                if key == "name:" + plain(written):
                    return written
        return display(key)


@dataclass(frozen=True)
class Link:
    score: float
    shared: tuple[str, ...]   # the shared keys, heaviest first


@lru_cache(maxsize=200_000)
def key_weight(key: str) -> float:
    kind, _, value = key.partition(":")
    if kind == "name":
        return NAME_WEIGHT
    if kind == "num":
        return YEAR_WEIGHT if re.fullmatch(r"(19|20)\d\d", value) else NUMBER_WEIGHT
    return ENTITY_WEIGHT


def display(key: str) -> str:
    """A key as a reader sees it: "Jean-Claude Gaudin", "Morel", "120"."""
    kind, _, value = key.partition(":")
    if kind == "name":
        return "-".join(part[:1].upper() + part[1:] for part in value.split("-"))
    return value


def link(a: Article, b: Article, common: frozenset = frozenset()) -> Link | None:
    """Whether ``a`` and ``b`` report one happening, and on what evidence; None when not.

    ``common`` holds keys too frequent to tell one happening from another (in more than
    MAX_KEY_ARTICLES articles around them): they count for the home-side anchor, not as
    evidence."""
    if a.mission_id and b.mission_id and a.mission_id != b.mission_id:
        return None  # two missions: two trips, whatever they share
    if abs((a.match_at - b.match_at).total_seconds()) >= WINDOW_DAYS * 86400:
        return None
    shared = a.keys & b.keys
    # The Métropole's side of the happening: without it, the partner's own news.
    if not any(k.startswith("home:") for k in shared):
        return None
    evidence = shared - common
    score = sum(key_weight(k) for k in evidence)
    if a.day is not None and b.day is not None:
        gap = abs((a.day - b.day).days)
        need = MIN_EVIDENCE if gap == 0 or (gap == 1 and (a.approx or b.approx)) else None
    else:
        need = STRONG_EVIDENCE if _undated_close(a, b) else None
    if need is None or score < need:
        return None
    ordered = sorted(evidence, key=lambda k: (-key_weight(k), _kind_rank(k), k))
    return Link(round(score, 2), tuple(ordered))


def _kind_rank(key: str) -> int:
    return ("home", "partner", "term", "name", "num").index(key.partition(":")[0]) \
        if key.partition(":")[0] in ("home", "partner", "term", "name", "num") else 9


def _undated_close(a: Article, b: Article) -> bool:
    """An article without a day cue may report a happening up to WINDOW_DAYS - 1 days after it
    took place, never before; two undated ones must be published within two days."""
    if a.day is None and b.day is None:
        return abs((a.match_at - b.match_at).total_seconds()) <= 2 * 86400
    dated, undated = (a, b) if a.day is not None else (b, a)
    lag = (undated.match_at.date() - dated.day).days
    return 0 <= lag < WINDOW_DAYS


# --------------------------------------------------------------------------- ids


def event_id_for(story_id: str) -> str:
    """The id of an event founded by ``story_id``: derived from it, so that the same articles
    loaded into a fresh database give the same ids."""
    return "ev_" + hashlib.sha1(story_id.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=200_000)
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
    dropped, its story stays in its event). Articles are compared with the stored ones and
    with each other (``link``); stories linked together form an event. A story in an event
    never leaves it; an event that a new link joins to another is merged into the older one
    (earlier founding story), and its id goes to ``event_aliases``. Loading the same items
    again changes nothing.
    """
    if not items:
        return {}
    import pyarrow as pa

    stamp = now or dt.datetime.now(dt.timezone.utc)
    batch = _validate(items)
    stored = _stored_articles(con, {b.article_id for b in batch})
    # Only what changed is rewritten: the same fingerprint loaded again leaves its rows as
    # they were (dates included).
    changed = [b for b in batch
               if b.keys is None or stored.get(b.article_id) != b.article()]
    gone = [b.article_id for b in changed if b.article_id in stored]
    if gone:
        con.register("_ev_ids", pa.table({"article_id": pa.array(gone, pa.string())}))
        try:
            con.execute("DELETE FROM event_keys WHERE article_id IN (SELECT article_id FROM _ev_ids)")
            con.execute("DELETE FROM event_features "
                        "WHERE article_id IN (SELECT article_id FROM _ev_ids)")
        finally:
            con.unregister("_ev_ids")
    arts = [b for b in batch if b.keys is not None]
    if not arts:
        return {}
    _store_features(con, [b for b in changed if b.keys is not None], stamp)

    links = _links(con, arts)
    return _group(con, arts, links, stamp)


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

    def article(self) -> Article:
        return Article(self.article_id, self.story_id, self.mission_id, self.match_at,
                       self.day, self.keys, self.shown, is_relative(self.cue))


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
        out.append(_Item(aid, story, item.get("mission_id"), when.astimezone(dt.timezone.utc),
                         day, cue, keys, shown))
    return out


def _store_features(con, arts: list[_Item], stamp: dt.datetime) -> None:
    if not arts:
        return
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    keys = [sorted(a.keys) for a in arts]
    con.register("_ev_features", pa.table({
        "article_id": pa.array([a.article_id for a in arts], pa.string()),
        "story_id": pa.array([a.story_id for a in arts], pa.string()),
        "mission_id": pa.array([a.mission_id for a in arts], pa.string()),
        "match_at": pa.array([a.match_at for a in arts], ts),
        "reported_day": pa.array([a.day for a in arts], pa.date32()),
        "day_cue": pa.array([a.cue for a in arts], pa.string()),
        "keys": pa.array(keys, pa.list_(pa.string())),
        "shown": pa.array([list(a.shown) for a in arts], pa.list_(pa.string())),
        "version": pa.array([FINGERPRINT_VERSION] * len(arts), pa.int32()),
        "updated_at": pa.array([stamp] * len(arts), ts),
        "hashes": pa.array([[key_hash(k) for k in ks] for ks in keys], pa.list_(pa.int64())),
        "weights": pa.array([[key_weight(k) for k in ks] for ks in keys],
                            pa.list_(pa.float32())),
    }))
    try:
        con.execute("INSERT INTO event_features BY NAME "
                    "SELECT * EXCLUDE (hashes, weights) FROM _ev_features")
        con.execute("INSERT INTO event_keys BY NAME "
                    "SELECT unnest(hashes) AS key_hash, article_id, match_at, reported_day, "
                    "mission_id, unnest(weights) AS weight FROM _ev_features")
    finally:
        con.unregister("_ev_features")


def _links(con, arts: list[_Item]) -> list[tuple[str, str, Link]]:
    """Every link between a batch article and another article (stored or in the batch),
    each pair once. One equality join on key hashes finds the articles that share keys
    with the batch's, within the window, with compatible missions and days at most one
    apart, and sums the weights of the shared keys: the rule's evidence, since a key found in
    more than MAX_KEY_ARTICLES articles within the window around an article is no evidence
    for it (and finds no candidates). Pairs with too little evidence stop there; the rest are
    checked by ``link`` on the full fingerprints (home-side anchor, undated articles)."""
    import pyarrow as pa

    w = int(WINDOW_DAYS)
    lo = min(a.match_at for a in arts) - dt.timedelta(days=w + 1)
    hi = max(a.match_at for a in arts) + dt.timedelta(days=w + 1)
    con.register("_ev_new", pa.table({"article_id": pa.array([a.article_id for a in arts],
                                                               pa.string())}))
    try:
        rows = con.execute(f"""
            WITH q AS (
                SELECT k.key_hash, k.article_id, k.match_at, k.reported_day, k.mission_id,
                       CAST(k.match_at AS DATE) AS d
                FROM event_keys k JOIN _ev_new USING (article_id)
            ),
            daily AS (  -- how many articles carry each key, day by day (UTC)
                SELECT key_hash, CAST(match_at AS DATE) AS d, count(*) AS n FROM event_keys
                WHERE match_at BETWEEN ? AND ?
                  AND key_hash IN (SELECT DISTINCT key_hash FROM q)
                GROUP BY ALL
            ),
            freq AS (   -- ... within the window around each batch article
                SELECT q.article_id, q.key_hash, sum(daily.n) AS n
                FROM q JOIN daily ON daily.key_hash = q.key_hash
                 AND daily.d BETWEEN q.d - {w} AND q.d + {w}
                GROUP BY ALL
            ),
            selective AS (
                SELECT q.* FROM q JOIN freq USING (article_id, key_hash)
                WHERE freq.n <= {int(MAX_KEY_ARTICLES)}
            ),
            near AS (   -- the stored rows of those keys around the batch
                SELECT k.* FROM event_keys k
                WHERE k.match_at BETWEEN ? AND ?
                  AND k.key_hash IN (SELECT DISTINCT key_hash FROM selective)
            ),
            hits AS (
                SELECT q.article_id AS a, s.article_id AS b, s.weight,
                       q.reported_day AS day_a, s.reported_day AS day_b
                FROM selective q JOIN near s USING (key_hash)
                WHERE s.article_id <> q.article_id
                  AND s.match_at > q.match_at - INTERVAL {w} DAY
                  AND s.match_at < q.match_at + INTERVAL {w} DAY
                  AND (s.mission_id IS NULL OR q.mission_id IS NULL
                       OR s.mission_id = q.mission_id)
                  AND (s.reported_day IS NULL OR q.reported_day IS NULL
                       OR abs(s.reported_day - q.reported_day) <= 1)
            ),
            pairs AS (
                SELECT a, b, sum(weight) AS score,
                       bool_and(day_a IS NOT NULL AND day_b IS NOT NULL) AS dated
                FROM hits GROUP BY a, b
            )
            SELECT a, b, NULL FROM pairs
            WHERE score >= CASE WHEN dated THEN {MIN_EVIDENCE} ELSE {STRONG_EVIDENCE} END - 1e-9
            UNION ALL
            SELECT article_id, NULL, key_hash FROM freq WHERE n > {int(MAX_KEY_ARTICLES)}
            ORDER BY ALL""", [lo, hi, lo, hi]).fetchall()
    finally:
        con.unregister("_ev_new")
    hot: dict[str, set[int]] = {}
    for a_id, _b, h in rows:
        if h is not None:
            hot.setdefault(a_id, set()).add(h)
    pairs = [(a, b) for a, b, h in rows if h is None]
    common = {}
    for a in arts:
        if a.article_id in hot:
            mine_hot = hot[a.article_id]
            common[a.article_id] = frozenset(k for k in a.keys if key_hash(k) in mine_hot)
    mine = {a.article_id: a.article() for a in arts}
    others = _stored_articles(con, {b for _, b in pairs if b not in mine})
    out, linked = [], set()
    for a_id, b_id in pairs:
        pair = tuple(sorted((a_id, b_id)))
        if pair in linked:
            continue  # two batch articles come both ways: what is common is per article
        a, b = mine[a_id], mine.get(b_id) or others.get(b_id)
        if b is None or a.story_id == b.story_id:
            continue
        found = link(a, b, common.get(a_id, frozenset()))
        if found:
            linked.add(pair)
            labels = {k: a.label(k) if a.label(k) != display(k) else b.label(k)
                      for k in found.shared}
            out.append((a_id, b_id, Link(found.score, tuple(labels[k] for k in found.shared))))
    return out


def _stored_articles(con, article_ids: set[str]) -> dict[str, Article]:
    if not article_ids:
        return {}
    import pyarrow as pa

    con.register("_ev_want", pa.table({"article_id": pa.array(sorted(article_ids), pa.string())}))
    try:
        rows = con.execute(
            "SELECT f.article_id, f.story_id, f.mission_id, f.match_at, f.reported_day, f.keys, "
            "f.shown, f.day_cue FROM event_features f JOIN _ev_want USING (article_id)").fetchall()
    finally:
        con.unregister("_ev_want")
    return {aid: Article(aid, story, mission, _utc(match_at), day, frozenset(keys),
                         tuple(shown or ()), is_relative(cue))
            for aid, story, mission, match_at, day, keys, shown, cue in rows}


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc) if value.tzinfo else \
        value.replace(tzinfo=dt.timezone.utc)


def _group(con, arts: list[_Item], links: list[tuple[str, str, Link]],
           stamp: dt.datetime) -> dict[str, str]:
    """Stories joined by links form events: the stories already in events keep theirs, events
    brought together merge into the oldest, and stories in no event found one."""
    import pyarrow as pa

    story_of = {a.article_id: a.story_id for a in arts}
    linked_stored = {b for _, b, _ in links if b not in story_of}
    if linked_stored:
        story_of.update(_stories_of(con, linked_stored))
    stories = sorted({story_of[a.article_id] for a in arts} | set(story_of.values()))
    con.register("_ev_stories", pa.table({"story_id": pa.array(stories, pa.string())}))
    try:
        current = dict(con.execute(
            "SELECT es.story_id, es.event_id FROM event_stories es "
            "JOIN _ev_stories USING (story_id)").fetchall())
        # When each story began: its original's date, else (an article without a text has no
        # stories row) its earliest fingerprinted article.
        began = {}
        for story, when in con.execute("""
                SELECT story_id, min(t) FROM (
                    SELECT s.story_id, s.original_date AS t FROM stories s
                    JOIN _ev_stories USING (story_id)
                    UNION ALL
                    SELECT f.story_id, f.match_at FROM event_features f
                    JOIN _ev_stories USING (story_id))
                GROUP BY story_id""").fetchall():
            began[story] = _utc(when)
    finally:
        con.unregister("_ev_stories")
    events = {}
    if current:
        events = {e: (f, _utc(t)) for e, f, t in con.execute(
            "SELECT event_id, founding_story_id, founded_at FROM events WHERE event_id IN "
            "(SELECT unnest(?))", [sorted(set(current.values()))]).fetchall()}

    # Union-find over stories and events: a story in an event is that event's node.
    parent: dict[str, str] = {}

    def node(story: str) -> str:
        return "e:" + current[story] if story in current else "s:" + story

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best: dict[str, tuple] = {}  # story -> the strongest link that touches it
    for a_id, b_id, found in links:
        sa, sb = story_of[a_id], story_of.get(b_id)
        if sb is None or sa == sb:
            continue
        ra, rb = find(node(sa)), find(node(sb))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        for story, mine, other in ((sa, a_id, b_id), (sb, b_id, a_id)):
            cand = (found.score, mine, other, found.shared)
            if story not in best or (cand[0], cand[1], cand[2]) > best[story][:3]:
                best[story] = cand

    groups: dict[str, set[str]] = {}
    for story in {s for s in best}:
        groups.setdefault(find(node(story)), set()).add(story)
    event_rows, member_rows, retired = [], [], []
    result: dict[str, str] = {}
    for root, members in sorted(groups.items()):
        olds = sorted({current[s] for s in members if s in current}
                      | ({root[2:]} if root.startswith("e:") else set()),
                      key=lambda e: (events[e][1], e) if e in events else (stamp, e))
        if olds:
            survivor = olds[0]
            for other in olds[1:]:
                retired.append((other, survivor))
        else:
            founder = min(members, key=lambda s: (began.get(s, stamp), s))
            survivor = event_id_for(founder)
            event_rows.append((survivor, founder, began.get(founder, stamp)))
        for s in sorted(members):
            if current.get(s) == survivor:
                continue
            if s in current:
                continue  # its whole event moves with the merge below
            score, mine, other, shared = best[s]
            founding = not olds and s == event_rows[-1][1]
            member_rows.append({
                "story_id": s, "event_id": survivor,
                "article_id": mine, "linked_article_id": None if founding else other,
                "score": None if founding else score,
                "shared": [] if founding else list(shared[:12]),
                "joined_at": stamp})
            result[s] = survivor
    _write_group(con, event_rows, member_rows, retired, stamp)
    for a in arts:
        ev = result.get(a.story_id) or _event_after(current.get(a.story_id), retired)
        if ev:
            result[a.story_id] = ev
    return result


def _event_after(event_id: str | None, retired: list[tuple[str, str]]) -> str | None:
    for old, survivor in retired:
        if old == event_id:
            return survivor
    return event_id


def _stories_of(con, article_ids: set[str]) -> dict[str, str]:
    return dict(con.execute(
        "SELECT article_id, story_id FROM event_features WHERE article_id IN (SELECT unnest(?))",
        [sorted(article_ids)]).fetchall())


def _write_group(con, event_rows, member_rows, retired, stamp) -> None:
    import pyarrow as pa

    if event_rows:
        con.executemany(
            "INSERT INTO events (event_id, founding_story_id, founded_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)", [[e, f, t, stamp, stamp] for e, f, t in event_rows])
    if member_rows:
        con.register("_ev_members", pa.table({
            "story_id": pa.array([r["story_id"] for r in member_rows], pa.string()),
            "event_id": pa.array([r["event_id"] for r in member_rows], pa.string()),
            "article_id": pa.array([r["article_id"] for r in member_rows], pa.string()),
            "linked_article_id": pa.array([r["linked_article_id"] for r in member_rows],
                                          pa.string()),
            "score": pa.array([r["score"] for r in member_rows], pa.float64()),
            "shared": pa.array([r["shared"] for r in member_rows], pa.list_(pa.string())),
            "joined_at": pa.array([r["joined_at"] for r in member_rows],
                                  pa.timestamp("us", tz="UTC")),
        }))
        try:
            con.execute("INSERT INTO event_stories BY NAME SELECT * FROM _ev_members")
        finally:
            con.unregister("_ev_members")
    for old, survivor in retired:
        _merge(con, old, survivor, stamp, "merged")
    touched = {r["event_id"] for r in member_rows} | {s for _, s in retired}
    if touched:
        con.execute("UPDATE events SET updated_at = ? WHERE event_id IN (SELECT unnest(?))",
                    [stamp, sorted(touched)])


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

    stamp = now or dt.datetime.now(dt.timezone.utc)
    old_story_event = dict(con.execute("SELECT story_id, event_id FROM event_stories").fetchall())
    old_events = {e: (f, _utc(t)) for e, f, t in con.execute(
        "SELECT event_id, founding_story_id, founded_at FROM events").fetchall()}
    for table in ("event_stories", "events", "event_keys", "event_features"):
        con.execute(f"DELETE FROM {table}")

    wanted = sorted(a for a, fp in fingerprints.items() if fp)
    con.register("_ev_all", pa.table({"article_id": pa.array(wanted, pa.string())}))
    try:
        rows = con.execute(
            "SELECT a.article_id, a.story_id, a.mission_id, a.published_at, a.first_seen_at "
            "FROM articles a JOIN _ev_all USING (article_id) WHERE a.story_id IS NOT NULL"
        ).fetchall()
    finally:
        con.unregister("_ev_all")
    items = [{"article_id": aid, "story_id": story, "mission_id": mission,
              "published_at": _utc(pub) if pub else None, "first_seen_at": _utc(seen),
              "fingerprint": fingerprints[aid]}
             for aid, story, mission, pub, seen in rows]
    items.sort(key=lambda it: (it["published_at"] or it["first_seen_at"], it["article_id"]))
    for start in range(0, len(items), CHUNK):
        assign_events(con, items[start:start + CHUNK], now=stamp)

    new_story_event = dict(con.execute("SELECT story_id, event_id FROM event_stories").fetchall())
    new_events = {e: f for e, f in con.execute(
        "SELECT event_id, founding_story_id FROM events").fetchall()}
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

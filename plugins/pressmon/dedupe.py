"""Exact and near-duplicate text: content hashes, MinHash signatures and story clustering.

Owns the text side of "one article, one row" (`normalize_text`, `content_hash`) and "copies of
one text, one story" (`signature`, `assign_stories`). A story groups the copies of one text
(wire copy reprinted by several outlets, a lightly edited reprint); its *original* is its
earliest member.

How matching works: each article's text (minus recognisable boilerplate paragraphs) becomes a
set of word shingles, summarised by a MinHash signature of `NUM_PERM` 32-bit values. The
signature is cut into `BANDS` bands of `ROWS` values; two articles that share a band hash are
candidates (locality-sensitive hashing). Band hashes live in the DuckDB table `story_bands`,
so a fresh process finds candidates with one equality join instead of rebuilding an index.
Candidates are then verified on the full signatures (estimated Jaccard similarity of the
shingle sets >= `THRESHOLD`). Parameters and their measured effect: docs/dedupe.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from .text import Words

# Tuned on the dev part of tests/data/dedupe (see docs/dedupe.md). Changing SHINGLE, NUM_PERM,
# BANDS, ROWS or the hashing below makes stored signatures incomparable with new ones: bump
# SIGNATURE_VERSION, and stored articles must be re-signed.
SIGNATURE_VERSION = 1
SHINGLE = 5          # words per shingle
NUM_PERM = 128       # MinHash values per signature
ROWS = 3             # signature values per LSH band
BANDS = NUM_PERM // ROWS
THRESHOLD = 0.35     # minimum estimated Jaccard similarity for two texts to be copies
MAX_BAND_ARTICLES = 200  # a band hash shared by more stored articles than this is boilerplate
EMPTY = 0xFFFFFFFF   # the value of every slot of a signature of a text without words

_MASK64 = (1 << 64) - 1


def _seeded_u64(label: str, count: int) -> np.ndarray:
    # Derived from fixed labels with blake2b so that every process, machine and numpy version
    # computes the same hash functions (Python's hash() is salted per process).
    out = [int.from_bytes(hashlib.blake2b(f"pressmon:{label}:{i}".encode(), digest_size=8).digest(),
                          "little") for i in range(count)]
    return np.array(out, dtype=np.uint64)


# Multiply-shift hash family: h_j(x) = (a_j * x + b_j) mod 2^64, keep the high 32 bits.
_PERM_A = _seeded_u64("perm-a", NUM_PERM) | np.uint64(1)
_PERM_B = _seeded_u64("perm-b", NUM_PERM)
_SHINGLE_MULT = _seeded_u64("shingle", SHINGLE) | np.uint64(1)
_BAND_MULT = _seeded_u64("band", ROWS + 1) | np.uint64(1)

# Paragraphs that are the site's furniture rather than the article: newsletter boxes,
# membership appeals, sponsorship disclaimers, "read also" lists, copyright lines. Matched on
# normalised text (case-folded, accents stripped). Only paragraphs shorter than
# _BOILERPLATE_MAX_WORDS are dropped, so an article *about* newsletters keeps its body.
_BOILERPLATE_PHRASES = (
    "newsletter", "lettre d'information", "inscrivez-vous", "abonnez-vous", "desabonner",
    "a lire aussi", "lire aussi", "a voir aussi", "partenariat editorial", "contenu sponsorise",
    "tous droits reserves", "donnees personnelles",
    "sign up", "subscribe", "unsubscribe", "related:", "read more:", "read also",
    "all rights reserved", "content partnership", "sponsored content", "become a member",
    "privacy policy",
    "suscribase", "suscribete", "boletin", "darse de baja", "relacionados:", "lea tambien",
    "lee tambien", "todos los derechos reservados", "contenido patrocinado",
    "alianza de contenidos", "hagase socio", "politica de privacidad",
)
_BOILERPLATE = re.compile(r"\b(" + "|".join(map(re.escape, _BOILERPLATE_PHRASES)) + ")")
# Substrings one of which every match holds (a phrase inside another is enough alone).
_BOILERPLATE_CLUES = tuple(p for p in _BOILERPLATE_PHRASES
                           if not any(q != p and q in p for q in _BOILERPLATE_PHRASES))
_BOILERPLATE_MAX_WORDS = 120

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "",
})
# Normalised texts are mostly ASCII (accents and typography are folded): Words' fast path.
_WORDS = Words(r"\w+")
# The combining-mark blocks: what remains of an accent after NFKD decomposition.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# No replacement holds a replaced character, so replacing one character after another
# gives what one simultaneous translation would.
_TYPOGRAPHY_PAIRS = tuple((chr(code), plain) for code, plain in _TYPOGRAPHY.items())


def normalize_text(text: str) -> str:
    """Text as compared: Unicode-normalised, typographic quotes and dashes made plain,
    case-folded, accents stripped, runs of spaces collapsed, paragraphs kept (one blank line).

    Accents are stripped because outlets differ on accented capitals ("Etat"/"État") and
    some feeds lose them; copies must not diverge on that.
    """
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    if not t.isascii():
        # str.replace per character present: a str.translate with a dict looks every
        # character up and cost five times the rest of this function.
        for char, plain in _TYPOGRAPHY_PAIRS:
            if char in t:
                t = t.replace(char, plain)
    t = t.casefold()
    if not t.isascii():
        t = _COMBINING.sub("", unicodedata.normalize("NFKD", t))
    # Extracted texts rarely hold a run of spaces or a tab: look before rewriting.
    if "  " in t or "\t" in t or "\r" in t or "\f" in t or "\v" in t:
        t = _SPACE.sub(" ", t)
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(t):
        line = block.replace("\n", " ")
        if "  " in line:  # a newline beside a space
            line = _SPACE.sub(" ", line)
        line = line.strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def content_hash(title: str | None, text: str) -> str:
    """Hex SHA-256 of the normalised title and text: the same text, whatever its typography
    or whitespace, gives the same hash (exact duplicates, revisions)."""
    return _hash_normalized(normalize_text(title or ""), normalize_text(text or ""))


def _hash_normalized(title: str, text: str) -> str:
    return hashlib.sha256((title + "\x1f" + text).encode("utf-8")).hexdigest()


def fingerprint(title: str | None, text: str) -> tuple[str, np.ndarray | None]:
    """(`content_hash`, `signature_array`) of an article, its text normalised once; the
    signature is None for an empty text."""
    normalized = normalize_text(text or "")
    digest = _hash_normalized(normalize_text(title or ""), normalized)
    return digest, (minhash(_shingles(normalized)) if text else None)


def strip_boilerplate(normalized: str) -> str:
    """`normalized` (from normalize_text) without its boilerplate paragraphs; unchanged when
    every paragraph would go (then the text is all we have)."""
    # A match needs one of the phrases as a substring: most texts hold none, and looking
    # for plain substrings is far cheaper than the pattern on every paragraph.
    if not any(clue in normalized for clue in _BOILERPLATE_CLUES):
        return normalized
    paragraphs = normalized.split("\n\n")
    kept = [p for p in paragraphs
            if p.count(" ") >= _BOILERPLATE_MAX_WORDS or not _BOILERPLATE.search(p)]
    return "\n\n".join(kept) if kept else normalized


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def shingle_hashes(text: str) -> np.ndarray:
    """64-bit hashes of the distinct word shingles of `text` (normalised, boilerplate removed)."""
    return np.unique(_shingles(normalize_text(text)))


def _shingles(normalized: str) -> np.ndarray:
    """The shingle hashes of a normalised text, repeats included (MinHash ignores them)."""
    words = _WORDS(strip_boilerplate(normalized))
    if not words:
        return np.empty(0, dtype=np.uint64)
    w = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    k = min(SHINGLE, len(w))  # a text shorter than a shingle is one shingle
    n = len(w) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        acc = (acc ^ w[j:j + n]) * _SHINGLE_MULT[j]
    acc ^= acc >> np.uint64(29)
    return acc


def signature(text: str) -> list[int]:
    """MinHash signature (NUM_PERM unsigned 32-bit ints) of the word shingles of `text`.

    Deterministic across processes and machines. A text without words gives [EMPTY] * NUM_PERM,
    which never matches anything.
    """
    return signature_array(text).tolist()


def signature_array(text: str) -> np.ndarray:
    """`signature` as a numpy uint32 array."""
    return minhash(_shingles(normalize_text(text)))


def minhash(shingles: np.ndarray) -> np.ndarray:
    """MinHash (NUM_PERM uint32 values) of a set of 64-bit shingle hashes."""
    if shingles.size == 0:
        return np.full(NUM_PERM, EMPTY, dtype=np.uint32)
    # (shingles x permutations), in place: the products wrap mod 2^64 by design, and one
    # buffer instead of temporaries is what keeps this well under a millisecond.
    h = np.multiply(shingles[:, None], _PERM_A[None, :])
    h += _PERM_B
    return (h.min(axis=0) >> np.uint64(32)).astype(np.uint32)


def similarity(sig_a, sig_b) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    a = np.asarray(sig_a, dtype=np.uint32)
    b = np.asarray(sig_b, dtype=np.uint32)
    if a.shape != (NUM_PERM,) or b.shape != (NUM_PERM,):
        raise ValueError(f"signatures must have {NUM_PERM} values, got {a.shape} and {b.shape}")
    if _is_empty(a) or _is_empty(b):
        return 0.0
    return _agreement(a, b)


def _agreement(a: np.ndarray, b: np.ndarray) -> float:
    """The share of MinHash values two signatures agree on: the Jaccard estimate."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) int64 LSH band hashes of an (n, NUM_PERM) uint32 signature matrix; the
    band number is part of the hash so one column indexes every band."""
    n = sigs.shape[0]
    v = sigs[:, : BANDS * ROWS].astype(np.uint64).reshape(n, BANDS, ROWS)
    h = np.broadcast_to((np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * _BAND_MULT[ROWS],
                        (n, BANDS)).copy()
    for j in range(ROWS):
        h = (h ^ v[:, :, j]) * _BAND_MULT[j]
        h ^= h >> np.uint64(31)
    return h.view(np.int64)


def _is_empty(sig: np.ndarray) -> bool:
    return bool(np.all(sig == EMPTY))


def story_id_for(article_id: str) -> str:
    """The id of a story founded by `article_id`: derived from it, so that loading the same
    articles into a fresh database gives the same ids."""
    return "st_" + hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:16]


def assign_stories(con, items: list[dict], *, window_days: int = 7) -> dict[str, str]:
    """Cluster new or changed articles into stories; returns {article_id: story_id}.

    `con` is an open DuckDB connection inside the caller's transaction (this function neither
    commits nor rolls back). Each item: article_id, published_at (aware datetime or None),
    first_seen_at (aware datetime), signature (from `signature`). Articles already clustered
    keep their story (their signature and bands are refreshed). A new article joins the story
    of its most similar verified match among stored articles and the batch's earlier articles
    (order: date, first seen, id), or founds a new story. Only articles whose dates (published,
    else first seen) are within `window_days` of each other are compared.
    """
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    if not items:
        return {}
    import pyarrow as pa  # only the load path needs it

    batch = _validate(items)
    ids = [b["article_id"] for b in batch]
    sigs = np.stack([b["sig"] for b in batch])
    match_at = [b["match_at"] for b in batch]
    now = datetime.now(timezone.utc)
    _check_index_parameters(con, now)

    from .store import on_arrow

    id_table = pa.table({"article_id": ids})
    existing = dict(on_arrow(con, id_table, "_dedupe_ids",
                             "SELECT m.article_id, m.story_id FROM story_members m "
                             "JOIN _dedupe_ids USING (article_id)").fetchall())
    on_arrow(con, id_table, "_dedupe_ids",
             "DELETE FROM story_bands WHERE article_id IN (SELECT article_id FROM _dedupe_ids)")

    keys = band_keys(sigs)
    matchable = np.array([not _is_empty(s) for s in sigs])
    # One row per band of each matchable article, built by index from the batch's columns
    # (numpy indexing: pyarrow's take would load its compute kernels, 60 ms per process).
    rows = np.repeat(np.arange(len(batch)), BANDS)[np.repeat(matchable, BANDS)]
    band_col = keys[matchable].ravel()
    id_col = np.array(ids, dtype=object)
    at_col = pa.array(match_at, pa.timestamp("us", tz="UTC")).to_numpy(zero_copy_only=False)

    def band_rows(sel) -> pa.Table:
        return pa.table({
            "band_key": pa.array(band_col[sel], pa.int64()),
            "article_id": pa.array(id_col[rows[sel]], pa.string()),
            "match_at": pa.array(at_col[rows[sel]], pa.timestamp("us", tz="UTC")),
        })

    on_arrow(con, band_rows(slice(None)), "_dedupe_bands",
             "INSERT INTO story_bands BY NAME SELECT * FROM _dedupe_bands")
    new_mask = np.array([matchable[i] and ids[i] not in existing for i in range(len(batch))])
    candidates = []
    if new_mask.any():
        candidates = _candidates(con, band_rows(new_mask[rows]), window_days)

    index = {aid: i for i, aid in enumerate(ids)}
    stored = _stored_members(con, {b for _, b in candidates if b not in index})
    edges: dict[str, list[tuple[float, str]]] = {}
    for a, b in candidates:
        other = sigs[index[b]] if b in index else stored[b][1]
        sim = _agreement(sigs[index[a]], other)
        if sim >= THRESHOLD:
            edges.setdefault(a, []).append((sim, b))

    # Greedy in a canonical order, so the grouping does not depend on the order of `items`.
    story_of: dict[str, str] = dict(existing)
    story_of.update({b: m[0] for b, m in stored.items()})
    order = sorted(range(len(batch)), key=lambda i: (match_at[i], batch[i]["first_seen_at"], ids[i]))
    joined: dict[str, tuple[str, float]] = {}
    new_stories = []
    for i in order:
        aid = ids[i]
        if aid in existing:
            continue
        options = [(sim, b) for sim, b in edges.get(aid, []) if b in story_of]
        if options:
            options.sort(key=lambda o: (-o[0], _when(o[1], index, match_at, stored), o[1]))
            sim, via = options[0]
            story_of[aid] = story_of[via]
            joined[aid] = (via, sim)
        else:
            story_of[aid] = story_id_for(aid)
            new_stories.append(aid)

    members = pa.table({
        "article_id": pa.array(ids, pa.string()),
        "story_id": pa.array([story_of[a] for a in ids], pa.string()),
        "match_at": pa.array(match_at, pa.timestamp("us", tz="UTC")),
        "published_at": pa.array([b["published_at"] for b in batch], pa.timestamp("us", tz="UTC")),
        "first_seen_at": pa.array([b["first_seen_at"] for b in batch], pa.timestamp("us", tz="UTC")),
        "signature": pa.array([s.astype("<u4").tobytes() for s in sigs], pa.binary()),
        "matched_article_id": pa.array([joined.get(a, (None, None))[0] for a in ids], pa.string()),
        "similarity": pa.array([joined.get(a, (None, None))[1] for a in ids], pa.float64()),
        "new": pa.array([a not in existing for a in ids], pa.bool_()),
        "stamp": pa.array([now] * len(ids), pa.timestamp("us", tz="UTC")),
    })
    # Existing members keep their story and how they joined it; only the text-derived
    # columns change.
    on_arrow(con, members, "_dedupe_members", """
        UPDATE story_members SET signature = n.signature, match_at = n.match_at,
               published_at = n.published_at, first_seen_at = n.first_seen_at,
               updated_at = n.stamp
        FROM _dedupe_members n
        WHERE story_members.article_id = n.article_id AND NOT n.new""")
    on_arrow(con, members, "_dedupe_members", """
        INSERT INTO story_members BY NAME
        SELECT article_id, story_id, match_at, published_at, first_seen_at, signature,
               matched_article_id, similarity, stamp AS assigned_at, stamp AS updated_at
        FROM _dedupe_members WHERE new""")
    touched = sorted({story_of[a] for a in ids})
    _refresh_stories(con, touched, now)
    return {a: story_of[a] for a in ids}


def _check_index_parameters(con, now: datetime) -> None:
    current = (SIGNATURE_VERSION, NUM_PERM, ROWS, SHINGLE)
    # fetchall, not fetchone: DuckDB keeps a partly fetched result open on the connection.
    rows = con.execute("SELECT signature_version, num_perm, band_rows, shingle_words "
                       "FROM story_index_meta").fetchall()
    row = rows[0] if rows else None
    if row is None:
        con.execute("INSERT INTO story_index_meta VALUES (?, ?, ?, ?, ?)", [*current, now])
    elif tuple(row) != current:
        raise RuntimeError(
            f"the stored story index was built with signature version {row[0]} ({row[1]} "
            f"permutations, {row[2]} rows per band, {row[3]}-word shingles) but this pressmon "
            f"uses version {current[0]} ({current[1]}, {current[2]}, {current[3]}): re-sign the "
            f"stored articles (empty story_bands and story_index_meta, then assign_stories on "
            f"every article with a new signature) before loading new ones")


def _validate(items: list[dict]) -> list[dict]:
    out, seen = [], set()
    for n, item in enumerate(items):
        try:
            aid = item["article_id"]
            first_seen = item["first_seen_at"]
            sig = item["signature"]
        except KeyError as exc:
            raise ValueError(f"assign_stories: item {n} has no {exc.args[0]!r}") from None
        if not isinstance(aid, str) or not aid:
            raise ValueError(f"assign_stories: item {n} has an empty or non-string article_id")
        if aid in seen:
            raise ValueError(f"assign_stories: article_id {aid!r} appears twice in one batch")
        seen.add(aid)
        published = item.get("published_at")
        for name, value in (("first_seen_at", first_seen), ("published_at", published)):
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise ValueError(f"assign_stories: {name} of {aid!r} must be an aware datetime, got {value!r}")
        if first_seen is None:
            raise ValueError(f"assign_stories: first_seen_at of {aid!r} is missing")
        arr = np.asarray(sig, dtype=np.int64)
        if arr.shape != (NUM_PERM,) or arr.min() < 0 or arr.max() > EMPTY:
            raise ValueError(f"assign_stories: signature of {aid!r} must be {NUM_PERM} unsigned "
                             f"32-bit ints from pressmon.dedupe.signature()")
        out.append({
            "article_id": aid,
            "published_at": published.astimezone(timezone.utc) if published else None,
            "first_seen_at": first_seen.astimezone(timezone.utc),
            "match_at": (published or first_seen).astimezone(timezone.utc),
            "sig": arr.astype(np.uint32),
        })
    return out


def _candidates(con, new_bands, window_days: int) -> list[tuple[str, str]]:
    """Pairs (new article, other article) sharing a band hash within the window; band hashes
    shared by more than MAX_BAND_ARTICLES articles (site furniture) are ignored.
    ``new_bands``: the band rows (band_key, article_id, match_at) of the new articles."""
    from .store import on_arrow

    return on_arrow(con, new_bands, "q", f"""
        WITH hits AS (
            SELECT q.article_id AS a, s.article_id AS b, q.band_key
            FROM q JOIN story_bands s ON s.band_key = q.band_key
            WHERE s.article_id <> q.article_id
              AND s.match_at BETWEEN q.match_at - INTERVAL {int(window_days)} DAY
                                 AND q.match_at + INTERVAL {int(window_days)} DAY
        ),
        hot AS (
            SELECT band_key FROM hits GROUP BY band_key
            HAVING count(DISTINCT b) > {int(MAX_BAND_ARTICLES)}
        )
        SELECT DISTINCT a, b FROM hits
        WHERE band_key NOT IN (SELECT band_key FROM hot)
        ORDER BY a, b""").fetchall()


def _stored_members(con, article_ids: set[str]) -> dict[str, tuple[str, np.ndarray, datetime]]:
    """{article_id: (story_id, signature, match_at)} of stored articles."""
    if not article_ids:
        return {}
    import pyarrow as pa

    from .store import on_arrow

    rows = on_arrow(con, pa.table({"article_id": sorted(article_ids)}), "_dedupe_want",
                    "SELECT m.article_id, m.story_id, m.signature, m.match_at "
                    "FROM story_members m JOIN _dedupe_want USING (article_id)").fetchall()
    return {a: (s, np.frombuffer(sig, dtype="<u4"), t) for a, s, sig, t in rows}


def _when(article_id, index, match_at, stored):
    if article_id in index:
        return match_at[index[article_id]]
    return stored[article_id][2]


def _refresh_stories(con, story_ids: list[str], now: datetime) -> None:
    """Recompute original (earliest member), first seen and size of the given stories."""
    import pyarrow as pa

    from .store import on_arrow

    on_arrow(con, pa.table({"story_id": story_ids}), "_dedupe_touched", """
        CREATE OR REPLACE TEMP TABLE _dedupe_story_state AS
        SELECT story_id,
               arg_min(article_id, (match_at, first_seen_at, article_id)) AS original_article_id,
               min(match_at) AS original_date,
               min(first_seen_at) AS first_seen_at,
               count(*)::INTEGER AS article_count
        FROM story_members JOIN _dedupe_touched USING (story_id)
        GROUP BY story_id""")
    con.execute("""
        UPDATE stories SET original_article_id = s.original_article_id,
               original_date = s.original_date, first_seen_at = s.first_seen_at,
               article_count = s.article_count, updated_at = ?
        FROM _dedupe_story_state s WHERE stories.story_id = s.story_id""", [now])
    con.execute("""
        INSERT INTO stories BY NAME
        SELECT s.*, ? AS created_at, ? AS updated_at FROM _dedupe_story_state s
        WHERE s.story_id NOT IN (SELECT story_id FROM stories)""", [now, now])
    con.execute("DROP TABLE _dedupe_story_state")

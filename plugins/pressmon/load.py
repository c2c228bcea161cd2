"""The load: one cycle's staged files into DuckDB, in one transaction, idempotently.

It owns article identity ("one article, one row"): records that share a canonical URL are one
article whatever the feeds and outlets that list them, and so are records of one outlet that
share a normalised text; an article seen before keeps its id and row, and an edited one gets a
revision. Story grouping is delegated to ``dedupe``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa

from . import store
from .config import MissionsConfig, SourcesConfig
from .dates import now, parse_time
from .settings import Paths
from .staging import CLASSIFIED_FILE, PAGES_FILE, read_jsonl, signature_values
from .store import fetch_one

log = logging.getLogger("pressmon.load")

# Below this many words two pages with one text are more likely empty shells (a paywall,
# an error page) than one article under two URLs, so the text alone does not merge them.
MIN_WORDS_FOR_TEXT_IDENTITY = 40

TS = pa.timestamp("us", tz="UTC")
ARTICLE_COLUMNS = [
    ("article_id", pa.string()), ("source", pa.string()), ("outlet", pa.string()),
    ("region", pa.string()), ("url", pa.string()), ("canonical_url", pa.string()),
    ("title", pa.string()), ("summary", pa.string()), ("text", pa.string()),
    ("author", pa.string()), ("published_at", TS), ("updated_at", TS),
    ("first_seen_at", TS), ("last_seen_at", TS), ("cycle_id", pa.string()),
    ("content_hash", pa.string()), ("word_count", pa.int32()), ("revision", pa.int32()),
    ("language", pa.string()), ("language_confidence", pa.float64()),
    ("language_mix", pa.float64()), ("relevant", pa.bool_()),
    ("relevance_score", pa.float64()), ("matched_terms", pa.list_(pa.string())),
    ("mission_id", pa.string()), ("topics", pa.list_(pa.string())),
    ("rules_version", pa.string()), ("classified_at", TS), ("story_id", pa.string()),
    ("topic_terms", pa.list_(pa.string())),
]
# What reclassify rewrites: the tags, not the text.
TAG_COLUMNS = [(name, typ) for name, typ in ARTICLE_COLUMNS
               if name in ("article_id", "language", "language_confidence", "language_mix",
                           "relevant", "relevance_score", "matched_terms", "mission_id",
                           "topics", "topic_terms", "rules_version", "classified_at")]


def article_id_for(canonical_url: str) -> str:
    """A new article's id, from its canonical URL alone: one URL is one article whoever lists
    it. Stored articles keep the id they were given (earlier versions hashed the outlet in)."""
    return hashlib.sha256(canonical_url.encode()).hexdigest()[:16]


class Key(msgspec.Struct):
    """What pass 1 keeps of a record: enough to decide identity, not the text (decoded from
    the record's line without reading the rest)."""

    source: str
    position: int
    entry_index: int
    outlet: str
    canonical_url: str
    url: str
    content_hash: str
    canonical_guess: str | None = None
    final_url: str | None = None
    word_count: int | None = 0
    extract_error: str | None = None
    file: Any = None     # the record's file and line, set by _scan
    line: int = 0

    @property
    def order(self):
        return (self.position, self.entry_index)


class _PageLogFields(msgspec.Struct):
    """What page_log needs of a staged page record."""

    link: str
    page_outcome: str | None = None
    fetched_at: str | None = None
    http_status: int | None = None
    error: str | None = None
    duration_ms: int | None = None


class UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Plan:
    new: dict[int, list[Key]] = field(default_factory=dict)       # group -> keys
    new_ids: dict[int, str] = field(default_factory=dict)
    existing: dict[int, list[Key]] = field(default_factory=dict)
    existing_ids: dict[int, str] = field(default_factory=dict)


def _record_files(feeds) -> list[Path]:
    files = []
    for _source, outcome, fdir in feeds:
        if outcome.get("outcome") != "ok":
            continue
        f = fdir / CLASSIFIED_FILE
        if f.exists():
            files.append(f)
        elif outcome.get("pages"):
            # Extraction or tagging did not finish (a failed task): forget the feed's
            # validators, so that the next cycle reads the feed again and fetches them.
            log.warning("%s: pages fetched but not extracted/classified; they will be "
                        "fetched again next cycle", fdir.name)
            outcome["state"] = None
            outcome["incomplete"] = "pages fetched but not extracted"
    return files


def _scan(files: list[Path]) -> list[Key]:
    keys = []
    for f in files:
        for i, k in enumerate(read_jsonl(f, Key)):
            k.file, k.line, k.word_count = f, i, k.word_count or 0
            keys.append(k)
    keys.sort(key=lambda k: k.order)
    return keys


def _plan(con, keys: list[Key]) -> Plan:
    uf = UnionFind()
    for n, k in enumerate(keys):
        node = ("r", n)
        uf.union(node, ("c", k.canonical_url))
        if k.canonical_guess:
            uf.union(node, ("c", k.canonical_guess))
        if k.word_count >= MIN_WORDS_FOR_TEXT_IDENTITY:
            uf.union(node, ("h", k.outlet, k.content_hash))

    # Stored articles reachable through any of these URLs or texts.
    urls = sorted({u for k in keys for u in (k.canonical_url, k.canonical_guess) if u})
    hashes = sorted({k.content_hash for k in keys if k.word_count >= MIN_WORDS_FOR_TEXT_IDENTITY})
    stored: dict[str, tuple] = {}
    for aid, canon, first_seen in con.execute(
        "SELECT a.article_id, al.canonical_url, a.first_seen_at "
        "FROM article_aliases al JOIN articles a USING (article_id) "
        "WHERE al.canonical_url IN (SELECT unnest(?))", [urls]).fetchall():
        uf.union(("c", canon), ("a", aid))
        stored[aid] = (first_seen, aid)
    for aid, canon, first_seen in con.execute(
        "SELECT article_id, canonical_url, first_seen_at FROM articles "
        "WHERE canonical_url IN (SELECT unnest(?))", [urls]).fetchall():
        uf.union(("c", canon), ("a", aid))
        stored[aid] = (first_seen, aid)
    for aid, outlet, h, first_seen in con.execute(
        "SELECT article_id, outlet, content_hash, first_seen_at FROM articles "
        "WHERE content_hash IN (SELECT unnest(?)) AND word_count >= ?",
        [hashes, MIN_WORDS_FOR_TEXT_IDENTITY]).fetchall():
        uf.union(("h", outlet, h), ("a", aid))
        stored[aid] = (first_seen, aid)

    groups: dict = {}
    for n, _k in enumerate(keys):
        groups.setdefault(uf.find(("r", n)), []).append(n)
    members_stored: dict = {}
    for aid in stored:
        members_stored.setdefault(uf.find(("a", aid)), []).append(aid)

    plan = Plan()
    for g, (root, idxs) in enumerate(sorted(groups.items(), key=lambda kv: min(kv[1]))):
        ks = [keys[i] for i in idxs]
        olds = members_stored.get(root)
        if olds:
            # The earliest stored article wins; stored rows are never merged or renumbered.
            target = min(olds, key=lambda a: stored[a])
            plan.existing[g] = ks
            plan.existing_ids[g] = target
        else:
            plan.new[g] = ks
            plan.new_ids[g] = article_id_for(min(k.canonical_url for k in ks))
    return plan


def _iter_records(wanted: dict[tuple[Path, int], int]):
    """Pass 2: stream back only the chosen records, one file at a time, as (group, record):
    the texts of a whole cycle are never in memory together."""
    by_file: dict[Path, dict[int, int]] = {}
    for (f, line), g in wanted.items():
        by_file.setdefault(f, {})[line] = g
    for f, lines in by_file.items():
        for i, rec in enumerate(read_jsonl(f)):
            if i in lines:
                yield lines[i], rec


INSERT_BATCH = 2000
STORY_CHUNK = 2000


def _article_row(rec: dict, article_id: str, cycle_id: str, seen: dt.datetime,
                 first_seen: dt.datetime, revision: int, source: str, region: str,
                 url: str, canonical: str) -> dict:
    return {
        "article_id": article_id, "source": source, "outlet": rec["outlet"], "region": region,
        "url": url, "canonical_url": canonical, "title": rec.get("title"),
        "summary": rec.get("summary"), "text": rec.get("text"), "author": rec.get("author"),
        "published_at": parse_time(rec.get("published_at")),
        "updated_at": parse_time(rec.get("updated_at")),
        "first_seen_at": first_seen, "last_seen_at": seen, "cycle_id": cycle_id,
        "content_hash": rec["content_hash"], "word_count": rec.get("word_count"),
        "revision": revision, "language": rec.get("language"),
        "language_confidence": rec.get("language_confidence"),
        "language_mix": rec.get("language_mix"), "relevant": bool(rec.get("relevant")),
        "relevance_score": rec.get("relevance_score"),
        "matched_terms": list(rec.get("matched_terms") or []),
        "mission_id": rec.get("mission_id"), "topics": list(rec.get("topics") or ["other"]),
        "rules_version": rec.get("rules_version"), "classified_at": seen, "story_id": None,
        "topic_terms": list(rec.get("topic_terms") or []),
    }


def _arrow(rows: list[dict], schema: list[tuple]) -> pa.Table:
    return pa.table({name: pa.array([r.get(name) for r in rows], type=typ)
                     for name, typ in schema})


def _insert_rows(con, table_name: str, rows: list[dict], schema: list[tuple]) -> None:
    """Bulk insert by column name from an Arrow table (never row by row)."""
    if not rows:
        return
    view = f"_pm_{table_name}"
    store.on_arrow(con, _arrow(rows, schema), view,
                   f"INSERT INTO {table_name} BY NAME SELECT * FROM {view}")


def _insert_articles(con, rows: list[dict]) -> None:
    _insert_rows(con, "articles", rows, ARTICLE_COLUMNS)


FETCH_LOG_SCHEMA = [("cycle_id", pa.string()), ("source", pa.string()), ("url", pa.string()),
                    ("started_at", TS), ("outcome", pa.string()), ("http_status", pa.int32()),
                    ("error", pa.string()), ("items", pa.int32()), ("duration_ms", pa.int32()),
                    ("new_articles", pa.int32()), ("runner", pa.string()),
                    ("loaded_at", TS), ("updated_articles", pa.int32()),
                    ("relevant_articles", pa.int32()), ("new_stories", pa.int32()),
                    ("rules_version", pa.string()), ("load_key", pa.string()),
                    ("warning", pa.string())]
PAGE_LOG_SCHEMA = [("cycle_id", pa.string()), ("source", pa.string()), ("url", pa.string()),
                   ("fetched_at", TS), ("outcome", pa.string()), ("http_status", pa.int32()),
                   ("error", pa.string()), ("duration_ms", pa.int32())]
ALIAS_SCHEMA = [("url", pa.string()), ("canonical_url", pa.string()),
                ("article_id", pa.string()), ("source", pa.string()), ("first_seen_at", TS)]


def _refresh_sources(con, sources: SourcesConfig, at: dt.datetime) -> None:
    """Mirror sources.yaml, rewriting the table only when the configuration changed."""
    wanted = [(s.name, s.url, s.region, s.language, s.outlet, s.position, s.is_home)
              for s in sources.sources]
    stored = con.execute("SELECT name, url, region, language, outlet, position, is_home "
                         "FROM sources ORDER BY position").fetchall()
    if stored == wanted:
        return
    # An article's outlet is its feed's: when a feed's outlet is renamed (or its default
    # becomes the feed's site), the articles stored under the old name follow.
    old_outlet = {row[0]: row[4] for row in stored}
    for s in sources.sources:
        was = old_outlet.get(s.name)
        if was is not None and was != s.outlet:
            con.execute("UPDATE articles SET outlet = ? WHERE source = ? AND outlet = ?",
                        [s.outlet, s.name, was])
    con.execute("DELETE FROM sources")
    con.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [[*row, at] for row in wanted])


def _refresh_missions(con, missions: MissionsConfig) -> None:
    wanted = [(m.id, m.name, m.partner, m.start, m.end, m.partner_region, list(m.terms))
              for m in missions.missions]
    stored = con.execute("SELECT mission_id, name, partner, start_date, end_date, "
                         "partner_region, terms FROM missions ORDER BY rowid").fetchall()
    if stored == wanted:
        return
    con.execute("DELETE FROM missions")
    if wanted:
        con.executemany("INSERT INTO missions VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [list(row) for row in wanted])


def _refresh_display_names(con, sources: SourcesConfig, missions: MissionsConfig, feeds,
                           at: dt.datetime) -> None:
    """Titles from sources.yaml and the channel titles fetched in this cycle (a feed keeps its
    last known channel title while it fails or is not modified); partners' French names.
    Rows are rewritten only when they change, so an unchanged cycle writes nothing here."""
    fetched = {source.name: outcome.get("channel_title") for source, outcome, _ in feeds
               if outcome.get("outcome") == "ok" and outcome.get("channel_title")}
    stored = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT source, title, channel_title FROM feed_titles").fetchall()}
    wanted = {}
    for s in sources.sources:
        channel = fetched.get(s.name) or (stored.get(s.name) or (None, None))[1]
        wanted[s.name] = (s.title, channel)
    if wanted != stored:
        con.execute("DELETE FROM feed_titles")
        con.executemany("INSERT INTO feed_titles VALUES (?, ?, ?, ?)",
                        [[name, title, channel, at] for name, (title, channel) in
                         wanted.items()])
    names = [(m.id, m.partner_fr) for m in missions.missions if m.partner_fr]
    if names != con.execute("SELECT mission_id, partner_fr FROM mission_names "
                            "ORDER BY rowid").fetchall():
        con.execute("DELETE FROM mission_names")
        if names:
            con.executemany("INSERT INTO mission_names VALUES (?, ?)", [list(n) for n in names])


def _update_feed_states(con, feeds, started: dt.datetime) -> None:
    """Conditional-GET validators and failure backoff, per feed.

    A row is rewritten only when something in it changes, so an unchanged cycle (every feed
    not modified) leaves the table as it was; the time of each attempt is in fetch_log.
    """
    # One read of every row and one write of the changed ones: a statement per feed cost
    # more than the rest of an unchanged cycle's load.
    stored = {row[0]: row[1:] for row in con.execute(
        "SELECT source, etag, last_modified, body_hash, consecutive_failures, next_attempt_at, "
        "last_success_at, last_error_at, last_error FROM feed_state").fetchall()}
    changed: dict[str, dict] = {}
    for source, outcome, _ in feeds:
        kind = outcome.get("outcome")
        if kind == "skipped":
            continue
        row = stored.get(source.name)
        old = row or (None, None, None, 0, None, None, None, None)
        etag, last_mod, body_hash, fails, next_at, last_ok, last_err_at, last_err = old
        at = parse_time(outcome.get("started_at")) or started
        if kind == "ok":
            state = outcome.get("state") or {}  # None: pages left for the next cycle
            etag, last_mod, body_hash = (state.get("etag"), state.get("last_modified"),
                                         state.get("body_hash"))
            fails, next_at, last_ok = 0, None, at
        elif kind == "not_modified":
            if fails:
                fails, next_at, last_ok = 0, None, at
        else:
            if not outcome.get("lost"):
                # A task that died with its worker says nothing about the feed: no backoff,
                # so the next cycle fetches what this one lost.
                # Imported here: the fetching code (httpx, httpcore) costs the loading
                # process a tenth of a second to import, and most cycles have no failure.
                from .fetch import backoff_until

                fails = (fails or 0) + 1
                next_at = backoff_until(fails, at)
            last_err_at, last_err = at, outcome.get("error")
        new = (etag, last_mod, body_hash, fails, next_at, last_ok, last_err_at, last_err)
        if row is not None and new == tuple(old):
            continue
        changed[source.name] = dict(zip(
            ("source", "etag", "last_modified", "body_hash", "consecutive_failures",
             "next_attempt_at", "last_success_at", "last_error_at", "last_error", "updated_at"),
            (source.name, *new, at)))
    if changed:
        con.execute("DELETE FROM feed_state WHERE source IN (SELECT unnest(?))",
                    [sorted(changed)])
        _insert_rows(con, "feed_state", list(changed.values()), FEED_STATE_SCHEMA)


FEED_STATE_SCHEMA = [("source", pa.string()), ("etag", pa.string()),
                     ("last_modified", pa.string()), ("body_hash", pa.string()),
                     ("consecutive_failures", pa.int32()), ("next_attempt_at", TS),
                     ("last_success_at", TS), ("last_error_at", TS), ("last_error", pa.string()),
                     ("updated_at", TS)]


def load_key_for(feeds) -> str:
    """Fingerprint of what the stages staged: a retried load finds its cycle loaded, while a
    cleared and re-run Airflow run (same run id, new fetches) is loaded as a new cycle."""
    h = hashlib.sha256()
    for source, outcome, _ in sorted(feeds, key=lambda f: f[0].name):
        h.update(f"{source.name}|{outcome.get('started_at')}|{outcome.get('outcome')}\n"
                 .encode())
    return h.hexdigest()[:16]


def load_cycle(paths: Paths, sources: SourcesConfig, missions: MissionsConfig,
               rules_version: str, cycle_id: str, feeds: list, *, runner: str = "cli",
               started_at: dt.datetime | None = None, wait_s: float = 60.0) -> dict:
    """Write one cycle. A cycle already loaded (a retried load task) is not loaded twice."""
    started = started_at or min(
        (parse_time(o.get("started_at")) for _, o, _ in feeds if o.get("started_at")),
        default=now())
    key = load_key_for(feeds)
    con = store.open_writer(paths.db, wait_s=wait_s)
    try:
        loaded = {cid for (cid,) in con.execute(
            "SELECT DISTINCT cycle_id FROM fetch_log WHERE load_key = ?", [key]).fetchall()}
        if loaded:
            cycle_id = sorted(loaded)[0]
            log.info("cycle %s was already loaded; nothing to do", cycle_id)
        else:
            base, n = cycle_id, 1
            while fetch_one(con, "SELECT count(*) FROM fetch_log WHERE cycle_id = ?",
                            [cycle_id])[0]:
                n += 1  # the same Airflow run, cleared and run again
                cycle_id = f"{base}.{n}"
            # The load (appends, index batches, snapshot, exports) runs under a tighter limit:
            # DuckDB spills beyond it, and the process stays small during a large backfill.
            store.set_memory_limit(con, os.environ.get(store.ENV_LOAD_MEMORY,
                                                       store.DEFAULT_LOAD_MEMORY))
            con.execute("BEGIN TRANSACTION")
            try:
                _load(con, sources, missions, rules_version, cycle_id, feeds, runner, started,
                      key)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        summary = summarize(con, cycle_id)
        _index_search(con)
        store.publish_snapshot(con, paths.db)
        _publish_exports(con, paths)
        return summary
    finally:
        con.close()


def _index_search(con) -> None:
    """The search index, after the commit (see search.index_pending); a failure leaves the
    articles pending for the next load, never a half-indexed article."""
    from .search import index_pending

    try:
        index_pending(con)
    except Exception as exc:  # noqa: BLE001 - the load itself is committed
        log.error("search index not updated (the next load retries): %s", exc)


def _publish_exports(con, paths: Paths) -> None:
    """Parquet for BI tools; a failure here never undoes a committed load."""
    from .exports import publish_exports

    try:
        publish_exports(con, paths)
    except Exception as exc:
        log.error("Parquet exports not published: %s", exc)


def _load(con, sources, missions, rules_version, cycle_id, feeds, runner, started, load_key):
    from .dedupe import assign_stories, story_id_for

    seen = now()
    _refresh_sources(con, sources, seen)
    _refresh_missions(con, missions)
    _refresh_display_names(con, sources, missions, feeds, seen)
    region_of = {s.name: s.region for s in sources.sources}

    keys = _scan(_record_files(feeds))
    plan = _plan(con, keys)

    # Which record carries each article's content: the first listed (sources.yaml order,
    # then feed order); the article's source is that record's feed.
    wanted: dict[tuple[Path, int], int] = {}
    for g, ks in {**plan.new, **plan.existing}.items():
        wanted[(ks[0].file, ks[0].line)] = g
    new_rows: list[dict] = []   # small: what the logs need, not the texts
    batch: list[dict] = []
    story_items: list[dict] = []
    event_items: list[dict] = []
    updated_by_source: dict[str, int] = {}
    for g, rec in _iter_records(wanted):
        if g in plan.new:
            ks = plan.new[g]
            rep = ks[0]
            # The smallest canonical URL of the group, as its id: the same whatever the order.
            row = _article_row(rec, plan.new_ids[g], cycle_id, seen, seen, 1, rep.source,
                               region_of.get(rep.source, rec.get("region")), rep.url,
                               min(k.canonical_url for k in ks))
            batch.append(row)
            new_rows.append({"article_id": row["article_id"], "source": row["source"],
                             "relevant": row["relevant"]})
            story_items.append({"article_id": row["article_id"],
                                "published_at": row["published_at"], "first_seen_at": seen,
                                "signature": signature_values(rec.get("signature"))})
            if rec.get("event_fingerprint"):
                event_items.append(_event_item(row, rec))
            if len(batch) >= INSERT_BATCH:
                _insert_articles(con, batch)
                batch = []
            continue
        ks, aid = plan.existing[g], plan.existing_ids[g]
        old = fetch_one(con,
            "SELECT content_hash, title, text, revision, source, url, canonical_url, "
            "first_seen_at, region, story_id, published_at FROM articles WHERE article_id = ?",
            [aid])
        if old is None or old[0] == rec["content_hash"]:
            continue
        (_h, old_title, old_text, revision, src, url, canon, first_seen, region, story,
         old_published) = old
        con.execute("INSERT INTO article_revisions VALUES (?, ?, ?, ?, ?, ?)",
                    [aid, revision, old_title, old[0], old_text, seen])
        row = _article_row(rec, aid, cycle_id, seen, first_seen, revision + 1, src, region,
                           url, canon)
        row["story_id"] = story
        row["published_at"] = row["published_at"] or old_published
        con.execute("DELETE FROM articles WHERE article_id = ?", [aid])
        _insert_articles(con, [row])
        updated_by_source[ks[0].source] = updated_by_source.get(ks[0].source, 0) + 1
        story_items.append({"article_id": aid, "published_at": row["published_at"],
                            "first_seen_at": first_seen,
                            "signature": signature_values(rec.get("signature"))})
        event_items.append(_event_item(row, rec))  # a fingerprint gone is dropped too
    _insert_articles(con, batch)
    del batch

    # Aliases: every URL (as listed, after redirects, canonical forms) of every record.
    ids = {**plan.new_ids, **plan.existing_ids}
    alias_rows, seen_urls = [], set()
    for g, ks in {**plan.new, **plan.existing}.items():
        for k in ks:
            for u, c in ((k.url, k.canonical_guess or k.canonical_url),
                         (k.final_url, k.canonical_url), (k.canonical_url, k.canonical_url)):
                if u and u not in seen_urls:
                    seen_urls.add(u)
                    alias_rows.append({"url": u, "canonical_url": c, "article_id": ids[g],
                                       "source": k.source, "first_seen_at": seen})
    if alias_rows:
        known = {r[0] for r in con.execute(
            "SELECT url FROM article_aliases WHERE url IN (SELECT unnest(?))",
            [[r["url"] for r in alias_rows]]).fetchall()}
        _insert_rows(con, "article_aliases", [r for r in alias_rows if r["url"] not in known],
                     ALIAS_SCHEMA)

    # Search index: new rows are pending (search_length NULL); revised ones forget their
    # terms here, and everything pending is indexed after the commit, in small batches.
    from .search import forget_articles

    new_ids = {r["article_id"] for r in new_rows}
    forget_articles(con, [it["article_id"] for it in story_items
                          if it["article_id"] not in new_ids])

    # Stories: new articles and edited ones; signature-less articles are their own story.
    # In chunks, oldest first: the same grouping as one call (each chunk sees the bands of
    # the chunks before it, inside this transaction), with a bounded working set.
    with_sig = sorted((it for it in story_items if it["signature"] is not None),
                      key=lambda it: (it["published_at"] or it["first_seen_at"],
                                      it["article_id"]))
    stories = {}
    for start in range(0, len(with_sig), STORY_CHUNK):
        stories.update(assign_stories(con, with_sig[start:start + STORY_CHUNK],
                                      window_days=sources.story_window_days))
    for it in story_items:
        stories.setdefault(it["article_id"], story_id_for(it["article_id"]))
    # Not needed any more: their signatures and the identity plan would sit beside the event
    # grouping's working set (the load's peak of memory in a large cycle).
    extract_errors = [k for k in keys if k.extract_error]
    del story_items, with_sig, alias_rows, seen_urls, wanted, plan, ids, keys
    if stories:
        store.on_arrow(con, pa.table({"article_id": list(stories.keys()),
                                      "story_id": list(stories.values())}), "_pm_story_map",
                       "UPDATE articles SET story_id = m.story_id FROM _pm_story_map m "
                       "WHERE articles.article_id = m.article_id "
                       "AND articles.story_id IS DISTINCT FROM m.story_id")

    _assign_events(con, event_items, stories)

    # Logs and feed state: each feed's row counts what its entries brought.
    new_story_ids = {stories[r["article_id"]] for r in new_rows}
    pre_existing = {r[0] for r in con.execute(
        "SELECT DISTINCT story_id FROM articles WHERE story_id IN (SELECT unnest(?)) "
        "AND cycle_id <> ?", [sorted(new_story_ids), cycle_id]).fetchall()}
    per_source: dict[str, dict[str, int]] = {}
    founded: set[str] = set()
    for row in new_rows:
        c = per_source.setdefault(row["source"], {"new": 0, "relevant": 0, "stories": 0})
        c["new"] += 1
        c["relevant"] += bool(row["relevant"])
        story = stories[row["article_id"]]
        if story not in pre_existing and story not in founded:
            founded.add(story)
            c["stories"] += 1
    loaded_at = now()
    fetch_rows, page_rows = [], []
    for source, outcome, fdir in feeds:
        c = per_source.get(source.name, {})
        warnings = [w for w in (outcome.get("warning"), outcome.get("incomplete")) if w]
        fetch_rows.append({
            "cycle_id": cycle_id, "source": source.name, "url": source.url,
            "started_at": parse_time(outcome.get("started_at")) or started,
            "outcome": outcome.get("outcome") or "error",
            "http_status": outcome.get("http_status"), "error": outcome.get("error"),
            "items": outcome.get("items"), "duration_ms": outcome.get("duration_ms"),
            "new_articles": c.get("new", 0), "runner": runner, "loaded_at": loaded_at,
            "updated_articles": updated_by_source.get(source.name, 0),
            "relevant_articles": c.get("relevant", 0), "new_stories": c.get("stories", 0),
            "rules_version": rules_version, "load_key": load_key,
            "warning": "; ".join(warnings) or None,
        })
        for page in read_jsonl(fdir / PAGES_FILE, _PageLogFields):
            page_rows.append({
                "cycle_id": cycle_id, "source": source.name, "url": page.link,
                "fetched_at": parse_time(page.fetched_at) or seen,
                "outcome": page.page_outcome, "http_status": page.http_status,
                "error": page.error, "duration_ms": page.duration_ms,
            })
    page_rows += [{"cycle_id": cycle_id, "source": k.source, "url": k.url, "fetched_at": seen,
                   "outcome": "extract_error", "error": k.extract_error}
                  for k in extract_errors]
    _insert_rows(con, "fetch_log", fetch_rows, FETCH_LOG_SCHEMA)
    _insert_rows(con, "page_log", page_rows, PAGE_LOG_SCHEMA)
    _update_feed_states(con, feeds, started)


def _event_item(row: dict, rec: dict) -> dict:
    return {"article_id": row["article_id"], "mission_id": row["mission_id"],
            "published_at": row["published_at"], "first_seen_at": row["first_seen_at"],
            "fingerprint": rec.get("event_fingerprint")}


def _assign_events(con, event_items: list[dict], stories: dict[str, str]) -> None:
    """Events (stories reporting one happening, see pressmon.events), once every story of the
    cycle is known; oldest first, in chunks, like the stories."""
    from .events import CHUNK, assign_events

    items = sorted((dict(it, story_id=stories[it["article_id"]]) for it in event_items),
                   key=lambda it: (it["published_at"] or it["first_seen_at"], it["article_id"]))
    for start in range(0, len(items), CHUNK):
        assign_events(con, items[start:start + CHUNK])


def summarize(con, cycle_id: str) -> dict:
    row = fetch_one(con,
        "SELECT cycle_id, runner, started_at, loaded_at, feeds_ok, feeds_not_modified, "
        "feeds_error, feeds_skipped, new_articles, updated_articles, relevant_articles, "
        "new_stories FROM cycles WHERE cycle_id = ?", [cycle_id])
    keys = ("cycle_id", "runner", "started_at", "loaded_at", "feeds_ok", "feeds_not_modified",
            "feeds_error", "feeds_skipped", "new_articles", "updated_articles",
            "relevant_articles", "new_stories")
    summary = dict(zip(keys, row))
    totals = fetch_one(con,
        "SELECT count(*), count(*) FILTER (WHERE relevant), count(DISTINCT story_id), "
        "count(DISTINCT story_id) FILTER (WHERE relevant) FROM articles")
    summary.update(total_articles=totals[0], total_relevant=totals[1], total_stories=totals[2],
                   total_relevant_stories=totals[3])
    summary["failed_feeds"] = [
        {"source": s, "error": e} for s, e in con.execute(
            "SELECT source, error FROM fetch_log WHERE cycle_id = ? AND outcome = 'error' "
            "ORDER BY source", [cycle_id]).fetchall()]
    for k in ("started_at", "loaded_at"):
        if isinstance(summary.get(k), dt.datetime):
            summary[k] = summary[k].isoformat()
    return summary


def format_summary(s: dict) -> str:
    """The cycle summary of ``summarize`` as the lines an operator reads."""
    lines = [
        f"cycle {s['cycle_id']}",
        f"  feeds: {s['feeds_ok']} ok, {s['feeds_not_modified']} not modified, "
        f"{s['feeds_error']} failed, {s['feeds_skipped']} skipped (backing off)",
        f"  this cycle: {s['new_articles']} new articles ({s['relevant_articles']} relevant), "
        f"{s['updated_articles']} updated, {s['new_stories']} new stories",
        f"  database: {s['total_articles']} articles, {s['total_relevant']} relevant, "
        f"{s['total_stories']} stories ({s['total_relevant_stories']} relevant)",
    ]
    for f in s.get("failed_feeds") or []:
        lines.append(f"  failed feed {f['source']}: {f['error']}")
    return "\n".join(lines)


def reclassify_all(paths: Paths, *, wait_s: float = 60.0) -> dict:
    """Re-apply the current rules to every stored article, offline, in one transaction."""
    from .classify import classify_article, load_rules

    rules = load_rules(paths.config_dir, paths.missions)
    missions = rules.missions
    con = store.open_writer(paths.db, wait_s=wait_s)
    try:
        rows = con.execute(
            "SELECT a.article_id, a.title, a.text, a.summary, a.published_at, a.region, "
            "s.language, a.language, a.language_confidence, a.language_mix, a.relevant, "
            "a.mission_id, a.topics, a.matched_terms "
            "FROM articles a LEFT JOIN sources s ON s.name = a.source").fetchall()
        out, changed = [], 0
        fingerprints: dict[str, dict | None] = {}
        stamp = now()
        for (aid, title, text, summary, published, region, src_lang, lang, conf, mix,
             old_rel, old_mission, old_topics, old_terms) in rows:
            tags = classify_article(rules, {
                "title": title, "text": text or "", "summary": summary,
                "published_at": parse_time(published), "region": region,
                "source_language": src_lang, "page_language": None, "language": lang,
                "language_confidence": conf, "language_mix": mix})
            if (bool(tags["relevant"]), tags.get("mission_id"), list(tags["topics"]),
                    list(tags["matched_terms"])) != (bool(old_rel), old_mission,
                                                     list(old_topics or []),
                                                     list(old_terms or [])):
                changed += 1
            fingerprints[aid] = tags.get("event_fingerprint")
            out.append({"article_id": aid, "language": tags.get("language") or lang,
                        "language_confidence": tags.get("language_confidence", conf),
                        "language_mix": tags.get("language_mix", mix),
                        "relevant": bool(tags["relevant"]),
                        "relevance_score": tags.get("relevance_score"),
                        "matched_terms": list(tags.get("matched_terms") or []),
                        "mission_id": tags.get("mission_id"),
                        "topics": list(tags.get("topics") or ["other"]),
                        "topic_terms": list(tags.get("topic_terms") or []),
                        "rules_version": tags.get("rules_version") or rules.version,
                        "classified_at": stamp})
        con.execute("BEGIN TRANSACTION")
        try:
            _refresh_missions(con, missions)
            if out:
                store.on_arrow(
                    con, _arrow(out, TAG_COLUMNS), "_pm_tags",
                    "UPDATE articles SET language = t.language, "
                    "language_confidence = t.language_confidence, "
                    "language_mix = t.language_mix, relevant = t.relevant, "
                    "relevance_score = t.relevance_score, matched_terms = t.matched_terms, "
                    "mission_id = t.mission_id, topics = t.topics, "
                    "topic_terms = t.topic_terms, "
                    "rules_version = t.rules_version, classified_at = t.classified_at "
                    "FROM _pm_tags t WHERE articles.article_id = t.article_id")
            from .events import rebuild_events

            events = rebuild_events(con, fingerprints, now=stamp)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        store.publish_snapshot(con, paths.db)
        _publish_exports(con, paths)  # BI tools see the new tags too
        relevant = fetch_one(con, "SELECT count(*) FILTER (WHERE relevant) FROM articles")[0]
        return {"articles": len(out), "changed": changed, "relevant": relevant,
                "rules_version": rules.version, "events": events}
    finally:
        con.close()

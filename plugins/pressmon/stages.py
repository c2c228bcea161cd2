"""The four stages of an ingest cycle, which the CLI and the Airflow DAG both run.

    fetch_stage(feed)    feed (conditional GET) -> entries -> new article pages, on disk
    extract_stage(feed)  pages -> text, metadata, canonical URL, content hash, signature
    classify_stage(feed) -> language, relevance, mission, topics
    load_stage()         every feed's files -> DuckDB in one transaction -> snapshot

    feed_stage(feed)     the first three in one process, pages handed over in memory

Stages hand over through the files of ``pressmon.staging``, so that each can run in its own
process (an Airflow task) and nothing big travels through XCom; a CLI worker runs
``feed_stage``, which writes only what the load reads. Only ``load_stage`` writes the
database; the others read the published snapshot (``pressmon.snapshot``). How a whole cycle
runs them is ``pressmon.pipeline``.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import gzip
import inspect
import logging
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from .config import Source, SourcesConfig
from .dates import now, paris_time, parse_time
from .settings import Paths
from .snapshot import SnapshotReader
from .staging import (ARTICLES_FILE, CLASSIFIED_FILE, FEED_FILE, PAGES_FILE, cycle_dir,
                      feed_dir, hold_cycle, read_json, read_jsonl, remove_stale_cycles,
                      signature_text, write_json, write_jsonl)

log = logging.getLogger("pressmon.stages")


def _holds_cycle(stage):
    """The stage runs holding its cycle (``staging.hold_cycle``), so that the removal of
    stale staging folders never takes a folder a stage is working in."""
    signature = inspect.signature(stage)

    @functools.wraps(stage)
    def run(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        with hold_cycle(bound.arguments["paths"], bound.arguments["cycle_id"]):
            return stage(*args, **kwargs)

    return run


# --------------------------------------------------------------------------- stage 1: fetch


@_holds_cycle
def fetch_stage(paths: Paths, sources: SourcesConfig, source_name: str, cycle_id: str,
                snapshot: SnapshotReader | None = None) -> dict:
    """Fetch one feed and its new article pages into the staging folder.

    Returns the feed's outcome (the future ``fetch_log`` row). The outcome file is written
    before returning, whatever happened, so that the load records a failed feed too.
    """
    return _fetch(paths, sources, source_name, cycle_id, snapshot, None)


def feed_stage(paths: Paths, sources: SourcesConfig, source_name: str, cycle_id: str,
               snapshot: SnapshotReader | None = None, rules=None, cpu_lock=None) -> dict:
    """``fetch_stage``, ``extract_stage`` and ``classify_stage`` of one feed in this process.

    Each page is extracted and tagged while the next ones are fetched, and goes from one step
    to the next in memory: no page files, no article file, only what the load reads. The
    records written are those the three stages write. Returns the feed's outcome, with the
    number of ``articles`` and ``relevant`` ones when the feed was read. ``cpu_lock``, held
    while a page is extracted and tagged, lets feed stages share a process: their fetches
    overlap, their extraction takes turns.
    """
    source = sources.by_name(source_name)
    out = feed_dir(paths, cycle_id, source.name)
    rules_for = (lambda: rules) if rules is not None else (lambda: cached_rules(paths))
    return _fetch(paths, sources, source_name, cycle_id, snapshot,
                  lambda pages: _extract_and_classify(source, out, pages, rules_for(),
                                                      cpu_lock or contextlib.nullcontext()))


def _fetch(paths: Paths, sources: SourcesConfig, source_name: str, cycle_id: str,
           snapshot: SnapshotReader | None, consume: Callable | None) -> dict:
    """The fetch stage; ``consume`` (given the stream of fetched pages) makes it a feed stage."""
    from .canonical import canonicalize_url
    from .feeds import FeedError, parse_feed
    from .fetch import FetchError, Fetcher, fetch_feed

    source = sources.by_name(source_name)
    out = feed_dir(paths, cycle_id, source.name)
    if out.exists():
        shutil.rmtree(out)  # a retried task starts clean
    (out if consume else out / "pages").mkdir(parents=True)
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    started = now()
    t0 = time.monotonic()
    outcome: dict[str, Any] = {
        "source": source.name, "url": source.url, "started_at": started.isoformat(),
        "outcome": None, "http_status": None, "error": None, "items": None,
        "duration_ms": None, "state": None, "pages": 0,
        "warning": None,
    }
    own_snapshot = snapshot is None
    snapshot = snapshot or SnapshotReader(paths)
    feed_state = snapshot.feed_state(source.name) or {}
    next_at = parse_time(feed_state.get("next_attempt_at"))
    try:
        if next_at and next_at > started:
            fails = feed_state.get("consecutive_failures") or 0
            outcome.update(outcome="skipped", error=(
                f"backing off after {fails} consecutive failure{'s' if fails != 1 else ''}; "
                f"next attempt at {paris_time(next_at)}"))
            return outcome
        with Fetcher(sources.fetch, state_dir=paths.state_dir) as fetcher:
            try:
                ff = fetch_feed(fetcher, source.url, feed_state or None)
            except FetchError as exc:
                outcome.update(outcome="error", http_status=exc.status, error=str(exc))
                return outcome
            outcome["http_status"] = ff.status
            outcome["state"] = {"etag": ff.etag, "last_modified": ff.last_modified,
                                "body_hash": ff.body_hash}
            if ff.outcome == "not_modified":
                outcome["outcome"] = "not_modified"
                return outcome
            try:
                parsed = parse_feed(ff.body, url=ff.final_url or source.url,
                                    content_type=ff.content_type)
            except FeedError as exc:
                outcome.update(outcome="error", error=str(exc), state=None)
                return outcome
            outcome["items"] = len(parsed.entries)
            outcome["channel_title"] = parsed.title  # the feed's own name, for display
            outcome["warning"] = parsed.warning
            if not parsed.entries and parsed.warning:
                # Nothing usable came out of a broken document: that is a failure of the
                # feed, not an empty news day.
                outcome.update(outcome="error", error=f"malformed feed, no entries: "
                               f"{parsed.warning}", state=None)
                return outcome
            outcome["outcome"] = "ok"
            wanted, truncated = _new_entries(snapshot, source, parsed.entries,
                                             canonicalize_url, sources.fetch.max_pages_per_feed)
            if own_snapshot:
                snapshot.close()
            pages, retry_later = _fetch_pages(fetcher, source, wanted, out, sources.fetch,
                                              consume, outcome)
            outcome["pages"] = pages
            if truncated or retry_later:
                # Some entries were left for later (more new entries than max_pages_per_feed,
                # or a page failed for a passing reason): forget the feed's validators so
                # that the next cycle reads the feed again instead of getting a 304.
                outcome["state"] = None
                outcome["incomplete"] = (
                    f"{retry_later} page(s) to retry" if retry_later else
                    f"more than {sources.fetch.max_pages_per_feed} new entries")
            return outcome
    except Exception as exc:  # recorded in the outcome file; the other feeds go on
        log.exception("feed %s: fetch stage failed", source.name)
        outcome.update(outcome="error", state=None,
                       error=f"fetch stage failed: {type(exc).__name__}: {exc}")
        return outcome
    finally:
        if own_snapshot:
            snapshot.close()
        outcome["duration_ms"] = int((time.monotonic() - t0) * 1000)
        write_json(out / FEED_FILE, outcome)


def _new_entries(snapshot: SnapshotReader, source: Source, entries, canonicalize_url,
                 limit: int) -> tuple[list, bool]:
    """Entries whose article is not stored yet, or that the feed says were updated since,
    at most ``limit`` of them; and whether some were left for a later cycle."""
    keyed = []
    seen = set()
    for index, entry in enumerate(entries):
        canon = canonicalize_url(entry.link)
        if canon in seen:
            continue
        seen.add(canon)
        keyed.append((index, entry, canon))
    known = snapshot.known([c for _, _, c in keyed])
    wanted = []
    for index, entry, canon in keyed:
        if canon in known:
            stored = known[canon]
            if not (entry.updated and stored and entry.updated > stored + dt.timedelta(seconds=1)):
                continue
        wanted.append((index, entry, canon))
    return wanted[:limit], len(wanted) > limit


HTML_TYPES = ("text/html", "application/xhtml+xml")


def _is_html(content_type: str | None, body: bytes) -> bool:
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in HTML_TYPES:
        return True
    if mime and mime not in ("text/plain", "application/octet-stream"):
        return False
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


# Pages fetched ahead of the one being extracted, in a feed stage: enough to keep the
# connections busy while a page is extracted, few enough that the bodies stay small.
PAGES_AHEAD = 8


def _fetch_pages(fetcher, source: Source, wanted: list, out: Path, settings,
                 consume: Callable | None = None, outcome: dict | None = None
                 ) -> tuple[int, int]:
    """Fetch the pages of the wanted entries; (pages fetched, pages worth retrying).

    Without ``consume`` each page goes to a file of the feed's ``pages/`` folder; with it,
    ``consume`` is handed the stream of (page record, body) in entry order, as they arrive,
    and what it returns (a dict) is merged into ``outcome``.
    """
    from .fetch import FetchError

    def one(item):
        index, entry, canon = item
        rec = {
            "entry_index": index, "link": entry.link, "canonical_guess": canon,
            "title": entry.title, "summary": entry.summary, "content": entry.content,
            "published": entry.published, "updated": entry.updated, "author": entry.author,
            "guid": entry.guid, "page_outcome": None, "http_status": None, "error": None,
            "final_url": None, "content_type": None, "file": None, "fetched_at": now(),
            "duration_ms": None,
        }
        body = None
        t0 = time.monotonic()
        try:
            fetcher.check_link(entry.link, link_from=source.url)  # the policy, then robots.txt
            if not fetcher.robots_allowed(entry.link, link_from=source.url):
                rec.update(page_outcome="robots_disallowed", error="disallowed by robots.txt")
                return rec, None
            resp = fetcher.get(entry.link, link_from=source.url)
            ctype = resp.headers.get("content-type")
            rec.update(http_status=resp.status, final_url=resp.url, content_type=ctype)
            if not _is_html(ctype, resp.body):
                # A PDF or an image is not an article page: the article is kept from what
                # the feed says, and the page is logged for what it is.
                rec.update(page_outcome="not_html", error=f"not an HTML page: "
                           f"{(ctype or 'no content type').split(';')[0]}")
                return rec, None
            if consume is None:
                # Not compressed: writing and reading a gzip file cost more CPU than the
                # page's extraction saves in disk space, and the folder lives one cycle.
                name = f"{index:05d}.html"
                (out / "pages" / name).write_bytes(resp.body)
                rec.update(page_outcome="ok", file=name)
            else:
                body = resp.body
                rec.update(page_outcome="ok")
        except FetchError as exc:
            rec.update(page_outcome="refused" if exc.refused else "error",
                       http_status=exc.status, error=str(exc),
                       transient=exc.kind == "transient")
        except Exception as exc:  # one bad page never sinks the feed
            log.exception("page %s failed", entry.link)
            rec.update(page_outcome="error", error=f"{type(exc).__name__}: {exc}",
                       transient=True)
        finally:
            rec["duration_ms"] = int((time.monotonic() - t0) * 1000)
        return rec, body

    workers = max(1, min(settings.per_host_concurrency, len(wanted)))
    records: list[dict] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        if consume is None:
            records = [rec for rec, _ in pool.map(one, wanted)]
        else:
            def stream():
                todo = iter(wanted)
                ahead = collections.deque(pool.submit(one, item)
                                          for item in _take(todo, PAGES_AHEAD))
                while ahead:
                    rec, body = ahead.popleft().result()
                    ahead.extend(pool.submit(one, item) for item in _take(todo, 1))
                    records.append(rec)
                    yield rec, body

            pages = stream()
            outcome.update(consume(pages))
            for _ in pages:  # what the consumer left: fetched and logged all the same
                pass
    write_jsonl(out / PAGES_FILE, records)
    fetched = sum(1 for r in records if r["page_outcome"] in ("ok", "not_html"))
    retry = sum(1 for r in records if r["page_outcome"] == "error" and r.get("transient"))
    return fetched, retry


def _take(items, n: int) -> list:
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) == n:
            break
    return taken


# --------------------------------------------------------------------------- stage 2: extract


@_holds_cycle
def extract_stage(paths: Paths, sources: SourcesConfig, source_name: str, cycle_id: str) -> dict:
    """Turn the feed's fetched pages into article records (text, metadata, hashes)."""
    source = sources.by_name(source_name)
    folder = feed_dir(paths, cycle_id, source.name)
    if not (folder / FEED_FILE).exists():
        return {"source": source.name, "articles": 0}

    def records():
        for page in read_jsonl(folder / PAGES_FILE):
            if page["page_outcome"] == "ok":
                body = _read_page(folder / "pages" / page["file"])
            elif page["page_outcome"] == "not_html":
                body = None
            else:
                continue
            yield build_record(source, page, _extract(source, page, body))

    n = write_jsonl(folder / ARTICLES_FILE, records())
    return {"source": source.name, "articles": n}


def _read_page(path: Path) -> bytes:
    if path.suffix == ".gz":  # staged by an earlier version
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def _extract(source: Source, page: dict, body: bytes | None) -> dict:
    """What extraction gives for a fetched page ({} for a page that is not HTML)."""
    from .extract import extract_page

    if body is None:
        return {}
    try:
        return extract_page(body, page["final_url"] or page["link"],
                            content_type=page["content_type"])
    except Exception as exc:  # the article is kept from the feed, the error logged
        log.warning("%s: extraction failed for %s: %s", source.name, page["link"], exc)
        return {"error": f"extraction failed: {type(exc).__name__}: {exc}"}


def _extract_and_classify(source: Source, folder: Path, pages, rules, cpu_lock) -> dict:
    """A feed stage's records: each fetched page extracted and tagged as it arrives."""
    from .classify import classify_article

    relevant = 0

    def rows():
        nonlocal relevant
        for page, body in pages:
            if page["page_outcome"] not in ("ok", "not_html"):
                continue
            with cpu_lock:
                rec = build_record(source, page, _extract(source, page, body))
                del body
                rec.update(classify_article(rules, _classify_input(rec)))
            relevant += bool(rec.get("relevant"))
            yield rec

    try:
        n = write_jsonl(folder / CLASSIFIED_FILE, rows())
    except Exception:  # the load sees the pages unextracted and has them fetched again
        log.exception("feed %s: extraction or tagging failed", source.name)
        return {"articles": 0, "relevant": 0}
    return {"articles": n, "relevant": relevant}


def build_record(source: Source, page: dict, ext: dict) -> dict:
    """One article record from a fetched page's extraction and its feed entry."""
    from .canonical import choose_canonical
    from .dedupe import fingerprint
    from .language import detect_language
    from .text import html_to_text

    text = (ext.get("text") or "").strip()
    if not text:
        # Pages that extraction cannot read still count as articles: fall back to the feed.
        text = html_to_text(page.get("content") or page.get("summary") or "")
    title = (ext.get("title") or page.get("title") or "").strip() or None
    feed_title = page.get("title")
    # Some feeds date an entry only by <updated> or <dc:date>: still a date the feed gives.
    published = (parse_time(ext.get("published")) or parse_time(page.get("published"))
                 or parse_time(page.get("updated")))
    updated = parse_time(page.get("updated")) or parse_time(ext.get("modified"))
    summary = html_to_text(page.get("summary") or "") or ext.get("description")
    canonical = choose_canonical(page["link"], page.get("final_url"), ext.get("canonical_url"))
    lang, conf, mix = detect_language(title or feed_title or "", text, summary,
                                      ext.get("page_language") or source.language)
    digest, sig = fingerprint(title, text)
    # extract_page counted the words of this very text: not split again.
    words = ext.get("word_count") if text == ext.get("text") else None
    if words is None:
        words = len(text.split())
    return {
        "source": source.name, "outlet": source.outlet, "region": source.region,
        "position": source.position, "entry_index": page["entry_index"],
        "url": page["link"], "final_url": page.get("final_url"), "canonical_url": canonical,
        "canonical_guess": page.get("canonical_guess"),
        "title": title, "summary": summary, "text": text,
        "author": ext.get("author") or page.get("author"),
        "published_at": published, "updated_at": updated,
        "page_language": ext.get("page_language"), "source_language": source.language,
        "language": lang, "language_confidence": conf, "language_mix": mix,
        "word_count": words,
        "content_hash": digest,
        "signature": signature_text(sig),
        "extract_error": ext.get("error"),
    }


# --------------------------------------------------------------------------- stage 3: classify


@_holds_cycle
def classify_stage(paths: Paths, sources: SourcesConfig, source_name: str, cycle_id: str,
                   rules=None) -> dict:
    """Tag the feed's article records with relevance, mission and topics."""
    from .classify import classify_article

    folder = feed_dir(paths, cycle_id, source_name)
    if not (folder / ARTICLES_FILE).exists():
        return {"source": source_name, "articles": 0, "relevant": 0}
    rules = rules or cached_rules(paths)
    relevant = 0

    def rows():
        nonlocal relevant
        for rec in read_jsonl(folder / ARTICLES_FILE):
            tags = classify_article(rules, _classify_input(rec))
            rec.update(tags)
            relevant += bool(rec.get("relevant"))
            yield rec

    n = write_jsonl(folder / CLASSIFIED_FILE, rows())
    return {"source": source_name, "articles": n, "relevant": relevant}


_RULES_CACHE: dict = {}


def cached_rules(paths: Paths):
    """The rules, loaded once per process while their files are unchanged."""
    from .classify import load_rules

    files = (paths.watchlist, paths.topics, paths.missions)
    key = tuple((str(f), *_stat(f)) for f in files)
    rules = _RULES_CACHE.get(key)
    model = rules.taxonomy.model_path if rules is not None else None
    if model is not None and _RULES_CACHE.get(("model", key)) != _stat(model):
        rules = None  # the learned topic layer was retrained
    if rules is None:
        rules = load_rules(paths.config_dir, paths.missions)
        _RULES_CACHE.clear()
        _RULES_CACHE[key] = rules
        if rules.taxonomy.model_path is not None:
            _RULES_CACHE[("model", key)] = _stat(rules.taxonomy.model_path)
    return rules


def _stat(path: Path) -> tuple:
    try:
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return (None, None)


def _classify_input(rec: dict) -> dict:
    return {
        "title": rec.get("title"), "text": rec.get("text") or "", "summary": rec.get("summary"),
        "published_at": parse_time(rec.get("published_at")), "region": rec.get("region"),
        "source_language": rec.get("source_language"), "page_language": rec.get("page_language"),
        "language": rec.get("language"), "language_confidence": rec.get("language_confidence"),
        "language_mix": rec.get("language_mix"),
    }


# --------------------------------------------------------------------------- stage 4: load


@_holds_cycle
def load_stage(paths: Paths, sources: SourcesConfig, cycle_id: str, *, runner: str = "cli",
               started_at: dt.datetime | None = None, wait_s: float = 60.0,
               keep_staging: bool = False) -> dict:
    """Load every feed's staged files in one transaction, publish the snapshot; then remove
    this cycle's staging folder and those of failed or abandoned cycles."""
    from . import load as loader

    rules = cached_rules(paths)
    folder = cycle_dir(paths, cycle_id)
    feeds = []
    for source in sources.sources:
        fdir = folder / source.name
        outcome = _staged_outcome(fdir)
        if outcome is None or isinstance(outcome, str):
            # the fetch task never ran to its end (killed, worker lost, folder unusable)
            outcome = {"source": source.name, "url": source.url, "outcome": "error",
                       "started_at": (started_at or now()).isoformat(),
                       "error": "feed task did not complete (no outcome recorded)"
                                + (f": {outcome}" if outcome else ""),
                       # says nothing about the feed itself: no backoff (load.py)
                       "lost": True}
        feeds.append((source, outcome, fdir))
    try:
        summary = loader.load_cycle(paths, sources, rules.missions, rules.version, cycle_id,
                                    feeds, runner=runner, started_at=started_at, wait_s=wait_s)
        if not keep_staging:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        remove_stale_cycles(paths, keep=cycle_id)
    return summary


def _staged_outcome(fdir: Path) -> dict | str | None:
    """The feed's recorded outcome; None when there is none; why, when it cannot be read."""
    try:
        if fdir.exists() and not fdir.is_dir():
            return f"its staging folder {fdir} is not a folder"
        if not (fdir / FEED_FILE).exists():
            return None
        outcome = read_json(fdir / FEED_FILE)
    except (OSError, ValueError) as exc:
        return f"its staging folder {fdir} cannot be read: " \
               f"{getattr(exc, 'strerror', None) or exc}"
    return outcome if isinstance(outcome, dict) else "its outcome file is not an object"

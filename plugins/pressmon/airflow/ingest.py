"""The task bodies of ``press_ingest``.

Each function is what one task does, as one call into the library, so that a DAG file holds
wiring and documentation only. Imported inside tasks, never at DAG-parse time.
"""

from __future__ import annotations

import logging

from ..config import load_sources
from ..settings import get_paths

log = logging.getLogger("pressmon.airflow")


def _fail(message: str, *, retry: bool = False):
    """Fail the task with a known cause, logged first (see ``common.fail_task``). Tasks that
    must not retry have no retries; ``retry`` says which failures are worth one (the load)."""
    from .common import fail_task

    fail_task(message, log)


def _skip(message: str):
    from airflow.sdk.exceptions import AirflowSkipException

    log.info("%s", message)
    raise AirflowSkipException(message)


def cycle_id_for(run_id: str) -> str:
    from ..staging import safe_id

    return "af-" + safe_id(run_id)


def plan_cycle() -> list[str]:
    """Validate the configuration before any fetch; the feeds to map over."""
    from ..classify import load_rules
    from ..errors import ConfigError, StoreError
    from ..store import check_writable

    paths = get_paths()
    try:
        sources = load_sources(paths.sources)
        load_rules(paths.config_dir, paths.missions)
    except ConfigError as exc:
        _fail(f"configuration error: {exc}", retry=False)
    try:
        check_writable(paths.db)
    except StoreError as exc:
        _fail(str(exc), retry=False)
    names = [s.name for s in sources.sources]
    log.info("%d feeds from %s", len(names), paths.sources)
    return names


def describe_outcome(outcome: dict) -> str:
    """One readable line for a feed's fetch: only what is known (no "HTTP None")."""
    kind = outcome.get("outcome")
    words = {"ok": "read", "not_modified": "not modified", "error": "failed",
             "skipped": "skipped"}.get(kind, str(kind))
    parts = []
    if outcome.get("http_status"):
        parts.append(f"HTTP {outcome['http_status']}")
    if outcome.get("items") is not None:
        n = outcome["items"]
        parts.append(f"{n} entr{'y' if n == 1 else 'ies'}")
    if kind == "ok":
        n = outcome.get("pages") or 0
        parts.append(f"{n} new page{'' if n == 1 else 's'} fetched")
    if outcome.get("duration_ms") is not None and kind != "skipped":
        parts.append(f"{outcome['duration_ms'] / 1000:.1f} s")
    return f"feed {outcome.get('source')}: {words}" + (f" ({', '.join(parts)})" if parts else "")


def fetch_feed(source: str, run_id: str) -> str:
    """One feed and its new pages. A failed feed is recorded first, then the task fails with
    the cause; a feed waiting in backoff is recorded and the task is skipped."""
    from ..stages import fetch_stage

    paths = get_paths()
    outcome = fetch_stage(paths, load_sources(paths.sources), source, cycle_id_for(run_id))
    kind = outcome["outcome"]
    log.info("%s", describe_outcome(outcome))
    if outcome.get("warning"):
        log.warning("feed %s: %s", source, outcome["warning"])
    if kind == "error":
        _fail(f"feed {source} failed: {outcome['error']}\n  feed URL: {outcome['url']}")
    if kind == "skipped":
        _skip(f"feed {source} not fetched in this run: {outcome['error']}")
    return source


def _fetched(source: str, run_id: str) -> str | None:
    """Why there is nothing to extract or classify for ``source`` in this run, or None."""
    from ..staging import FEED_FILE, feed_dir, read_json

    path = feed_dir(get_paths(), cycle_id_for(run_id), source) / FEED_FILE
    if not path.exists():
        return "its fetch did not finish"
    kind = (read_json(path) or {}).get("outcome")
    if kind == "error":
        return "its fetch failed"
    if kind == "skipped":
        return "it is backing off (fetch skipped)"
    return None


def extract_feed(source: str, run_id: str) -> dict:
    """Runs whatever the fetch ended with (the task is labelled with the feed even then);
    skipped when the fetch brought nothing."""
    from ..stages import extract_stage

    why = _fetched(source, run_id)
    if why:
        _skip(f"feed {source}: nothing to extract, {why}")
    paths = get_paths()
    result = extract_stage(paths, load_sources(paths.sources), source, cycle_id_for(run_id))
    log.info("feed %s: %d articles extracted", source, result["articles"])
    return result


def classify_feed(source: str, run_id: str) -> dict:
    from ..stages import classify_stage
    from ..staging import ARTICLES_FILE, feed_dir

    why = _fetched(source, run_id)
    paths = get_paths()
    if not why and not (feed_dir(paths, cycle_id_for(run_id), source) / ARTICLES_FILE).exists():
        why = "its extraction did not finish"
    if why:
        _skip(f"feed {source}: nothing to classify, {why}")
    result = classify_stage(paths, load_sources(paths.sources), source, cycle_id_for(run_id))
    log.info("feed %s: %d articles classified, %d relevant", source, result["articles"],
             result["relevant"])
    return result


def load(run_id: str) -> dict:
    """The one writer: the whole cycle in one transaction, then the snapshot."""
    from ..errors import StoreError
    from ..load import format_summary
    from ..stages import load_stage

    paths = get_paths()
    try:
        summary = load_stage(paths, load_sources(paths.sources), cycle_id_for(run_id),
                             runner=run_id)
    except StoreError as exc:
        # A lock held by an analyst's session is worth retrying; the message names the holder.
        _fail(str(exc), retry=True)
    log.info("load done\n%s", format_summary(summary))
    return summary


def check_quality(run_id: str) -> dict:
    from ..quality import check_cycle

    paths = get_paths()
    report = check_cycle(paths, cycle_id_for(run_id))
    log.info("run summary\n%s", report.summary_text())
    try:
        from ..quality import feed_failures

        found = feed_failures(paths, cycle_id_for(run_id))
    except Exception as exc:  # the summary is a courtesy; the checks below decide
        log.warning("failed feeds not listed: %s", exc)
    else:
        for kind, what in (("broken", "stopped working"), ("never_worked", "never worked")):
            if found[kind]:
                log.warning("feeds that %s: %s", what, ", ".join(f["source"]
                                                                 for f in found[kind]))
    if report.problems:
        _fail("data quality check failed:\n- " + "\n- ".join(report.problems), retry=False)
    return report.as_dict()


def check_feeds(run_id: str) -> dict:
    """Fails the run when a feed broke in this cycle (it worked in its previous cycle). A
    feed that has never worked (a new one with a wrong address) is reported, not a failure:
    its own fetch task is red, and feed health shows it."""
    from ..quality import feed_failures

    paths = get_paths()
    found = feed_failures(paths, cycle_id_for(run_id))
    for f in found["never_worked"]:
        log.warning("feed %s has never worked: %s", f["source"], f["error"])
    if found["broken"]:
        _fail("feeds that stopped working in this run: " + ", ".join(
            b["source"] for b in found["broken"]) + "\n" + "\n".join(
            f"- {b['source']}: {b['error']}" for b in found["broken"]))
    return {"newly_failed": [], "never_worked": [f["source"] for f in found["never_worked"]]}

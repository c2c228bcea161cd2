"""The task bodies of ``press_ingest``.

Each function is what one task does, as one call into the library, so that a DAG file holds
wiring and documentation only. Imported inside tasks, never at DAG-parse time.
"""

from __future__ import annotations

import logging

from ..config import load_sources
from ..settings import get_paths

log = logging.getLogger("pressmon.airflow")


def _fail(message: str, *, retry: bool):
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    raise (AirflowException if retry else AirflowFailException)(message)


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


def fetch_feed(source: str, run_id: str) -> str:
    """One feed and its new pages. A failed feed is recorded first, then the task fails."""
    from ..stages import fetch_stage

    paths = get_paths()
    outcome = fetch_stage(paths, load_sources(paths.sources), source, cycle_id_for(run_id))
    kind = outcome["outcome"]
    log.info("feed %s: %s (HTTP %s), %s entries, %s new pages fetched in %s ms",
             source, kind, outcome.get("http_status"), outcome.get("items"),
             outcome.get("pages"), outcome.get("duration_ms"))
    if outcome.get("warning"):
        log.warning("feed %s: %s", source, outcome["warning"])
    if kind == "error":
        _fail(f"feed {source} ({outcome['url']}) failed: {outcome['error']}", retry=False)
    if kind == "skipped":
        log.warning("feed %s skipped: %s", source, outcome["error"])
    return source


def extract_feed(source: str, run_id: str) -> dict:
    from ..stages import extract_stage

    paths = get_paths()
    result = extract_stage(paths, load_sources(paths.sources), source, cycle_id_for(run_id))
    log.info("feed %s: %d articles extracted", source, result["articles"])
    return result


def classify_feed(source: str, run_id: str) -> dict:
    from ..stages import classify_stage

    paths = get_paths()
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
    if report.problems:
        _fail("data quality check failed:\n- " + "\n- ".join(report.problems), retry=False)
    return report.as_dict()


def check_feeds(run_id: str) -> dict:
    """Fails the run when a feed broke in this cycle (it worked in its previous cycle)."""
    from ..quality import newly_failed_feeds

    paths = get_paths()
    broken = newly_failed_feeds(paths, cycle_id_for(run_id))
    if broken:
        _fail("feeds that stopped working in this run:\n- " + "\n- ".join(
            f"{b['source']}: {b['error']}" for b in broken), retry=False)
    return {"newly_failed": []}

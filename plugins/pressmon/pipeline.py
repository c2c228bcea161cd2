"""A whole ingest cycle from the command line: every feed's fetch, extract and classify
stages in a few worker processes, then the load in this process.

The Airflow DAG runs the same stages as separate tasks (``pressmon.airflow.ingest``); this
module is how ``pressmon ingest`` runs them on one machine: one worker process per core, each
with two feeds in flight (one feed's pages are extracted while the other's are on the
network; extraction and tagging take turns, so only fetching runs concurrently within a
process). Fewer processes than feeds in flight keeps the memory of the cycle small: each
process holds its own copy of the libraries (langdetect's profiles alone are ~60 MB).
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from .config import load_sources
from .dates import now
from .settings import Paths
from .snapshot import SnapshotReader
from .stages import cached_rules, feed_stage, load_stage
from .staging import hold_cycle, new_cycle_id

log = logging.getLogger("pressmon.pipeline")

FEEDS_PER_WORKER = 2


def _feed_lanes(paths: Paths, sources, cycle_id: str, names: list[str], next_job,
                lanes: int) -> bool:
    """Run feeds taken from the shared counter ``next_job``, ``lanes`` at a time, until none
    is left; whether every feed stage ran to its end."""
    cpu = threading.Lock()
    failed: list[str] = []

    def lane() -> None:
        # A DuckDB connection is not shared between threads: one snapshot reader per lane,
        # kept for the feeds it handles (the snapshot does not change before the load).
        reader = None
        try:
            while True:
                with next_job.get_lock():
                    i = next_job.value
                    next_job.value = i + 1
                if i >= len(names):
                    return
                reader = reader or SnapshotReader(paths)
                try:
                    feed_stage(paths, sources, names[i], cycle_id, snapshot=reader,
                               cpu_lock=cpu)
                except Exception:
                    log.exception("feed %s: the feed stage failed", names[i])
                    failed.append(names[i])
        finally:
            if reader is not None:
                reader.close()

    threads = [threading.Thread(target=lane, name=f"pressmon-feeds-{n}")
               for n in range(max(1, lanes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return not failed


def _worker_main(*args) -> None:
    sys.exit(0 if _feed_lanes(*args) else 1)


def _worker_host(paths: Paths, sources, cycle_id: str, names: list[str], processes: int,
                 lanes: int) -> None:
    """Runs in a child process: loads the heavy parts once, forks the other workers from
    itself (they share those pages), then works as one of them. The main process, which then
    loads the database, never holds those libraries."""
    import multiprocessing

    _warm_up()
    ctx = multiprocessing.get_context("fork")
    next_job = ctx.Value("i", 0)
    args = (paths, sources, cycle_id, names, next_job, lanes)
    # Forked before this process starts any thread.
    others = [ctx.Process(target=_worker_main, args=args, name=f"pressmon-worker-{n}")
              for n in range(1, processes)]
    for p in others:
        p.start()
    ok = _feed_lanes(*args)
    for p in others:
        p.join()
    sys.exit(0 if ok and all(p.exitcode == 0 for p in others) else 1)


def _run_feed_workers(paths: Paths, sources, cycle_id: str, names: list[str],
                      processes: int) -> None:
    import multiprocessing

    host = multiprocessing.get_context("fork").Process(
        target=_worker_host, args=(paths, sources, cycle_id, names, processes,
                                   FEEDS_PER_WORKER), name="pressmon-feed-workers")
    host.start()
    _prepare_load()
    host.join()
    if host.exitcode != 0:
        # What the feeds staged is loaded all the same; a feed without an outcome is
        # recorded as failed ("did not complete"), as a killed Airflow task's would be.
        log.error("the feed workers stopped abnormally (exit code %s)", host.exitcode)


def _prepare_load() -> None:
    """Import what the load needs while the feed workers run: this process waits for them
    anyway, and while the worker host loads its own libraries a core is free (~0.25 s of CPU
    taken off the cycle's critical path)."""
    from . import dedupe, events, exports, load, search  # noqa: F401


def _warm_up() -> None:
    """Load the heavy parts once in the worker host: the workers it forks inherit them
    instead of each paying for them (langdetect's profiles alone take most of a second)."""
    from . import canonical, dedupe, extract, feeds, fetch, text  # noqa: F401
    from .language import _detector_factory

    _detector_factory()
    # trafilatura (with courlan, htmldate, justext) and bs4 are imported at the first page
    # otherwise: once in every worker instead of once here (~0.13 s of CPU per process).
    extract.warm_up()


def run_cycle(paths: Paths, *, workers: int | None = None, runner: str = "cli",
              cycle_id: str | None = None) -> dict:
    """One full ingest cycle in this process and a pool of worker processes."""
    from .store import check_writable

    # Bad configuration or an unwritable database stop the run before any fetch.
    sources = load_sources(paths.sources)
    cached_rules(paths)
    check_writable(paths.db)
    cycle_id = cycle_id or new_cycle_id(runner)
    started = now()
    names = [s.name for s in sources.sources]
    workers = min(len(names), workers or os.cpu_count() or 1)
    with hold_cycle(paths, cycle_id):  # between the stages too: never taken as abandoned
        if workers <= 1:
            reader = SnapshotReader(paths)
            try:
                for name in names:
                    try:
                        feed_stage(paths, sources, name, cycle_id, snapshot=reader)
                    except Exception:  # one feed's staging never sinks the others
                        log.exception("feed %s: the feed stage failed", name)
            finally:
                # Closed before the load replaces the snapshot.
                reader.close()
        else:
            _run_feed_workers(paths, sources, cycle_id, names, workers)
        return load_stage(paths, sources, cycle_id, runner=runner, started_at=started)

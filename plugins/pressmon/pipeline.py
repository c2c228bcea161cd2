"""A whole ingest cycle from the command line: every feed's fetch, extract and classify
stages in a pool of worker processes, then the load in this process.

The Airflow DAG runs the same stages as separate tasks (``pressmon.airflow.ingest``); this
module is how ``pressmon ingest`` runs them on one machine.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor

from .config import load_sources
from .dates import now
from .settings import Paths
from .snapshot import SnapshotReader
from .stages import cached_rules, feed_stage, load_stage
from .staging import new_cycle_id

log = logging.getLogger("pressmon.pipeline")


_WORKER_SNAPSHOT: dict = {}


def _worker_snapshot(paths: Paths) -> SnapshotReader:
    """One snapshot connection per worker process, shared by the feeds it handles: the
    snapshot does not change before the load, and opening DuckDB costs tens of ms."""
    reader = _WORKER_SNAPSHOT.get(paths.db)
    if reader is None:
        reader = _WORKER_SNAPSHOT[paths.db] = SnapshotReader(paths)
    return reader


def _feed_worker(args) -> dict:
    paths, sources, name, cycle_id = args
    return feed_stage(paths, sources, name, cycle_id, snapshot=_worker_snapshot(paths))


def _worker_host(jobs: list, workers: int) -> None:
    """Runs in a child process: loads the heavy parts once, then forks the feed workers
    from itself. They share those pages, and the main process, which then loads the
    database, never holds them (langdetect's profiles alone are ~60 MB)."""
    import multiprocessing

    _warm_up()
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_feed_worker, jobs))


def _run_feed_workers(jobs: list, workers: int) -> None:
    import multiprocessing

    host = multiprocessing.get_context("fork").Process(
        target=_worker_host, args=(jobs, workers), name="pressmon-feed-workers")
    host.start()
    host.join()
    if host.exitcode != 0:
        raise RuntimeError(f"the feed workers stopped abnormally (exit code {host.exitcode}); "
                           f"the cycle was not loaded")


def _warm_up() -> None:
    """Load the heavy parts once in the worker host: the workers it forks inherit them
    instead of each paying for them (langdetect's profiles alone take most of a second)."""
    from . import canonical, dedupe, extract, feeds, fetch  # noqa: F401
    from .language import _detector_factory

    _detector_factory()


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
    # Twice the cores: a worker waiting on the network leaves its core to another.
    workers = workers or min(len(names), 2 * (os.cpu_count() or 1), 8)
    jobs = [(paths, sources, name, cycle_id) for name in names]
    try:
        if workers <= 1:
            for job in jobs:
                _feed_worker(job)
        else:
            _run_feed_workers(jobs, workers)
    finally:
        # The parent's reader (single-worker runs) must be closed before the load
        # replaces the snapshot.
        for reader in _WORKER_SNAPSHOT.values():
            reader.close()
        _WORKER_SNAPSHOT.clear()
    return load_stage(paths, sources, cycle_id, runner=runner, started_at=started)

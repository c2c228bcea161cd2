"""What both DAG files and the task bodies share, defined once and cheap to import at parse
time: the articles Asset (lineage from press_ingest to press_weekly_digest), the writers'
one-slot pool, the failure notifier, and how a task fails with a known cause."""

from __future__ import annotations

from airflow.sdk import Asset

from .alerts import failure_notifier

__all__ = ["ARTICLES", "WRITER_POOL", "TaskFailed", "fail_task", "failure_notifier"]

ARTICLES = Asset(name="pressmon_articles", uri="pressmon://warehouse/articles")
WRITER_POOL = "duckdb_writer"  # one slot: DuckDB has one writer at a time


class TaskFailed(SystemExit):
    """A task failure whose cause is known and already logged on its own lines. Airflow's
    task runner reports a SystemExit as "Task exited" without a traceback (any other exception
    gets one, which buries the cause), and fails the task, or retries it when the task has
    retries left. ``str()`` is the cause, for the failure alert."""

    def __str__(self) -> str:
        return str(self.code)


def fail_task(message: str, log) -> None:
    """Log the cause, its first line short and on its own, details on the next lines, then
    fail the task without a traceback."""
    lines = message.splitlines() or ["failed"]
    for line in lines:
        log.error("%s", line)
    raise TaskFailed("\n".join(lines))

"""What both DAG files share, defined once and cheap to import at parse time: the articles
Asset (lineage from press_ingest to press_weekly_digest), the writers' one-slot pool and the
failure notifier."""

from __future__ import annotations

from airflow.sdk import Asset

from .alerts import failure_notifier

__all__ = ["ARTICLES", "WRITER_POOL", "failure_notifier"]

ARTICLES = Asset(name="pressmon_articles", uri="pressmon://warehouse/articles")
WRITER_POOL = "duckdb_writer"  # one slot: DuckDB has one writer at a time

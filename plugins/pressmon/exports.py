"""Parquet exports for BI tools: v_articles, v_stories and fetch_log, partitioned by month.

Published by the writer right after ``store.publish_snapshot``, atomically: each export is a
complete set built aside (``sets/.building-*``), renamed into place, then made current by
replacing the symbolic link ``current`` in one ``rename``. A reader that resolved ``current``
(or opened files under it) keeps a complete set while the next one is published; the
previous sets are kept (KEEP_SETS) so that a reader in the middle of a scan never loses its
files.

Layout under ``paths.exports_dir``::

    current -> sets/20171113T080000Z-…         (what BI tools open)
    sets/<id>/articles/month=2017-11/*.parquet  (v_articles, by publication month, Paris time)
    sets/<id>/stories/month=2017-11/*.parquet   (v_stories, by first publication month)
    sets/<id>/fetch_log/month=2017-11/*.parquet (by fetch month)
    sets/<id>/manifest.json                     (row counts, schema version, time)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from . import store
from .settings import Paths

KEEP_SETS = 3
ROW_GROUP_SIZE = 2048
CURRENT = "current"
SETS = "sets"

# table name in the set -> (relation, month expression). Months follow the reports' days
# (Europe/Paris), so a month's partition holds what the reports count in that month.
EXPORTS = {
    "articles": ("v_articles", "strftime(pm_local_day(pm_article_time(published_at, "
                               "first_seen_at)), '%Y-%m')"),
    "stories": ("v_stories", "strftime(pm_local_day(coalesce(first_published_at, "
                             "first_seen_at)), '%Y-%m')"),
    "fetch_log": ("fetch_log", "strftime(pm_local_day(started_at), '%Y-%m')"),
}


class ExportError(RuntimeError):
    """An export could not be written; the message names the table and the folder."""


def _relation_exists(con, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [name]).fetchall()[0][0])


def current_set(paths: Paths) -> Path | None:
    """The folder of the current export set, or None before the first export."""
    link = Path(paths.exports_dir) / CURRENT
    return link.resolve() if link.exists() else None


def publish_exports(con, paths: Paths, *, now: dt.datetime | None = None) -> Path:
    """Write a new complete export set from ``con`` and make it current; returns its folder."""
    root = Path(paths.exports_dir)
    sets = root / SETS
    sets.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%S.%fZ")
    set_id = f"{stamp}-{os.getpid()}"
    building = sets / f".building-{set_id}"
    final = sets / set_id
    manifest = {"created_at": stamp, "schema_version": store.schema_version(con),
                "tables": {}}
    try:
        building.mkdir()
        for table, (relation, month) in EXPORTS.items():
            if not _relation_exists(con, relation):
                continue  # v_stories before the story migration: nothing to export
            out = building / table
            out.mkdir()
            rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
            if rows:
                # The folder is a parameter, never SQL text: a path holding a quote is data.
                con.execute(
                    f"COPY (SELECT *, {month} AS month FROM {relation}) TO ? "
                    f"(FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part_{{i}}', "
                    # Small row groups: the writer buffers one per open partition, and a
                    # default-size group of article texts alone needs ~70 MB.
                    f"ROW_GROUP_SIZE {ROW_GROUP_SIZE})", [str(out)])
            manifest["tables"][table] = {"source": relation, "rows": rows}
        (building / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n",
                                                encoding="utf-8")
        os.rename(building, final)
    except Exception as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise ExportError(f"cannot write the Parquet exports under {root}: {exc}") from exc
    # Swap: a new link beside the old one, renamed over it (rename is atomic on POSIX).
    tmp_link = root / f".{CURRENT}.{os.getpid()}.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path(SETS) / set_id, tmp_link)
    os.replace(tmp_link, root / CURRENT)
    _prune(sets, keep=final.name)
    return final


def _prune(sets: Path, keep: str) -> None:
    """Remove all but the KEEP_SETS newest sets, and builds abandoned by crashed writers."""
    done = sorted((p for p in sets.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)
    for old in done[:-KEEP_SETS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in sets.glob(".building-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)

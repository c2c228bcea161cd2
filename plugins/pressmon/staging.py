"""The hand-over files between the stages of one ingest cycle.

Each cycle has a staging folder (``<staging_dir>/<cycle id>/``) with one sub-folder per feed:

    feed.json           the feed's outcome (the future ``fetch_log`` row), always written
    pages.jsonl         one record per wanted entry: the page's fetch outcome and file name
    pages/NNNNN.html.gz the fetched page bodies
    articles.jsonl      extracted article records
    classified.jsonl    the same records with their tags: what the load reads

The stages run in separate processes (Airflow tasks, CLI workers) and, in a multi-host
deployment, on separate machines sharing the staging folder; every file is written under a
temporary name and renamed, so a stage that dies never leaves a half-written file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterable, Iterator

from .dates import now
from .settings import Paths

FEED_FILE = "feed.json"
PAGES_FILE = "pages.jsonl"
ARTICLES_FILE = "articles.jsonl"
CLASSIFIED_FILE = "classified.jsonl"


def new_cycle_id(prefix: str = "cli") -> str:
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    return f"{prefix}-{stamp}-{secrets.token_hex(3)}"


def safe_id(text: str) -> str:
    """A cycle id usable as a folder name (Airflow run ids hold ':' and '+')."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:120]


def cycle_dir(paths: Paths, cycle_id: str) -> Path:
    return paths.staging_dir / safe_id(cycle_id)


def feed_dir(paths: Paths, cycle_id: str, source: str) -> Path:
    return cycle_dir(paths, cycle_id) / source


def write_json(path: Path, data: Any) -> None:
    """Write atomically: a stage that dies leaves no half-written hand-over file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=_json_default), encoding="utf-8")
    os.replace(tmp, path)


def write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=_json_default))
            fh.write("\n")
            n += 1
    os.replace(tmp, path)
    return n


def read_jsonl(path: Path) -> Iterator[dict]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _json_default(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")

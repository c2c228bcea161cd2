"""The hand-over files between the stages of one ingest cycle.

Each cycle has a staging folder (``<staging_dir>/<cycle id>/``) with one sub-folder per feed:

    feed.json           the feed's outcome (the future ``fetch_log`` row), always written
    pages.jsonl         one record per wanted entry: the page's fetch outcome and file name
    pages/NNNNN.html    the fetched page bodies (when extraction runs as a separate stage)
    articles.jsonl      extracted article records (idem)
    classified.jsonl    the records with their tags: what the load reads

The stages run in separate processes (Airflow tasks) and, in a multi-host deployment, on
separate machines sharing the staging folder; every file is written under a temporary name and
renamed, so a stage that dies never leaves a half-written file. A CLI worker runs a feed's
first three stages in one process and hands the pages over in memory: it writes only what the
load reads (feed.json, pages.jsonl, classified.jsonl).

Records are JSON lines, encoded and decoded by msgspec (several times faster than the json
module on texts of a few kilobytes); MinHash signatures travel as hex strings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterable, Iterator

import msgspec

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
    encode = _ENCODER.encode_into
    buf = bytearray()
    with tmp.open("wb") as fh:
        for row in rows:
            encode(row, buf, len(buf))
            buf += b"\n"
            n += 1
            if len(buf) >= _FLUSH_BYTES:
                fh.write(buf)
                buf.clear()
        fh.write(buf)
    os.replace(tmp, path)
    return n


def read_jsonl(path: Path, record_type: type | None = None) -> Iterator[Any]:
    """The records of a JSON lines file, as dicts or, given a msgspec Struct type, as that
    type (only its fields are decoded: the texts a caller does not need are skipped)."""
    if not path.exists():
        return
    decode = (_DECODER if record_type is None else _decoder_for(record_type)).decode
    with path.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield decode(line)
                except msgspec.DecodeError as exc:
                    raise ValueError(f"{path}, line {n}: {exc}") from None


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


_FLUSH_BYTES = 1 << 20
_DECODER = msgspec.json.Decoder()
_TYPED_DECODERS: dict[type, msgspec.json.Decoder] = {}


def _decoder_for(record_type: type) -> msgspec.json.Decoder:
    decoder = _TYPED_DECODERS.get(record_type)
    if decoder is None:
        decoder = _TYPED_DECODERS[record_type] = msgspec.json.Decoder(record_type)
    return decoder


def _enc_hook(value):
    if hasattr(value, "tolist"):  # numpy values
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


_ENCODER = msgspec.json.Encoder(enc_hook=_enc_hook)


def signature_text(sig) -> str | None:
    """A MinHash signature (uint32 values) as it travels in records: little-endian hex."""
    if sig is None:
        return None
    import numpy as np

    return np.asarray(sig, dtype="<u4").tobytes().hex()


def signature_values(value):
    """The signature of a record as a numpy uint32 array (hex, or a list from older files)."""
    if not value:
        return None
    import numpy as np

    if isinstance(value, str):
        return np.frombuffer(bytes.fromhex(value), dtype="<u4").astype(np.uint32)
    return np.asarray(value, dtype=np.uint32)


def _json_default(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")

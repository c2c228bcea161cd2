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

A stage holds its cycle while it runs (``hold_cycle``: a shared ``flock`` on the cycle's
``.cycle.lock``, whose modification time is the cycle's last activity). The load removes its
own folder, then the folders of other cycles that failed or were abandoned
(``remove_stale_cycles``): untouched for a day and held by no stage, whichever of the CLI or
Airflow made them.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import msgspec

from .dates import now
from .settings import Paths

log = logging.getLogger("pressmon.staging")

FEED_FILE = "feed.json"
PAGES_FILE = "pages.jsonl"
ARTICLES_FILE = "articles.jsonl"
CLASSIFIED_FILE = "classified.jsonl"
LOCK_FILE = ".cycle.lock"
# A cycle's stages and load run within minutes (Airflow retries within the hour); a folder
# untouched for a day belongs to a cycle that failed or was abandoned.
STALE_AFTER_S = 24 * 3600


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


@contextmanager
def hold_cycle(paths: Paths, cycle_id: str) -> Iterator[Path]:
    """Hold the cycle's staging folder while the block runs (made if needed): a shared lock
    that ``remove_stale_cycles`` never breaks, and the cycle's last activity stamped on entry
    and on exit."""
    folder = cycle_dir(paths, cycle_id)
    lock = folder / LOCK_FILE
    while True:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            held, there = os.fstat(fd), os.stat(lock)
            if (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino):
                break
        except FileNotFoundError:
            pass  # removed as stale while this waited for the lock: make it again
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        os.utime(fd)
        yield folder
    finally:
        try:
            os.utime(fd)
        except OSError:
            pass  # the load removed its own folder
        os.close(fd)


def _last_activity(folder: Path) -> float:
    """The newest modification time of the folder, its feed folders and its lock file."""
    stamps = [folder.stat().st_mtime]
    for child in folder.iterdir():
        try:
            stamps.append(child.stat().st_mtime)
        except OSError:
            pass
    return max(stamps)


def remove_stale_cycles(paths: Paths, *, keep: str | None = None,
                        older_than_s: float = STALE_AFTER_S) -> list[str]:
    """Remove the staging folders of cycles untouched for ``older_than_s`` and held by no
    stage (failed or abandoned cycles); ``keep`` names a cycle never to remove. Safe with
    other processes (CLI cycles, Airflow tasks) sharing the folder: a folder is removed only
    under an exclusive lock that a running stage's shared lock excludes, and is renamed
    away before it is deleted. Returns the cycle ids removed."""
    root = paths.staging_dir
    if not root.is_dir():
        return []
    keep_name = safe_id(keep) if keep else None
    removed = []
    try:
        folders = sorted(root.iterdir())
    except OSError as exc:
        log.warning("staging folder %s not cleaned: %s", root, exc.strerror or exc)
        return []
    for folder in folders:
        if folder.name.startswith(".") or folder.name == keep_name:
            continue
        try:
            if folder.is_symlink() or not folder.is_dir():
                continue
            if time.time() - _last_activity(folder) < older_than_s:
                continue
            trash = _take_stale(folder, older_than_s)
        except OSError as exc:
            log.warning("staging folder %s not removed: %s", folder, exc.strerror or exc)
            continue
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(folder.name)
            log.info("removed the staging folder of cycle %s (untouched for %.0f h)",
                     folder.name, older_than_s / 3600)
    for trash in root.glob(".removing-*"):
        pid = trash.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():  # its remover died midway
            shutil.rmtree(trash, ignore_errors=True)
    return removed


def _take_stale(folder: Path, older_than_s: float) -> Path | None:
    """Lock a stale cycle exclusively and rename it out of the way; None if it is in use."""
    lock = folder / LOCK_FILE
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        created = True
    except FileExistsError:
        fd = os.open(lock, os.O_RDWR)
        created = False
    try:
        stamp = os.fstat(fd).st_mtime_ns
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return None  # a stage of that cycle is running
            raise
        touched = os.fstat(fd).st_mtime_ns
        # A stage that ran between the age check and the lock stamped the file.
        if (touched != stamp) if created else (time.time() - touched / 1e9 < older_than_s):
            return None
        trash = folder.with_name(f".removing-{folder.name}-{os.getpid()}")
        os.rename(folder, trash)
        return trash
    finally:
        os.close(fd)  # a stage waiting for the lock finds the folder gone and makes it anew


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

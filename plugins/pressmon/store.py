"""The DuckDB warehouse: connections, schema migrations, views and the published snapshot.

One process writes (the load task, in Airflow's one-slot ``duckdb_writer`` pool); everything
that only reads opens the snapshot published after each load, never the live file, because a
reader in another process holds a lock that blocks the writer.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import duckdb

from .errors import StoreError
from .settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
VIEWS_DIR = SQL_DIR / "views"
MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
LOCK_RE = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def fetch_one(con, sql: str, params=None):
    """The first row of a query, or None, with the result fully consumed.

    DuckDB keeps a partly fetched result open on the connection, which makes the next
    ``register`` fail: never leave one behind.
    """
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0] if rows else None


def on_arrow(con, table, name: str, sql: str):
    """Run ``sql`` with the Arrow ``table`` visible as ``name`` for this statement alone;
    returns DuckDB's relation (``fetchall()`` it for a query's rows).

    Not ``con.register``: a view registered inside a transaction stays in the catalog's undo
    log with its Arrow data until the commit, even once unregistered, so every batch a load
    inserts would be held in memory a second time.
    """
    return con.from_arrow(table).query(name, sql)


def fetch_dicts(con, sql: str, params=None) -> list[dict]:
    """Every row of a query as a dict keyed by column name."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = MIGRATION_RE.match(path.name)
        if not m:
            raise StoreError(f"{path}: migration files are named NNN_name.sql")
        found.append((int(m.group(1)), m.group(2), path))
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise StoreError(f"{MIGRATIONS_DIR}: two migrations share a number")
    return found


def latest_version() -> int:
    """The schema version this code brings a database to."""
    found = migrations()
    return found[-1][0] if found else 0


def _lock_holder(exc: Exception) -> str | None:
    m = LOCK_RE.search(str(exc))
    if not m:
        return None
    exe, pid = m.group(1), m.group(2)
    cmd = ""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        cmd = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    except OSError:
        pass
    return f"PID {pid} ({cmd or exe})"


def check_writable(path: Path) -> None:
    """Fail fast, before a cycle fetches anything, when the database cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the database folder {path.parent}: "
                         f"{exc.strerror or exc}") from None
    if path.is_dir():
        raise StoreError(f"database path {path} is a folder, not a file")
    probe = path.parent / f".{path.name}.{os.getpid()}.probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(f"database folder {path.parent} is not writable: "
                         f"{exc.strerror or exc}") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"database file {path} is not writable")
    if path.exists() and path.stat().st_size:
        with path.open("rb") as fh:
            head = fh.read(16)
        if head[8:12] != b"DUCK":
            raise StoreError(f"{path} is not a DuckDB database file")
        _check_not_foreign_file(path)


def _check_not_foreign_file(path: Path) -> None:
    """Refuse another application's DuckDB file, reading it only."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if _lock_holder(exc):
            return  # in use by a writer: the writer's own check refuses it before any write
        raise StoreError(f"cannot open database {path}: {_short(exc)}") from None
    except duckdb.Error as exc:
        raise StoreError(f"cannot open database {path}: {_short(exc)}") from None
    try:
        check_pressmon(con, path)
    finally:
        con.close()


def check_pressmon(con, path: Path | str) -> None:
    """Refuse a database that holds tables or views but no pressmon ``schema_version``:
    another application's file, which pressmon must neither read as its own nor write to.
    A database without any table is a new one."""
    rows = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                       "WHERE table_catalog = current_database()").fetchall()
    if not rows or ("main", "schema_version") in rows:
        return
    names = sorted((t if sch == "main" else f"{sch}.{t}")[:40] for sch, t in rows)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise StoreError(f"{path} is not a pressmon database: it holds tables of another "
                     f"application ({shown}) and no pressmon schema_version; it was left "
                     f"untouched. Give --db (or PRESSMON_DB) a pressmon database or a new file")


def connect(path: Path, *, read_only: bool = False, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file with operator-readable errors.

    A lock held by another process (an analyst's session on the live file, another load) is
    waited for up to ``wait_s`` seconds, then reported with the holder's PID and command.
    """
    path = Path(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the database folder {path.parent}: "
                             f"{exc.strerror or exc}") from None
        if path.parent.exists() and not os.access(path.parent, os.W_OK):
            raise StoreError(f"database folder {path.parent} is not writable")
        if path.exists() and not os.access(path, os.W_OK):
            raise StoreError(f"database file {path} is not writable")
    elif not path.exists():
        raise StoreError(f"database {path} does not exist (run `pressmon ingest` first)")
    deadline = time.monotonic() + wait_s
    delay = 0.2
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            holder = _lock_holder(exc)
            if holder and time.monotonic() < deadline:
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 5.0)
                continue
            if holder:
                raise StoreError(
                    f"database {path} is locked by another process: {holder}; "
                    f"close that session (analysts: open the snapshot instead) and retry"
                ) from None
            raise StoreError(f"cannot open database {path}: {_short(exc)}") from None
        except duckdb.Error as exc:
            raise StoreError(f"cannot open database {path}: {_short(exc)}") from None


def _short(exc: Exception) -> str:
    text = str(exc)
    text = re.sub(r"^[A-Za-z ]+Error: ", "", text)
    return text.split("\n")[0]


def schema_version(con) -> int:
    has = fetch_one(con,
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = 'schema_version'"
    )[0]
    if not has:
        return 0
    row = fetch_one(con, "SELECT max(version) FROM schema_version")
    return int(row[0] or 0)


def migrate(con, path: Path | str = "database") -> int:
    """Apply pending migrations in order, each in its own transaction, then refresh views.

    A database newer than this code is refused rather than misread.
    """
    found = migrations()
    latest = found[-1][0] if found else 0
    current = schema_version(con)
    if current == 0:
        check_pressmon(con, path)  # before anything is written to it
    if current > latest:
        raise StoreError(
            f"{path} has schema version {current}, newer than this pressmon knows "
            f"({latest}); upgrade pressmon before using this database"
        )
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    for number, name, file in found:
        if number <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [number, name])
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"migration {file.name} failed on {path}: {_short(exc)}") from None
    create_views(con)
    return latest


def create_views(con) -> None:
    for file in sorted(VIEWS_DIR.glob("*.sql")):
        try:
            con.execute(file.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise StoreError(f"view file {file.name} failed: {_short(exc)}") from None
    reports = SQL_DIR / "reports"
    for file in sorted(reports.glob("*.sql")):
        try:
            con.execute(file.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise StoreError(f"report file {file.name} failed: {_short(exc)}") from None


def open_writer(path: Path, *, wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """The writer's connection, schema up to date."""
    con = connect(path, wait_s=wait_s)
    try:
        # DuckDB caches up to 80 % of the machine's memory by default; the writer shares the
        # host with fetch workers (and Airflow), so it is bounded and spills to disk beyond.
        set_memory_limit(con, os.environ.get(ENV_MEMORY, DEFAULT_MEMORY))
        migrate(con, path)
    except Exception:
        con.close()
        raise
    return con


ENV_MEMORY = "PRESSMON_DUCKDB_MEMORY"
DEFAULT_MEMORY = "256MB"
ENV_LOAD_MEMORY = "PRESSMON_DUCKDB_LOAD_MEMORY"
DEFAULT_LOAD_MEMORY = "64MB"


def set_memory_limit(con, value: str) -> None:
    if not re.fullmatch(r"[0-9.]+\s*[KMGT]?i?B", value.strip(), re.IGNORECASE):
        raise StoreError(f"DuckDB memory limit must be a size such as 512MB, got {value!r} "
                         f"(see {ENV_MEMORY} / PRESSMON_DUCKDB_LOAD_MEMORY)")
    con.execute(f"SET memory_limit = '{value.strip()}'")


def snapshot_path(db: Path) -> Path:
    db = Path(db)
    return db.with_name(db.stem + ".snapshot" + db.suffix)


def publish_snapshot(con, db: Path) -> Path:
    """Copy the checkpointed database next to it, atomically (write a temp file, rename).

    Called by the writer right after its commit, with its connection still open so nothing
    else writes meanwhile. Readers that hold the previous snapshot open keep their file.
    """
    db = Path(db)
    target = snapshot_path(db)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con.execute("CHECKPOINT")
    try:
        shutil.copyfile(db, tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def open_reader(db: Path, *, prefer_snapshot: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only connection for reports, digests and lookups: the snapshot when it exists."""
    db = Path(db)
    snap = snapshot_path(db)
    path = snap if prefer_snapshot and snap.exists() else db
    con = connect(path, read_only=True)
    try:
        check_pressmon(con, path)
    except BaseException:
        con.close()
        raise
    return con

"""An analyst's process for test_exports: holds the snapshot open read-only for its whole life
and keeps reading all of it, and the Parquet exports, while the test runs loads.

argv: snapshot path, exports folder. stdin commands, one per line: `check` (answer with what
the current export set holds now), `stop`. Between commands a thread reads in a loop and
records every figure it sees and every error. Prints JSON lines.

DuckDB shares one open database per file within a process: while this process holds the
snapshot open, connecting again to the same path gives the same (old) file. That is why the
test, not this process, looks at the newly published snapshot.
"""

import json
import os
import sys
import threading

import duckdb

snapshot, exports = sys.argv[1], sys.argv[2]
held = duckdb.connect(snapshot, read_only=True)
WHOLE_FILE = ("SELECT (SELECT count(*) FROM v_articles), "
              "(SELECT sum(length(text)) FROM articles), (SELECT count(*) FROM search_terms), "
              "(SELECT count(*) FROM r_week_stories), (SELECT count(*) FROM fetch_log)")
held_figures = held.execute(WHOLE_FILE).fetchone()
held_count = held_figures[0]
seen_parquet, errors = set(), []
stop = threading.Event()


def parquet_count():
    # Resolve `current` once, then read inside that set: one consistent set per read.
    current = os.path.realpath(os.path.join(exports, "current"))
    manifest = json.load(open(os.path.join(current, "manifest.json")))
    mem = duckdb.connect()
    try:
        n_pq = mem.execute(f"SELECT count(*) FROM read_parquet('{current}/articles/*/*.parquet')"
                           ).fetchone()[0]
    finally:
        mem.close()
    if n_pq != manifest["tables"]["articles"]["rows"]:
        raise AssertionError(f"set {current}: {n_pq} rows, manifest says "
                             f"{manifest['tables']['articles']['rows']}")
    return n_pq


def loop():
    while not stop.is_set():
        try:
            seen_parquet.add(parquet_count())
            if held.execute(WHOLE_FILE).fetchone() != held_figures:
                raise AssertionError("the held snapshot changed under the reader")
        except Exception as exc:  # recorded and reported: the test fails on any
            errors.append(f"{type(exc).__name__}: {exc}")


print(json.dumps({"ready": True, "held_count": held_count}), flush=True)
worker = threading.Thread(target=loop, daemon=True)
worker.start()
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "check":
        try:
            print(json.dumps({"parquet": parquet_count()}), flush=True)
        except Exception as exc:
            print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    elif cmd == "stop":
        break
stop.set()
worker.join()
print(json.dumps({"held_count_end": held.execute("SELECT count(*) FROM v_articles").fetchone()[0],
                  "seen_parquet": sorted(seen_parquet),
                  "errors": errors[:5]}), flush=True)

"""One `pressmon ingest` over good feeds and every hostile endpoint: the cycle finishes, each
feed has one fetch_log row with its readable error, and the good feeds' articles are loaded."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"

GOOD = {"good": "/good.xml", "good-gzip": "/gzip"}
HOSTILE = {
    "s500": ("/status/500", "HTTP 500 Internal Server Error (2 attempts)"),
    "s404": ("/status/404", "HTTP 404 Not Found"),
    "s410": ("/status/410", "HTTP 410 Gone"),
    "s429": ("/status/429?retry_after=1", "HTTP 429 Too Many Requests (2 attempts)"),
    "reset": ("/reset", "connection reset by peer (2 attempts)"),
    "stall": ("/stall", "timed out after 1.5 s (2 attempts)"),
    "trickle": ("/trickle", "timed out after 1.5 s (2 attempts)"),
    "huge": ("/huge", "response larger than 1 MB"),
    "gzip-bomb": ("/gzip-bomb", "response larger than 1 MB once decompressed"),
    "redirect-loop": ("/loop/0", "too many redirects (6)"),
    "truncated": ("/truncated", "truncated response: received 300 of 1000 bytes (2 attempts)"),
    "billion-laughs": ("/case/billion-laughs", "unsafe feed: XML entity 'lol1' refers to "
                       "other entities (entity expansion attack)"),
    "quadratic": ("/case/quadratic-blowup", "unsafe feed: XML entity 'a' of 100000 "
                  "characters refused (entity expansion attack)"),
    "xxe": ("/case/external-entity", "unsafe feed: external XML entity 'xxe' refused "
            "(SYSTEM reference)"),
    "png": ("/case/binary-png", "not a feed: binary data (a PNG image)"),
    "html": ("/case/html-page", "not a feed: text/html page"),
    "garbage": ("/case/malformed-garbage", "malformed feed: not well-formed (invalid token) "
                "(line 1)"),
}


def test_ingest_survives_the_hostile_web(server, tmp_path):
    sources = [{"name": n, "url": server.url(p), "region": "marseille"} for n, p in GOOD.items()]
    sources += [{"name": n, "url": server.url(p), "region": "marseille"}
                for n, (p, _) in HOSTILE.items()]
    config = {"fetch": {"timeout_s": 1.5, "retries": 1, "per_host_delay_s": 0,
                        "per_host_concurrency": 4, "max_bytes": 1_000_000},
              "sources": sources}
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    db = tmp_path / "press.duckdb"
    env = dict(os.environ, PRESSMON_DATA_DIR=str(tmp_path / "data"))
    t0 = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).parent / "pressmon"), "ingest",
                           "--sources", str(tmp_path / "sources.yaml"), "--db", str(db),
                           "--config-dir", str(CONFIG),
                           "--missions", str(CONFIG / "missions.yaml")],
                          capture_output=True, text=True, env=env, timeout=300)
    wall = time.monotonic() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"ingest of {len(sources)} feeds ({len(HOSTILE)} hostile): {wall:.1f} s wall, "
          f"peak RSS of the largest child process {peak_mb:.0f} MB")
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT source, outcome, error, count(*) OVER (PARTITION BY source) "
                       "FROM fetch_log").fetchall()
    got = {r[0]: r for r in rows}
    assert len(rows) == len(sources) and all(r[3] == 1 for r in rows)
    for name in GOOD:
        assert got[name][1] == "ok", got[name]
    for name, (_, message) in HOSTILE.items():
        assert got[name][1:3] == ("error", message), name
    loaded = dict(con.execute("SELECT source, count(*) FROM articles GROUP BY source").fetchall())
    # Both good feeds (plain and gzip) list the same entries on one site: one URL is one
    # article, stored once under the feed listed first.
    assert loaded.get("good", 0) >= 1 and set(loaded) <= set(GOOD)
    assert con.execute("SELECT count(*) = count(DISTINCT canonical_url) FROM articles").fetchone()[0]

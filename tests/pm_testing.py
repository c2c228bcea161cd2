"""Paths and helpers shared by the test folders (import: ``from pm_testing import ...``)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
CONFIG = ROOT / "config"
BIN = Path(sys.executable).parent


def script_module(name: str):
    """``scripts/<name>.py`` loaded as a module (the evaluation scripts' loaders and scorers,
    which tests reuse rather than copy)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*args: str, env: dict | None = None, check: bool = True):
    """Run the installed `pressmon` console script as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([str(BIN / "pressmon"), *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"pressmon {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def merged_events_db(db: Path) -> tuple[str, str]:
    """A pressmon database holding two events of 7 Nov 2017 (a signing and a pitch, two stories
    each) merged by a bridging article, as the load groups them (``events.assign_events`` on
    fingerprints), snapshot published: (the retired event id, the surviving one). The rest of
    the trip's coverage is loaded first: a key weighs by how few articles of the window carry
    it, and in a window of a handful of articles nothing is distinctive yet."""
    import datetime as dt

    from pressmon import store
    from pressmon.events import FINGERPRINT_VERSION, assign_events

    home = "home:Jean-Claude Gaudin"
    signing = [home, "partner:Carlos Giménez", "num:120", "name:stephen", "name:clark"]
    pitch = [home, "home:Euroméditerranée", "num:80", "name:morel", "name:brickell"]
    con = store.open_writer(db)

    def load(*items):
        con.execute("BEGIN TRANSACTION")
        rows = []
        for aid, hour, keys in items:
            at = dt.datetime(2017, 11, 7, tzinfo=dt.timezone.utc) + dt.timedelta(hours=hour)
            day = at.date() if aid.startswith("bg") else dt.date(2017, 11, 7)
            con.execute(
                "INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, "
                "title, published_at, first_seen_at, last_seen_at, content_hash, relevant, "
                "story_id) VALUES (?, 's', ?, 'marseille', ?, ?, ?, ?, ?, ?, ?, true, ?)",
                [aid, aid, f"https://x.test/{aid}", f"https://x.test/{aid}", f"Titre {aid}",
                 at, at, at, aid, f"st_{aid}"])
            rows.append({"article_id": aid, "story_id": f"st_{aid}", "mission_id": None,
                         "published_at": at, "first_seen_at": at,
                         "fingerprint": {"v": FINGERPRINT_VERSION, "day": day.isoformat(),
                                         "cue": "mardi", "keys": keys, "shown": []}})
        assign_events(con, rows)
        con.execute("COMMIT")

    try:
        load(*((f"bg{i}", 24 * (i % 5 - 2) + 9 + i, [home, f"name:bg{i}", f"num:{900 + i}"])
               for i in range(10)))
        load(("s1", 10, signing), ("s2", 12, signing))
        load(("p1", 14, pitch), ("p2", 16, pitch))
        before = dict(con.execute("SELECT article_id, event_id FROM v_articles").fetchall())
        load(("bridge", 18, signing + pitch))
        [(retired, live)] = con.execute(
            "SELECT retired_event_id, event_id FROM event_aliases").fetchall()
        store.publish_snapshot(con, db)
    finally:
        con.close()
    assert (retired, live) == (before["p1"], before["s1"]), "the merge keeps the older id"
    return retired, live

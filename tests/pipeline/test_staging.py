"""The staging folder: one feed's failure there never loses the others, and the folders of
finished or abandoned cycles are removed, never a running cycle's."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest
import yaml

from pm_testing import CONFIG, ROOT, run_cli

DAY = 24 * 3600


@pytest.fixture
def three_feeds(sample_sources, tmp_path, monkeypatch):
    """Three of the sample's feeds: enough for a cycle, quick to run."""
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)  # staging beside the database
    data = yaml.safe_load(sample_sources.read_text(encoding="utf-8"))
    data["sources"] = data["sources"][:3]
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path, [s["name"] for s in data["sources"]]


@pytest.mark.parametrize("workers", [1, 2])
def test_one_feeds_staging_failure_never_loses_the_others(three_feeds, tmp_path, workers):
    """The second feed's staging folder cannot be made (a file stands in its place): that feed
    is recorded as failed, the others are loaded, and the cycle's folder is cleaned."""
    from pressmon.pipeline import run_cycle
    from pressmon.settings import get_paths
    from pressmon.staging import cycle_dir

    sources, names = three_feeds
    paths = get_paths(db=str(tmp_path / "db" / "press.duckdb"), config_dir=str(CONFIG),
                      sources=str(sources), missions=str(CONFIG / "missions.yaml"))
    blocked = cycle_dir(paths, "c-blocked") / names[1]
    blocked.parent.mkdir(parents=True)
    blocked.write_text("in the way")
    summary = run_cycle(paths, workers=workers, cycle_id="c-blocked")
    assert summary["feeds_ok"] == 2 and summary["feeds_error"] == 1
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        log = {s: (o, e) for s, o, e in con.execute(
            "SELECT source, outcome, error FROM fetch_log").fetchall()}
        loaded = {s for (s,) in con.execute("SELECT DISTINCT source FROM articles").fetchall()}
    finally:
        con.close()
    assert set(log) == set(names)
    assert log[names[1]][0] == "error" and "staging" in log[names[1]][1]
    assert log[names[0]][0] == log[names[2]][0] == "ok"
    assert loaded == {names[0], names[2]}
    assert not cycle_dir(paths, "c-blocked").exists()


def _age(folder, seconds):
    """Make a staging folder look untouched for ``seconds``."""
    stamp = time.time() - seconds
    for root, dirs, files in os.walk(folder):
        for name in files + dirs:
            os.utime(os.path.join(root, name), (stamp, stamp))
    os.utime(folder, (stamp, stamp))


HOLDER = """
import sys
from pressmon.settings import get_paths
from pressmon.staging import hold_cycle
with hold_cycle(get_paths(db=sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_stale_staging_folders_are_removed_never_a_running_cycles(three_feeds, tmp_path):
    """After a load: a failed cycle's folder untouched for two days is removed; a recent one
    is kept (it may still be loaded), and so is an old one whose stages still run."""
    sources, names = three_feeds
    db = tmp_path / "db" / "press.duckdb"
    staging = db.parent / "staging"
    for cycle in ("af-abandoned", "cli-recent", "af-running"):
        feed = staging / cycle / names[0]
        (feed / "pages").mkdir(parents=True)
        (feed / "feed.json").write_text('{"outcome": "ok"}')
        (feed / "pages" / "00000.html.gz").write_bytes(b"x" * 100)
    _age(staging / "af-abandoned", 2 * DAY)
    _age(staging / "cli-recent", 3600)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), "af-running"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        _age(staging / "af-running", 2 * DAY)  # a stage that has run for two days
        proc = run_cli("ingest", "--sources", str(sources), "--db", str(db),
                       "--missions", str(CONFIG / "missions.yaml"))
        assert "Traceback" not in proc.stderr
        assert sorted(p.name for p in staging.iterdir()) == ["af-running", "cli-recent"]
        assert (staging / "af-running" / names[0] / "feed.json").exists()
        assert (staging / "cli-recent" / names[0] / "pages" / "00000.html.gz").exists()
    finally:
        holder.communicate("", timeout=30)
    # Once its stages are done and it is a day old, the next load removes it too.
    _age(staging / "af-running", 2 * DAY)
    run_cli("ingest", "--sources", str(sources), "--db", str(db),
            "--missions", str(CONFIG / "missions.yaml"))
    assert sorted(p.name for p in staging.iterdir()) == ["cli-recent"]

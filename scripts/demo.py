"""The README's first command: run press_ingest through Airflow on the bundled sample corpus.

Serves the sample news sites on loopback addresses (127.0.0.2, 127.0.0.3, ...), prepares a
throw-away SQLite-backed AIRFLOW_HOME, runs `airflow dags test press_ingest`, then prints what
was loaded and writes the digest preview of the sample week. Offline; nothing to install by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "sample"))  # the sample sites server

from siteserver import SiteServer, load_sites, render_sources  # noqa: E402

SAMPLE = ROOT / "sample"
SAMPLE_WEEK = "2017-W45"


def airflow_env(airflow_home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env.update({
        "PATH": venv_bin + os.pathsep + env.get("PATH", ""),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    })
    env.update(extra)
    return env


def run(cmd: list[str], env: dict, *, quiet: bool = True, log: Path | None = None,
        allow_fail: bool = False) -> int:
    t0 = time.monotonic()
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=out if quiet else None,
                              stderr=subprocess.STDOUT if quiet else None)
    finally:
        if log:
            out.close()
    if proc.returncode != 0 and not allow_fail:
        where = f" (log: {log})" if log else ""
        raise SystemExit(f"demo: `{' '.join(cmd[:4])}` failed with exit {proc.returncode}{where}")
    print(f"  {Path(cmd[0]).name} {' '.join(cmd[1:3])}: {time.monotonic() - t0:.1f} s")
    return proc.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "data" / "demo"),
                    help="folder for the demo database, digest preview and logs")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    airflow_home = Path(tempfile.mkdtemp(prefix="pressmon-airflow-"))
    log = out / "airflow.log"
    db = out / "press.duckdb"
    bin_dir = Path(sys.executable).parent

    with SiteServer(load_sites(SAMPLE)) as server:
        sources = render_sources(SAMPLE / "sources.yaml", server, out / "sources.yaml")
        print(f"sample news sites: {len(load_sites(SAMPLE))} outlets on 127.0.0.x:{server.port}")
        env = airflow_env(airflow_home, {
            "PRESSMON_SOURCES": str(sources),
            "PRESSMON_DB": str(db),
            "PRESSMON_CONFIG_DIR": str(ROOT / "config"),
        })
        print(f"Airflow (AIRFLOW_HOME={airflow_home}, SQLite):")
        run([str(bin_dir / "airflow"), "db", "migrate"], env, log=log)
        run([str(bin_dir / "airflow"), "pools", "set", "duckdb_writer", "1",
             "the one DuckDB writer"], env, log=log)
        # The sample holds one broken feed on purpose: its fetch task fails (red). It has never
        # worked, so it does not fail the run (check_feeds reports it); every other feed is
        # loaded, checked below.
        status = run([str(bin_dir / "airflow"), "dags", "test", "press_ingest"], env, log=log,
                     allow_fail=True)

    from pressmon import store

    if not store.snapshot_path(db).exists():
        raise SystemExit(f"demo: press_ingest loaded nothing (exit {status}); see {log}")
    con = store.open_reader(db)
    try:
        from pressmon.quality import check_connection

        cycle_id = con.execute("SELECT max(cycle_id) FROM cycles").fetchall()[0][0]
        quality = check_connection(con, cycle_id)
        if quality.problems:
            raise SystemExit("demo: the data-quality check failed:\n- "
                             + "\n- ".join(quality.problems))
        feeds = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE outcome = 'ok'), "
            "list(source || ': ' || error ORDER BY source) FILTER (WHERE outcome = 'error') "
            "FROM fetch_log").fetchone()
        arts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE relevant), count(DISTINCT story_id), "
            "count(DISTINCT story_id) FILTER (WHERE relevant) FROM v_articles").fetchone()
        langs = con.execute("SELECT language, count(*) FROM v_articles GROUP BY 1 ORDER BY 2 DESC"
                            ).fetchall()
    finally:
        con.close()
    print()
    if status == 0:
        print("press_ingest run: success (the sample's broken feed has a red `fetch` task; it "
              "never worked, so the run stays green)")
    else:
        print(f"press_ingest run: failed (exit {status}); see {log}")
    print(f"loaded into {db}")
    print(f"  feeds:    {feeds[0]} fetched, {feeds[1]} ok")
    for failure in feeds[2] or []:
        print(f"    failed: {failure}")
    print(f"  articles: {arts[0]} ({arts[1]} about the missions)")
    print(f"  stories:  {arts[2]} ({arts[3]} about the missions)")
    print("  languages: " + ", ".join(f"{lang} {n}" for lang, n in langs))

    preview = out / f"digest-{SAMPLE_WEEK}.html"
    proc = subprocess.run([str(bin_dir / "pressmon"), "digest", "--db", str(db), "--week",
                           SAMPLE_WEEK, "--out", str(preview)], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode == 0 and preview.exists():
        print(f"  digest preview ({SAMPLE_WEEK}): {preview}")
    else:
        print(f"  digest preview not written: {(proc.stderr or proc.stdout).strip()[-300:]}")
    print()
    print("try:")
    print(f"  .venv/bin/pressmon report week_stories --week {SAMPLE_WEEK} --db {db}")
    print(f"  .venv/bin/pressmon report share_of_voice --mission miami-2017 --db {db}")
    print(f"  .venv/bin/pressmon search \"sister agreement\" --db {db}")
    print(f"  SQL, read-only on the snapshot: SELECT source, title, mission_id, topics "
          f"FROM v_articles WHERE relevant ORDER BY published_at  -- in "
          f"{store.snapshot_path(db)}")
    shutil.rmtree(airflow_home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

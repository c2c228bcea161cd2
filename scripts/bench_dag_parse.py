"""Benchmark: each DAG file's parse time, as `airflow dags report` measures it (target < 0.5 s).

Runs `airflow dags report -o json` on the project's dags/ (with its plugins folder) several
times, each in a fresh process with a throw-away AIRFLOW_HOME, and prints per file the median,
min and max of the durations Airflow reports, with the number of DAGs and tasks it found.

    .venv/bin/python scripts/bench_dag_parse.py [--runs 5] [--target 0.5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DURATION_RE = re.compile(r"^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


def parse_duration(value) -> float:
    """Seconds from what the report prints: a number or a timedelta's str()."""
    if isinstance(value, (int, float)):
        return float(value)
    m = DURATION_RE.match(str(value).strip())
    if not m:
        raise ValueError(f"unexpected duration in `airflow dags report`: {value!r}")
    days, h, mnt, s = m.groups()
    return dt.timedelta(days=int(days or 0), hours=int(h), minutes=int(mnt),
                        seconds=float(s)).total_seconds()


def airflow_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
    })
    return env


def run(args: list[str], env: dict) -> str:
    proc = subprocess.run([str(BIN / "airflow"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"airflow {' '.join(args)} exited {proc.returncode}:\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


def report_once(env: dict) -> list[dict]:
    out = run(["dags", "report", "-o", "json"], env)
    # Airflow's own warnings share stdout: the report is the line holding a JSON list.
    for line in reversed(out.splitlines()):
        if line.startswith("[{") or line.strip() == "[]":
            return json.loads(line)
    raise SystemExit(f"no JSON in `airflow dags report` output:\n{out[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=float, default=0.5, help="seconds per file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pressmon-bench-parse-") as tmp:
        env = airflow_env(Path(tmp))
        run(["db", "migrate"], env)
        samples: dict[str, list[float]] = {}
        found: dict[str, tuple] = {}
        for _ in range(args.runs):
            for row in report_once(env):
                name = Path(row["file"]).name
                samples.setdefault(name, []).append(parse_duration(row["duration"]))
                found[name] = (row["dag_num"], row["task_num"], row["dags"])

    print(f"DAG file parse time, `airflow dags report`, {args.runs} runs "
          f"(target < {args.target} s)")
    print(f"{'file':<28} {'median s':>9} {'min s':>7} {'max s':>7}  dags tasks  verdict")
    worst = 0.0
    for name in sorted(samples):
        values = samples[name]
        med = statistics.median(values)
        worst = max(worst, med)
        dag_num, task_num, dags = found[name]
        verdict = "ok" if med < args.target else "OVER TARGET"
        print(f"{name:<28} {med:>9.3f} {min(values):>7.3f} {max(values):>7.3f}  "
              f"{int(dag_num):>4} {int(task_num):>5}  {verdict}  {', '.join(dags)}")
    if not samples:
        print("no DAG file found in", ROOT / "dags")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

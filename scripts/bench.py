"""The performance benchmark (`make bench`): where an ingest cycle's time and memory go.

    .venv/bin/python scripts/bench.py [--articles 2000] [--outlets 25] [--feeds 50] [--quick]
                                      [--out BENCHMARKS.md] [--keep DIR]

It generates its own corpus (scripts/benchcorpus.py), serves it with sample/siteserver.py from a
separate process (one loopback address per outlet; every file rendered and gzipped before the
first measured run, so that the pipelines compared find the server in the same state), and
measures:

1. a full `pressmon ingest` in a fresh database, as a subprocess (per-host delay 0): wall time,
   CPU, end-to-end articles per second, peak memory of the process tree (polled from /proc);
   then the naive pipeline (scripts/naive_pipeline.py) on the same sites, and the ratios;
2. a second, unchanged cycle: wall time and the requests the sites saw;
3. per stage (fetch, feed parsing, extraction, language, relevance/topics, dedup and clustering,
   load): the pipeline's stage functions called in this process feed by feed (one worker, as
   `--workers 1`), with the library functions each stage calls wrapped in timers;
4. DuckDB bulk load rows per second through pressmon.load's insert path;
5. story clustering, 1,000 new articles against 10,000 and 100,000 stored
   (scripts/bench_stories.py);
6. each DAG file's parse time as `airflow dags report` measures it (scripts/bench_dag_parse.py);
7. a cProfile of one worker's cycle over a few feeds: the functions where the time goes.

Each figure is printed with its target and PASS or MISS; the run, the command line and
the machine are written to BENCHMARKS.md, in a section per corpus size (other sizes' sections
are kept). `--quick` is a small smoke run (a few articles, small clustering sizes, one DAG parse)
that prints every heading and writes nothing unless `--out` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import importlib.util
import io
import json
import multiprocessing
import os
import platform
import pstats
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(ROOT / "sample"))  # the sample sites server
PROJECT_CONFIG = ROOT / "config"
# A copy of the project's config/ taken at start: every step of one run reads the same rules.
CONFIG = PROJECT_CONFIG
BIN = Path(sys.executable).parent

HEADINGS = (
    "Corpus",
    "End-to-end ingest",
    "Unchanged cycle",
    "Per stage",
    "DuckDB load",
    "Story clustering",
    "DAG parse time",
    "Profile of one worker",
)
TARGET_ARTICLES_PER_S = 100.0
TARGET_UNCHANGED_S = 2.0
TARGET_LOAD_ROWS_PER_S = 20_000.0
TARGET_STORIES_S = 2.0
TARGET_PEAK_MB = 500.0
TARGET_PEAK_AT_ARTICLES = 20_000
TARGET_DAG_PARSE_S = 0.5
TARGET_SPEEDUP = 3.0             # wall time of the naive pipeline over pressmon's
TARGET_CPU_MS_PER_ARTICLE = 9.0  # all processes of `pressmon ingest`
PACKAGES = ("apache-airflow", "duckdb", "feedparser", "beautifulsoup4", "lxml", "trafilatura",
            "langdetect", "httpcore", "pyarrow", "numpy")
POLL_S = 0.02


def _script(name: str):
    """Import a sibling script (benchcorpus, bench_dag_parse) as a module."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    if spec is None or not (SCRIPTS / f"{name}.py").exists():
        raise ImportError(f"scripts/{name}.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    """Every printed line, kept for BENCHMARKS.md; verdicts counted for the summary."""

    lines: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, bool]] = field(default_factory=list)

    def heading(self, title: str) -> None:
        self.out("")
        self.out(f"## {title}")

    def out(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def figure(self, name: str, value: str, target: str, ok: bool | None, note: str = "") -> None:
        verdict = "n/a" if ok is None else ("PASS" if ok else "MISS")
        if ok is not None:
            self.verdicts.append((name, ok))
        self.out(f"- {name}: **{value}** (target {target}) {verdict}" + (f"; {note}" if note else ""))


# --------------------------------------------------------------------------- the sites


def _serve(sample_dir: str, template: str, rendered: str, conn) -> None:
    """Child process: serve the corpus, answer 'log' / 'reset' / 'stop' on the pipe."""
    from siteserver import SiteServer, load_sites, render_sources

    server = SiteServer(load_sites(Path(sample_dir)))
    server.start()
    render_sources(Path(template), server, Path(rendered))
    conn.send(("ready", server.port))
    while True:
        cmd = conn.recv()
        if cmd == "reset":
            server.reset_log()
            conn.send("ok")
        elif cmd == "warm":
            conn.send(server.warm())
        elif cmd == "log":
            conn.send([(r.site, r.method, r.path, r.status,
                        any(k.lower() in ("if-none-match", "if-modified-since") for k in r.headers))
                       for r in list(server.requests)])
        else:
            server.stop()
            conn.send("stopped")
            return


class SitesProcess:
    """The corpus's sites in their own process, so that serving does not blur this process's
    CPU figures and the server's page cache does not count in anyone's memory but its own."""

    def __init__(self, corpus_dir: Path, rendered_sources: Path):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(str(corpus_dir), str(corpus_dir / "sources.yaml"),
                                                     str(rendered_sources), child), daemon=True)

    def __enter__(self) -> "SitesProcess":
        self.proc.start()
        if not self.conn.poll(120):
            raise RuntimeError("the site server did not start within 120 s")
        msg = self.conn.recv()
        if not (isinstance(msg, tuple) and msg[0] == "ready"):
            raise RuntimeError(f"the site server failed to start: {msg!r}")
        return self

    def reset(self) -> None:
        self.conn.send("reset")
        self.conn.recv()

    def warm(self) -> int:
        """Every file rendered (and gzipped) before anything is measured: the pipeline run
        first must not pay the server's first renders on the shared cores while the one run
        after it finds them cached."""
        self.conn.send("warm")
        return self.conn.recv()

    def log(self) -> list[tuple]:
        self.conn.send("log")
        return self.conn.recv()

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            self.conn.send("stop")
            self.conn.poll(10) and self.conn.recv()
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.terminate()


# --------------------------------------------------------------------------- the ingest subprocess


def _tree_memory(root_pid: int, waits: dict[int, int] | None = None) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes of a process and its descendants.

    ``waits`` receives, per thread, the nanoseconds it spent runnable but waiting for a CPU
    (/proc/PID/task/TID/schedstat): what other work on the machine cost this run. Per
    thread: a process's own schedstat is its first thread's, and the feed workers' first
    threads only wait for the threads that do the work.
    """
    parent: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        parent[int(entry.name)] = int(fields[1])
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        for child, ppid in parent.items():
            if ppid == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    rss = pss = 0
    for pid in tree:
        if waits is not None:
            with contextlib.suppress(OSError):
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with contextlib.suppress(OSError, ValueError, IndexError):
                        waits[int(tid)] = int(
                            Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[1])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


@dataclass
class IngestRun:
    wall_s: float
    cpu_s: float
    peak_rss: int
    peak_pss: int
    runqueue_wait_s: float
    summary: dict
    returncode: int
    stderr: str


def run_ingest(sources: Path, db: Path, workers: int | None = None) -> IngestRun:
    """One `pressmon ingest` as a user runs it; wall, CPU and peak memory of its process tree."""
    env = dict(os.environ)
    env.update({"PRESSMON_CONFIG_DIR": str(CONFIG), "PRESSMON_MISSIONS": str(CONFIG / "missions.yaml")})
    env.pop("PRESSMON_DATA_DIR", None)
    cmd = [str(BIN / "pressmon"), "ingest", "--sources", str(sources), "--db", str(db), "--json"]
    if workers:
        cmd += ["--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = [0, 0]
    waits: dict[int, int] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            rss, pss = _tree_memory(proc.pid, waits)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            stop.wait(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = {}
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            break
    if proc.returncode != 0 or not summary:
        raise SystemExit(f"`{shlex.join(cmd)}` exited {proc.returncode}:\n{out[-2000:]}\n{err[-3000:]}")
    return IngestRun(wall, cpu, peak[0], peak[1], sum(waits.values()) / 1e9, summary,
                     proc.returncode, err)


@dataclass
class NaiveRun:
    wall_s: float
    cpu_s: float
    articles: int   # pages processed (an article listed in two feeds twice)
    rows: int       # rows in its table
    errors: int


def run_naive(sources: Path, db: Path) -> NaiveRun:
    """scripts/naive_pipeline.py on the same sites: the yardstick of the speed-up."""
    db.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(SCRIPTS / "naive_pipeline.py"), str(sources), str(db)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"`{shlex.join(cmd)}` exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return NaiveRun(wall, cpu, out["articles"], out["rows"], out["errors"])


# --------------------------------------------------------------------------- stages in process


STAGES = ("fetch", "feed parsing", "extraction", "language", "relevance/topics",
          "dedup + clustering", "load")


class StageTimers:
    """Exclusive wall and CPU seconds per stage for wrapped library functions.

    A wrapped function called inside another (classify_article may call detect_language) is
    charged to its own stage and taken out of the caller's, so the stages add up. CPU is the
    calling thread's: a feed stage fetches pages in threads while it extracts others.
    """

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.story_wall = self.story_cpu = 0.0
        self._local = threading.local()

    def add(self, stage: str, wall: float, cpu: float, calls: int = 0) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu
        self.calls[stage] = self.calls.get(stage, 0) + calls

    def wrap(self, fn, stage: str):
        timers = self

        def timed(*args, **kwargs):
            stack = timers._local.__dict__.setdefault("stack", [])
            stack.append([0.0, 0.0])  # time spent in nested wrapped calls
            w0, c0 = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                w, c = time.perf_counter() - w0, time.thread_time() - c0
                inner_w, inner_c = stack.pop()
                timers.add(stage, w - inner_w, c - inner_c, 1)
                if stack:
                    stack[-1][0] += w
                    stack[-1][1] += c

        timed.__wrapped__ = fn
        return timed


@contextlib.contextmanager
def instrumented(timers: StageTimers):
    """Wrap the library functions that the stages call lazily (``from .x import f`` at call
    time), so the pipeline's own stage functions run unchanged and are measured."""
    from pressmon import classify, dedupe, extract, feeds, fetch, language

    targets = [(fetch, "fetch_feed", "fetch"), (fetch.Fetcher, "get", "fetch"),
               (fetch.Fetcher, "robots_allowed", "fetch"),
               (feeds, "parse_feed", "feed parsing"), (extract, "extract_page", "extraction"),
               (language, "detect_language", "language"),
               (classify, "detect_language", "language"),
               (classify, "classify_article", "relevance/topics"),
               (dedupe, "content_hash", "dedup + clustering"),
               (dedupe, "signature", "dedup + clustering"),
               (dedupe, "fingerprint", "dedup + clustering"),
               (dedupe, "assign_stories", "story clustering")]
    saved = []
    for module, name, stage in targets:
        original = getattr(module, name)
        saved.append((module, name, original))
        setattr(module, name, timers.wrap(original, stage))
    try:
        yield timers
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _paths(db: Path, sources: Path):
    from pressmon.settings import Paths

    return Paths(db=db, config_dir=CONFIG, sources=sources, missions=CONFIG / "missions.yaml")


def run_stages(sources_path: Path, db: Path, feed_names: list[str] | None = None,
               profiler: cProfile.Profile | None = None) -> tuple[StageTimers, dict, Path]:
    """What a CLI worker runs, in this process: feed_stage feed by feed, then the load.

    Returns the timers, the load summary and the staging folder (kept for the load benchmark).
    """
    from pressmon import stages, staging
    from pressmon.config import load_sources

    paths = _paths(db, sources_path)
    sources = load_sources(sources_path)
    names = feed_names or [s.name for s in sources.sources]
    cycle_id = staging.new_cycle_id("bench")
    timers = StageTimers()
    totals = {"feed_stage": [0.0, 0.0], "load_stage": [0.0, 0.0]}

    def timed(key, fn, *args, **kwargs):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[key][0] += time.perf_counter() - w0
            totals[key][1] += time.process_time() - c0

    # Warm-up outside the timers: rules, language profiles and imports are paid once per process.
    from pressmon.classify import load_rules
    from pressmon.language import detect_language
    load_rules(paths.config_dir, paths.missions)
    detect_language("Titre", "Un texte assez long pour que la détection soit lancée ici.")

    if profiler:
        profiler.enable()
    # Under cProfile the timers would be the first thing it shows: left out.
    with instrumented(timers) if profiler is None else contextlib.nullcontext():
        articles = 0
        for name in names:
            outcome = timed("feed_stage", stages.feed_stage, paths, sources, name, cycle_id)
            articles += outcome.get("articles") or 0
        summary = timed("load_stage", stages.load_stage, paths, sources, cycle_id,
                        runner="bench", keep_staging=True)
    if profiler:
        profiler.disable()
    w, c = timers.wall, timers.cpu
    # Stage = its stage function minus the wrapped library calls it made that belong elsewhere.
    timers.story_wall = w.pop("story clustering", 0.0)
    timers.story_cpu = c.pop("story clustering", 0.0)
    named = [stage for stage in STAGES if stage != "load"]
    timers.add("load", totals["load_stage"][0] - timers.story_wall,
               totals["load_stage"][1] - timers.story_cpu)
    # The rest of the feed stages: page and article records, hand-over files, thread pools.
    timers.add("hand-over files, records",
               totals["feed_stage"][0] - sum(w.get(s, 0.0) for s in named),
               totals["feed_stage"][1] - sum(c.get(s, 0.0) for s in named))
    timers.add("dedup + clustering", timers.story_wall, timers.story_cpu)
    summary["articles_extracted"] = articles
    summary["stage_totals"] = totals
    return timers, summary, staging.cycle_dir(paths, cycle_id)


# --------------------------------------------------------------------------- DuckDB load


def bench_load(staging: Path, db: Path, rows_wanted: int) -> dict:
    """Bulk insert of ``rows_wanted`` article rows through pressmon.load's insert path
    (records as the pipeline stages them -> Arrow -> INSERT ... BY NAME), in one transaction."""
    from pressmon import load, store
    from pressmon.staging import CLASSIFIED_FILE, read_jsonl

    records = []
    for f in sorted(staging.glob(f"*/{CLASSIFIED_FILE}")):
        records.extend(read_jsonl(f))
        if len(records) >= rows_wanted:
            break
    if not records:
        raise SystemExit(f"no classified records under {staging} to load")
    seen = dt.datetime.now(dt.timezone.utc)
    rows = []
    for i in range(rows_wanted):
        rec = records[i % len(records)]
        url = f"{rec['canonical_url']}?copy={i}"
        rows.append(load._article_row(rec, load.article_id_for(url), "bench-load",
                                      seen, seen, 1, rec["source"], rec["region"], url, url))
    import pyarrow as pa

    # The same INSERT from a ready Arrow table, in another database: the engine's share.
    t0 = time.perf_counter()
    table = pa.table({name: pa.array([r[name] for r in rows], type=typ)
                      for name, typ in load.ARTICLE_COLUMNS})
    arrow_s = time.perf_counter() - t0
    con = store.open_writer(db.with_name("arrow-only.duckdb"))
    try:
        con.register("_bench_rows", table)
        con.execute("BEGIN TRANSACTION")
        t0 = time.perf_counter()
        con.execute("INSERT INTO articles BY NAME SELECT * FROM _bench_rows")
        con.execute("COMMIT")
        insert_s = time.perf_counter() - t0
    finally:
        con.close()
    del table
    con = store.open_writer(db)
    try:
        con.execute("BEGIN TRANSACTION")
        t0 = time.perf_counter()
        load._insert_articles(con, rows)
        con.execute("COMMIT")
        wall = time.perf_counter() - t0
        t1 = time.perf_counter()
        con.execute("CHECKPOINT")
        checkpoint = time.perf_counter() - t1
        count = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    text_bytes = sum(len((r["text"] or "").encode()) for r in rows) / len(rows)
    return {"rows": count, "wall_s": wall, "rows_per_s": count / wall, "checkpoint_s": checkpoint,
            "arrow_s": arrow_s, "insert_s": insert_s,
            "avg_text_bytes": text_bytes}


# --------------------------------------------------------------------------- other scripts


STORIES_RE = re.compile(
    r"([\d,]+) new vs +([\d,]+) stored: ([\d.]+) s in a fresh process \(imports ([\d.]+) s, "
    r"open ([\d.]+) s, assign_stories ([\d.]+) s, commit ([\d.]+) s\); planted copies found "
    r"(\d+)/(\d+)")


def bench_stories(sizes: list[int], new: int, planted: int) -> tuple[list[dict], str]:
    cmd = [sys.executable, str(SCRIPTS / "bench_stories.py"), "--sizes", *map(str, sizes),
           "--new", str(new), "--planted", str(planted)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"`{shlex.join(cmd)}` exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    found = []
    for m in STORIES_RE.finditer(proc.stdout):
        found.append({"new": int(m.group(1).replace(",", "")),
                      "stored": int(m.group(2).replace(",", "")),
                      "wall_s": float(m.group(3)), "imports_s": float(m.group(4)),
                      "open_s": float(m.group(5)), "assign_s": float(m.group(6)),
                      "commit_s": float(m.group(7)), "found": int(m.group(8)),
                      "planted": int(m.group(9))})
    if len(found) != len(sizes):
        raise SystemExit(f"unexpected output from scripts/bench_stories.py:\n{proc.stdout}")
    return found, proc.stdout


def bench_dag_parse(runs: int) -> dict[str, list[float]]:
    """Per DAG file, the durations `airflow dags report` gives over ``runs`` fresh processes."""
    dp = _script("bench_dag_parse")
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="pressmon-bench-dags-") as tmp:
        env = dp.airflow_env(Path(tmp))
        dp.run(["db", "migrate"], env)
        for _ in range(runs):
            for row in dp.report_once(env):
                samples.setdefault(Path(row["file"]).name, []).append(
                    dp.parse_duration(row["duration"]))
    return samples


# --------------------------------------------------------------------------- machine


def machine() -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [f"CPU: {cpu}, {os.cpu_count()} cores; RAM {ram}",
            f"OS: {platform.platform()}",
            f"Python {platform.python_version()} ({platform.python_implementation()})",
            "Packages: " + ", ".join(versions)]


# --------------------------------------------------------------------------- BENCHMARKS.md


def write_markdown(path: Path, articles: int, body: list[str], command: str) -> None:
    """Replace this corpus size's section of ``path``, keeping the other sizes' sections."""
    begin, end = f"<!-- run:{articles} -->", f"<!-- end run:{articles} -->"
    sections: dict[int, str] = {}
    if path.exists():
        for m in re.finditer(r"<!-- run:(\d+) -->.*?<!-- end run:\1 -->", path.read_text("utf-8"),
                             re.S):
            sections[int(m.group(1))] = m.group(0)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections[articles] = "\n".join(
        [begin, f"# Run with {articles:,} articles ({when})", "", "```", command, "```", "",
         *machine_md(), *body, end])
    head = ["# Benchmarks", "",
            "Written by `scripts/bench.py` (`make bench`; `--articles 20000` for the large corpus):"
            " each section is the latest run for its corpus size. Targets are issue 9's, plus the "
            "speed-up over the naive pipeline and the CPU per article; "
            "docs/performance.md reads the profile. The machine is shared and noisy: compare "
            "ratios, and rerun before trusting a 10 % difference.", ""]
    parts = [sections[k] for k in sorted(sections)]
    path.write_text("\n".join(head) + "\n" + "\n\n".join(parts) + "\n", encoding="utf-8")


def machine_md() -> list[str]:
    return ["Machine:", "", *[f"- {line}" for line in machine()], ""]


# --------------------------------------------------------------------------- main


def _loadavg(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    global CONFIG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--outlets", type=int, default=25)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--quick", action="store_true",
                        help="small smoke run: few articles, small clustering sizes, one DAG parse")
    parser.add_argument("--out", type=Path,
                        help="markdown file to update (default: BENCHMARKS.md; none with --quick)")
    parser.add_argument("--keep", type=Path, help="keep the corpus and databases in this folder")
    parser.add_argument("--profile-feeds", type=int, default=4,
                        help="feeds profiled with cProfile (default 4)")
    args = parser.parse_args(argv)
    if args.quick:
        defaults = parser.parse_args([])
        if args.articles == defaults.articles:
            args.articles = 60
        if args.outlets == defaults.outlets:
            args.outlets = 6
        if args.feeds == defaults.feeds:
            args.feeds = 6
    out_md = args.out or (None if args.quick else ROOT / "BENCHMARKS.md")
    command = shlex.join([".venv/bin/python", "scripts/bench.py", *(argv if argv is not None
                                                                     else sys.argv[1:])])
    sys.path.insert(0, str(SCRIPTS))
    benchcorpus = _script("benchcorpus")
    report = Report()

    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pressmon-bench-")))
        CONFIG = work / "config"
        shutil.copytree(PROJECT_CONFIG, CONFIG)
        load_before = os.getloadavg()
        corpus_dir = work / "corpus"
        t0 = time.perf_counter()
        corpus = benchcorpus.generate(corpus_dir, articles=args.articles, outlets=args.outlets,
                                      feeds=args.feeds)
        gen_s = time.perf_counter() - t0
        sources = work / "sources.yaml"
        sites = stack.enter_context(SitesProcess(corpus_dir, sources))
        t0 = time.perf_counter()
        warmed = sites.warm()
        warm_s = time.perf_counter() - t0
        sizes, new, planted = ([1_000], 100, 10) if args.quick else ([10_000, 100_000], 1_000, 100)
        runs = 1 if args.quick else 3
        background = {}
        if args.quick:
            # A smoke run need not be clean: the slow fixed costs overlap the rest.
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=2))
            background["stories"] = pool.submit(bench_stories, sizes, new, planted)
            background["dags"] = pool.submit(bench_dag_parse, runs)

        report.heading("Corpus")
        report.out(f"- {corpus.articles:,} article pages ({corpus.copies} syndicated copies, "
                   f"{corpus.listed_twice} listed in two feeds, {corpus.relevant} about the "
                   f"mission), languages {corpus.languages}")
        report.out(f"- {corpus.outlets} outlets on their own loopback addresses, {corpus.feeds} "
                   f"feeds ({corpus.rss_feeds} RSS, {corpus.atom_feeds} Atom, "
                   f"{corpus.full_content_feeds} with full content)")
        report.out(f"- pages {corpus.page_bytes_min / 1000:.1f}-{corpus.page_bytes_max / 1000:.1f}"
                   f" KB (mean {corpus.page_bytes_total / corpus.articles / 1000:.1f} KB), "
                   f"{corpus.page_bytes_total / 1e6:.0f} MB in all; generated in {gen_s:.1f} s")
        report.out("- fetch settings: per_host_delay_s 0, per_host_concurrency 2 (default), "
                   "served by sample/siteserver.py in a separate process, every file rendered "
                   f"and gzipped before the first measured run ({warmed:,} files in "
                   f"{warm_s:.1f} s), so that both pipelines find the server in the same state")

        # 1. End to end, as a user runs it.
        db = work / "e2e" / "press.duckdb"
        first = run_ingest(sources, db)
        s = first.summary
        report.heading("End-to-end ingest")
        report.out(f"`pressmon ingest` (subprocess, fresh database, {os.cpu_count()} worker "
                   f"processes by default): {s['new_articles']:,} articles loaded, "
                   f"{s['feeds_ok']} feeds ok, {s['feeds_error']} failed, "
                   f"{s['total_stories']:,} stories, {s['total_relevant']} relevant")
        rate = s["new_articles"] / first.wall_s
        report.figure("throughput", f"{rate:.1f} articles/s", f">= {TARGET_ARTICLES_PER_S:.0f}",
                      rate >= TARGET_ARTICLES_PER_S,
                      f"{s['new_articles']:,} articles in {first.wall_s:.2f} s wall")
        report.out(f"- CPU: {first.cpu_s:.1f} s (user+sys, all processes) = "
                   f"{first.cpu_s / first.wall_s:.2f} cores busy on average, "
                   f"{first.cpu_s / max(1, s['new_articles']) * 1000:.1f} ms CPU per article")
        report.out(f"- waiting for a CPU while runnable (other work on the machine, and this "
                   f"run's own processes when more than the cores are runnable): "
                   f"{first.runqueue_wait_s:.1f} s summed over the run's threads; on "
                   f"{os.cpu_count()} idle cores the CPU alone would allow about "
                   f"{s['new_articles'] / (first.cpu_s / (os.cpu_count() or 1)):.0f} articles/s "
                   f"(an upper bound: the load is one process)")
        at_target = args.articles >= TARGET_PEAK_AT_ARTICLES
        report.figure("peak memory (RSS summed over the process tree)", mb(first.peak_rss),
                      f"< {TARGET_PEAK_MB:.0f} MB at {TARGET_PEAK_AT_ARTICLES:,} articles",
                      (first.peak_rss / 1e6 < TARGET_PEAK_MB) if at_target else None,
                      f"PSS {mb(first.peak_pss)} (shared pages counted once)"
                      + ("" if at_target else f"; this run has {args.articles:,} articles, "
                         "run --articles 20000 for the verdict"))
        if s["feeds_error"]:
            report.out(f"- failed feeds: {s['failed_feeds']}")
        per_article_ms = first.cpu_s / max(1, s["new_articles"]) * 1000
        report.figure("CPU per article", f"{per_article_ms:.1f} ms",
                      f"<= {TARGET_CPU_MS_PER_ARTICLE:.0f} ms",
                      per_article_ms <= TARGET_CPU_MS_PER_ARTICLE,
                      "all processes, start-up included")

        # 1b. The naive pipeline on the same sites, right after.
        naive = run_naive(sources, work / "naive" / "naive.duckdb")
        speedup = naive.wall_s / first.wall_s
        naive_ms = naive.cpu_s / max(1, naive.rows) * 1000
        report.out(f"- naive pipeline (scripts/naive_pipeline.py: one process, urllib, feedparser, "
                   f"BeautifulSoup <p> texts, langdetect on the whole text, one INSERT OR REPLACE "
                   f"per article), same sites, right after: {naive.rows:,} articles "
                   f"({naive.articles:,} pages, {naive.errors} errors) in {naive.wall_s:.2f} s "
                   f"wall, CPU {naive.cpu_s:.1f} s = {naive_ms:.1f} ms per article")
        report.figure("speed-up over the naive pipeline (wall)", f"{speedup:.2f}x",
                      f">= {TARGET_SPEEDUP:.0f}x", speedup >= TARGET_SPEEDUP,
                      f"naive {naive.wall_s:.2f} s / pressmon {first.wall_s:.2f} s; CPU per "
                      f"article {naive_ms / per_article_ms:.2f}x less "
                      f"({naive_ms:.1f} ms / {per_article_ms:.1f} ms)")

        # 2. The unchanged cycle.
        sites.reset()
        second = run_ingest(sources, db)
        log = sites.log()
        conditional = sum(1 for r in log if r[4])
        not_modified = sum(1 for r in log if r[3] == 304)
        report.heading("Unchanged cycle")
        ok_requests = len(log) == corpus.feeds and conditional == len(log) == not_modified
        report.figure("wall time", f"{second.wall_s:.2f} s", f"< {TARGET_UNCHANGED_S:.0f} s",
                      second.wall_s < TARGET_UNCHANGED_S,
                      f"{second.summary['feeds_not_modified']} feeds not modified, "
                      f"{second.summary['new_articles']} new articles; CPU {second.cpu_s:.2f} s, "
                      f"waiting for a CPU {second.runqueue_wait_s:.2f} s")
        report.figure("requests seen by the sites", f"{len(log)}",
                      f"one conditional request per feed ({corpus.feeds})", ok_requests,
                      f"{conditional} conditional, {not_modified} answered 304")

        # 3. Per stage, in this process.
        timers, staged, staging = run_stages(sources, work / "stages" / "press.duckdb")
        n = max(1, staged["articles_extracted"])
        report.heading("Per stage")
        report.out(f"Method: what a CLI worker runs (feed_stage: fetch, extraction and tagging "
                   f"of a feed, pages handed over in memory), called in this process on a fresh "
                   f"database feed by feed (one worker, like `--workers 1`), then load_stage; "
                   f"the library functions they call (fetch_feed, Fetcher.get and "
                   f"robots_allowed, parse_feed, extract_page, detect_language, "
                   f"classify_article, fingerprint, assign_stories) wrapped in timers of the "
                   f"calling thread's CPU, exclusive of each other (the page fetches run in "
                   f"threads beside the extraction: their wall seconds overlap it); "
                   f"\"hand-over files, records\" is the rest of feed_stage (records, files, "
                   f"thread pools), load is process CPU (DuckDB's threads included; the sites "
                   f"run in another process). {n:,} article records (an article listed in two "
                   f"feeds is extracted twice, loaded once).")
        report.out("")
        report.out("| stage | wall s | CPU s | articles/s (wall) | wall ms per article | "
                   "CPU ms per article |")
        report.out("|---|---:|---:|---:|---:|---:|")
        total_w = total_c = 0.0
        for stage in (*STAGES, "hand-over files, records"):
            w, c = timers.wall.get(stage, 0.0), timers.cpu.get(stage, 0.0)
            total_w += w
            total_c += c
            report.out(f"| {stage} | {w:.2f} | {c:.2f} | {n / w if w > 0 else 0:,.0f} | "
                       f"{w / n * 1000:.1f} | {c / n * 1000:.1f} |")
        report.out(f"| **all, one worker** | {total_w:.2f} | {total_c:.2f} | {n / total_w:,.0f} | "
                   f"{total_w / n * 1000:.1f} | {total_c / n * 1000:.1f} |")
        report.out("")
        report.out(f"dedup + clustering splits into signatures/hashes "
                   f"{timers.wall.get('dedup + clustering', 0) - timers.story_wall:.2f} s and "
                   f"assign_stories {timers.story_wall:.2f} s; load is load_stage without "
                   f"assign_stories (identity plan, Arrow insert, aliases, logs, CHECKPOINT and "
                   f"snapshot copy).")

        # 4. DuckDB load.
        rows_wanted = 2_000 if args.quick else 20_000
        load = bench_load(staging, work / "load" / "press.duckdb", rows_wanted)
        report.heading("DuckDB load")
        report.figure("bulk insert", f"{load['rows_per_s']:,.0f} rows/s",
                      f">= {TARGET_LOAD_ROWS_PER_S:,.0f}",
                      load["rows_per_s"] >= TARGET_LOAD_ROWS_PER_S,
                      f"{load['rows']:,} article rows (mean text {load['avg_text_bytes'] / 1000:.1f} KB)"
                      f" through pressmon.load._insert_articles (dict rows -> Arrow -> INSERT BY "
                      f"NAME) in {load['wall_s']:.2f} s, one transaction; CHECKPOINT after "
                      f"{load['checkpoint_s']:.2f} s")
        report.figure("INSERT ... BY NAME from a ready Arrow table",
                      f"{load['rows'] / load['insert_s']:,.0f} rows/s", "none, the engine's share", None,
                      f"{load['insert_s']:.2f} s with COMMIT; building that Arrow table from the "
                      f"row dicts took {load['arrow_s']:.2f} s")
        load_total = staged["stage_totals"]["load_stage"][0]
        report.out(f"- whole load_stage of the per-stage run: {n:,} records in {load_total:.2f} s "
                   f"= {n / load_total:,.0f} articles/s (identity, stories, logs, snapshot "
                   f"included)")

        # 5. Story clustering.
        if "stories" in background:
            stories, _raw = background["stories"].result()
        else:
            stories, _raw = bench_stories(sizes, new, planted)
        report.heading("Story clustering")
        report.out("scripts/bench_stories.py: a batch clustered in a fresh process (imports, "
                   "opening the database and reading band hashes from DuckDB included)")
        for r in stories:
            judged = r["stored"] == 100_000 and r["new"] == 1_000
            report.figure(f"{r['new']:,} new vs {r['stored']:,} stored", f"{r['wall_s']:.2f} s",
                          f"< {TARGET_STORIES_S:.0f} s at 1,000 vs 100,000",
                          (r["wall_s"] < TARGET_STORIES_S) if judged else None,
                          f"assign_stories {r['assign_s']:.2f} s, imports {r['imports_s']:.2f} s, "
                          f"open {r['open_s']:.2f} s, commit {r['commit_s']:.2f} s; planted "
                          f"copies found {r['found']}/{r['planted']}")

        # 6. DAG files.
        report.heading("DAG parse time")
        try:
            parse = background["dags"].result() if "dags" in background else bench_dag_parse(runs)
        except (ImportError, SystemExit) as exc:
            report.out(f"- not measured: {exc}")
            parse = {}
        for name in sorted(parse):
            values = sorted(parse[name])
            med = values[len(values) // 2]
            report.figure(name, f"{med:.3f} s", f"< {TARGET_DAG_PARSE_S} s",
                          med < TARGET_DAG_PARSE_S,
                          f"median of {len(values)} `airflow dags report` runs, "
                          f"max {values[-1]:.3f} s")

        # 7. Profile of one worker.
        report.heading("Profile of one worker")
        profiler = cProfile.Profile()
        from pressmon.config import load_sources
        names = [src.name for src in load_sources(sources).sources][:max(1, args.profile_feeds)]
        _t, prof_summary, _s = run_stages(sources, work / "profile" / "press.duckdb", names,
                                          profiler)
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        total = stats.total_tt
        report.out(f"cProfile of the feed stage (fetch, extraction, tagging) for {len(names)} "
                   f"feeds ({prof_summary['articles_extracted']} articles) and their load, in "
                   f"one process (the main thread only: cProfile does not follow the threads "
                   f"that fetch the pages; profiling overhead included: {total:.1f} s); top "
                   f"functions by own time and by cumulative time:")
        report.out("")
        for line in top_functions(stats, total):
            report.out(line)

        load_after = os.getloadavg()
        report.out("")
        from pressmon.pipeline import run_cycle
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        run_cycle(_paths(db, sources), workers=1, runner="bench")
        profiler.disable()
        unchanged_s = time.perf_counter() - t0
        stats = pstats.Stats(profiler, stream=io.StringIO())
        report.out(f"cProfile of one more unchanged cycle, `run_cycle(workers=1)` in this process "
                   f"({unchanged_s:.2f} s with profiling; no interpreter start-up), cumulative:")
        report.out("")
        for line in top_functions(stats, stats.total_tt, n=12, own=False):
            report.out(line)

        report.heading("Summary")
        report.out(f"Load average (1, 5, 15 min) at start {_loadavg(load_before)}, at end "
                   f"{_loadavg(load_after)} on {os.cpu_count()} cores: above the core count, "
                   f"other work shared the CPU and wall times are inflated (CPU seconds less so).")
        missed = [name for name, ok in report.verdicts if not ok]
        report.out(f"{len(report.verdicts) - len(missed)} of {len(report.verdicts)} judged "
                   f"figures meet their target" + (f"; missed: {', '.join(missed)}" if missed else ""))
        if out_md:
            write_markdown(out_md, args.articles, report.lines, command)
            print(f"\nwritten to {out_md}")
    return 0


def top_functions(stats: pstats.Stats, total: float, n: int = 15, own: bool = True) -> list[str]:
    rows = []
    for (file, line, func), (_cc, calls, tt, ct, _callers) in stats.stats.items():
        where = f"{Path(file).name}:{line}({func})" if line else func
        rows.append((tt, ct, calls, where, file))
    lines = []
    if own:
        lines = ["| own s | own % | cumulative s | calls | function |", "|---:|---:|---:|---:|---|"]
        for tt, ct, calls, where, _f in sorted(rows, reverse=True)[:n]:
            lines.append(f"| {tt:.2f} | {tt / total * 100:.1f} | {ct:.2f} | {calls:,} | `{where}` |")
        lines.append("")
    lines += ["| cumulative s | cumulative % | calls | function (pressmon and library entry points) |",
              "|---:|---:|---:|---|"]
    interesting = [r for r in rows if "pressmon" in r[4] or any(
        k in r[4] for k in ("trafilatura/core", "feedparser/api", "langdetect/detector",
                            "bs4/__init__", "lxml"))]
    for tt, ct, calls, where, _f in sorted(interesting, key=lambda r: -r[1])[:n]:
        lines.append(f"| {ct:.2f} | {ct / total * 100:.1f} | {calls:,} | `{where}` |")
    return lines


if __name__ == "__main__":
    sys.exit(main())

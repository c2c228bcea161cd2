"""Benchmark story clustering and event linking: a batch of 1,000 new articles against 10,000
and 100,000 stored articles, all inside the matching window, each measured in a fresh process
(imports, opening the database and reading the LSH index or the event keys from DuckDB
included), plus the signature time per article.

    python scripts/bench_stories.py [--sizes 10000 100000] [--new 1000] [--keep DIR]

Stories: the stored articles are synthetic: most get a signature drawn at random (the MinHash
of an unrelated text is a vector of independent uniform values), and `--planted` of them are
real MinHash signatures of random shingle sets; the new batch holds copies of those planted
articles (20-40 % of the shingles replaced) and unrelated articles, so the run also reports
recall and false matches at scale. Stored articles are loaded with assign_stories itself, in
batches of 10,000, and that time is printed too.

Events: every stored article gets a synthetic event fingerprint: a reported day among
`--event-days` days (default 100, so 1,000 relevant articles a day at 100,000: more than a
city's press monitoring sees) and the publication on that day, one of `--event-missions`
missions, home entities drawn with a skew such that a few are in most articles (as the
Métropole's name is), partner entities, and numbers and names from large Zipf-distributed
vocabularies. The new batch is on the last two days: `--planted` reports of stored articles'
happenings (same day and mission, their home entities, half of their names and numbers, and
names of their own) and unrelated articles. Stored fingerprints are loaded with assign_events
itself, in batches of 10,000; the new batch is linked by assign_events in a fresh process.
`--event-days 3` puts every stored article inside the window, as the story figures do.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
BASE_TIME = datetime(2017, 11, 6, tzinfo=timezone.utc)


def minhash_of_shingles(shingles: np.ndarray) -> np.ndarray:
    from pressmon.dedupe import minhash

    return minhash(np.unique(shingles))


def make_items(prefix: str, sigs: np.ndarray, rng: np.random.Generator) -> list[dict]:
    # Dates spread over three days, so everything is inside a 7-day window.
    offsets = rng.integers(0, 3 * 86400, size=len(sigs))
    items = []
    for i, sig in enumerate(sigs):
        when = BASE_TIME + timedelta(seconds=int(offsets[i]))
        items.append({"article_id": f"{prefix}{i:07d}", "published_at": when,
                      "first_seen_at": when + timedelta(minutes=30), "signature": sig.tolist()})
    return items


def build(args) -> None:
    from pressmon.dedupe import NUM_PERM

    rng = np.random.default_rng(args.seed)
    work = Path(args.work)
    planted_sets = [rng.integers(0, 2**63, size=300, dtype=np.uint64).astype(np.uint64)
                    for _ in range(args.planted)]
    planted = np.stack([minhash_of_shingles(s) for s in planted_sets])
    new_sigs, truth = [], []
    for i in range(args.new):
        if i < args.planted:
            s = planted_sets[i].copy()
            frac = 0.2 + 0.2 * (i % 5) / 4  # 20 %, 25 %, 30 %, 35 %, 40 % replaced
            k = int(len(s) * frac)
            s[:k] = rng.integers(0, 2**63, size=k, dtype=np.uint64)
            new_sigs.append(minhash_of_shingles(s))
            truth.append(f"s{i:07d}")
        else:
            new_sigs.append(rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32))
            truth.append(None)
    np.save(work / "new.npy", np.stack(new_sigs))
    (work / "truth.json").write_text(json.dumps(truth))

    import duckdb
    from pressmon.dedupe import assign_stories

    for size in sorted(args.sizes):
        db = work / f"stored-{size}.duckdb"
        db.unlink(missing_ok=True)
        con = duckdb.connect(str(db))
        for name in ("001_init.sql", "002_stories.sql"):
            con.execute((HERE.parents[1] / "sql" / "migrations" / name).read_text())
        sigs = rng.integers(0, 2**32, size=(size, NUM_PERM), dtype=np.uint64).astype(np.uint32)
        sigs[: args.planted] = planted
        items = make_items("s", sigs, rng)
        started = time.perf_counter()
        for start in range(0, size, 10_000):
            con.execute("BEGIN")
            assign_stories(con, items[start:start + 10_000])
            con.execute("COMMIT")
        con.execute("CHECKPOINT")
        con.close()
        print(f"built {size:>7,} stored articles with assign_stories in batches of 10,000: "
              f"{time.perf_counter() - started:.1f} s")


def child(args) -> None:
    """One fresh process: import, open, cluster the new batch, commit; print JSON timings."""
    t0 = time.perf_counter()
    import duckdb

    from pressmon.dedupe import assign_stories, story_id_for

    t_import = time.perf_counter()
    con = duckdb.connect(args.db)
    t_open = time.perf_counter()
    sigs = np.load(Path(args.work) / "new.npy")
    items = make_items("n", sigs, np.random.default_rng(args.seed + 1))
    con.execute("BEGIN")
    t1 = time.perf_counter()
    result = assign_stories(con, items)
    t2 = time.perf_counter()
    con.execute("COMMIT")
    t3 = time.perf_counter()
    con.close()
    truth = json.loads((Path(args.work) / "truth.json").read_text())
    stored_story = {}
    planted_ids = [t for t in truth if t]
    if planted_ids:
        con = duckdb.connect(args.db, read_only=True)
        stored_story = dict(con.execute(
            "SELECT article_id, story_id FROM story_members WHERE article_id IN "
            f"({','.join('?' * len(planted_ids))})", planted_ids).fetchall())
        con.close()
    hit = [bool(t) and result[f"n{i:07d}"] == stored_story.get(t) for i, t in enumerate(truth)]
    found = sum(hit)
    # planted copy i had 20 + 5 * (i % 5) percent of its shingles replaced (see build)
    misses = sorted({20 + 5 * (i % 5) for i, t in enumerate(truth) if t and not hit[i]})
    # An unrelated article that did not found its own story was wrongly matched.
    false = sum(1 for i, t in enumerate(truth)
                if not t and result[f"n{i:07d}"] != story_id_for(f"n{i:07d}"))
    print(json.dumps({"import_s": t_import - t0, "open_s": t_open - t_import,
                      "assign_s": t2 - t1, "commit_s": t3 - t2, "planted": len(planted_ids),
                      "planted_found": found, "missed_at_pct": misses,
                      "unrelated_joined": false}))


# --------------------------------------------------------------------------- events


def event_items(prefix: str, n: int, rng: np.random.Generator, days: list, missions: int,
                planted_from: list | None = None) -> list[dict]:
    """Synthetic relevant articles with event fingerprints (see the module docstring), on
    `days`, about `missions` missions; the first ones report `planted_from`'s happenings."""
    from pressmon.events import FINGERPRINT_VERSION

    homes = [f"home:H{i}" for i in range(15)]
    # Drawn for all articles at once: numpy's weighted choice is slow one call at a time.
    day_ix = rng.integers(0, len(days), size=n)
    mission_ix = rng.integers(0, missions, size=n)
    home_ix = np.stack([rng.choice(15, size=3, replace=False, p=_zipf(15, 1.5))
                        for _ in range(n)]) if n else np.empty((0, 3), int)
    partner_ix = rng.integers(0, 40, size=(n, 3))
    num_ix = rng.choice(5000, size=(n, 8), p=_zipf(5000, 1.0, 10))
    name_ix = rng.choice(200_000, size=(n, 15), p=_zipf(200_000, 1.1, 50))
    seconds = rng.integers(0, 86400, size=n)
    items = []
    for i in range(n):
        src = planted_from[i] if planted_from and i < len(planted_from) else None
        if src is not None:
            day, mission = src["fingerprint"]["day"], src["mission_id"]
            old = [k for k in src["fingerprint"]["keys"] if k.startswith(("name:", "num:"))]
            keys = set(k for k in src["fingerprint"]["keys"] if k.startswith("home:"))
            keys |= set(old[: len(old) // 2])
            keys |= {f"name:n{prefix}{i}x{j}" for j in range(8)}
        else:
            day = days[int(day_ix[i])].isoformat()
            mission = f"m{int(mission_ix[i])}"
            keys = {homes[j] for j in home_ix[i]}
            keys |= {f"partner:P{int(x)}" for x in partner_ix[i]}
            keys |= {f"num:{int(x)}" for x in num_ix[i]}
            keys |= {f"name:w{int(x)}" for x in name_ix[i]}
        when = datetime.combine(datetime.fromisoformat(day).date(), datetime.min.time(),
                                timezone.utc) + timedelta(seconds=int(seconds[i]))
        items.append({"article_id": f"{prefix}{i:07d}", "story_id": f"st_{prefix}{i:07d}",
                      "mission_id": mission, "published_at": when,
                      "first_seen_at": when + timedelta(minutes=30),
                      "fingerprint": {"v": FINGERPRINT_VERSION, "day": day, "cue": "mardi",
                                      "keys": sorted(keys), "shown": []}})
    return items


def _zipf(n: int, exponent: float, offset: int = 0) -> np.ndarray:
    """Probabilities of ranks 1..n under a Zipf-Mandelbrot law: few frequent keys, most rare
    (an offset flattens the head: the names in every article are the watchlist's)."""
    p = 1.0 / (np.arange(1, n + 1) + offset) ** exponent
    return p / p.sum()


def event_days(args) -> tuple[list, list]:
    """The days of the stored fingerprints, and the last two, those of the new batch."""
    days = [BASE_TIME.date() + timedelta(days=d) for d in range(args.event_days)]
    return days, days[-2:]


def build_events(args, size: int, db: Path) -> list[dict]:
    """Stored fingerprints in `db` (which holds the stories already); returns the stored
    items that the new batch reports on."""
    import duckdb
    from pressmon.events import assign_events

    rng = np.random.default_rng(args.seed + 2)
    days, new_days = event_days(args)
    stored = event_items("e", size, rng, days, args.event_missions)
    con = duckdb.connect(str(db))
    for name in sorted((HERE.parents[1] / "sql" / "migrations").glob("*.sql")):
        if name.name[4:].startswith("events"):  # the events tables only (009, 010)
            con.execute(name.read_text())
    started = time.perf_counter()
    for start in range(0, size, 10_000):
        con.execute("BEGIN")
        assign_events(con, stored[start:start + 10_000])
        con.execute("COMMIT")
    con.execute("CHECKPOINT")
    linked = con.execute("SELECT count(*) FROM event_stories").fetchall()[0][0]
    con.close()
    print(f"built {size:>7,} stored fingerprints with assign_events in batches of 10,000: "
          f"{time.perf_counter() - started:.1f} s ({linked:,} of them in events)")
    recent = {d.isoformat() for d in new_days}
    return [it for it in stored if it["fingerprint"]["day"] in recent][: args.planted]


def events_child(args) -> None:
    """One fresh process: import, open, link the new batch, commit; print JSON timings."""
    t0 = time.perf_counter()
    import duckdb

    from pressmon.events import assign_events

    t_import = time.perf_counter()
    con = duckdb.connect(args.db)
    t_open = time.perf_counter()
    planted = json.loads((Path(args.work) / f"planted-{args.size}.json").read_text())
    for p in planted:
        p["published_at"] = datetime.fromisoformat(p["published_at"])
    _days, new_days = event_days(args)
    items = event_items("x", args.new, np.random.default_rng(args.seed + 3), new_days,
                        args.event_missions, planted)
    con.execute("BEGIN")
    t1, c1 = time.perf_counter(), time.process_time()
    result = assign_events(con, items)
    t2, c2 = time.perf_counter(), time.process_time()
    con.execute("COMMIT")
    t3 = time.perf_counter()
    con.close()
    found = sum(1 for i in range(len(planted)) if f"st_x{i:07d}" in result)
    unrelated = sum(1 for i in range(len(planted), args.new) if f"st_x{i:07d}" in result)
    print(json.dumps({"import_s": t_import - t0, "open_s": t_open - t_import,
                      "assign_s": t2 - t1, "assign_cpu_s": c2 - c1, "commit_s": t3 - t2,
                      "planted": len(planted), "planted_found": found,
                      "unrelated_linked": unrelated}))


def fingerprint_time() -> float:
    """Milliseconds of events.fingerprint per relevant article, on the labelled dev articles
    of tests/data/events (cold name caches)."""
    import yaml

    from pressmon import events
    from pressmon.classify import article_zones, load_rules
    from pressmon.dates import parse_time
    from pressmon.relevance import score_relevance

    root = HERE.parents[1]
    rules = load_rules(root / "config", root / "tests" / "data" / "events" / "missions.yaml")
    arts = []
    for path in sorted((root / "tests" / "data" / "events" / "dev").glob("*.yaml")):
        c = yaml.safe_load(path.read_text(encoding="utf-8"))
        rel = score_relevance(rules.watchlist, article_zones(c["title"], c["text"], c.get("summary")))
        if rel.relevant:
            arts.append((rel.hits, c["title"], c.get("summary"), c["text"],
                         parse_time(c["published_at"])))
    started = time.perf_counter()
    for _ in range(10):
        events._plain_name.cache_clear()
        events._name_tokens.cache_clear()
        for a in arts:
            events.fingerprint(rules.watchlist, *a)
    return (time.perf_counter() - started) * 1000 / (10 * max(1, len(arts)))


def signature_time() -> float:
    from pressmon.dedupe import signature

    words = ("la metropole aix marseille provence a signe lundi a miami un accord de cooperation "
             "avec le comte de miami dade au premier jour d une mission de cinq jours consacree "
             "a l economie au tourisme et au port").split()
    rng = np.random.default_rng(7)
    texts = [" ".join(rng.choice(words, size=600)) + f" {i}" for i in range(50)]
    signature(texts[0])
    started = time.perf_counter()
    for _ in range(4):
        for t in texts:
            signature(t)
    return (time.perf_counter() - started) / (4 * len(texts))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--planted", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20171106)
    parser.add_argument("--keep", type=Path, help="keep the DuckDB files in this folder")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--event-days", type=int, default=100,
                        help="days the stored fingerprints are spread over (default 100: "
                             "1,000 relevant articles a day at 100,000)")
    parser.add_argument("--event-missions", type=int, default=20)
    parser.add_argument("--events-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    if args.events_child:
        events_child(args)
        return 0

    from pressmon import dedupe

    print(f"parameters: {dedupe.NUM_PERM} permutations, {dedupe.BANDS} bands x {dedupe.ROWS} rows, "
          f"{dedupe.SHINGLE}-word shingles, threshold {dedupe.THRESHOLD}")
    print(f"signature: {signature_time() * 1000:.3f} ms per 600-word article")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        args.work = str(work)
        build(args)
        for size in sorted(args.sizes):
            db = work / f"run-{size}.duckdb"
            shutil.copyfile(work / f"stored-{size}.duckdb", db)
            started = time.perf_counter()
            out = subprocess.run([sys.executable, str(HERE), "--child", "--db", str(db),
                                  "--work", str(work), "--seed", str(args.seed)],
                                 check=True, capture_output=True, text=True)
            wall = time.perf_counter() - started
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{args.new:,} new vs {size:>7,} stored: {wall:.2f} s in a fresh process "
                  f"(imports {r['import_s']:.2f} s, open {r['open_s']:.2f} s, "
                  f"assign_stories {r['assign_s']:.2f} s, commit {r['commit_s']:.2f} s); "
                  f"planted copies found {r['planted_found']}/{r['planted']} "
                  f"(misses at {r['missed_at_pct'] or 'none'} % replaced), "
                  f"unrelated articles joined to a story {r['unrelated_joined']}")
        print(f"event fingerprint: {fingerprint_time():.3f} ms per relevant article "
              f"(tests/data/events dev articles)")
        for size in sorted(args.sizes):
            db = work / f"run-{size}.duckdb"
            planted = build_events(args, size, db)
            (work / f"planted-{size}.json").write_text(json.dumps(planted, default=str))
            started = time.perf_counter()
            out = subprocess.run([sys.executable, str(HERE), "--events-child", "--db", str(db),
                                  "--work", str(work), "--seed", str(args.seed),
                                  "--size", str(size), "--new", str(args.new),
                                  "--event-days", str(args.event_days),
                                  "--event-missions", str(args.event_missions)],
                                 check=True, capture_output=True, text=True)
            wall = time.perf_counter() - started
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"event linking: {args.new:,} new vs {size:>7,} stored over {args.event_days} "
                  f"days: {wall:.2f} s in a "
                  f"fresh process (imports {r['import_s']:.2f} s, open {r['open_s']:.2f} s, "
                  f"assign_events {r['assign_s']:.2f} s ({r['assign_cpu_s']:.2f} s CPU), "
                  f"commit {r['commit_s']:.2f} s); "
                  f"planted reports linked {r['planted_found']}/{r['planted']}, "
                  f"unrelated articles put in an event {r['unrelated_linked']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

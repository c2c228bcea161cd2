"""Benchmark of the analysts' side on a synthetic warehouse: search indexing (backfill and a
load-sized batch), ranked queries, reports and the Parquet exports. Prints figures; asserts
nothing. Usage: .venv/bin/python tests/analysts/scripts/bench_search.py [ARTICLES]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from pressmon import exports, reports, search, store
from pressmon.settings import get_paths

WORDS = ("marseille miami métropole délégation croisière port portmiami accord économie "
         "investissement tourisme euroméditerranée comté condado acuerdo ciudades hermanas "
         "cruise terminal county commissioners budget sister city agreement mission "
         "entreprise décideurs floride innovation startups culture politique transport").split()


def synthetic_articles(n: int, seed: int = 0, prefix: str = "b") -> pa.Table:
    rnd = random.Random(seed)
    filler = [f"mot{i}" for i in range(20000)]  # a long tail, as real vocabularies have
    rows = {k: [] for k in ("article_id", "source", "outlet", "region", "url", "canonical_url",
                            "title", "text", "published_at", "first_seen_at", "last_seen_at",
                            "content_hash", "language", "relevant", "mission_id", "topics",
                            "story_id")}
    import datetime as dt

    base = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(n):
        aid = f"{prefix}{i:07d}"
        words = [rnd.choice(WORDS) if rnd.random() < 0.08 else rnd.choice(filler)
                 for _ in range(rnd.randint(200, 600))]
        when = base + dt.timedelta(minutes=37 * i)
        rel = rnd.random() < 0.2
        rows["article_id"].append(aid)
        rows["source"].append(f"s{i % 40}")
        rows["outlet"].append(f"o{i % 30}")
        rows["region"].append(("marseille", "national", "miami")[i % 3])
        rows["url"].append(f"https://o{i % 30}.test/{aid}")
        rows["canonical_url"].append(f"https://o{i % 30}.test/{aid}")
        rows["title"].append(" ".join(rnd.choice(WORDS) for _ in range(8)).capitalize())
        rows["text"].append(" ".join(words))
        rows["published_at"].append(when)
        rows["first_seen_at"].append(when)
        rows["last_seen_at"].append(when)
        rows["content_hash"].append(aid)
        rows["language"].append(("fr", "en", "es")[i % 3])
        rows["relevant"].append(rel)
        rows["mission_id"].append("miami-2017" if rel else None)
        rows["topics"].append(["economy", "port"] if rel else ["other"])
        rows["story_id"].append(f"s-{aid}")
    return pa.table(rows)


def timed(fn, repeat=1):
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return out, statistics.median(runs)


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "press.duckdb"
        con = store.open_writer(db)
        con.execute("INSERT INTO missions VALUES ('miami-2017', 'Miami', 'Miami-Dade', "
                    "'2017-11-05', '2017-11-10', 'miami', [])")
        con.register("_b", synthetic_articles(n))
        con.execute("INSERT INTO articles BY NAME SELECT * FROM _b")
        con.unregister("_b")
        print(f"articles: {n}")

        done, secs = timed(lambda: search.index_articles(con))
        terms = con.execute("SELECT count(*) FROM search_terms").fetchall()[0][0]
        print(f"index backfill: {done} articles, {terms} term rows in {secs:.2f} s "
              f"({1e3 * secs / done:.2f} ms per article)")

        con.register("_b", synthetic_articles(500, seed=1, prefix="n"))
        con.execute("INSERT INTO articles BY NAME SELECT * FROM _b")
        con.unregister("_b")
        con.execute("BEGIN TRANSACTION")
        done, secs = timed(lambda: search.index_articles(con, []))
        con.execute("COMMIT")
        print(f"index a load batch: {done} new articles in {secs:.2f} s")

        for query in ("croisière portmiami", "acuerdo ciudades hermanas", "budget",
                      "marseille miami délégation accord"):
            hits, secs = timed(lambda: search.search(con, query, limit=20), repeat=5)
            print(f"search {query!r}: {len(hits)} shown, median {1e3 * secs:.1f} ms")

        # Search with 500 articles not indexed (scored on the fly).
        con.execute("UPDATE articles SET search_length = NULL WHERE article_id LIKE 'n%'")
        hits, secs = timed(lambda: search.search(con, "croisière portmiami"), repeat=5)
        print(f"search with 500 unindexed articles: median {1e3 * secs:.1f} ms")
        search.index_articles(con)

        for name in ("coverage_by_mission", "week_stories", "mission_timeline"):
            (_, rows), secs = timed(lambda: reports.run_report(con, name), repeat=3)
            print(f"report {name}: {len(rows)} rows, median {1e3 * secs:.0f} ms")

        paths = get_paths(db=str(db))
        _, secs = timed(lambda: store.publish_snapshot(con, db))
        print(f"publish_snapshot: {secs:.2f} s ({db.stat().st_size / 1e6:.0f} MB)")
        folder, secs = timed(lambda: exports.publish_exports(con, paths))
        size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
        print(f"publish_exports: {secs:.2f} s ({size / 1e6:.0f} MB of Parquet)")
        con.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)

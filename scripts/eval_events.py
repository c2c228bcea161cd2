"""Evaluate event linking on the labelled set in tests/data/events (see its README.md).

For each split (dev, holdout to holdout9) the script loads the split's articles through the pipeline's
own stages into a fresh DuckDB file: each article becomes a staged record exactly as the
extract stage builds it (``stages.build_record``: canonical URL, content hash, language,
MinHash signature), the real ``classify_stage`` tags it (relevance, mission, topics, event
fingerprint) with the project's watchlist and topics and the set's ``missions.yaml``, and the
real ``load_stage`` loads it (stories, then events, in one transaction). Events are then read
from ``v_articles``; an article in no event counts as the event of its own story (copies of one
text report one happening).

Printed per split: pairwise precision and recall over the articles labelled relevant, recall
on the same-event pairs whose articles are in different languages, the same figures with each
article's event and the links that touch articles labelled not relevant; whether a reload of
the same articles in three cycles, in a shuffled order, gives the same grouping; whether
``pressmon reclassify`` keeps every event id; and the cost of the event fingerprint per
relevant article; and the same figures when the split is loaded day by day, one cycle per
publication day, as the articles would have come.

    python scripts/eval_events.py [--split dev|holdout|holdout2|...|holdout9|all] [--errors] [--keep DIR]
                                  [--without-days]

`--without-days` scores the split as if no article had a day cue (the fallback of the rule
alone), to see what the reported day brings.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import timezone
from pathlib import Path

import duckdb
import yaml

from pressmon.settings import PROJECT_ROOT, Paths

DATA = PROJECT_ROOT / "tests" / "data" / "events"
SPLITS = ("dev", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6",
          "holdout7", "holdout8", "holdout9")


# ---------------------------------------------------------------- labelled cases

def load_cases(split: str) -> list[dict]:
    cases = []
    for path in sorted((DATA / split).glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        case["id"] = path.stem
        cases.append(case)
    return cases


# ---------------------------------------------------------------- the pipeline, on files

def make_config(work: Path, cases: list[dict]) -> Paths:
    """A configuration folder: the project's watchlist and topics, the set's missions, and one
    feed per source of the cases (region, language and outlet as labelled)."""
    cfg = work / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    for name in ("watchlist.yaml", "topics.yaml", "topic_model.json"):
        shutil.copyfile(PROJECT_ROOT / "config" / name, cfg / name)
    shutil.copyfile(DATA / "missions.yaml", cfg / "missions.yaml")
    sources, seen = [], set()
    for c in cases:
        if c["source"] in seen:
            continue
        seen.add(c["source"])
        sources.append({"name": c["source"], "url": f"https://{c['outlet']}/feed/",
                        "region": c["region"], "language": c["source_language"],
                        "outlet": c["outlet"]})
    (cfg / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True),
                                      encoding="utf-8")
    return Paths(db=work / "events.duckdb", config_dir=cfg, sources=cfg / "sources.yaml",
                 missions=cfg / "missions.yaml")


def load_cycle(paths: Paths, cases: list[dict], cycle_id: str) -> None:
    """One ingest cycle of these articles, from the extract stage's records to the load."""
    from pressmon.config import load_sources
    from pressmon.dates import now
    from pressmon.stages import build_record, classify_stage, load_stage
    from pressmon.staging import ARTICLES_FILE, FEED_FILE, feed_dir, write_json, write_jsonl

    sources = load_sources(paths.sources)
    started = now().isoformat()  # a new cycle each call, never taken for a retried load
    by_source: dict[str, list[dict]] = {}
    for c in cases:
        by_source.setdefault(c["source"], []).append(c)
    for name, items in by_source.items():
        source = sources.by_name(name)
        folder = feed_dir(paths, cycle_id, name)
        folder.mkdir(parents=True, exist_ok=True)
        records = []
        for i, c in enumerate(items):
            page = {"link": c["url"], "entry_index": i, "title": c["title"],
                    "summary": c.get("summary"), "published": c["published_at"]}
            ext = {"title": c["title"], "text": c["text"], "published": c["published_at"],
                   "description": c.get("summary")}
            records.append(build_record(source, page, ext))
        write_jsonl(folder / ARTICLES_FILE, records)
        classify_stage(paths, sources, name, cycle_id)
        write_json(folder / FEED_FILE, {"source": name, "url": source.url, "outcome": "ok",
                                        "started_at": started,
                                        "items": len(items), "http_status": 200,
                                        "duration_ms": 1})
    load_stage(paths, sources, cycle_id, runner="eval")


def grouping_of(db: Path, cases: list[dict]) -> dict[str, dict]:
    """Per case: its event (or, in no event, its story), story, relevance and mission."""
    from pressmon.canonical import canonicalize_url

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT canonical_url, event_id, story_id, relevant, mission_id "
                           "FROM v_articles").fetchall()
    finally:
        con.close()
    by_url = {u: (e, s, r, m) for u, e, s, r, m in rows}
    out = {}
    for c in cases:
        event, story, relevant, mission = by_url[canonicalize_url(c["url"])]
        out[c["id"]] = {"group": event or story, "event_id": event, "story_id": story,
                        "relevant": relevant, "mission_id": mission}
    return out


def run_split(work: Path, cases: list[dict], *, batches: int = 1, seed: int | None = None,
              by_day: bool = False) -> tuple[Paths, dict[str, dict]]:
    """Load the cases in one cycle, in ``batches`` cycles (shuffled by ``seed``), or
    ``by_day``: one cycle per publication day (UTC), in order, as they would have come."""
    paths = make_config(work, cases)
    order = list(cases)
    if seed is not None:
        random.Random(seed).shuffle(order)
    if by_day:
        from pressmon.dates import parse_time

        days: dict = {}
        for c in sorted(order, key=lambda c: parse_time(c["published_at"])):
            day = parse_time(c["published_at"]).astimezone(timezone.utc).date()
            days.setdefault(day, []).append(c)
        chunks = list(days.values())
    else:
        size = -(-len(order) // batches)
        chunks = [order[n * size:(n + 1) * size] for n in range(batches)]
    for n, chunk in enumerate(c for c in chunks if c):
        load_cycle(paths, chunk, f"eval-{n + 1}")
    return paths, grouping_of(paths.db, cases)


# ---------------------------------------------------------------- scoring

def same_event(a: dict, b: dict) -> bool:
    la, lb = a["labels"], b["labels"]
    if la["story"] == lb["story"]:
        return True
    return la["event"] is not None and la["event"] == lb["event"]


def pairwise(cases: list[dict], got: dict[str, dict]) -> dict:
    rel = [c for c in cases if c["labels"]["relevant"]]
    tp = fp = fn = xtp = xfn = 0
    errors = []
    for a, b in itertools.combinations(rel, 2):
        gold = same_event(a, b)
        pred = got[a["id"]]["group"] == got[b["id"]]["group"]
        cross = a["labels"]["language"] != b["labels"]["language"]
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
        if gold and cross:
            xtp += pred
            xfn += not pred
        if gold != pred:
            errors.append(("false link" if pred else "missed", a["id"], b["id"]))
    return {"tp": tp, "fp": fp, "fn": fn, "xtp": xtp, "xfn": xfn, "errors": errors,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "cross_recall": xtp / (xtp + xfn) if xtp + xfn else 1.0}


def irrelevant_links(cases: list[dict], got: dict[str, dict]) -> list[str]:
    """Articles labelled not relevant that ended up in an event."""
    return [c["id"] for c in cases if not c["labels"]["relevant"] and got[c["id"]]["event_id"]]


def partition(got: dict[str, dict]) -> set[frozenset]:
    groups: dict[str, set] = {}
    for cid, g in got.items():
        groups.setdefault(g["group"], set()).add(cid)
    return {frozenset(v) for v in groups.values()}


def fingerprint_cost(cases: list[dict], paths: Paths) -> tuple[float, int, float]:
    """Milliseconds of ``events.fingerprint`` per relevant article (the only extra work tagging
    does for events), the number timed, and classify_article's own ms per article."""
    from pressmon.classify import article_zones, classify_article, load_rules
    from pressmon.dates import parse_time
    from pressmon.events import fingerprint
    from pressmon.relevance import score_relevance

    rules = load_rules(paths.config_dir, paths.missions)
    arts = [{"title": c["title"], "text": c["text"], "summary": c.get("summary"),
             "published_at": c["published_at"], "region": c["region"],
             "source_language": c["source_language"], "language": c["labels"]["language"]}
            for c in cases]
    started = time.perf_counter()
    for a in arts:
        classify_article(rules, a)
    classify_ms = (time.perf_counter() - started) * 1000 / len(arts)
    timed = []
    for a in arts:
        zones = article_zones(a["title"], a["text"], a["summary"])
        rel = score_relevance(rules.watchlist, zones)
        if rel.relevant:
            timed.append((rel.hits, a["title"], a["summary"], a["text"],
                          parse_time(a["published_at"])))
    from pressmon import events

    runs = 20
    started = time.perf_counter()
    for _ in range(runs):
        # Cold caches each run: a new article's names are mostly new names.
        events._plain_name.cache_clear()
        events._name_tokens.cache_clear()
        for hits, title, summary, text, pub in timed:
            fingerprint(rules.watchlist, hits, title, summary, text, pub)
    per = (time.perf_counter() - started) * 1000 / (runs * max(1, len(timed)))
    return per, len(timed), classify_ms


def separation(paths: Paths) -> tuple[float | None, float | None, float | None]:
    """How far the grouping is from the threshold, on the loaded split: the weakest average
    link of a story to the rest of its event, the strongest between two groups left apart
    (events, or stories in no event), and the threshold."""
    from pressmon import events

    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        items = [events._Item(aid, story, mission, match_at, None, None, frozenset())
                 for aid, story, mission, match_at in con.execute(
                     "SELECT article_id, story_id, mission_id, match_at FROM event_features"
                 ).fetchall()]
        hood = events._neighbourhood(con, items) if items else None
    finally:
        con.close()
    if hood is None:
        return None, None, events.LINK_THRESHOLD
    groups: dict[str, list] = {}
    for a in hood.arts.values():
        groups.setdefault(hood.event_of.get(a.story_id, "s:" + a.story_id), []).append(a)
    inside = []
    for key, members in groups.items():
        for story in {a.story_id for a in members} if not key.startswith("s:") else ():
            mine = [a for a in members if a.story_id == story]
            rest = [a for a in members if a.story_id != story]
            score = events.average_link(mine, rest)
            if score is not None:
                inside.append(score)
    apart = [s for g, h in itertools.combinations(sorted(groups), 2)
             if (s := events.average_link(groups[g], groups[h])) is not None]
    return (min(inside) if inside else None, max(apart) if apart else None,
            events.LINK_THRESHOLD)


def reclassify_keeps_ids(paths: Paths) -> tuple[int, int, int]:
    """Event ids before and after ``pressmon reclassify`` on the same rules: kept, before,
    after."""
    from pressmon.load import reclassify_all

    def ids():
        con = duckdb.connect(str(paths.db), read_only=True)
        try:
            return dict(con.execute("SELECT story_id, event_id FROM event_stories").fetchall())
        finally:
            con.close()

    before = ids()
    reclassify_all(paths)
    after = ids()
    kept = sum(1 for s, e in before.items() if after.get(s) == e)
    return kept, len(set(before.values())), len(set(after.values()))


def evaluate(split: str, work: Path, show_errors: bool) -> bool:
    cases = load_cases(split)
    if not cases:
        print(f"== {split}: no labelled articles in {DATA / split}")
        return False
    rel = [c for c in cases if c["labels"]["relevant"]]
    langs = Counter(c["labels"]["language"] for c in cases)
    events = {c["labels"]["event"] for c in cases if c["labels"]["event"]}
    paths, got = run_split(work / f"{split}-1", cases)
    m = pairwise(cases, got)
    predicted = {g["event_id"] for g in got.values() if g["event_id"]}
    print(f"== {split}: {len(cases)} articles ({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}), "
          f"{len(rel)} labelled relevant, {len(events)} labelled events; "
          f"{len(predicted)} events found")
    print(f"event pairs over relevant articles: precision {m['precision']:.3f} "
          f"recall {m['recall']:.3f} (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})")
    print(f"cross-language pairs: recall {m['cross_recall']:.3f} "
          f"({m['xtp']}/{m['xtp'] + m['xfn']})")
    wrong = irrelevant_links(cases, got)
    print(f"articles labelled not relevant put in an event: {len(wrong)}"
          + (f" ({', '.join(wrong)})" if wrong else ""))
    missed_rel = [c["id"] for c in rel if not got[c["id"]]["relevant"]]
    print(f"labelled-relevant articles the classifier missed (never linked): {len(missed_rel)}"
          + (f" ({', '.join(missed_rel)})" if missed_rel else ""))
    weakest, closest, threshold = separation(paths)
    print(f"average links: weakest story in its event {_fmt(weakest)}, strongest between "
          f"groups left apart {_fmt(closest)} (threshold {threshold})")
    _paths2, got2 = run_split(work / f"{split}-2", cases, batches=3, seed=20171107)
    print(f"same grouping after a shuffled reload in 3 cycles: {partition(got) == partition(got2)}")
    _paths3, got3 = run_split(work / f"{split}-3", cases, by_day=True)
    d = pairwise(cases, got3)
    print(f"loaded day by day as published ({_cycles(cases)} cycles): precision "
          f"{d['precision']:.3f} recall {d['recall']:.3f} cross-language recall "
          f"{d['cross_recall']:.3f}; same grouping: {partition(got) == partition(got3)}")
    kept, before, after = reclassify_keeps_ids(paths)
    print(f"reclassify with unchanged rules: {before} events before, {after} after, "
          f"{kept} of the {len(_linked(got))} linked stories kept their event id")
    per, n, classify_ms = fingerprint_cost(cases, paths)
    print(f"event fingerprint: {per:.3f} ms per relevant article ({n} articles, 20 runs); "
          f"classify_article in all: {classify_ms:.3f} ms per article")
    if show_errors:
        for kind, a, b in m["errors"]:
            print(f"  {kind}: {a} ~ {b}")
    return True


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _cycles(cases: list[dict]) -> int:
    from pressmon.dates import parse_time

    return len({parse_time(c["published_at"]).astimezone(timezone.utc).date() for c in cases})


def _linked(got: dict[str, dict]) -> set[str]:
    return {g["story_id"] for g in got.values() if g["event_id"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--errors", action="store_true", help="list the pairs scored wrong")
    parser.add_argument("--keep", type=Path, help="keep the DuckDB files in this folder")
    parser.add_argument("--without-days", action="store_true",
                        help="as if no article had a day cue")
    args = parser.parse_args(argv)
    if args.without_days:
        from pressmon import events

        events.reported_day = lambda zones, published: (None, None)
    splits = SPLITS if args.split == "all" else (args.split,)
    with tempfile.TemporaryDirectory(prefix="pressmon-eval-events-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ok = [evaluate(s, work, args.errors) for s in splits]
    return 0 if any(ok) else 1


if __name__ == "__main__":
    sys.exit(main())

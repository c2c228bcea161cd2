"""Evaluate URL canonicalisation, article-level deduplication and story clustering on the
labelled set in tests/data/dedupe (see its README.md for the file format).

For each split (dev, holdout) the script creates a DuckDB file with the core schema and the
story tables, inserts every article of the split's text cases, runs the real
`pressmon.dedupe.assign_stories` and scores the resulting story_ids pairwise against the
labels (all articles of a split are clustered together, so a false match across cases counts
too). It then reloads the same articles in a shuffled order, in three batches, into a fresh
file and checks that the grouping is the same.

    python scripts/eval_dedupe.py [--split dev|holdout|all] [--pairs] [--keep DIR]

`--pairs` prints the estimated similarity of every labelled pair, which is what tuning the
threshold looks at (on dev only).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from pressmon.canonical import canonicalize_url, choose_canonical
from pressmon.dedupe import THRESHOLD, assign_stories, content_hash, signature, similarity
from pressmon.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "dedupe"
MIGRATIONS = [PROJECT_ROOT / "sql" / "migrations" / "001_init.sql",
              PROJECT_ROOT / "sql" / "migrations" / "002_stories.sql"]
VIEW = PROJECT_ROOT / "sql" / "views" / "20_v_stories.sql"


# ---------------------------------------------------------------- labelled cases

def load_text_case(path: Path) -> dict:
    """A text case with every article's text materialised (edits applied)."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_id: dict[str, dict] = {}
    for art in case["articles"]:
        art = dict(art)
        if "from" in art:
            src = by_id[art["from"]]
            art["text"] = apply_edits(src["text"], art.get("edits") or [], f"{path.name}:{art['id']}")
        art["text"] = art["text"].strip()
        art["published"] = _as_datetime(art["published"])
        if "story" not in art:
            art["story"] = "one" if case["kind"] == "copies" else art["id"]
        by_id[art["id"]] = art
    case["articles"] = list(by_id.values())
    case["name"] = path.stem
    return case


def apply_edits(text: str, edits: list[dict], where: str) -> str:
    paras = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    for edit in edits:
        (op, arg), = edit.items()
        if op == "replace_paragraph":
            paras[arg[0]] = arg[1]
        elif op == "drop_paragraph":
            del paras[arg]
        elif op == "insert_paragraph":
            paras.insert(arg[0], arg[1])
        elif op == "prepend":
            paras.insert(0, arg)
        elif op == "append":
            paras.append(arg)
        elif op == "replace":
            joined = "\n\n".join(paras)
            if arg[0] not in joined:
                raise ValueError(f"{where}: replace: {arg[0]!r} not found in the text")
            paras = joined.replace(arg[0], arg[1]).split("\n\n")
        else:
            raise ValueError(f"{where}: unknown edit {op!r}")
    return "\n\n".join(paras)


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def load_cases(split: str) -> tuple[list[dict], list[dict]]:
    texts = [load_text_case(p) for p in sorted((DATA / "text").glob("*.yaml"))]
    urls = [dict(yaml.safe_load(p.read_text(encoding="utf-8")), name=p.stem)
            for p in sorted((DATA / "url").glob("*.yaml"))]
    keep = (lambda c: True) if split == "all" else (lambda c: c["split"] == split)
    return [c for c in texts if keep(c)], [c for c in urls if keep(c)]


# ---------------------------------------------------------------- database

def open_db(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    for migration in MIGRATIONS:
        con.execute(migration.read_text(encoding="utf-8"))
    con.execute(VIEW.read_text(encoding="utf-8"))
    return con


def articles_of(cases: list[dict]) -> list[dict]:
    out = []
    for case in cases:
        for art in case["articles"]:
            aid = f"{case['name']}/{art['id']}"
            out.append({
                "article_id": aid,
                "gold": f"{case['name']}/{art['story']}",
                "outlet": art["outlet"],
                "title": art.get("title"),
                "text": art["text"],
                "published_at": art["published"],
                "first_seen_at": art["published"] + timedelta(minutes=20),
                "language": case.get("language"),
                "url": f"https://{art['outlet']}.example/{aid}",
            })
    return out


def cluster(path: Path, arts: list[dict], batches: int = 1, seed: int | None = None) -> dict[str, str]:
    """Insert `arts` into a fresh database and cluster them; returns {article_id: story_id}
    as read back from articles.story_id."""
    con = open_db(path)
    order = list(arts)
    if seed is not None:
        random.Random(seed).shuffle(order)
    size = -(-len(order) // batches)
    for start in range(0, len(order), size):
        chunk = order[start:start + size]
        con.execute("BEGIN")
        for a in chunk:
            con.execute(
                "INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, title,"
                " text, published_at, first_seen_at, last_seen_at, content_hash, language)"
                " VALUES (?, ?, ?, 'test', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [a["article_id"], a["outlet"], a["outlet"], a["url"], canonicalize_url(a["url"]),
                 a["title"], a["text"], a["published_at"], a["first_seen_at"], a["first_seen_at"],
                 content_hash(a["title"], a["text"]), a["language"]])
        result = assign_stories(con, [
            {"article_id": a["article_id"], "published_at": a["published_at"],
             "first_seen_at": a["first_seen_at"], "signature": signature(a["text"])}
            for a in chunk])
        for aid, sid in result.items():
            con.execute("UPDATE articles SET story_id = ? WHERE article_id = ?", [sid, aid])
        con.execute("COMMIT")
    got = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
    n_view = con.execute("SELECT count(*) FROM v_stories").fetchone()[0]
    if n_view != len(set(got.values())):
        raise AssertionError(f"v_stories has {n_view} rows for {len(set(got.values()))} stories")
    con.close()
    return got


def pairwise(gold: dict[str, str], got: dict[str, str]) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold, same_got = gold[a] == gold[b], got[a] == got[b]
        tp += same_gold and same_got
        fp += same_got and not same_gold
        fn += same_gold and not same_got
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def grouping(assign: dict[str, str]) -> set[frozenset]:
    groups: dict[str, set] = {}
    for a, s in assign.items():
        groups.setdefault(s, set()).add(a)
    return {frozenset(g) for g in groups.values()}


# ---------------------------------------------------------------- scoring

def score_urls(cases: list[dict]) -> tuple[int, int, list[str]]:
    ok, wrong = 0, []
    for c in cases:
        if "expect" in c:
            got = choose_canonical(c["listed"], c.get("final"), c.get("page_canonical"))
            good = got == c["expect"]
            detail = f"{got} (expected {c['expect']})"
        else:
            ca, cb = canonicalize_url(c["a"]), canonicalize_url(c["b"])
            good = (ca == cb) == bool(c["same"])
            detail = f"{ca} | {cb} (same={c['same']})"
        ok += good
        if not good:
            wrong.append(f"{c['name']}: {detail}")
    return ok, len(cases), wrong


def article_level(text_cases: list[dict], url_cases: list[dict]) -> tuple[int, int]:
    """(duplicates, false merges) of keying articles by canonical URL, then content hash.

    Duplicates: entries labelled as one article left as two rows. False merges: entries
    labelled as different articles given one row.
    """
    dup = merged = 0
    for c in url_cases:
        if "same" in c:
            one_row = canonicalize_url(c["a"]) == canonicalize_url(c["b"])
            dup += bool(c["same"]) and not one_row
            merged += (not c["same"]) and one_row
    hashes = []
    for c in text_cases:
        arts = {a["id"]: a for a in c["articles"]}
        for x, y in [c["same_article"]] if c.get("same_article") else []:
            dup += content_hash(arts[x].get("title"), arts[x]["text"]) != content_hash(arts[y].get("title"), arts[y]["text"])
        same = set(c.get("same_article") or [])
        for a in c["articles"]:
            if a["id"] not in same or a["id"] == (c.get("same_article") or [None])[0]:
                hashes.append(content_hash(a.get("title"), a["text"]))
    merged += len(hashes) - len(set(hashes))
    return dup, merged


def print_pairs(text_cases: list[dict]) -> None:
    arts = articles_of(text_cases)
    sigs = {a["article_id"]: signature(a["text"]) for a in arts}
    rows = []
    for a, b in itertools.combinations(arts, 2):
        sim = similarity(sigs[a["article_id"]], sigs[b["article_id"]])
        same_case = a["article_id"].split("/")[0] == b["article_id"].split("/")[0]
        if same_case or sim >= 0.2:
            rows.append((a["gold"] == b["gold"], sim, a["article_id"], b["article_id"]))
    for gold, sim, a, b in sorted(rows, key=lambda r: (not r[0], -r[1])):
        print(f"  {'COPY' if gold else 'diff'}  {sim:.3f}  {a}  {b}")


def evaluate(split: str, work: Path, show_pairs: bool) -> bool:
    text_cases, url_cases = load_cases(split)
    arts = articles_of(text_cases)
    gold = {a["article_id"]: a["gold"] for a in arts}
    got = cluster(work / f"{split}.duckdb", arts)
    precision, recall, tp, fp, fn = pairwise(gold, got)
    again = cluster(work / f"{split}-shuffled.duckdb", arts, batches=3, seed=20171106)
    ok, total, wrong = score_urls(url_cases)
    dup, merged = article_level(text_cases, url_cases)

    print(f"== {split}: {len(text_cases)} text cases, {len(arts)} articles, "
          f"{len(set(gold.values()))} true stories, {len(set(got.values()))} found; "
          f"{len(url_cases)} URL cases")
    print(f"story pairs: precision {precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn}); "
          f"threshold {THRESHOLD}")
    print(f"same grouping after a shuffled reload in 3 batches: {grouping(got) == grouping(again)}")
    print(f"URL canonicalisation: {ok}/{total} correct ({ok / total if total else 1:.3f})")
    print(f"article-level duplicates: {dup}; false merges: {merged}")
    for line in wrong:
        print(f"  URL wrong: {line}")
    for a, b in itertools.combinations(sorted(gold), 2):
        if (gold[a] == gold[b]) != (got[a] == got[b]):
            kind = "missed copy" if gold[a] == gold[b] else "false match"
            print(f"  {kind}: {a}  {b}")
    if show_pairs:
        print_pairs(text_cases)
    return precision >= 0.95 and recall >= 0.9 and dup == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "holdout", "both", "all"], default="both")
    parser.add_argument("--pairs", action="store_true", help="print the similarity of labelled pairs")
    parser.add_argument("--keep", type=Path, help="keep the DuckDB files in this folder")
    args = parser.parse_args(argv)
    splits = ["dev", "holdout"] if args.split == "both" else [args.split]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for name in splits:
            for suffix in ("", "-shuffled"):
                (work / f"{name}{suffix}.duckdb").unlink(missing_ok=True)
        results = [evaluate(name, work, args.pairs) for name in splits]
    print("targets (precision >= 0.95, recall >= 0.9, no duplicate):",
          "met" if all(results) else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

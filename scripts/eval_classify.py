"""Score the tagging rules on the labelled sets and on the sample.

Prints, for each split of the short labelled set (``tests/data/classification``: dev, dev2 for
tuning; holdout, holdout2 scored at the end), of the long-form set (``tests/data/longform``:
articles of 150 to 1,000 words over four missions, ``longform-dev`` for tuning,
``longform-holdout`` scored once at the end; likewise ``events-dev`` and ``events-holdout``, the
long articles of ``tests/data/events``; each scored twice, with the missions file a new
user writes, ``missions-minimal.yaml``, and with ``missions-full.yaml``) and for the sample corpus
(``sample/``, written by someone else and never used to tune: an external test set): precision,
recall and F1 of relevance and of each topic, topic micro-F1, language accuracy, mission
linking (the share of relevant articles given the right mission, or none when they are outside
every mission's window), and the milliseconds per article spent in classify_article.
``--split NAME`` scores one split only (``sample`` for the sample corpus); ``--sample`` adds the
sample corpus to the chosen split; ``--errors`` lists the articles each label got wrong.

    .venv/bin/python scripts/eval_classify.py [--split dev|dev2|holdout|holdout2|
                                               longform-dev|longform-holdout|events-dev|
                                               events-holdout|sample]
                                              [--sample] [--errors] [--no-model]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from pressmon.classify import classify_article, load_rules  # noqa: E402
from pressmon.topics import TOPICS  # noqa: E402

DATA = ROOT / "tests" / "data" / "classification"
LONGFORM = ROOT / "tests" / "data" / "longform"
SAMPLE = ROOT / "sample"
SPLITS = ("dev", "dev2", "holdout", "holdout2")
EVENTS = ROOT / "tests" / "data" / "events"
LONGFORM_SPLITS = ("longform-dev", "longform-holdout", "events-dev", "events-holdout")
MISSION_FILES = ("missions-minimal.yaml", "missions-full.yaml")
# Placeholders the sample's site server replaces at serve time (see sample/siteserver.py).
_PLACEHOLDER_RE = re.compile(r"\{\{(base|site:[a-z0-9_-]+)\}\}")


def load_cases(folder: Path = DATA) -> list[dict]:
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        case["file"] = path.name
        cases.append(case)
    return cases


def load_longform_cases(folder: Path = LONGFORM, prefix: str = "longform") -> list[dict]:
    """The long-form set: ``dev/`` and ``holdout/`` (when written), split ``longform-<part>``."""
    cases = []
    for part in ("dev", "holdout"):
        for case in load_cases(folder / part) if (folder / part).is_dir() else []:
            case["split"] = f"{prefix}-{case['split']}"
            cases.append(case)
    return cases


def as_article(case: dict) -> dict:
    return {
        "title": case["title"],
        "text": case["text"],
        "summary": case.get("summary"),
        "published_at": case.get("published_at"),
        "region": case.get("region"),
        "source_language": case.get("source_language"),
        "page_language": case.get("page_language"),
    }


def load_sample_cases(sample_dir: Path = SAMPLE) -> list[dict]:
    """The sample corpus's articles as labelled cases: each page is read from
    ``sites/<site>/<path>`` (``index.html`` for a path ending in "/"), extracted with
    ``pressmon.extract.extract_page`` like the pipeline does, and given its source's region and
    language from ``sources.yaml``; labels come from ``expected.yaml`` (``articles_detail``)."""
    from pressmon.extract import extract_page

    expected = yaml.safe_load((sample_dir / "expected.yaml").read_text(encoding="utf-8"))
    sources = yaml.safe_load((sample_dir / "sources.yaml").read_text(encoding="utf-8"))
    by_name = {s["name"]: s for s in sources["sources"]}
    cases = []
    for item in expected["articles_detail"]:
        rel = item["path"].lstrip("/")
        page = sample_dir / "sites" / item["site"] / rel
        if item["path"].endswith("/") or page.is_dir():
            page = page / "index.html"
        html = _PLACEHOLDER_RE.sub("http://127.0.0.1", page.read_text(encoding="utf-8"))
        url = "http://127.0.0.1/" + rel
        ext = extract_page(html, url)
        source = by_name[item["source"]]
        cases.append({
            "file": f"sample:{item['id']}",
            "title": ext.get("title") or item.get("title") or "",
            "text": ext.get("text") or "",
            # The pipeline's summary is the feed's, else the page description.
            "summary": ext.get("description"),
            "published_at": ext.get("published") or item.get("published"),
            "region": source.get("region"),
            "source_language": source.get("language"),
            "page_language": ext.get("page_language"),
            "split": "sample",
            "labels": {"relevant": bool(item["relevant"]), "mission_id": item.get("mission_id"),
                       "language": item["language"], "topics": item["topics"]},
        })
    return cases


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(rules, cases: list[dict]) -> dict:
    """Metrics of ``rules`` on ``cases`` (also used by the test that asserts floors)."""
    rel = [0, 0, 0]
    topic_counts = {t: [0, 0, 0] for t in TOPICS}
    lang_ok = mission_ok = mission_n = 0
    errors: dict[str, list[str]] = {"relevance": [], "language": [], "mission": [], "topics": []}
    elapsed = 0.0
    for case in cases:
        art = as_article(case)
        t0 = time.perf_counter()
        out = classify_article(rules, art)
        elapsed += time.perf_counter() - t0
        gold = case["labels"]
        g, p = bool(gold["relevant"]), out["relevant"]
        rel[0] += g and p
        rel[1] += p and not g
        rel[2] += g and not p
        if g != p:
            errors["relevance"].append(
                f"{case['file']}: gold {g}, got {p} (score {out['relevance_score']}, "
                f"terms {out['matched_terms']})")
        if out["language"] == gold["language"]:
            lang_ok += 1
        else:
            errors["language"].append(f"{case['file']}: gold {gold['language']}, got "
                                      f"{out['language']} ({out['language_confidence']})")
        if g:
            mission_n += 1
            if out["mission_id"] == gold.get("mission_id"):
                mission_ok += 1
            else:
                errors["mission"].append(f"{case['file']}: gold {gold.get('mission_id')}, got "
                                         f"{out['mission_id']}")
        gt, pt = set(gold["topics"]), set(out["topics"])
        for t in TOPICS:
            topic_counts[t][0] += t in gt and t in pt
            topic_counts[t][1] += t in pt and t not in gt
            topic_counts[t][2] += t in gt and t not in pt
        if gt != pt:
            scores = {k: v for k, v in sorted(out["topic_scores"].items(), key=lambda kv: -kv[1])}
            errors["topics"].append(f"{case['file']}: gold {sorted(gt)}, got {sorted(pt)} {scores}")
    micro = [sum(c[i] for c in topic_counts.values()) for i in range(3)]
    return {
        "n": len(cases),
        "relevance": prf(*rel),
        "relevant_gold": rel[0] + rel[2],
        "topics": {t: (*prf(*c), c[0] + c[2]) for t, c in topic_counts.items()},
        "topic_micro": prf(*micro),
        "language_accuracy": lang_ok / len(cases) if cases else 0.0,
        "mission_accuracy": mission_ok / mission_n if mission_n else 0.0,
        "mission_n": mission_n,
        "ms_per_article": 1000 * elapsed / len(cases) if cases else 0.0,
        "errors": errors,
    }


def report(name: str, m: dict, show_errors: bool) -> None:
    print(f"== {name}: {m['n']} articles, {m['relevant_gold']} relevant")
    print(f"{'label':<20} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}")
    p, r, f = m["relevance"]
    print(f"{'relevance':<20} {p:6.3f} {r:6.3f} {f:6.3f} {m['relevant_gold']:4d}")
    for t, (p, r, f, n) in m["topics"].items():
        print(f"{'topic:' + t:<20} {p:6.3f} {r:6.3f} {f:6.3f} {n:4d}")
    p, r, f = m["topic_micro"]
    print(f"{'topics micro':<20} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"language accuracy    {m['language_accuracy']:.3f}")
    print(f"mission linking      {m['mission_accuracy']:.3f} (on {m['mission_n']} relevant)")
    print(f"ms per article       {m['ms_per_article']:.2f}")
    if show_errors:
        for label, lines in m["errors"].items():
            for line in lines:
                print(f"  [{label}] {line}")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=(*SPLITS, *LONGFORM_SPLITS, "sample"),
                    help="score one split only")
    ap.add_argument("--sample", action="store_true",
                    help="also score the sample corpus (with --split; always without it)")
    ap.add_argument("--errors", action="store_true", help="list the articles each label missed")
    ap.add_argument("--config-dir", type=Path, default=ROOT / "config")
    ap.add_argument("--missions", type=Path, default=None)
    ap.add_argument("--no-model", action="store_true",
                    help="keep topics by the keyword threshold, without the learned layer")
    args = ap.parse_args(argv)

    def rules_for(missions_path: Path):
        rules = load_rules(args.config_dir, missions_path)
        if args.no_model:
            rules = dataclasses.replace(rules, taxonomy=dataclasses.replace(rules.taxonomy,
                                                                            model=None))
        return rules

    rules = rules_for(args.missions or args.config_dir / "missions.yaml")
    cases = load_cases()
    classify_article(rules, as_article(cases[0]))  # load langdetect's profiles outside the timing
    print(f"rules version {rules.version}\n")
    for split in SPLITS:
        if args.split and split != args.split:
            continue
        chosen = [c for c in cases if c["split"] == split]
        if chosen:
            report(split, evaluate(rules, chosen), args.errors)
    # The event-linking set is long-form too, labelled the same way, on the same missions.
    longform = load_longform_cases() + load_longform_cases(EVENTS, "events")
    for split in LONGFORM_SPLITS:
        chosen = [c for c in longform if c["split"] == split]
        if not chosen or (args.split and split != args.split):
            continue
        for missions in MISSION_FILES:
            lf_rules = rules_for(LONGFORM / missions)
            report(f"{split} with {missions}", evaluate(lf_rules, chosen), args.errors)
    if not args.split or args.split == "sample" or args.sample:
        report("sample (external test set)", evaluate(rules, load_sample_cases()), args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

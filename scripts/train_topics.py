"""Train the learned topic layer (``config/topic_model.json``) on the committed labelled dev sets.

The keyword scores of ``config/topics.yaml`` are computed for every article of the dev parts of
the labelled sets (``tests/data/classification`` dev and dev2, ``tests/data/longform/dev``,
``tests/data/events/dev``; never a holdout, never the sample corpus); a logistic regression per
topic learns, from every topic's log score and share of the best score, which topics the labels
keep. Full-batch gradient descent from zero weights: the same data gives the same model.

    .venv/bin/python scripts/train_topics.py [--cv] [--out config/topic_model.json]

``--cv`` prints 5-fold cross-validated topic micro-F1 (three shuffles) next to the keyword rules
alone, without writing the model. Retrain after any change to ``topics.yaml``'s phrases: the
model weighs their scores.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_classify as ev  # noqa: E402
from pressmon.classify import article_zones  # noqa: E402
from pressmon.topics import TOPICS, TopicModel, load_topics, score_topics_explained  # noqa: E402

TRAIN_TOPICS = tuple(t for t in TOPICS if t != "other")
L2 = 0.01            # chosen by cross-validation on the dev sets (0.003, 0.01, 0.03)
MIN_PROBABILITY = 0.4  # likewise (0.4, 0.5)
ITERATIONS = 300
MAX_TOPICS = 3


def training_cases() -> list[dict]:
    cases = [c for c in ev.load_cases() if c["split"] in ("dev", "dev2")]
    cases += [c for c in ev.load_longform_cases() if c["split"] == "longform-dev"]
    cases += [c for c in ev.load_longform_cases(ev.EVENTS, "events") if c["split"] == "events-dev"]
    return cases


def design(tax, cases) -> tuple[np.ndarray, np.ndarray]:
    shape = TopicModel(TRAIN_TOPICS, (), (), 0.0, 0)
    rows, labels = [], []
    for c in cases:
        zones = article_zones(c["title"], c["text"], c.get("summary"))
        _kept, scores, _ = score_topics_explained(tax, zones, use_model=False)
        rows.append(shape.features(scores))
        labels.append([t in c["labels"]["topics"] for t in TRAIN_TOPICS])
    return np.array(rows, dtype=float), np.array(labels, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, iterations: int = ITERATIONS):
    """Logistic regressions (one column per topic), L2 on the weights, Nesterov momentum."""
    n, p = x.shape
    w, b = np.zeros((p, y.shape[1])), np.zeros(y.shape[1])
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    for _ in range(iterations):
        lw, lb = w + 0.9 * vw, b + 0.9 * vb
        prob = 1.0 / (1.0 + np.exp(-(x @ lw + lb)))
        gw = x.T @ (prob - y) / n + l2 * lw
        gb = (prob - y).mean(0)
        vw, vb = 0.9 * vw - 0.5 * gw, 0.9 * vb - 0.5 * gb
        w, b = w + vw, b + vb
    return w, b


def keep(prob_row, score_row, min_probability=MIN_PROBABILITY):
    order = sorted(range(len(TRAIN_TOPICS)), key=lambda j: (-prob_row[j], j))
    kept = [TRAIN_TOPICS[j] for j in order
            if prob_row[j] >= min_probability and score_row[j] > 0][:MAX_TOPICS]
    return set(kept) or {"other"}


def micro_f1(gold, pred) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def cross_validate(tax, cases, folds=5, seeds=(0, 1, 2)) -> dict[str, float]:
    x, y = design(tax, cases)
    gold = [set(c["labels"]["topics"]) for c in cases]
    keyword = []
    for c in cases:
        kept, _s, _t = score_topics_explained(
            tax, article_zones(c["title"], c["text"], c.get("summary")), use_model=False)
        keyword.append(set(kept))
    splits = sorted({c["split"] for c in cases})
    out = {f"keyword {s}": micro_f1([g for g, c in zip(gold, cases) if c["split"] == s],
                                    [k for k, c in zip(keyword, cases) if c["split"] == s])
           for s in splits}
    out["keyword all"] = micro_f1(gold, keyword)
    learned = {s: [] for s in [*splits, "all"]}
    for seed in seeds:
        order = list(range(len(cases)))
        random.Random(seed).shuffle(order)
        pred = [None] * len(cases)
        for f in range(folds):
            test = order[f::folds]
            train = sorted(set(order) - set(test))
            w, b = fit(x[train], y[train])
            prob = 1.0 / (1.0 + np.exp(-(x[test] @ w + b)))
            for i, row in zip(test, prob):
                pred[i] = keep(row, x[i][0::2])
        for s in splits:
            idx = [i for i, c in enumerate(cases) if c["split"] == s]
            learned[s].append(micro_f1([gold[i] for i in idx], [pred[i] for i in idx]))
        learned["all"].append(micro_f1(gold, pred))
    out.update({f"learned {s} (cv)": sum(v) / len(v) for s, v in learned.items()})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topics", type=Path, default=ROOT / "config" / "topics.yaml")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--cv", action="store_true", help="cross-validate, write nothing")
    args = ap.parse_args(argv)
    tax = load_topics(args.topics)
    cases = training_cases()
    if args.cv:
        for name, value in cross_validate(tax, cases).items():
            print(f"{name:<32} {value:.3f}")
        return 0
    x, y = design(tax, cases)
    w, b = fit(x, y)
    counts = {}
    for c in cases:
        counts[c["split"]] = counts.get(c["split"], 0) + 1
    phrases = hashlib.sha256(args.topics.read_bytes()).hexdigest()[:12]
    model = TopicModel(TRAIN_TOPICS, tuple(tuple(round(float(v), 6) for v in row) for row in w),
                       tuple(round(float(v), 6) for v in b), MIN_PROBABILITY, MAX_TOPICS,
                       {"trained_on": counts, "topics_yaml_sha256": phrases, "l2": L2,
                        "iterations": ITERATIONS,
                        "features": "for each topic in order: log(1 + score), score / best score"})
    out = args.out or args.topics.parent / "topic_model.json"
    import json

    out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({sum(counts.values())} articles: {counts})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

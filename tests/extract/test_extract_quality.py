"""The extraction quality floor on the dev split of tests/data/extraction (see
scripts/eval_extraction.py): a regression in the main text or the metadata fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pressmon.extract import extract_page

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval_extraction.py"
F1_FLOOR = 0.95        # the project's target (the final extractor scores ~0.99 on dev)
TITLE_FLOOR = 0.95
DATE_FLOOR = 0.9


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_extraction", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dev_split_meets_the_floor():
    """Mean shingle F1, title and date accuracy of extract_page over the dev pages."""
    ev = _eval_module()
    pages = ev.load_pages("dev")
    assert len(pages) >= 20
    f1s, titles, dates = [], [], []
    for p in pages:
        out = extract_page(p["html"])
        f1s.append(ev.prf(out["text"], p["text"])[2])
        titles.append(ev.norm_title(out["title"]) == ev.norm_title(p["title"]))
        dates.append(ev.same_date(out["published"], p["published"]))
    assert sum(f1s) / len(f1s) >= F1_FLOOR, sorted(zip(f1s, (p["id"] for p in pages)))[:5]
    assert sum(titles) / len(titles) >= TITLE_FLOOR
    assert sum(dates) / len(dates) >= DATE_FLOOR


def test_shingle_measure():
    """The measure itself: identical texts score 1, disjoint 0, half the text P=1 R~0.5."""
    ev = _eval_module()
    truth = " ".join(f"word{i}" for i in range(103))
    assert ev.prf(truth, truth) == (1.0, 1.0, 1.0)
    assert ev.prf("other words entirely here and there", truth)[2] == 0.0
    p, r, _ = ev.prf(" ".join(truth.split()[:53]), truth)
    assert p == 1.0 and abs(r - 0.5) < 0.01

"""Evaluates main-text and metadata extraction on tests/data/extraction (run by `make eval-extract`).

Measure: precision and recall of 4-word shingles of the extracted text against the true text,
counted as multisets (a shingle repeated in the truth must be found as often), after
lowercasing and keeping only word characters (punctuation dropped). Per page
F1 = 2PR/(P+R); the tables show the mean P, R and F1 over pages, per split and per template.
An empty extraction scores P = R = F1 = 0. Also printed: title accuracy (exact after
whitespace and case normalisation), date accuracy (same instant; when either side has no
offset, same wall-clock time) and milliseconds per page (wall clock, one process, steady
state: timed on a second pass).

Variants: final (pressmon.extract.extract_page), trafilatura on the shared tree, the bs4
heuristic, bs4 heuristic + JSON-LD articleBody, trafilatura alone on the raw bytes (its own
parsing; include_comments=False) and the whole page's bs4 get_text() as the baseline.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "extraction"
sys.path.insert(0, str(ROOT / "plugins"))

from pressmon import extract as ex  # noqa: E402

SHINGLE = 4
_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE) -> Counter:
    words = _WORD.findall((text or "").lower())
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def prf(extracted: str, truth: str) -> tuple[float, float, float]:
    """Multiset shingle precision, recall, F1 of one page."""
    e, t = shingles(extracted), shingles(truth)
    if not e or not t:
        return 0.0, 0.0, 0.0
    common = sum((e & t).values())
    p, r = common / sum(e.values()), common / sum(t.values())
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def norm_title(s: str | None) -> str:
    return " ".join((s or "").casefold().split()).strip(" \"'«»“”")


def same_date(got: str | None, want: str | None) -> bool:
    if not want:
        return not got
    if not got:
        return False
    try:
        g, w = datetime.fromisoformat(got), datetime.fromisoformat(want)
    except ValueError:
        return False
    if g.tzinfo is None or w.tzinfo is None:
        return g.replace(tzinfo=None) == w.replace(tzinfo=None)
    return g == w


def load_pages(split: str | None = None) -> list[dict]:
    pages = []
    for j in sorted(DATA.glob("*.json")):
        truth = json.loads(j.read_text(encoding="utf-8"))
        if split and split != "all" and truth["split"] != split:
            continue
        truth["id"] = j.stem
        truth["html"] = j.with_suffix(".html").read_bytes()
        pages.append(truth)
    return pages


def _gettext(body: bytes) -> dict:
    from bs4 import BeautifulSoup
    return {"text": BeautifulSoup(body, "lxml").get_text("\n")}


def _traf_alone(body: bytes) -> dict:
    import trafilatura
    return {"text": trafilatura.extract(body, include_comments=False, include_tables=True) or ""}


VARIANTS = {
    "final": lambda b: ex.extract_page(b),
    "trafilatura_tree": lambda b: ex.extract_page(b, method="trafilatura"),
    "bs4_heuristic": lambda b: ex.extract_page(b, method="heuristic"),
    "bs4_heuristic+jsonld": lambda b: ex.extract_page(b, method="jsonld+heuristic"),
    "trafilatura_alone": _traf_alone,
    "get_text": _gettext,
}


def evaluate(pages: list[dict], variant: str) -> dict:
    """Per-page scores of one variant, and its cost per page."""
    fn = VARIANTS[variant]
    # A first pass pays imports and one-time initialisations (trafilatura's justext stoplists,
    # ~0.3 s); the second pass, timed, is the steady state of a worker extracting many pages.
    outs = [fn(p["html"]) for p in pages]
    t0 = time.perf_counter()
    for p in pages:
        fn(p["html"])
    ms = (time.perf_counter() - t0) * 1000 / len(pages)
    rows = []
    for p, out in zip(pages, outs):
        pr, rc, f1 = prf(out.get("text", ""), p["text"])
        rows.append({"id": p["id"], "split": p["split"], "template": p["template"], "p": pr, "r": rc, "f1": f1,
                     "title_ok": norm_title(out.get("title")) == norm_title(p["title"]) if "title" in out else None,
                     "date_ok": same_date(out.get("published"), p["published"]) if "title" in out else None})
    return {"rows": rows, "ms": ms}


def _mean(xs):
    xs = [x for x in xs if x is not None]
    return statistics.fmean(xs) if xs else float("nan")


def summary(rows: list[dict]) -> dict:
    return {"n": len(rows), "p": _mean(r["p"] for r in rows), "r": _mean(r["r"] for r in rows),
            "f1": _mean(r["f1"] for r in rows), "title": _mean(r["title_ok"] for r in rows),
            "date": _mean(r["date_ok"] for r in rows)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of: " + ", ".join(VARIANTS))
    ap.add_argument("--split", default="all", choices=["dev", "holdout", "all"])
    ap.add_argument("--pages", action="store_true", help="also print every page's scores for the final variant")
    args = ap.parse_args(argv)
    pages = load_pages(args.split)
    if not pages:
        print(f"no pages in {DATA}", file=sys.stderr)
        return 1
    templates = sorted({p["template"] for p in pages})
    print(f"{len(pages)} pages, {len(templates)} templates; 4-word shingles, multisets; means over pages\n")
    results = {v: evaluate(pages, v) for v in args.variants.split(",")}
    hdr = f"{'variant':22} {'split':8} {'n':>3} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'date':>6} {'ms/page':>8}"
    print(hdr)
    print("-" * len(hdr))
    fmt = lambda x: "     -" if x != x else f"{x:6.3f}"  # noqa: E731 (NaN for variants without metadata)
    for v, res in results.items():
        for split in ("dev", "holdout", "all"):
            rows = [r for r in res["rows"] if split == "all" or r["split"] == split]
            if not rows:
                continue
            s = summary(rows)
            print(f"{v:22} {split:8} {s['n']:3d} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f} "
                  f"{fmt(s['title'])} {fmt(s['date'])} {res['ms']:8.1f}")
    print("\nF1 per template (dev / holdout)")
    print(f"{'template':16}" + "".join(f"{v[:20]:>22}" for v in results))
    for t in templates:
        cells = []
        for res in results.values():
            d = [r["f1"] for r in res["rows"] if r["template"] == t and r["split"] == "dev"]
            h = [r["f1"] for r in res["rows"] if r["template"] == t and r["split"] == "holdout"]
            cells.append(f"{_mean(d):.3f} / {_mean(h):.3f}" if d and h else f"{_mean(d or h):.3f}")
        print(f"{t:16}" + "".join(f"{c:>22}" for c in cells))
    if args.pages and "final" in results:
        print("\nfinal, per page")
        for r in results["final"]["rows"]:
            print(f"{r['id']:18} {r['split']:8} P={r['p']:.3f} R={r['r']:.3f} F1={r['f1']:.3f} "
                  f"title={'ok' if r['title_ok'] else 'NO'} date={'ok' if r['date_ok'] else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scores the metadata of ``pressmon extract`` on real publishers' pages (run by ``make eval``).

The pages and their expected values are the fundus parser's test fixtures in
``../shared/realdata/extraction/fundus`` (outside the repository; ``PRESSMON_REALDATA`` names
another folder). When the folder is absent this script says so and exits 0.

Per field, the share of pages where ``pressmon extract`` agrees with the expected value:

- ``title``: equal after whitespace and case normalisation;
- ``published``: the same calendar day (in the expected value's own UTC offset when both
  sides carry one, else as written);
- ``author``: the same set of names, case-insensitive (pressmon joins several names with
  ", "; "and", "y", "et" and "&" also separate names).

    .venv/bin/python scripts/eval_metadata.py [--errors]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("PRESSMON_REALDATA") or ROOT.parent / "shared" / "realdata")
FUNDUS = REALDATA / "extraction" / "fundus"
FIELDS = ("title", "published", "author")


def norm_title(s: str | None) -> str:
    return " ".join((s or "").casefold().split())


def _when(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        return datetime.fromisoformat(s.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def same_day(got: str | None, want: str | None) -> bool:
    g, w = _when(got), _when(want)
    if g is None or w is None:
        return g is None and w is None
    if g.tzinfo is not None and w.tzinfo is not None:
        g = g.astimezone(w.tzinfo)
    return g.date() == w.date()


_NAME_SEP = re.compile(r"\s*(?:,|;|&|\band\b|\by\b|\bet\b)\s*", re.I)


def names(value) -> set[str]:
    if not value:
        return set()
    items = value if isinstance(value, list) else [value]
    out = set()
    for item in items:
        for part in _NAME_SEP.split(str(item)):
            part = " ".join(part.casefold().split())
            if part:
                out.add(part)
    return out


def expected_items() -> list[dict]:
    items = []
    for e in json.loads((FUNDUS / "INDEX.json").read_text(encoding="utf-8")):
        exp = json.loads((FUNDUS / e["expected_json"]).read_text(encoding="utf-8"))
        v = exp.get(e.get("version_key_guess")) or next(iter(exp.values()))
        items.append({"page": e["html"], "html": gzip.open(FUNDUS / e["html"]).read(),
                      "title": v.get("title"), "published": v.get("publishing_date"),
                      "author": v.get("authors") or []})
    return items


def run_extract(items: list[dict]) -> list[dict]:
    """``pressmon extract`` over the pages, one JSON object per page."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, item in enumerate(items):
            path = Path(tmp) / f"page{i:03d}.html"
            path.write_bytes(item["html"])
            paths.append(str(path))
        proc = subprocess.run([str(ROOT / ".venv" / "bin" / "pressmon"), "extract", *paths],
                              capture_output=True, text=True, timeout=600)
    outs = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if len(outs) != len(items):
        raise SystemExit(f"pressmon extract gave {len(outs)} results for {len(items)} pages:\n"
                         f"{proc.stderr[-2000:]}")
    return outs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--errors", action="store_true", help="list the pages each field got wrong")
    args = ap.parse_args()
    if not (FUNDUS / "INDEX.json").exists():
        print(f"real data not found at {FUNDUS} (outside the repository; set PRESSMON_REALDATA): "
              f"skipping the metadata evaluation")
        return 0
    items = expected_items()
    outs = run_extract(items)
    checks = {
        "title": lambda o, e: norm_title(o.get("title")) == norm_title(e["title"]),
        "published": lambda o, e: same_day(o.get("published"), e["published"]),
        "author": lambda o, e: names(o.get("author")) == names(e["author"]),
    }
    print(f"metadata of pressmon extract on {len(items)} fundus publisher pages")
    for field in FIELDS:
        ok = [checks[field](o, e) for o, e in zip(outs, items)]
        print(f"  {field:10} {sum(ok) / len(ok):.3f}  ({sum(ok)}/{len(ok)})")
        if args.errors:
            for good, o, e in zip(ok, outs, items):
                if not good:
                    print(f"      {e['page']}: got {o.get(field)!r}, expected {e[field]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

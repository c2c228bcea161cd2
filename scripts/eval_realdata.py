"""Scores pressmon on real pages and texts nobody here wrote, beside the plain libraries.

Run by ``make eval`` (``make eval-realdata``). The data live outside the repository, in
``../shared/realdata`` (or the folder named by ``PRESSMON_REALDATA``); when it is absent this
script says so and exits 0, so that ``make eval`` still runs the other sets.

1. ``score.py extraction --baseline``: 4-gram F1 of ``pressmon extract``'s text against
   trafilatura's ``extract()`` with its defaults, per set (Zyte benchmark pages, fundus
   publisher pages, trafilatura's French and Spanish pages).
2. ``score.py language --baseline``: accuracy on fr/en/es texts against plain langdetect, and
   how often texts in de/it/pt/ca/nl are called fr, en or es.
3. Hints as evidence, not overrides: the language of the fundus pages (which carry their own
   ``lang`` attributes) and of the sample corpus's articles, decided from the text alone, with
   the page's or feed's declared language, and with a wrong declared language; the same for
   their titles alone, where a hint is meant to tip the balance.

    .venv/bin/python scripts/eval_realdata.py [--only extraction|language|hints]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

REALDATA = Path(os.environ.get("PRESSMON_REALDATA") or ROOT.parent / "shared" / "realdata")
MONITORED = ("fr", "en", "es")
# The targets the real-data work set itself (docs/extraction.md, docs/classification.md).
TARGETS = {
    ("extraction", "zyte"): 0.965, ("extraction", "fundus_all"): 0.965,
    ("extraction", "trafilatura_fr_es"): 0.95,
    ("language", "sentences"): 0.99, ("language", "feed_titles"): 0.97,
}


def run_score(what: str) -> dict | None:
    """score.py's JSON for ``what`` with the baseline side by side, or None on failure."""
    cmd = [sys.executable, str(REALDATA / "score.py"), what, "--baseline",
           "--cmd", f"{ROOT / '.venv' / 'bin' / 'pressmon'} extract"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        print(f"score.py {what} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        return None
    body = proc.stdout[: proc.stdout.rfind("\n}") + 2]
    return json.loads(body)


def print_extraction(res: dict) -> None:
    print("main text, 4-gram F1 (trafilatura's snippets: must-have / must-not)")
    print(f"{'set':22} {'pages':>5} {'pressmon':>9} {'P':>6} {'R':>6} {'trafilatura':>12} {'target':>7}")
    for name, r in res["project"].items():
        b = res["baseline"][name]
        target = TARGETS.get(("extraction", name))
        print(f"{name:22} {r['pages']:5d} {r['f1']:9.3f} {r['precision']:6.3f} {r['recall']:6.3f} "
              f"{b['f1']:12.3f} {target if target else '':>7}")


def print_language(res: dict) -> None:
    print("language, accuracy on fr/en/es texts (each in a bare page: no lang attribute)")
    print(f"{'set':20} {'n':>5} {'pressmon':>9} {'fr':>6} {'en':>6} {'es':>6} {'langdetect':>11} "
          f"{'target':>7}")
    for name, r in res["project"].items():
        b = res["baseline"][name]
        target = TARGETS.get(("language", name))
        print(f"{name:20} {r['n']:5d} {r['accuracy_fr_en_es']:9.3f} {r.get('fr', 0):6.3f} "
              f"{r.get('en', 0):6.3f} {r.get('es', 0):6.3f} {b['accuracy_fr_en_es']:11.3f} "
              f"{target if target else '':>7}")
        if "other_called_fr_en_es" in r:
            print(f"{'  de/it/pt/ca/nl called fr/en/es':36} {r['other_called_fr_en_es']:9.3f}"
                  f"{'':21}{b['other_called_fr_en_es']:11.3f} {'0.01':>7}")


def _hint_rows(items: list[tuple[str, str, str, str | None]], article: bool = True) -> None:
    """items: (expected language, title, text, declared language). Prints the accuracy of the
    text alone, with the declared language, and with a wrong one, for the whole article and
    for its title alone."""
    from pressmon.language import detect_language

    def acc(pairs):
        return sum(a == b for a, b in pairs) / max(1, len(pairs))

    for label, use_text in (("article (title + text)", True), ("title alone", False))[0 if article else 1:]:
        none, declared, wrong, overridden = [], [], [], 0
        n_wrong = 0
        for want, title, text, hint in items:
            body = text if use_text else ""
            base = detect_language(title, body)[0]
            none.append((want, base))
            declared.append((want, detect_language(title, body, hint=hint)[0]))
            for bad in MONITORED:
                if bad == want:
                    continue
                got = detect_language(title, body, hint=bad)[0]
                wrong.append((want, got))
                n_wrong += 1
                overridden += base == want and got == bad
        print(f"  {label:24} text alone {acc(none):.3f}   with the declared language "
              f"{acc(declared):.3f}   with a wrong one {acc(wrong):.3f} "
              f"(a right answer turned to the wrong hint: {overridden}/{n_wrong})")


def hints_fundus() -> None:
    from pressmon.extract import extract_page

    base = REALDATA / "extraction" / "fundus"
    items = []
    for e in json.loads((base / "INDEX.json").read_text(encoding="utf-8")):
        page = extract_page(gzip.open(base / e["html"]).read(), e.get("url"))
        # The expected language is the one each publisher writes in, which its pages declare
        # correctly (checked by reading them; Mexico News Daily writes in English).
        items.append((page["page_language"], page["title"], page["text"], page["page_language"]))
    declared = sum(1 for i in items if i[3])
    print(f"fundus pages: {len(items)}, {declared} declaring a language")
    _hint_rows(items)


def hints_feed_titles() -> None:
    sys.path.insert(0, str(REALDATA))
    import score

    rows = score.language_items()["feed_titles"]
    items = [(lang, title, "", lang) for lang, title in rows]
    print(f"real feed titles: {len(items)} (declared: the feed's language)")
    _hint_rows(items, article=False)


def hints_sample() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from eval_classify import load_sample_cases

    cases = load_sample_cases()
    items = [(c["labels"]["language"], c["title"], c["text"], c["page_language"] or c["source_language"])
             for c in cases]
    print(f"sample corpus: {len(items)} articles (declared: the page's lang, else the feed's)")
    _hint_rows(items)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=("extraction", "language", "hints"))
    args = ap.parse_args()
    have = (REALDATA / "score.py").exists()
    if not have:
        print(f"real data not found at {REALDATA} (outside the repository; set PRESSMON_REALDATA): "
              f"skipping the real-data sets")
    if have and args.only in (None, "extraction"):
        res = run_score("extraction")
        if res:
            print_extraction(res)
            print()
    if have and args.only in (None, "language"):
        res = run_score("language")
        if res:
            print_language(res)
            print()
    if args.only in (None, "hints"):
        print("declared languages (page lang attribute, feed, outlet) weighed against the text")
        if have:
            hints_fundus()
            hints_feed_titles()
        hints_sample()
    return 0


if __name__ == "__main__":
    sys.exit(main())

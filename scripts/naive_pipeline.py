"""The naive pipeline `make bench` compares pressmon with: the same libraries, used the obvious way.

    .venv/bin/python scripts/naive_pipeline.py SOURCES.yaml DB.duckdb

One process, no concurrency, no politeness, no deduplication: the feeds of SOURCES.yaml in
their order, each read with ``urllib.request.urlopen(url, timeout=20).read()`` and parsed with
``feedparser.parse``; each entry's page read the same way; its text is the ``<p>`` texts of
``BeautifulSoup(html, "lxml")`` once script, style, nav, footer and aside are removed; its
language is langdetect's (seed 0) on the whole text; one ``INSERT OR REPLACE`` per article
into a DuckDB table keyed by URL. Prints one JSON line: articles, errors, wall and CPU seconds.

This is a yardstick, not a tool: a page that fails is counted and skipped, nothing more.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import duckdb
import feedparser
import yaml
from bs4 import BeautifulSoup
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

DROPPED_TAGS = ("script", "style", "nav", "footer", "aside")


def page_text(html: bytes) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(DROPPED_TAGS):
        tag.decompose()
    return "\n\n".join(p.get_text(" ", strip=True) for p in soup.find_all("p"))


def language_of(text: str) -> str | None:
    try:
        return detect(text)
    except LangDetectException:  # no letters at all
        return None


def run(sources_path: str, db_path: str) -> dict:
    DetectorFactory.seed = 0
    with open(sources_path, encoding="utf-8") as fh:
        feeds = yaml.safe_load(fh)["sources"]
    con = duckdb.connect(db_path)
    con.execute("CREATE TABLE IF NOT EXISTS articles (url VARCHAR PRIMARY KEY, feed VARCHAR, "
                "title VARCHAR, published VARCHAR, text VARCHAR, language VARCHAR)")
    articles = errors = 0
    for feed in feeds:
        try:
            parsed = feedparser.parse(urllib.request.urlopen(feed["url"], timeout=20).read())
        except Exception as exc:  # noqa: BLE001 - a yardstick counts failures, nothing more
            print(f"feed {feed['name']}: {exc}", file=sys.stderr)
            errors += 1
            continue
        for entry in parsed.entries:
            try:
                html = urllib.request.urlopen(entry.link, timeout=20).read()
            except Exception as exc:  # noqa: BLE001
                print(f"page {entry.get('link')}: {exc}", file=sys.stderr)
                errors += 1
                continue
            text = page_text(html)
            con.execute("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)",
                        [entry.link, feed["name"], entry.get("title"), entry.get("published"),
                         text, language_of(text)])
            articles += 1
    rows = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    return {"articles": articles, "rows": rows, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = run(args[0], args[1])
    result.update(wall_s=time.perf_counter() - wall0, cpu_s=time.process_time() - cpu0)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark (prints figures, asserts nothing): parse_feed against feedparser's defaults on a
200-item full-content feed, and what the XML attacks cost feedparser without the screen.

    .venv/bin/python tests/fetch/bench_parse.py
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).parent))

from hostile import billion_laughs, quadratic_blowup  # noqa: E402

from pressmon.feeds import parse_feed  # noqa: E402

PARA = ("<p>La délégation de la Métropole Aix-Marseille-Provence a signé à Miami un accord de "
        "jumelage portant sur le <a href=\"/eco\">port</a>, les croisières et le tourisme.</p>")


def feed(items: int = 200) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title>']
    for i in range(items):
        out.append(f"<item><title>Article {i} &amp; co</title><link>/a/{i}</link>"
                   f"<pubDate>Tue, 07 Nov 2017 10:00:00 -0500</pubDate>"
                   f"<description><![CDATA[{PARA}]]></description>"
                   f"<content:encoded><![CDATA[{PARA * 8}]]></content:encoded></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


def timed(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def attack_cost(which: str) -> str:
    code = (f"import io, resource, feedparser, sys; sys.path.insert(0, {str(Path(__file__).parent)!r});"
            f"from hostile import {which}; body = {which}();"
            "b = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
            "import time; t = time.perf_counter(); feedparser.parse(io.BytesIO(body));"
            "print(f'{(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - b) / 1024:.0f} MB "
            "more peak RSS, {time.perf_counter() - t:.2f} s')")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120).stdout.strip()


def main() -> None:
    body = feed()
    url = "http://news.example.org/feed"
    default = timed(lambda: feedparser.parse(io.BytesIO(body)))
    ours = timed(lambda: parse_feed(body, url=url, content_type="application/rss+xml"))
    print(f"200-item full-content feed ({len(body) // 1000} kB), median of 7:")
    print(f"  feedparser defaults (sanitise + resolve URIs): {default * 1000 / 200:.2f} ms/item")
    print(f"  parse_feed (screen + feedparser without them): {ours * 1000 / 200:.2f} ms/item")
    for which in ("billion_laughs", "quadratic_blowup"):
        print(f"  feedparser alone on {which}: {attack_cost(which)}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()

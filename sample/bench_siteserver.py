"""Measures how fast the sample sites server (siteserver.py) serves the sample corpus, and prints pages per second.

Run: .venv/bin/python sample/bench_siteserver.py. Each client thread keeps one keep-alive
connection per site and requests every article page of expected.yaml in turn, with and
without gzip. Figures vary with the machine's load: compare ratios, not absolutes.
"""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from siteserver import SiteServer, load_sites

SAMPLE = Path(__file__).resolve().parent
PAGES_PER_CLIENT = 1500


def client(urls: list[str], n: int, gzip: bool, done: list[int]) -> None:
    conns: dict[str, http.client.HTTPConnection] = {}
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    for i in range(n):
        u = urlsplit(urls[i % len(urls)])
        conn = conns.get(u.netloc)
        if conn is None:
            conn = conns[u.netloc] = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.request("GET", u.path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{u.geturl()}: HTTP {resp.status}")
    for conn in conns.values():
        conn.close()
    done.append(n)


def main() -> None:
    with SiteServer(load_sites(SAMPLE)) as server:
        expected = yaml.safe_load(server.substitute((SAMPLE / "expected.yaml").read_text("utf-8")))
        urls = [a["url"] for a in expected["articles_detail"]]
        for gzip in (False, True):
            for clients in (1, 4):
                done: list[int] = []
                threads = [threading.Thread(target=client,
                                            args=(urls, PAGES_PER_CLIENT, gzip, done))
                           for _ in range(clients)]
                start = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                elapsed = time.perf_counter() - start
                print(f"gzip={'yes' if gzip else 'no ':3} clients={clients}: {sum(done)} pages "
                      f"in {elapsed:.2f} s = {sum(done) / elapsed:.0f} pages/s")


if __name__ == "__main__":
    main()

"""Child process for the politeness tests: fetch URLs from several threads with one Fetcher.

    fetch_many.py STATE_DIR CONCURRENCY DELAY_S THREADS URL [URL ...]

Every thread fetches every URL once; prints the number of successful fetches.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pressmon.config import FetchSettings
from pressmon.fetch import Fetcher


def main(argv: list[str]) -> int:
    state_dir, concurrency, delay, threads, urls = argv[0], int(argv[1]), float(argv[2]), \
        int(argv[3]), argv[4:]
    settings = FetchSettings(per_host_concurrency=concurrency, per_host_delay_s=delay,
                             timeout_s=10, retries=0, allow_private_links=True)
    with Fetcher(settings, Path(state_dir)) as f, ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda u: f.get(u).status, urls * threads))
    return sum(1 for s in results if s == 200)


if __name__ == "__main__":
    print(main(sys.argv[1:]))

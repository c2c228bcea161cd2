"""Run one fetch or parse in this process and print its peak memory as JSON (used by tests).

    memprobe.py parse CASE_NAME
    memprobe.py fetch URL [MAX_BYTES]

Peak RSS comes from getrusage in this process: the baseline is taken after imports and after
the input is ready, so the growth is what parsing or fetching cost.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hostile import CASES_DIR, load_case  # noqa: E402

from pressmon.config import FetchSettings  # noqa: E402
from pressmon.feeds import FeedError, parse_feed  # noqa: E402
from pressmon.fetch import FetchError, Fetcher, fetch_feed  # noqa: E402


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> dict:
    mode, target = argv[0], argv[1]
    result: dict = {"error": None}
    if mode == "parse":
        case = load_case(CASES_DIR / f"{target}.yaml")
        body = case["bytes"]
        result["baseline_kb"] = peak_kb()
        try:
            feed = parse_feed(body, url="http://news.example.org/feed", content_type=None)
            result["entries"] = len(feed.entries)
        except FeedError as exc:
            result["error"] = str(exc)
    else:
        max_bytes = int(argv[2]) if len(argv) > 2 else 10_000_000
        settings = FetchSettings(timeout_s=5, max_bytes=max_bytes, retries=0,
                                 per_host_delay_s=0, allow_private_links=True)
        with tempfile.TemporaryDirectory() as state, Fetcher(settings, Path(state)) as f:
            result["baseline_kb"] = peak_kb()
            try:
                got = fetch_feed(f, target, None)
                result["bytes"] = len(got.body or b"")
            except FetchError as exc:
                result["error"] = str(exc)
                result["kind"] = exc.kind
    result["peak_kb"] = peak_kb()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))

"""parse_feed over the fixture cases of tests/fetch/cases/: one YAML file per case, holding the
body (or the name of a generator for bodies too big for a file) and what must come out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostile import all_cases

from pressmon.feeds import FeedError, parse_feed

FEED_URL = "http://news.example.org/feeds/main.xml"
CASES = all_cases()
HERE = Path(__file__).parent


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    """Each fixture parses to its expected entries and warning, or fails with its message."""
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(FeedError) as info:
            parse_feed(case["bytes"], url=FEED_URL, content_type=case.get("content_type"))
        assert str(info.value) == expect["error"]
        return
    feed = parse_feed(case["bytes"], url=FEED_URL, content_type=case.get("content_type"))
    if "title" in expect:
        assert feed.title == expect["title"]
    if "count" in expect:
        assert len(feed.entries) == expect["count"]
    for got, want in zip(feed.entries, expect.get("entries", [])):
        for key, value in want.items():
            actual = getattr(got, key)
            if hasattr(actual, "isoformat"):
                actual = actual.isoformat()
            assert actual == value, f"entry {key}"
    assert len(feed.entries) >= len(expect.get("entries", []))
    if "warning" in expect:
        assert feed.warning == expect["warning"]
    if "warning_contains" in expect:
        assert expect["warning_contains"] in (feed.warning or "")
    for entry in feed.entries:
        assert entry.link.startswith(("http://", "https://"))
        for when in (entry.published, entry.updated):
            assert when is None or when.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("case", [c for c in CASES if c.get("memory")],
                         ids=[c["name"] for c in CASES if c.get("memory")])
def test_xml_attack_keeps_memory_flat(case):
    """The XML attack is parsed in a child process whose peak RSS barely moves."""
    out = subprocess.run([sys.executable, str(HERE / "memprobe.py"), "parse", case["name"]],
                         capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(case["name"], result)
    assert result["error"] == case["expect"]["error"]
    assert result["peak_kb"] - result["baseline_kb"] < 20_000

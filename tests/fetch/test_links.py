"""Link policy: links found in feeds reach only public addresses or their feed's own host, at
every redirect hop; configured feeds are trusted."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pressmon.fetch import FetchError, backoff_until

HERE = Path(__file__).parent


def test_link_from_another_host_to_loopback_is_refused(server, fetcher):
    """A feed on a public host listing a loopback link: refused before any request."""
    server.reset_log()
    with pytest.raises(FetchError) as info:
        fetcher.get(server.url("/page/1"), link_from="https://news.example.org/feed.xml")
    assert (str(info.value), info.value.kind) == ("refused link to private address 127.0.0.1",
                                                  "permanent")
    assert server.requests("/page/") == []


def test_link_on_the_feeds_own_host_is_allowed(server, fetcher):
    """Same host as the feed: allowed even on a private address."""
    resp = fetcher.get(server.url("/page/1"), link_from=server.url("/good.xml"))
    assert resp.status == 200


def test_redirect_hop_to_another_private_host_is_refused(server, server2, fetcher):
    """The first hop is the feed's own host (allowed); its redirect to 127.0.0.2 is not."""
    target = server2.url("/page/secret")
    with pytest.raises(FetchError) as info:
        fetcher.get(server.url(f"/redirect?to={target}"), link_from=server.url("/good.xml"))
    assert str(info.value) == "refused link to private address 127.0.0.2"
    assert server2.requests("/page/secret") == []


def test_configured_feed_redirect_leaving_its_host_is_checked(server, server2, fetcher):
    """A trusted feed URL may be private, but a redirect to another private host is refused."""
    with pytest.raises(FetchError) as info:
        fetcher.get(server.url(f"/redirect?to={server2.url('/good.xml')}"))
    assert str(info.value) == "refused link to private address 127.0.0.2"
    assert fetcher.get(server.url("/redirect?to=/good.xml")).status == 200


def test_allow_private_links_lets_redirects_through(server, server2, make_fetcher):
    """allow_private_links (tests, demo) lifts the address check, not the redirect cap."""
    fetcher = make_fetcher(allow_private_links=True)
    resp = fetcher.get(server.url(f"/redirect?to={server2.url('/page/ok')}"),
                       link_from="https://news.example.org/feed.xml")
    assert (resp.status, resp.url, resp.attempts) == (200, server2.url("/page/ok"), 2)


@pytest.mark.parametrize("link,message", [
    ("file:///etc/passwd", "refused link with scheme 'file': only http and https are fetched"),
    ("javascript:alert(1)",
     "refused link with scheme 'javascript': only http and https are fetched"),
])
def test_non_http_links_are_refused(fetcher, link, message):
    with pytest.raises(FetchError) as info:
        fetcher.get(link, link_from="https://news.example.org/feed.xml")
    assert (str(info.value), info.value.kind) == (message, "permanent")


def test_redirect_to_a_non_http_scheme_is_refused(server, fetcher):
    with pytest.raises(FetchError) as info:
        fetcher.get(server.url("/redirect?to=file:///etc/passwd"))
    assert str(info.value) == \
        "refused link with scheme 'file': only http and https are fetched"


@pytest.mark.parametrize("path,message", [
    ("/gzip-bomb", "response larger than 10 MB once decompressed"),
    ("/huge", "response larger than 10 MB"),
])
def test_fetch_memory_stays_flat(server, path, message):
    """A 200 MB gzip bomb and a 100 MB body, fetched in a child: peak RSS grows by little more
    than the 10 MB cap."""
    out = subprocess.run([sys.executable, str(HERE / "memprobe.py"), "fetch",
                          server.url(path)], capture_output=True, text=True, timeout=60,
                         check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(path, result)
    assert result["error"] == message
    assert result["peak_kb"] - result["baseline_kb"] < 40_000


def test_backoff_until():
    """Failing feeds wait 10 min, doubling per failure, capped at a day; none before a failure."""
    now = datetime(2017, 11, 7, 10, 0, tzinfo=timezone.utc)
    assert backoff_until(0, now) is None
    waits = [backoff_until(n, now) - now for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (10, 20, 40, 80)]
    assert waits[-1] == timedelta(days=1)
    assert all(a <= b for a, b in zip(waits, waits[1:]))
    assert backoff_until(10_000, now) - now == timedelta(days=1)


def test_link_policy_is_checked_before_robots(server, tmp_path):
    """A feed's link to 10.0.0.1 is recorded `refused` (the link policy), not
    `robots_disallowed`: its robots.txt is never asked for; the own-host link is fetched."""
    from pressmon.config import load_sources
    from pressmon.settings import get_paths
    from pressmon.stages import fetch_stage
    from pressmon.staging import PAGES_FILE, feed_dir, read_jsonl

    (tmp_path / "sources.yaml").write_text(
        "fetch: {per_host_delay_s: 0, timeout_s: 2, retries: 0}\n"
        f"sources:\n  - {{name: links, url: '{server.url('/case/private-links')}', "
        "region: marseille}\n", encoding="utf-8")
    paths = get_paths(db=str(tmp_path / "press.duckdb"))
    sources = load_sources(tmp_path / "sources.yaml")
    outcome = fetch_stage(paths, sources, "links", "c1")
    assert outcome["outcome"] == "ok"
    pages = {p["link"]: p for p in read_jsonl(feed_dir(paths, "c1", "links") / PAGES_FILE)}
    private = pages["http://10.0.0.1/admin/article"]
    assert (private["page_outcome"], private["error"]) == (
        "refused", "refused link to private address 10.0.0.1")
    assert pages[server.url("/page/own")]["page_outcome"] == "ok"

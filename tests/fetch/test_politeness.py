"""Per-host politeness, judged from the server's side: slots, start gaps, Retry-After, robots.txt
and conditional GET."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hostile import HostileServer

from pressmon.config import FetchSettings
from pressmon.fetch import FetchError, Fetcher, fetch_feed

HERE = Path(__file__).parent


@pytest.fixture
def site():
    """A server of its own, so no straggler request from another test is counted."""
    srv = HostileServer("127.0.0.3").start()
    yield srv
    srv.stop()


def _starts(site, prefix):
    return sorted(r["start"] for r in site.requests(prefix))


def test_concurrency_and_delay_hold_across_processes(site, tmp_path):
    """Two processes of three threads each, 0.8 s requests: never more than 2 in flight at the
    host, never two starts closer than the delay."""
    state = tmp_path / "state"
    url = site.url("/slow?s=0.8")
    cmd = [sys.executable, str(HERE / "fetch_many.py"), str(state), "2", "0.3", "3", url]
    children = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [c.communicate(timeout=60)[0].strip() for c in children]
    assert outputs == ["3", "3"]
    starts = _starts(site, "/slow")
    assert len(starts) == 6
    assert site.max_in_flight <= 2
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    print(f"max in flight {site.max_in_flight}, smallest start gap {min(gaps):.3f} s")
    # The client keeps the gap between its starts; what the server sees can shrink by the
    # scheduling delay of a loaded machine, so the margin is generous (no gate gives ~0 s).
    assert min(gaps) >= 0.3 - 0.12


def test_threads_share_the_limit_without_state_dir(site):
    """With no state_dir the limit still holds across the threads of one Fetcher."""
    settings = FetchSettings(per_host_concurrency=1, per_host_delay_s=0, timeout_s=5,
                             retries=0, allow_private_links=True)
    with Fetcher(settings) as f, ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: f.get(site.url("/slow?s=0.2")).status, range(4)))
    assert statuses == [200] * 4
    assert site.max_in_flight == 1


def test_retry_after_is_honoured(site, tmp_path):
    """A 429 with Retry-After: 1 is retried no sooner than a second later."""
    settings = FetchSettings(per_host_delay_s=0, timeout_s=2, retries=1,
                             allow_private_links=True)
    with Fetcher(settings, tmp_path) as f:
        resp = f.get(site.url("/status/429?retry_after=1&fail=1&key=ra"))
    assert (resp.status, resp.attempts) == (200, 2)
    first, second = _starts(site, "/status/429")
    assert second - first >= 0.95


def test_retry_after_is_remembered_for_the_host(site, tmp_path):
    """After a 503 with Retry-After, another fetcher (another task) sharing the state waits too."""
    settings = FetchSettings(per_host_delay_s=0, timeout_s=2, retries=0,
                             allow_private_links=True)
    with Fetcher(settings, tmp_path) as a:
        with pytest.raises(FetchError) as info:
            a.get(site.url("/status/503?retry_after=1"))
        assert (str(info.value), info.value.kind) == ("HTTP 503 Service Unavailable",
                                                      "transient")
    with Fetcher(settings, tmp_path) as b:
        assert b.get(site.url("/good.xml")).status == 200
    assert _starts(site, "/good.xml")[0] - _starts(site, "/status/503")[0] >= 0.95


ROBOTS = """# test robots.txt
User-agent: *
Disallow: /page/private

User-agent: pressmon
User-agent: otherbot
Disallow: /page/
Allow: /page/open
Disallow: /*.pdf$
"""


def test_robots_txt_is_honoured_and_cached(site, tmp_path):
    """Our group is chosen over '*', the longest rule wins, wildcards work, and robots.txt is
    fetched once per host."""
    site.robots = ROBOTS
    settings = FetchSettings(per_host_delay_s=0, timeout_s=2, retries=0,
                             allow_private_links=True)
    with Fetcher(settings, tmp_path) as f:
        assert f.robots_allowed(site.url("/page/1")) is False
        assert f.robots_allowed(site.url("/page/open/1")) is True
        assert f.robots_allowed(site.url("/news/report.pdf")) is False
        assert f.robots_allowed(site.url("/news/report.pdf?x=1")) is True
        assert f.robots_allowed(site.url("/news/1")) is True
    other = FetchSettings(user_agent="somebot/1.0", per_host_delay_s=0, timeout_s=2,
                          allow_private_links=True)
    with Fetcher(other, tmp_path) as g:
        assert g.robots_allowed(site.url("/page/1")) is True
        assert g.robots_allowed(site.url("/page/private")) is False
    assert len(site.requests("/robots.txt")) == 2  # once per fetcher, whatever the calls


@pytest.mark.parametrize("robots,allowed", [(None, True), (403, True), (503, False)],
                         ids=["missing", "forbidden", "server-error"])
def test_robots_txt_unavailable(site, tmp_path, robots, allowed):
    """RFC 9309: a 4xx robots.txt allows all; a server error disallows all for the run."""
    site.robots = robots
    settings = FetchSettings(per_host_delay_s=0, timeout_s=2, retries=0,
                             allow_private_links=True)
    with Fetcher(settings, tmp_path) as f:
        assert f.robots_allowed(site.url("/news/1")) is allowed


def test_conditional_get(site, tmp_path):
    """Second fetch sends If-None-Match / If-Modified-Since and gets not_modified from a 304."""
    settings = FetchSettings(per_host_delay_s=0, timeout_s=2, allow_private_links=True)
    with Fetcher(settings, tmp_path) as f:
        first = fetch_feed(f, site.url("/conditional"), None)
        assert (first.outcome, first.status, first.etag) == ("ok", 200, '"v1"')
        assert first.last_modified == "Tue, 07 Nov 2017 10:00:00 GMT" and first.body
        state = {"etag": first.etag, "last_modified": first.last_modified,
                 "body_hash": first.body_hash}
        second = fetch_feed(f, site.url("/conditional"), state)
    assert (second.outcome, second.status, second.body) == ("not_modified", 304, None)
    sent = site.requests("/conditional")[-1]["headers"]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 07 Nov 2017 10:00:00 GMT"


def test_unchanged_body_without_validators_is_not_modified(site, tmp_path):
    """A server with no ETag or Last-Modified: an identical body hash means not_modified."""
    settings = FetchSettings(per_host_delay_s=0, timeout_s=2, allow_private_links=True)
    with Fetcher(settings, tmp_path) as f:
        first = fetch_feed(f, site.url("/no-validators"), None)
        second = fetch_feed(f, site.url("/no-validators"), {"body_hash": first.body_hash})
    assert first.outcome == "ok" and first.body_hash
    assert (second.outcome, second.status, second.body) == ("not_modified", 200, None)

"""Every hostile response ends in one FetchError with the operator-readable cause and its kind."""

from __future__ import annotations

import socket

import pytest

from pressmon.fetch import FetchError, fetch_feed

CASES = [
    # path, message, kind, status, requests the server sees (retries=1)
    ("/status/500", "HTTP 500 Internal Server Error (2 attempts)", "transient", 500, 2),
    ("/status/503", "HTTP 503 Service Unavailable (2 attempts)", "transient", 503, 2),
    ("/status/404", "HTTP 404 Not Found", "permanent", 404, 1),
    ("/status/410", "HTTP 410 Gone", "permanent", 410, 1),
    ("/status/403", "HTTP 403 Forbidden", "permanent", 403, 1),
    ("/status/429?retry_after=3600", "HTTP 429 Too Many Requests (Retry-After 3600 s)",
     "transient", 429, 1),
    ("/reset", "connection reset by peer (2 attempts)", "transient", None, 2),
    ("/close", "server closed the connection without a response (2 attempts)", "transient",
     None, 2),
    ("/stall", "timed out after 1 s (2 attempts)", "transient", None, 2),
    ("/trickle", "timed out after 1 s (2 attempts)", "transient", 200, 2),
    ("/truncated", "truncated response: received 300 of 1000 bytes (2 attempts)", "transient",
     200, 2),
    ("/truncated-gzip", "truncated gzip response (2 attempts)", "transient", 200, 2),
    ("/huge", "response larger than 1 MB", "permanent", 200, 1),
    ("/huge-declared", "response larger than 1 MB", "permanent", 200, 1),
    ("/gzip-bomb", "response larger than 1 MB once decompressed", "permanent", 200, 1),
    ("/loop/0", "too many redirects (6)", "permanent", 302, 6),
]


@pytest.mark.parametrize("path,message,kind,status,seen", CASES, ids=[c[0] for c in CASES])
def test_hostile_response_gives_readable_error(server, fetcher, path, message, kind, status,
                                               seen):
    """The error names the cause as an operator would say it; only transient ones are retried."""
    server.reset_log()
    with pytest.raises(FetchError) as info:
        fetcher.get(server.url(path))
    err = info.value
    assert (str(err), err.kind, err.status) == (message, kind, status)
    prefix = path.split("?")[0] if not path.startswith("/loop/") else "/loop/"
    assert len(server.requests(prefix)) == seen


def test_connection_refused(fetcher):
    """A closed port is a transient 'connection refused'."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(FetchError) as info:
        fetcher.get(f"http://127.0.0.1:{port}/feed")
    assert (str(info.value), info.value.kind) == ("connection refused (2 attempts)", "transient")


def test_transient_error_recovers_within_retries(server, make_fetcher):
    """Two 503s then a feed: with retries=2 the third attempt succeeds and is counted."""
    fetcher = make_fetcher(retries=2)
    resp = fetcher.get(server.url("/status/503?fail=2&key=recover"))
    assert (resp.status, resp.attempts) == (200, 3)
    assert b"Good feed" in resp.body


def test_not_a_feed_is_a_permanent_fetch_error(server, fetcher):
    """An HTML page or binary body where a feed was expected fails at fetch time, not later."""
    for name, message in [("html-page", "not a feed: text/html page"),
                          ("binary-png", "not a feed: binary data (a PNG image)")]:
        with pytest.raises(FetchError) as info:
            fetch_feed(fetcher, server.url(f"/case/{name}"), None)
        assert (str(info.value), info.value.kind, info.value.status) == (message, "permanent", 200)


def test_gzip_is_accepted_and_decoded(server, fetcher):
    """A gzip response within the cap is inflated; the request advertised gzip."""
    resp = fetcher.get(server.url("/gzip"))
    assert resp.body.startswith(b"<?xml") and b"Good feed" in resp.body
    echo = fetcher.get(server.url("/echo-headers")).body.decode().lower()
    assert "accept-encoding: gzip" in echo


def test_user_agent_from_settings(server, make_fetcher):
    """The configured User-Agent is what the server sees."""
    fetcher = make_fetcher(user_agent="pressmon-test/9 (+https://example.org/contact)")
    fetcher.get(server.url("/echo-headers"))
    assert server.requests("/echo-headers")[-1]["headers"]["user-agent"] == \
        "pressmon-test/9 (+https://example.org/contact)"

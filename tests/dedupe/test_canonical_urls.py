"""URL canonicalisation: the dev URL cases of tests/data/dedupe plus the rules one by one."""

from __future__ import annotations

import pytest
import yaml

from dedupe_testlib import DATA
from pressmon.canonical import canonicalize_url, choose_canonical, registrable_domain

DEV_CASES = [p for p in sorted((DATA / "url").glob("*.yaml"))
             if yaml.safe_load(p.read_text(encoding="utf-8"))["split"] == "dev"]


@pytest.mark.parametrize("path", DEV_CASES, ids=lambda p: p.stem)
def test_labelled_url_case(path):
    """Each labelled dev case: aliases canonicalise alike, different articles do not."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "expect" in case:
        assert choose_canonical(case["listed"], case.get("final"), case.get("page_canonical")) == case["expect"]
    else:
        same = canonicalize_url(case["a"]) == canonicalize_url(case["b"])
        assert same is bool(case["same"]), (canonicalize_url(case["a"]), canonicalize_url(case["b"]))


@pytest.mark.parametrize("url, expected", [
    ("http://WWW.Example.COM/a/b/?utm_source=x&utm_medium=y&id=3#top", "https://example.com/a/b?id=3"),
    ("https://example.com/story?gclid=1&fbclid=2&xtor=RSS-1&mc_cid=3&page=2", "https://example.com/story?page=2"),
    ("https://example.com/s?b=2&a=1&a=0", "https://example.com/s?a=0&a=1&b=2"),
    ("https://m.example.com/news/1", "https://example.com/news/1"),
    ("https://amp.example.com/news/1", "https://example.com/news/1"),
    ("https://example.com/news/1/amp", "https://example.com/news/1"),
    ("https://example.com/news/1.amp.html", "https://example.com/news/1.html"),
    ("https://example.com/news/1?amp", "https://example.com/news/1"),
    ("https://example.com:443/news/", "https://example.com/news"),
    ("http://example.com:80/", "https://example.com/"),
    ("https://example.com:8080/news", "https://example.com:8080/news"),
    ("https://example.com/news/index.html", "https://example.com/news"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/caf%c3%a9?q=caf%c3%a9", "https://example.com/caf%C3%A9?q=caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/search?s=miami", "https://example.com/search?s=miami"),
    ("https://example.com/a?from=rss", "https://example.com/a"),
    ("example.com/path", "https://example.com/path"),
    ("//example.com/path", "https://example.com/path"),
])
def test_canonicalize_rules(url, expected):
    """Scheme, host prefixes, ports, tracking and AMP parameters, paths and encoding."""
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize("junk, expected", [
    ("", ""), ("   ", ""), ("not a url", "not a url"), ("http://", "http://"),
    ("https://[::1", "https://[::1"), ("mailto:x@y.z", "mailto:x@y.z"),
    ("https://exa mple.com/%zz%", "https://exa mple.com/%25zz%25"), ("\x00\x01", "\x00\x01"),
    ("https://example.com/%ff", "https://example.com/%FF"),
])
def test_canonicalize_junk_gives_a_best_effort_string(junk, expected):
    """Junk links come back as a best-effort string, never an exception, and a link with
    no host is not turned into a URL that looks valid."""
    assert canonicalize_url(junk) == expected


def test_canonical_on_another_site_is_ignored():
    """A syndicated page declaring the wire's URL stays the outlet's own article."""
    got = choose_canonical("https://www.miamitoday.example/story/1?utm_source=rss",
                           "https://www.miamitoday.example/story/1", "https://apnews.example/article/xyz")
    assert got == "https://miamitoday.example/story/1"


def test_canonical_on_same_site_wins_and_falls_back():
    """Same registrable domain: the page's declaration wins; none given: the final URL."""
    assert choose_canonical("https://feeds.example.fr/x", "https://www.example.fr/a?xtor=1",
                            "https://example.fr/a-b") == "https://example.fr/a-b"
    assert choose_canonical("https://feeds.example.fr/x", "https://www.example.fr/a?xtor=1", None) == \
        "https://example.fr/a"
    assert choose_canonical("https://www.example.fr/a#c", None, "") == "https://example.fr/a"


def test_registrable_domain():
    """Two labels, three under a generic second level such as co.uk or gouv.fr."""
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("https://www.marseille.gouv.fr/x") == "marseille.gouv.fr"
    assert registrable_domain("actu.gomet.net") == "gomet.net"

"""The bundled sample corpus: its feeds parse, its links resolve, and expected.yaml matches it."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml

from pressmon.config import load_sources
from siteserver import SiteServer, load_sites, render_sources
from pressmon.feeds import FeedError, parse_feed
from pressmon.fetch import RobotsRules

SAMPLE = Path(__file__).resolve().parents[2] / "sample"
EXPECTED_RAW = yaml.safe_load((SAMPLE / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server():
    with SiteServer(load_sites(SAMPLE)) as srv:
        yield srv


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=5) as c:
        yield c


@pytest.fixture(scope="module")
def sources(server, tmp_path_factory):
    out = render_sources(SAMPLE / "sources.yaml", server,
                         tmp_path_factory.mktemp("sample") / "sources.yaml")
    return load_sources(out)


@pytest.fixture(scope="module")
def expected(server):
    return yaml.safe_load(server.substitute((SAMPLE / "expected.yaml").read_text("utf-8")))


@pytest.fixture(scope="module")
def parsed(sources, client):
    """Every feed fetched over HTTP and read by pressmon's own parser, by source name:
    (the raw body, the ParsedFeed or the FeedError it raised)."""
    out = {}
    for s in sources.sources:
        r = client.get(s.url)
        assert r.status_code == 200, s.url
        try:
            feed = parse_feed(r.content, url=str(r.url), content_type=r.headers.get("content-type"))
        except FeedError as exc:
            feed = exc
        out[s.name] = (r.content, feed)
    return out


def test_sites_are_distinct_loopback_addresses():
    sites = load_sites(SAMPLE)
    assert len(sites) == EXPECTED_RAW["outlets"] >= 10
    assert len({s.address for s in sites}) == len(sites)
    assert all(s.address.startswith("127.") and s.address != "127.0.0.1" for s in sites)


def test_sources_yaml_is_a_valid_pressmon_sources_file(sources, server):
    """Rendered with the served addresses, sources.yaml loads with pressmon's own validation."""
    assert len(sources.sources) == EXPECTED_RAW["feeds"] >= 12
    assert sources.fetch.per_host_delay_s == 0 and sources.fetch.allow_private_links
    regions = Counter(s.region for s in sources.sources)
    assert set(regions) == {"marseille", "national", "miami"}
    outlets = Counter(s.outlet for s in sources.sources)
    assert outlets["laprovence"] == 2
    assert {s.language for s in sources.sources} == {"fr", "en", "es"}
    for s in sources.sources:
        assert s.url.startswith(server.base_url(s.outlet) + "/"), s.name


def test_every_working_feed_parses_cleanly_with_dated_entries(parsed, expected):
    broken = {f["source"] for f in expected["failing_feeds"]}
    kinds = Counter()
    for name, (body, feed) in parsed.items():
        if name in broken:
            continue
        assert not isinstance(feed, FeedError), f"{name}: {feed}"
        assert feed.warning is None, f"{name}: {feed.warning}"
        assert feed.entries, name
        kinds["atom" if b"<feed" in body[:500] else "rss2" if b"<rss" in body[:500] else "?"] += 1
        for e in feed.entries:
            assert e.published, f"{name}: {e.title} has no date"
            assert e.summary, f"{name}: {e.title} has no summary"
    assert kinds["rss2"] and kinds["atom"] and not kinds["?"], kinds


def test_the_broken_feed_does_not_parse(parsed, expected):
    """The failing feed is malformed XML with no usable entry; its outlet's other feed works."""
    (failing,) = expected["failing_feeds"]
    _, feed = parsed[failing["source"]]
    # pressmon's ingest fails a feed that raises or yields no entry with a parse warning
    assert isinstance(feed, FeedError) or (not feed.entries and feed.warning)
    outlet_feeds = [n for n in parsed if n != failing["source"]
                    and n.startswith(failing["source"].split("-")[0])]
    assert outlet_feeds and all(parsed[n][1].entries for n in outlet_feeds)


def test_feed_listings_match_expected_yaml(parsed, expected):
    """Every (source, link) pair in the feeds is in expected.yaml, and nothing more."""
    feeds = {name: f for name, (_, f) in parsed.items() if not isinstance(f, FeedError)}
    from_feeds = {(name, e.link) for name, f in feeds.items() for e in f.entries}
    from_expected = {(l["source"], l["url"]) for a in expected["articles_detail"]
                     for l in a["listed_as"]}
    from_expected |= {(r["source"], r["url"]) for r in expected["robots_disallowed"]}
    assert from_feeds == from_expected
    assert sum(len(f.entries) for f in feeds.values()) == expected["feed_entries"]


def test_every_entry_link_resolves_to_a_page(parsed, client, server):
    """Each listed link is served (tracking parameters and AMP variants included)."""
    for name, (_, feed) in parsed.items():
        for e in ([] if isinstance(feed, FeedError) else feed.entries):
            r = client.get(e.link)
            assert r.status_code == 200, e.link
            assert r.headers["content-type"].startswith("text/html"), e.link
            assert "{{" not in r.text, e.link
            assert 5_000 <= len(r.content) <= 20_000, (e.link, len(r.content))


def test_alternate_urls_declare_the_plain_url_as_canonical(expected, client):
    """Tracking-parameter and AMP links land on pages whose canonical is the plain URL."""
    variants = 0
    for a in expected["articles_detail"]:
        for l in a["listed_as"]:
            if l["url"] == a["url"]:
                continue
            variants += 1
            html = client.get(l["url"]).text
            assert f'<link rel="canonical" href="{a["url"]}">' in html, l["url"]
    assert variants >= 2


def test_every_url_in_expected_yaml_is_served(expected, client):
    urls = [a["url"] for a in expected["articles_detail"]]
    urls += [u for g in expected["story_groups"] for u in g["urls"]]
    urls += [r["url"] for r in expected["robots_disallowed"]]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert set(u for g in expected["story_groups"] for u in g["urls"]) <= \
        {a["url"] for a in expected["articles_detail"]}


def test_robots_txt_disallows_the_refused_url_only(expected, client, server):
    (refused,) = expected["robots_disallowed"]
    rules = RobotsRules(client.get(server.base_url(refused["site"]) + "/robots.txt").text,
                        agent="pressmon")
    assert not rules.allowed(refused["url"])
    for a in expected["articles_detail"]:
        if a["site"] == refused["site"]:
            assert rules.allowed(a["url"]), a["url"]


def test_expected_counts_add_up(expected):
    rows = expected["articles_detail"]
    assert expected["articles"] == len(rows) == len({a["url"] for a in rows})
    assert 60 <= len(rows) <= 90
    assert sum(expected["per_source"].values()) == len(rows)
    assert sum(expected["per_region"].values()) == len(rows)
    assert expected["relevant"] == sum(a["relevant"] for a in rows)
    copies = sum(len(g["urls"]) - 1 for g in expected["story_groups"])
    assert expected["stories"] == len(rows) - copies
    for week, e in expected["weeks"].items():
        in_week = [a for a in rows if a["week"] == week]
        assert e["articles"]["total"] == len(in_week)
        assert e["articles"]["home"] + e["articles"]["partner"] == len(in_week)
        assert e["relevant"]["total"] == sum(a["relevant"] for a in in_week)
    assert all(a["mission_id"] == expected["mission_id"] for a in rows if a["relevant"])
    assert all(a["mission_id"] is None for a in rows if not a["relevant"])


def test_page_metadata_matches_the_labels(expected, client):
    """JSON-LD where the labels say so, and no date at all in the pages labelled without one."""
    undated = 0
    for a in expected["articles_detail"]:
        html = client.get(a["url"]).text
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert bool(blocks) == a["jsonld"], a["url"]
        for b in blocks:
            ld = json.loads(b)
            assert ld["@type"] == "NewsArticle" and ld["headline"] == a["title"]
        has_date = ("article:published_time" in html or "<time" in html
                    or "datePublished" in html)
        assert has_date == a["date_in_page"], a["url"]
        undated += not a["date_in_page"]
        assert 'property="og:title" content=' in html
    assert undated >= 2

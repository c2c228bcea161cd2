"""The loopback news-site server: real HTTP behaviour the fetching code relies on."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

import pytest
import yaml

from pressmon.config import ConfigError
from siteserver import SiteServer, load_sites, render_sources

FIXTURES = Path(__file__).parent / "fixture_sites"


@pytest.fixture(scope="module")
def server():
    with SiteServer(load_sites(FIXTURES)) as srv:
        yield srv


def request(server, site, path, method="GET", headers=None):
    """One request on a fresh connection; returns (status, headers, raw body)."""
    host = server.base_url(site).split("//")[1].split(":")[0]
    conn = http.client.HTTPConnection(host, server.port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_load_sites_reads_names_addresses_and_roots():
    """sites.yaml gives one site per outlet, roots resolved against the sample folder."""
    sites = load_sites(FIXTURES)
    assert [(s.name, s.address) for s in sites] == [("alpha", "127.0.1.2"), ("beta", "127.0.1.3")]
    assert sites[0].root == (FIXTURES / "alpha").resolve()


def test_load_sites_rejects_a_non_loopback_address(tmp_path):
    """A site may only listen on 127.x.y.z; the message names the file, entry and field."""
    (tmp_path / "www").mkdir()
    (tmp_path / "sites.yaml").write_text(
        "sites:\n  - {name: www, address: 10.0.0.1, root: www}\n")
    with pytest.raises(ConfigError, match=r"sites entry 1 \(www\), field 'address'"):
        load_sites(tmp_path)


def test_two_addresses_share_one_port(server):
    """Each site answers on its own address, on the one port the server picked."""
    assert server.base_url("alpha") == f"http://127.0.1.2:{server.port}"
    assert server.base_url("beta") == f"http://127.0.1.3:{server.port}"
    status_a, _, body_a = request(server, "alpha", "/")
    status_b, _, body_b = request(server, "beta", "/a.html")
    assert (status_a, status_b) == (200, 200)
    assert b"Alpha front page" in body_a and b"Article A of beta" in body_b
    # The same path on the other address is the other site's tree.
    assert request(server, "beta", "/news/story/")[0] == 404


def test_placeholders_become_real_base_urls(server):
    """{{base}} is this site and {{site:NAME}} another one, with or without inner spaces."""
    _, headers, body = request(server, "alpha", "/")
    text = body.decode()
    assert "{{" not in text
    assert f'href="http://127.0.1.2:{server.port}/news/story/"' in text
    assert f'href="http://127.0.1.3:{server.port}/feed/"' in text
    assert f"work too: http://127.0.1.3:{server.port}." in text
    assert int(headers["content-length"]) == len(body)


def test_directory_index_and_content_types(server):
    """path/ serves index.html or index.xml; types follow the extension and the feed kind."""
    status, headers, body = request(server, "beta", "/feed/")
    assert status == 200 and body.startswith(b"<?xml")
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert request(server, "beta", "/atom.xml")[1]["content-type"] == \
        "application/atom+xml; charset=utf-8"
    assert request(server, "alpha", "/news/story/")[1]["content-type"] == \
        "text/html; charset=utf-8"
    assert request(server, "alpha", "/robots.txt")[1]["content-type"].startswith("text/plain")


def test_directory_without_slash_redirects(server):
    """A directory asked without its slash is redirected, as web servers do."""
    status, headers, _ = request(server, "alpha", "/news/story")
    assert status == 301
    assert headers["location"] == f"http://127.0.1.2:{server.port}/news/story/"


def test_query_string_is_ignored_for_lookup(server):
    """Tracking parameters in feed links still reach the page."""
    status, _, body = request(server, "beta", "/a.html?utm_source=rss&utm_medium=feed")
    assert status == 200 and b"Article A of beta" in body


def test_missing_files_and_sidecars_are_404(server):
    """Missing files, path escapes and the sidecar files themselves are not served."""
    assert request(server, "alpha", "/nope.html")[0] == 404
    assert request(server, "alpha", "/../beta/a.html")[0] == 404
    assert request(server, "alpha", "/gone.html.http.yaml")[0] == 404


def test_conditional_get_with_etag(server):
    """A strong ETag; If-None-Match with it gives 304 without a body; another tag gives 200."""
    status, headers, body = request(server, "alpha", "/news/story/")
    etag = headers["etag"]
    assert status == 200 and etag.startswith('"') and not etag.startswith("W/")
    status, headers304, body304 = request(server, "alpha", "/news/story/",
                                          headers={"If-None-Match": etag})
    assert status == 304 and body304 == b""
    assert headers304["etag"] == etag
    assert request(server, "alpha", "/news/story/",
                   headers={"If-None-Match": '"something-else"'})[0] == 200


def test_conditional_get_with_last_modified(server):
    """Last-Modified is fixed per file; If-Modified-Since at or after it gives 304."""
    _, headers, _ = request(server, "alpha", "/news/story/")
    last_modified = headers["last-modified"]
    assert last_modified.endswith("GMT")
    assert request(server, "alpha", "/news/story/",
                   headers={"If-Modified-Since": last_modified})[0] == 304
    assert request(server, "alpha", "/news/story/",
                   headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    # When both are sent, If-None-Match decides (RFC 9110).
    assert request(server, "alpha", "/news/story/",
                   headers={"If-None-Match": '"other"', "If-Modified-Since": last_modified})[0] \
        == 200


def test_last_modified_comes_from_content_not_from_the_port(tmp_path):
    """Two servers on different ports give the same Last-Modified for the same file."""
    with SiteServer(load_sites(FIXTURES)) as one, SiteServer(load_sites(FIXTURES)) as two:
        assert one.port != two.port
        lm1 = request(one, "alpha", "/")[1]["last-modified"]
        lm2 = request(two, "alpha", "/")[1]["last-modified"]
    assert lm1 == lm2


def test_gzip_when_accepted(server):
    """gzip when Accept-Encoding allows it, identity otherwise; a distinct strong ETag each."""
    _, plain_headers, plain = request(server, "alpha", "/news/story/")
    status, headers, body = request(server, "alpha", "/news/story/",
                                    headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain)
    assert headers["etag"] != plain_headers["etag"]
    assert "accept-encoding" in headers["vary"].lower()
    refused = request(server, "alpha", "/news/story/", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused[1] and refused[2] == plain


def test_head_has_headers_and_no_body(server):
    """HEAD answers the GET's headers, Content-Length included, without a body."""
    _, get_headers, body = request(server, "alpha", "/news/story/")
    status, headers, head_body = request(server, "alpha", "/news/story/", method="HEAD")
    assert status == 200 and head_body == b""
    assert headers["content-length"] == str(len(body))
    assert headers["etag"] == get_headers["etag"]


def test_other_methods_are_refused(server):
    assert request(server, "alpha", "/", method="POST")[0] == 405


def test_sidecar_sets_status_headers_and_legacy_charset(server):
    """<file>.http.yaml: a status, extra headers, and a body re-encoded in a legacy charset."""
    status, headers, body = request(server, "alpha", "/legacy/page.html")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert headers["x-powered-by"] == "OldCMS 2.1"
    assert "été, début, façade".encode("iso-8859-1") in body
    assert request(server, "alpha", "/gone.html")[0] == 410


def test_keep_alive_serves_several_requests_on_one_connection(server):
    """HTTP/1.1 persistent connection: three answers on one socket."""
    conn = http.client.HTTPConnection("127.0.1.2", server.port, timeout=5)
    try:
        statuses = []
        for path in ("/", "/news/story/", "/nope"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
            assert not resp.will_close
        sock = conn.sock
        conn.request("GET", "/robots.txt")
        conn.getresponse().read()
        assert conn.sock is sock
    finally:
        conn.close()
    assert statuses == [200, 200, 404]


def test_request_log_records_site_method_path_status_and_headers(server):
    """The log keeps what the fetcher sent, query string included; reset_log empties it."""
    server.reset_log()
    request(server, "beta", "/a.html?utm_source=rss", headers={"User-Agent": "pressmon-test"})
    request(server, "alpha", "/missing", method="HEAD")
    log = [(r.site, r.method, r.path, r.status) for r in server.requests]
    assert log == [("beta", "GET", "/a.html?utm_source=rss", 200),
                   ("alpha", "HEAD", "/missing", 404)]
    assert server.requests[0].headers["User-Agent"] == "pressmon-test"
    server.reset_log()
    assert server.requests == []


def test_render_sources_resolves_site_placeholders(server, tmp_path):
    """A sources.yaml template becomes a file with the served URLs."""
    template = tmp_path / "sources.yaml"
    template.write_text("sources:\n  - name: beta\n    url: '{{site:beta}}/feed/'\n"
                        "    region: miami\n")
    out = render_sources(template, server, tmp_path / "out" / "sources.yaml")
    data = yaml.safe_load(out.read_text())
    assert data["sources"][0]["url"] == f"http://127.0.1.3:{server.port}/feed/"


def test_render_sources_names_an_unknown_site(server, tmp_path):
    template = tmp_path / "sources.yaml"
    template.write_text("sources:\n  - {name: x, url: '{{site:nowhere}}/feed/', region: m}\n")
    with pytest.raises(ValueError, match="unknown site 'nowhere'"):
        render_sources(template, server, tmp_path / "out.yaml")

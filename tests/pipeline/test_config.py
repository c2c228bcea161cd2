"""sources.yaml and missions.yaml validation: every message names the file, entry and field."""

from __future__ import annotations

import re

import pytest

from pressmon.config import ConfigError, load_missions, load_sources


def write(tmp_path, text, name="sources.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_and_outlet(tmp_path):
    """Fetch settings default as DESIGN.md says; outlet defaults to the feed's site."""
    cfg = load_sources(write(tmp_path, "sources:\n  - {name: gomet, url: 'https://gomet.net/feed/', region: marseille}\n"))
    assert cfg.fetch.per_host_concurrency == 2 and cfg.fetch.per_host_delay_s == 1.0
    assert cfg.fetch.timeout_s == 20 and cfg.fetch.max_bytes == 10_000_000
    assert cfg.fetch.user_agent.startswith("pressmon/") and "+http" in cfg.fetch.user_agent
    assert cfg.sources[0].outlet == "gomet.net" and cfg.sources[0].is_home


@pytest.mark.parametrize("url, site", [
    ("https://www.laprovence.com/rss/economie.xml", "laprovence.com"),
    ("https://m.elnuevoherald.com/feed", "elnuevoherald.com"),
    ("http://amp.Example.org:80/feed.xml", "example.org"),
    ("http://127.0.3.1:8080/une.xml", "127.0.3.1:8080"),
    ("https://news.bbc.co.uk/rss", "news.bbc.co.uk"),
])
def test_outlet_defaults_to_the_site(tmp_path, url, site):
    """Two feeds of one site without `outlet` are one outlet: the host without www./m./amp."""
    cfg = load_sources(write(tmp_path, f"sources:\n  - {{name: a, url: '{url}', region: marseille}}\n"
                                       f"  - {{name: b, url: '{url}?x=1', region: marseille, "
                                       f"outlet: own}}\n"))
    assert [s.outlet for s in cfg.sources] == [site, "own"]


@pytest.mark.parametrize("body, needle", [
    ("sources:\n  - {name: a, url: 'http://x/', region: miami, colour: red}\n",
     "sources entry 1 (a), field 'colour': unknown key"),
    ("sources:\n  - {name: A!, url: 'http://x/', region: miami}\n", "field 'name'"),
    ("sources:\n  - {name: a, url: 'ftp://x/', region: miami}\n",
     "sources entry 1 (a), field 'url': must be an http:// or https:// URL"),
    ("sources:\n  - {name: a, url: 'http://x/'}\n", "field 'region': is required"),
    ("sources:\n  - {name: a, url: 'http://x/', region: miami}\n"
     "  - {name: a, url: 'http://y/', region: miami}\n",
     "sources entry 2 (a), field 'name': duplicate name 'a'"),
    ("fetch: {timeout_s: 0}\nsources:\n  - {name: a, url: 'http://x/', region: miami}\n",
     "fetch, field 'timeout_s': must be greater than 0"),
    ("fetch: {per_host_concurency: 3}\nsources:\n  - {name: a, url: 'http://x/', region: miami}\n",
     "fetch, field 'per_host_concurency': unknown key"),
    ("sources: []\n", "field 'sources': must list at least one feed"),
    ("sources:\n  - {name: a, url: 'http://x/', region: miami, language: french}\n",
     "field 'language': must be a two-letter"),
    ("sources: [\n", "invalid YAML (line"),
])
def test_bad_sources_named_precisely(tmp_path, body, needle):
    """A bad entry is rejected with the file, the entry and the field."""
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(tmp_path / "nope.yaml")


def test_missions(tmp_path):
    """Dates parse from YAML dates or strings; end before start is refused."""
    ok = load_missions(write(tmp_path, "missions:\n  - {id: m, start: 2017-11-05, end: '2017-11-10', terms: [PortMiami]}\n", "m.yaml"))
    assert ok.missions[0].start.isoformat() == "2017-11-05" and ok.missions[0].terms == ("PortMiami",)
    with pytest.raises(ConfigError, match=r"missions entry 1 \(m\), field 'end': 2017-11-01 is before"):
        load_missions(write(tmp_path, "missions:\n  - {id: m, start: 2017-11-05, end: 2017-11-01}\n", "m.yaml"))
    with pytest.raises(ConfigError, match="field 'start': must be a date"):
        load_missions(write(tmp_path, "missions:\n  - {id: m, start: soon, end: 2017-11-01}\n", "m.yaml"))


# --------------------------------------------------------------------------- hostile YAML


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A few hundred bytes whose ``url`` is ``width ** levels`` strings once aliases expand."""
    anchors = [f"&l0 [{','.join(['lol'] * width)}]"]
    anchors += [f"&l{i} [{','.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return ("sources:\n  - name: bomb\n    region: miami\n"
            f"    url: [{','.join(anchors)}]\n")


def test_yaml_alias_bomb_is_refused_naming_the_file(tmp_path):
    """A 9x9 alias bomb (387 million strings once expanded) stops `pressmon ingest` with a
    clear error, not a MemoryError traceback; the child's address space is capped so that
    an unbounded expansion fails instead of taking the machine's memory."""
    import resource
    import subprocess

    from pm_testing import BIN, ROOT

    bomb = write(tmp_path, alias_bomb())
    assert len(bomb.read_bytes()) < 500

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))

    proc = subprocess.run([str(BIN / "pressmon"), "ingest", "--sources", str(bomb),
                           "--db", str(tmp_path / "press.duckdb")], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, preexec_fn=cap_memory)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert str(bomb) in proc.stderr and "alias" in proc.stderr
    assert len(proc.stderr) < 1000


def test_ordinary_anchors_aliases_and_merge_keys_still_work(tmp_path):
    cfg = load_sources(write(tmp_path, (
        "sources:\n"
        "  - &base {name: a, url: 'http://x.example/feed', region: &r miami, language: en}\n"
        "  - {<<: *base, name: b, url: 'http://y.example/feed'}\n"
        "  - {name: c, url: 'http://z.example/feed', region: *r}\n")))
    assert [(s.name, s.region, s.language) for s in cfg.sources] == [
        ("a", "miami", "en"), ("b", "miami", "en"), ("c", "miami", None)]


def test_messages_quote_values_shortened(tmp_path):
    """A wrong value that aliases make big (below the cap) is quoted shortened, never whole."""
    path = write(tmp_path, alias_bomb(levels=4, width=9))  # 6,561 strings
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    message = str(err.value)
    assert message.startswith(f"{path}: sources entry 1 (bomb), field 'url': must be a string")
    assert len(message) < len(str(path)) + 300


@pytest.mark.parametrize("name, ok", [("a" * 64, True), ("a" * 65, False), ("b" * 300, False)])
def test_feed_names_are_at_most_64_characters(tmp_path, name, ok):
    path = write(tmp_path, f"sources:\n  - {{name: {name}, url: 'http://x.example/', "
                           f"region: miami}}\n")
    if ok:
        assert load_sources(path).sources[0].name == name
        return
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert f"{path}: sources entry 1" in str(err.value)
    assert "field 'name': must be at most 64 characters" in str(err.value)
    assert len(str(err.value)) < len(str(path)) + 250


@pytest.mark.parametrize("url", [
    "http://x.example/a b",                   # a space
    "http://x.example/feed\r\nX-Injected: 1",  # CR/LF
    "http://x.example/\x00feed",              # control character
    "http://x.example/\u00a0feed",            # a non-breaking space
    "http://exa mple.org/feed",               # a space in the host
    "http:///feed",                           # no host
    "https://",                               # nothing but a scheme
    "http://:8080/feed",                      # a port, no host
    "http://x.example:99999/feed",            # no such port
    "http://x.example:port/feed",             # not a port
    "http://[::1/feed",                       # broken IPv6 literal
    "http://x!y.example/feed",                # not a host name
    "javascript:alert(1)//http://x.example/",
    "ftp://x.example/feed",
    "x.example/feed",
])
def test_feed_urls_are_validated_fully(tmp_path, url):
    import yaml

    text = yaml.safe_dump({"sources": [{"name": "a", "url": url, "region": "miami"}]})
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert f"{path}: sources entry 1 (a), field 'url':" in str(err.value)


@pytest.mark.parametrize("url", ["http://x.example/feed", "https://x.example:8443/a?b=c&d#e",
                                 "HTTPS://X.example/Feed", "http://127.0.0.5:8080/rss.xml",
                                 "http://[::1]:8080/feed", "https://médias.example/flux"])
def test_good_feed_urls_pass(tmp_path, url):
    import yaml

    text = yaml.safe_dump({"sources": [{"name": "a", "url": url, "region": "miami"}]},
                          allow_unicode=True)
    assert load_sources(write(tmp_path, text)).sources[0].url == url

def test_optional_display_names(tmp_path):
    """`title` on a feed and `partner_fr` on a mission are optional, trimmed, and validated
    like the other keys."""
    cfg = load_sources(write(tmp_path, "sources:\n  - {name: lp, url: 'https://x/', region: "
                                       "marseille, title: '  La  Provence '}\n"
                                       "  - {name: b, url: 'https://y/', region: miami}\n"))
    assert [s.title for s in cfg.sources] == ["La Provence", None]
    m = load_missions(write(tmp_path, "missions:\n  - {id: m, start: 2017-11-05, end: "
                                      "2017-11-10, partner: Miami-Dade County, partner_fr: "
                                      "comté de Miami-Dade}\n", "m.yaml"))
    assert m.missions[0].partner_fr == "comté de Miami-Dade"
    for body, needle in [
        ("sources:\n  - {name: a, url: 'http://x/', region: miami, title: ''}\n",
         "sources entry 1 (a), field 'title': must not be empty"),
        ("sources:\n  - {name: a, url: 'http://x/', region: miami, title: [x]}\n",
         "field 'title': must be a string"),
        ("sources:\n  - {name: a, url: 'http://x/', region: miami, title: \"a\\nb\"}\n",
         "field 'title': must be one line"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(needle)):
            load_sources(write(tmp_path, body))
    with pytest.raises(ConfigError, match=r"missions entry 1 \(m\), field 'partner_fr'"):
        load_missions(write(tmp_path, "missions:\n  - {id: m, start: 2017-11-05, end: "
                                      "2017-11-10, partner_fr: 3}\n", "m.yaml"))

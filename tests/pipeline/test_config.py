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
    """Fetch settings default as DESIGN.md says; outlet defaults to the feed name."""
    cfg = load_sources(write(tmp_path, "sources:\n  - {name: gomet, url: 'https://gomet.net/feed/', region: marseille}\n"))
    assert cfg.fetch.per_host_concurrency == 2 and cfg.fetch.per_host_delay_s == 1.0
    assert cfg.fetch.timeout_s == 20 and cfg.fetch.max_bytes == 10_000_000
    assert cfg.fetch.user_agent.startswith("pressmon/") and "+http" in cfg.fetch.user_agent
    assert cfg.sources[0].outlet == "gomet" and cfg.sources[0].is_home


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

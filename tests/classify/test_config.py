"""Configuration validation: every invalid entry is rejected with file, entry and field named.

Each file in invalid_config/ replaces one of the three rule files (named on its `# file:` line)
in a copy of the project's configuration; its `# expect:` line lists fragments the error message
must contain. A new case is a new file.
"""

import shutil
from pathlib import Path

import pytest

from pressmon.classify import classify_article, load_rules
from pressmon.errors import ConfigError

from .conftest import CONFIG

CASES = sorted((Path(__file__).parent / "invalid_config").glob("*.yaml"))


def _header(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no '# {key}:' line")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_config_is_rejected_with_a_precise_message(case, tmp_path):
    """The error names the file, the entry and the field (and says what is wrong)."""
    for name in ("watchlist.yaml", "topics.yaml", "topic_model.json", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    shutil.copy(case, tmp_path / _header(case, "file"))
    with pytest.raises(ConfigError) as err:
        load_rules(tmp_path, tmp_path / "missions.yaml")
    message = str(err.value)
    for fragment in _header(case, "expect").split(" | "):
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_project_rules_load_and_have_a_content_version(tmp_path):
    """The shipped configuration is valid; the version changes when a rule file changes."""
    for name in ("watchlist.yaml", "topics.yaml", "topic_model.json", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    before = load_rules(tmp_path, tmp_path / "missions.yaml").version
    again = load_rules(tmp_path, tmp_path / "missions.yaml").version
    with open(tmp_path / "watchlist.yaml", "a", encoding="utf-8") as f:
        f.write("\n# edited\n")
    after = load_rules(tmp_path, tmp_path / "missions.yaml").version
    assert before == again
    assert after != before


def test_missing_watchlist_is_named(tmp_path):
    """A missing rules file is reported by its path."""
    for name in ("topics.yaml", "topic_model.json", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    with pytest.raises(ConfigError, match="watchlist.yaml: file not found"):
        load_rules(tmp_path, tmp_path / "missions.yaml")


def test_topic_model_is_part_of_the_rules(tmp_path):
    """The learned topic layer named by topics.yaml is versioned with the rules; a missing or
    malformed model file is named."""
    for name in ("watchlist.yaml", "topics.yaml", "topic_model.json", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    before = load_rules(tmp_path, tmp_path / "missions.yaml").version
    model = tmp_path / "topic_model.json"
    model.write_text(model.read_text(encoding="utf-8").replace('"min_probability": 0.4',
                                                               '"min_probability": 0.5'))
    assert load_rules(tmp_path, tmp_path / "missions.yaml").version != before
    model.write_text('{"topics": ["diplomacy", "weather"], "weights": [], "bias": [0, 0], '
                     '"min_probability": 0.5, "max_topics": 3}')
    with pytest.raises(ConfigError, match="topic_model.json: not a topic model"):
        load_rules(tmp_path, tmp_path / "missions.yaml")


def test_topics_yaml_copied_without_its_model_still_loads(tmp_path, caplog):
    """A config folder holding only watchlist.yaml and topics.yaml (copied from the project)
    works: topics are kept by threshold alone, and the log says which file is missing."""
    for name in ("watchlist.yaml", "topics.yaml", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    with caplog.at_level("WARNING", logger="pressmon.topics"):
        rules = load_rules(tmp_path, tmp_path / "missions.yaml")
    assert rules.taxonomy.model is None
    assert "topic_model.json, which does not exist" in caplog.text
    article = {"title": "Le port de Marseille accueille un record de croisiéristes",
               "text": "Les paquebots de croisière ont débarqué un record de passagers au "
                       "terminal du port cette saison.", "summary": None,
               "published_at": None, "region": "marseille", "language": "fr"}
    assert "cruise" in classify_article(rules, article)["topics"]

"""config/digest.yaml: validated, errors naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressmon.config import ConfigError
from pressmon.digest.config import load_digest_config, parse_recipients

ROOT = Path(__file__).resolve().parents[2]


def test_project_file_loads():
    cfg = load_digest_config(ROOT / "config" / "digest.yaml")
    assert "@" in cfg.sender and cfg.max_stories_per_section == 8


def test_missing_file_means_defaults(tmp_path):
    cfg = load_digest_config(tmp_path / "digest.yaml")
    assert cfg.path is None and cfg.recipients == ()


@pytest.mark.parametrize("text,words", [
    ("sender: x@y.example\nrecipent: [a@b.example]\n", "field 'recipent': unknown key"),
    ("recipients: [a@b.example, nobody]\n", "field 'recipients': item 2: 'nobody' is not"),
    ("max_stories_per_section: 0\n", "field 'max_stories_per_section': must be greater"),
    ("sender: [a]\n", "field 'sender': must be a string"),
    ("templates_dir: nowhere\n", "field 'templates_dir':"),
])
def test_errors_name_file_and_field(tmp_path, text, words):
    path = tmp_path / "digest.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_digest_config(path)
    assert str(err.value).startswith(f"{path}: top level")
    assert words in str(err.value)


def test_variable_value_is_comma_separated():
    assert parse_recipients(" a@b.example, Équipe <c@d.example> ,") == [
        "a@b.example", "Équipe <c@d.example>"]


def test_reworded_templates_folder_wins(tmp_path, week45_db):
    """Staff can reword a template in their own folder; the others come from the package."""
    from pressmon.digest.build import build_digest
    from pressmon.digest.render import render
    from pressmon.store import open_reader

    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "subject.txt.j2").write_text("Revue S{{ week.number }}", "utf-8")
    path = tmp_path / "digest.yaml"
    path.write_text("templates_dir: tpl\n", encoding="utf-8")
    cfg = load_digest_config(path)
    con = open_reader(week45_db)
    try:
        subject, html, _ = render(build_digest(con, "2017-W45", config=cfg))
    finally:
        con.close()
    assert subject == "Revue S45" and "<title>Revue S45</title>" in html

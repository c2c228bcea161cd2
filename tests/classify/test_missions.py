"""Mission linking: partner words and dates near the mission (windows from watchlist.yaml)."""

import datetime as dt
import shutil

import pytest

from pressmon.classify import classify_article, load_rules

from .conftest import CONFIG, article

TEXT = ("La Métropole Aix-Marseille-Provence et le comté de Miami-Dade ont signé un accord "
        "de jumelage lors de la visite de la délégation métropolitaine.")


def _published(day: dt.date) -> str:
    return f"{day.isoformat()}T12:00:00+01:00"


@pytest.mark.parametrize("day, linked", [
    (dt.date(2017, 11, 5) - dt.timedelta(days=21), True),   # announcement, first day counted
    (dt.date(2017, 11, 5) - dt.timedelta(days=22), False),
    (dt.date(2017, 11, 7), True),
    (dt.date(2017, 11, 10) + dt.timedelta(days=28), True),  # follow-up, last day counted
    (dt.date(2017, 11, 10) + dt.timedelta(days=29), False),
    (dt.date(2018, 11, 8), False),                          # a year later: relevant, unlinked
])
def test_date_windows(rules, day, linked):
    """Linked only from days_before the start to days_after the end."""
    out = classify_article(rules, article("Jumelage avec Miami-Dade", TEXT,
                                          published_at=_published(day)))
    assert out["relevant"]
    assert out["mission_id"] == ("miami-2017" if linked else None)


def test_undated_article_is_linked_on_its_words(rules):
    """No date: nothing says it is far from the mission."""
    out = classify_article(rules, article("Jumelage avec Miami-Dade", TEXT, published_at=None))
    assert out["mission_id"] == "miami-2017"


def test_relevant_article_about_another_partner_is_unlinked(rules):
    """A mission elsewhere during the Miami dates is not the Miami mission."""
    out = classify_article(rules, article(
        "La Métropole en mission économique à Alger",
        "Une délégation de la Métropole Aix-Marseille-Provence signe un accord de coopération "
        "avec la wilaya d'Alger.", published_at=_published(dt.date(2017, 11, 7))))
    assert out["relevant"] and out["mission_id"] is None


def test_windows_are_configurable(tmp_path):
    """Widening days_after in watchlist.yaml links a later follow-up."""
    for name in ("watchlist.yaml", "topics.yaml", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    late = article("Jumelage avec Miami-Dade", TEXT, published_at=_published(dt.date(2018, 1, 20)))
    rules = load_rules(tmp_path, tmp_path / "missions.yaml")
    assert classify_article(rules, late)["mission_id"] is None
    text = (tmp_path / "watchlist.yaml").read_text(encoding="utf-8")
    (tmp_path / "watchlist.yaml").write_text(text.replace("days_after: 28", "days_after: 90"),
                                             encoding="utf-8")
    rules = load_rules(tmp_path, tmp_path / "missions.yaml")
    assert classify_article(rules, late)["mission_id"] == "miami-2017"

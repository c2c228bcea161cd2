"""Mission linking: partner words and dates near the mission (windows from watchlist.yaml)."""

import datetime as dt
import shutil

import pytest

from pressmon.classify import classify_article, load_rules

from pm_testing import script_module

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
    for name in ("watchlist.yaml", "topics.yaml", "topic_model.json", "missions.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    late = article("Jumelage avec Miami-Dade", TEXT, published_at=_published(dt.date(2018, 1, 20)))
    rules = load_rules(tmp_path, tmp_path / "missions.yaml")
    assert classify_article(rules, late)["mission_id"] is None
    text = (tmp_path / "watchlist.yaml").read_text(encoding="utf-8")
    (tmp_path / "watchlist.yaml").write_text(text.replace("days_after: 28", "days_after: 90"),
                                             encoding="utf-8")
    rules = load_rules(tmp_path, tmp_path / "missions.yaml")
    assert classify_article(rules, late)["mission_id"] == "miami-2017"


# --------------------------------------------------------------------------- names and missions
# written the way a new user writes them: id, name, partner, dates, nothing else.

MINIMAL = """missions:
  - id: miami-2017
    name: Délégation métropolitaine à Miami
    partner: Miami-Dade County
    start: 2017-11-05
    end: 2017-11-10
  - id: montreal-2018
    name: Mission économique de la Métropole à Montréal
    partner: Communauté métropolitaine de Montréal
    start: 2018-06-11
    end: 2018-06-15
  - id: barcelona-2018
    name: Délégation métropolitaine à Barcelone
    partner: Àrea Metropolitana de Barcelona
    start: 2018-10-15
    end: 2018-10-18
  - id: miami-2019
    name: Retour de la délégation à Miami
    partner: Miami-Dade County
    start: 2019-03-18
    end: 2019-03-21
"""


@pytest.fixture(scope="module")
def minimal_rules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minimal")
    (folder / "missions.yaml").write_text(MINIMAL, encoding="utf-8")
    return load_rules(CONFIG, folder / "missions.yaml")


@pytest.mark.parametrize("partner, name, full, places, acronyms", [
    ("Miami-Dade County", "Délégation métropolitaine à Miami",
     {"Miami-Dade County", "comté de Miami-Dade", "condado de Miami-Dade"},
     {"Miami-Dade", "Miami"}, {"MDC"}),
    ("Communauté métropolitaine de Montréal", "Mission économique de la Métropole à Montréal",
     {"Communauté métropolitaine de Montréal"}, {"Montréal"}, {"CMM"}),
    ("Àrea Metropolitana de Barcelona", "Délégation métropolitaine à Barcelone",
     {"Àrea Metropolitana de Barcelona"}, {"Barcelona", "Barcelone"}, {"AMB"}),
    ("City of Coral Gables", "Trade mission to Coral Gables, November 2019",
     {"ville de Coral Gables", "ciudad de Coral Gables"}, {"Coral Gables"}, {"CCG"}),
    ("Ayuntamiento de Ciudad de México", "Misión a Ciudad de México", set(), {"México"}, set()),
    ("Ville de Saint-Louis", "Voyage à Saint-Louis en mars", set(), {"Saint-Louis"}, set()),
    ("Greater London Authority", "Mission in London", set(), {"London"}, {"GLA"}),
])
def test_names_derive_from_partner_and_name(partner, name, full, places, acronyms):
    """Whole partner and its fr/en/es forms, its distinctive parts without generic words, the
    destination after à/en/au/in/to/a, the acronym; never a generic word or a month alone."""
    from pressmon.config import Mission
    from pressmon.names import mission_names

    names = mission_names(Mission("m", name, partner, dt.date(2019, 3, 1), dt.date(2019, 3, 5)))
    assert full <= set(names.full) and partner in names.full
    assert places <= set(names.places)
    assert acronyms <= set(names.acronyms)
    generic = {"County", "City", "Ville", "Grand", "Ciudad", "Saint", "Louis", "mars",
               "November", "Authority", "Greater", "de"}
    assert not generic & set(names.places)


LEADS = {
    "miami": ("La délégation de la Métropole Aix-Marseille-Provence a signé à Miami un accord de "
              "jumelage avec le comté, a annoncé Martine Vassal.", "Jumelage signé à Miami"),
    "montreal": ("La Métropole Aix-Marseille-Provence a signé avec le Grand Montréal un accord "
                 "de coopération, devant une délégation de soixante élus.", "Entente avec Montréal"),
    "montreal-cmm": ("Une délégation de la Métropole Aix-Marseille-Provence a signé mardi un accord "
                     "de coopération avec la CMM sur le transport.", "Accord avec la CMM"),
    "barcelona": ("La delegación de la Metrópoli de Aix-Marsella-Provenza firmó con l'AMB un "
                  "acuerdo de cooperación sobre movilidad.", "Marsella y el AMB firman"),
    "miami-es": ("La delegación de la Metrópoli de Aix-Marsella-Provenza firmó con el condado de "
                 "Miami-Dade un acuerdo de hermanamiento.", "Hermanamiento con Marsella"),
}


@pytest.mark.parametrize("lead, day, region, expected", [
    ("miami", dt.date(2017, 11, 7), "marseille", "miami-2017"),
    ("miami", dt.date(2019, 3, 19), "marseille", "miami-2019"),       # same place, other year
    ("miami-es", dt.date(2019, 3, 12), "miami", "miami-2019"),
    ("miami", dt.date(2018, 6, 12), "marseille", None),               # Montréal's dates
    ("montreal", dt.date(2018, 6, 12), "marseille", "montreal-2018"),
    ("montreal-cmm", dt.date(2018, 6, 13), "national", "montreal-2018"),
    ("barcelona", dt.date(2018, 10, 16), "barcelona", "barcelona-2018"),
    ("montreal", dt.date(2018, 10, 16), "marseille", None),           # Barcelona's dates
])
def test_minimal_missions_file_links_by_names_and_dates(minimal_rules, lead, day, region,
                                                        expected):
    """With only id, name, partner, start and end: the article names the destination or the
    partner as the press does, and the dates tell two trips to one place apart."""
    text, title = LEADS[lead]
    out = classify_article(minimal_rules, article(title, text, published_at=_published(day),
                                                  region=region))
    assert out["relevant"], out["matched_terms"]
    assert out["mission_id"] == expected


def test_partner_press_without_the_place_name_is_linked(minimal_rules):
    """Montréal's own press says "la mairesse" and "Marseille", not always "Montréal": the
    outlet's region names the partner."""
    out = classify_article(minimal_rules, article(
        "La mairesse signe une entente avec Marseille",
        "La délégation de la Métropole Aix-Marseille-Provence a conclu un accord de coopération "
        "avec la Communauté métropolitaine sur les transports et le port.",
        published_at=_published(dt.date(2018, 6, 12)), region="montreal"))
    assert out["relevant"] and out["mission_id"] == "montreal-2018"


def test_minimal_and_full_missions_files_link_the_long_form_set_alike():
    """On the long-form labelled set (dev part), at least 95 % of the relevant articles get the
    right mission with missions-minimal.yaml, and as many with missions-full.yaml."""
    ev = script_module("eval_classify")
    cases = [c for c in ev.load_longform_cases() if c["split"] == "longform-dev"]
    assert len(cases) >= 40
    scores = {}
    for name in ev.MISSION_FILES:
        m = ev.evaluate(load_rules(CONFIG, ev.LONGFORM / name), cases)
        scores[name] = m["mission_accuracy"]
        assert m["mission_n"] >= 20
    assert scores["missions-minimal.yaml"] >= 0.95, scores
    assert scores["missions-full.yaml"] >= scores["missions-minimal.yaml"], scores

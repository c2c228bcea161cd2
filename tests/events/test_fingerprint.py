"""The event fingerprint: the reported day, numbers and names as they survive translation, and
watchlist entities by entry whatever the language."""

from __future__ import annotations

import datetime as dt

import pytest

from pressmon import events
from pressmon.classify import classify_article

UTC = dt.timezone.utc
WED_8_NOV = dt.datetime(2017, 11, 8, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("lead, day", [
    ("Jean-Claude Gaudin et Carlos Giménez ont signé mardi l'accord.", dt.date(2017, 11, 7)),
    ("County Mayor Carlos Gimenez signed a sister agreement Tuesday.", dt.date(2017, 11, 7)),
    ("El condado firmó el martes un acuerdo de hermanamiento.", dt.date(2017, 11, 7)),
    ("La délégation a présenté ce mercredi son projet.", dt.date(2017, 11, 8)),
    ("Les deux ports ont signé le 6 novembre un protocole.", dt.date(2017, 11, 6)),
    ("The two ports signed on Nov. 6 a memorandum.", dt.date(2017, 11, 6)),
    ("Los puertos firmaron el 6 de noviembre un acuerdo.", dt.date(2017, 11, 6)),
    ("La Métropole a signé hier un accord.", dt.date(2017, 11, 7)),
    ("Officials said yesterday they had agreed.", dt.date(2017, 11, 7)),
])
def test_reported_day_is_read_from_the_lead_in_three_languages(lead, day):
    """A weekday is the latest such day on or before publication; a date within the week
    before publication is taken as written; 'hier'/'yesterday' is the day before."""
    assert events.reported_day([lead], WED_8_NOV)[0] == day


@pytest.mark.parametrize("lead", [
    "La délégation s'envolera lundi prochain pour Miami.",
    "The delegation leaves next Monday.",
    "La delegación llegará el próximo lunes a Barcelona.",
    "Cette semaine, c'était Miami.",
    "La Métropole signera le 20 novembre.",  # a date to come is no report of a happening
])
def test_days_to_come_and_vague_time_give_no_day(lead):
    assert events.reported_day([lead], WED_8_NOV) == (None, None)


def test_the_first_zone_with_a_cue_decides():
    """The summary comes before the title and the paragraphs: a background weekday further
    down does not override the lead's."""
    day, cue = events.reported_day(["Signé mardi par les deux maires.", "",
                                    "Dimanche, la délégation était arrivée."], WED_8_NOV)
    assert (day, cue) == (dt.date(2017, 11, 7), "mardi")


def test_when_the_lead_names_several_days_the_latest_is_the_happening():
    """The earlier days are context: the previous happening, the arrival."""
    thu = dt.datetime(2018, 10, 18, 9, 0, tzinfo=UTC)
    lead = ("Après l'accord entre la Métropole et l'AMB mardi, c'était au tour des ports, "
            "ce mercredi 17 octobre.")
    assert events.reported_day([lead], thu) == (dt.date(2018, 10, 17), "mercredi")
    assert events.reported_day(["Arrived on Sunday, the delegation signed on Tuesday."],
                               WED_8_NOV)[0] == dt.date(2017, 11, 7)


def test_numbers_are_written_alike_in_every_language():
    fr = events.numbers("480 hectares, 120 décideurs, 1 200 emplois, 2,7 millions, 3 ans")
    en = events.numbers("480 hectares, 120 business leaders, 1,200 jobs, 2.7 million, 3 years")
    es = events.numbers("480 hectáreas, 120 empresarios, 1.200 empleos, 2,7 millones")
    assert set(fr) == set(en) == set(es) == {"480", "120", "1200", "2.7"}


def test_proper_names_are_folded_and_sentence_starts_skipped():
    names = events.proper_names(
        "Dans un hôtel de Brickell, Anne Morel a parlé. Personne n'a bronché. "
        "« Nous vendons une porte », dit Carlos Benítez. ¿Qué puede aprender Barcelona?")
    assert set(names) == {"brickell", "anne", "morel", "benitez", "carlos", "barcelona"}
    assert names["benitez"] == "Benítez"


def _article(title, text, summary=None):
    return {"title": title, "text": text, "summary": summary,
            "published_at": "2017-11-08T12:00:00+00:00", "language": "fr"}


def test_entities_are_one_key_whatever_the_language(rules):
    """The same happening told in French, English and Spanish: the watchlist's entries give the
    same keys, names the watchlist knows are not counted twice as names, numbers match."""
    fr = classify_article(rules, _article(
        "Marseille et Miami scellent leur jumelage",
        "La Métropole Aix-Marseille-Provence et le comté de Miami-Dade ont signé mardi un accord "
        "de jumelage. Jean-Claude Gaudin et Carlos Giménez ont signé devant 120 décideurs."))
    en = classify_article(rules, _article(
        "Miami-Dade adds a French sister",
        "Miami-Dade County signed a sister agreement with the Aix-Marseille-Provence Metropolis "
        "on Tuesday. Jean-Claude Gaudin and Carlos Gimenez signed before 120 business leaders."))
    es = classify_article(rules, _article(
        "Miami-Dade y Marsella firman un hermanamiento",
        "El condado de Miami-Dade y la metrópoli de Aix-Marsella-Provenza firmaron el martes un "
        "acuerdo de hermanamiento. Jean-Claude Gaudin y Carlos Giménez firmaron ante 120 "
        "empresarios."))
    fps = [t["event_fingerprint"] for t in (fr, en, es)]
    assert all(fps), "all three are relevant and fingerprinted"
    common = set(fps[0]["keys"]) & set(fps[1]["keys"]) & set(fps[2]["keys"])
    assert {"home:Métropole Aix-Marseille-Provence", "home:Jean-Claude Gaudin",
            "partner:Miami-Dade County", "partner:Carlos Giménez", "term:sister city",
            "num:120"} <= common
    assert not any(k in ("name:gimenez", "name:gaudin") for fp in fps for k in fp["keys"])
    assert {fp["day"] for fp in fps} == {"2017-11-07"}


def test_irrelevant_articles_get_no_fingerprint(rules):
    out = classify_article(rules, _article("Il pleut", "Il pleuvra demain sur la région."))
    assert out["relevant"] is False and out["event_fingerprint"] is None


def test_lead_keys_are_what_the_title_summary_and_first_paragraph_name(rules):
    """The morning's visit told in its title and first paragraph, the evening's signing
    recalled further down: the lead keys hold the visit's facts, the keys both."""
    out = classify_article(rules, _article(
        "Royal Caribbean reçoit la délégation de Jean-Claude Gaudin",
        "La Métropole Aix-Marseille-Provence a visité mardi le siège de Royal Caribbean à "
        "PortMiami, où Michael Bayley a annoncé 42 escales.\n\n"
        "Le soir, Jean-Claude Gaudin devait signer avec Carlos Giménez l'accord de jumelage "
        "devant 120 décideurs, à la mairie Stephen P. Clark.",
        summary="Le croisiériste promet 42 escales à Marseille."))
    fp = out["event_fingerprint"]
    lead, keys = set(fp["lead"]), set(fp["keys"])
    assert lead <= keys
    assert {"home:Jean-Claude Gaudin", "home:Métropole Aix-Marseille-Provence", "num:42",
            "name:bayley", "name:royal"} <= lead
    assert {"partner:Carlos Giménez", "num:120", "name:stephen"} <= keys - lead

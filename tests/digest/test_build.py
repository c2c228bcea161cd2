"""What the digest says, built from a real DuckDB file."""

from __future__ import annotations

import pytest

from pressmon.digest.build import build_digest, excerpt_of, safe_url
from pressmon.store import open_reader


@pytest.fixture
def digest(week45_db):
    con = open_reader(week45_db)
    try:
        return build_digest(con, "2017-W45")
    finally:
        con.close()


def test_headline_figures_against_previous_week(digest):
    """Stories, articles and outlets of the week's relevant coverage, with last week's."""
    figs = {f.label: (f.current, f.previous, f.delta) for f in digest.figures}
    assert figs == {"sujets": (3, 1, "+2"), "articles": (5, 1, "+4"),
                    "médias": (5, 1, "+4")}
    groups = {f.label: f.current for f in digest.groups}
    assert groups == {"presse locale et nationale": 2, "presse de la ville partenaire": 2,
                      "autre presse étrangère": 1}
    assert {f.label: f.current for f in digest.languages} == {
        "français": 2, "anglais": 2, "espagnol": 1}
    assert digest.collected == 6


def test_mission_section_then_other_coverage_ranked_by_outlets(digest):
    """One section per mission, then the rest; the most carried story first, shown once."""
    assert [s.key for s in digest.sections] == ["miami-2017", "other"]
    miami = digest.sections[0]
    assert miami.subtitle == "partenaire : comté de Miami-Dade · mission du 5 au 10 nov. 2017"
    assert [s.story_id for s in miami.stories] == ["s1", "s2"]
    top = miami.stories[0]
    assert (top.outlet, top.outlets, top.articles) == ("gomet", 3, 3)  # no title: the id
    assert top.title == "La Métropole signe un accord de jumelage avec Miami-Dade"
    assert (top.date, top.language_label, top.topics) == ("6 nov. 2017", "français",
                                                          ["diplomatie", "port"])
    # display names: a configured title, the outlet's part of a channel title; utm_ dropped
    assert [(c.outlet, c.url) for c in top.copies] == [
        ("La Provence", "https://laprovence.example/jumelage"),
        ("Miami Herald", "http://miamiherald.example/sister?id=7")]
    assert miami.stories[1].outlet == "el Nuevo Herald"
    assert top.groups == ["home", "partner"]
    assert [s.story_id for s in digest.sections[1].stories] == ["s3"]


def test_excerpt_is_two_short_sentences_at_most(digest):
    """The third sentence of the summary is left out."""
    text = digest.sections[0].stories[0].excerpt
    assert text.endswith("Le port et le tourisme sont au cœur du texte.")
    assert "troisième" not in text
    long = "Un. " + "mot " * 200
    assert len(excerpt_of(None, long)) <= 281


def test_hostile_link_is_dropped_and_markup_kept_as_text(digest):
    """The javascript: link disappears; the title stays as written (escaped at rendering)."""
    story = digest.sections[1].stories[0]
    assert story.url is None
    assert story.title.startswith("<script>alert(1)</script>")
    assert story.excerpt == "Marseille & Euroméditerranée court foreign investors."


@pytest.mark.parametrize("url,ok", [
    ("https://a.example/x", True), ("http://a.example", True), ("HTTPS://A.example/", True),
    ("javascript:alert(1)", False), ("data:text/html,x", False), ("//a.example/x", False),
    ("/relative", False), ("https://a.example/a b", False), ("vbscript:x", False),
    ("ftp://a.example/f", False), (None, False),
])
def test_only_http_links(url, ok):
    assert (safe_url(url) is not None) is ok


def test_chart_counts_articles_per_paris_day(digest):
    """The Miami article of Tue 08:00 EST counts on Tuesday; Friday to Sunday are empty."""
    days = {d.label: (d.total, d.counts) for d in digest.chart}
    assert list(days) == ["lun. 6", "mar. 7", "mer. 8", "jeu. 9", "ven. 10", "sam. 11",
                          "dim. 12"]
    assert days["lun. 6"] == (2, {"home": 2, "partner": 0, "other": 0})
    assert days["mar. 7"][1]["partner"] == 1
    assert days["dim. 12"][0] == 0


def test_failed_feeds_of_the_week_only(digest):
    """The feed that failed twice this week is listed with its last error; last week's not."""
    assert [(f.source, f.failures, f.last_error) for f in digest.failed_feeds] == [
        ("wire", 2, "HTTP 500 Internal Server Error")]


def test_a_week_without_coverage_is_empty_not_an_error(week45_db):
    con = open_reader(week45_db)
    try:
        d = build_digest(con, "2017-W47")
    finally:
        con.close()
    assert d.empty and d.sections == []
    assert [f.current for f in d.figures] == [0, 0, 0]

"""The digest names every relevant story of the week: the top ones in full, every other one on
one line under its mission, in the HTML and in the plain text, even in a busy week."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from digest_fixtures import build_db
from pressmon.digest.build import build_digest
from pressmon.digest.config import DigestConfig
from pressmon.digest.render import render
from pressmon.store import open_reader

OUTLETS = [("laprovence", "marseille", "fr", "La Provence - Marseille"),
           ("gomet", "marseille", "fr", None),
           ("miamiherald", "miami", "en", "Miami Herald - Local"),
           ("elnuevoherald", "miami", "es", "el Nuevo Herald - Sur de la Florida"),
           ("lesechos", "national", "fr", "Les Échos - Régions")]


def busy_week(stories: int, other: int = 4) -> dict:
    """``stories`` relevant stories of the Miami mission in 2017-W45 (some carried by two
    outlets) and ``other`` relevant stories tied to no mission."""
    missions = [{"mission_id": "miami-2017", "name": "Délégation métropolitaine à Miami",
                 "partner": "Miami-Dade County", "start_date": "2017-11-05",
                 "end_date": "2017-11-10", "partner_region": "miami"}]
    sources = [{"name": o, "region": r, "outlet": o, "language": lang, "channel_title": t}
               for o, r, lang, t in OUTLETS]
    articles = []
    start = dt.datetime(2017, 11, 6, 7, 0, tzinfo=dt.timezone.utc)
    for i in range(stories + other):
        outlet, _, lang, _ = OUTLETS[i % len(OUTLETS)]
        at = start + dt.timedelta(hours=2 * i)
        mission = "miami-2017" if i < stories else None
        articles.append({
            "article_id": f"a{i:03d}", "source": outlet, "story_id": f"s{i:03d}",
            "published_at": at.isoformat(), "title": f"Sujet numéro {i:03d} sur Marseille et Miami",
            "url": f"https://{outlet}.example/{i:03d}?utm_source=rss&utm_campaign=feed",
            "summary": f"Résumé du sujet {i:03d}.", "language": lang, "relevant": True,
            "mission_id": mission, "topics": ["economy"]})
        if i % 7 == 3:  # a copy in another outlet: the story is carried twice
            copy_outlet = OUTLETS[(i + 1) % len(OUTLETS)][0]
            articles.append({
                "article_id": f"c{i:03d}", "source": copy_outlet, "story_id": f"s{i:03d}",
                "published_at": (at + dt.timedelta(hours=1)).isoformat(),
                "title": f"Reprise du sujet {i:03d}", "url": f"https://{copy_outlet}.example/c{i:03d}",
                "language": "fr", "relevant": True, "mission_id": mission, "topics": ["economy"]})
    return {"missions": missions, "sources": sources, "articles": articles}


@pytest.fixture(scope="module")
def busy_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("busy") / "press.duckdb", busy_week(60))


def _digest(db, limit: int = 8):
    con = open_reader(db)
    try:
        return build_digest(con, "2017-W45", config=DigestConfig(
            path=None, max_stories_per_section=limit))
    finally:
        con.close()


@pytest.mark.parametrize("limit", [8, 3])
def test_sixty_stories_all_listed_in_html_and_text(busy_db, limit):
    """60 mission stories and 4 others: ``limit`` of each section in full, every other one on
    a compact line (outlet name, linked title, date, language) in both parts, each once."""
    digest = _digest(busy_db, limit)
    miami, other = digest.sections
    assert (miami.key, other.key) == ("miami-2017", "other")
    assert len(miami.stories) == limit and len(miami.others) == 60 - limit
    assert miami.story_count == 60 and other.story_count == 4
    assert all(len(g.stories) == 1 for g in miami.groups)

    subject, html, text = render(digest)
    for i in range(64):
        title = f"Sujet numéro {i:03d} sur Marseille et Miami"
        outlet = OUTLETS[i % len(OUTLETS)][0]
        link = f"https://{outlet}.example/{i:03d}"
        assert html.count(f'<a href="{link}"') == 1, i
        assert html.count(f">{title}</a>") == 1, i
        assert text.count(title) == 1, i
        assert text.count(f"<{link}>") == 1, i
    assert "utm_" not in html and "utm_" not in text
    assert "autres histoires" not in html and "… et" not in text

    # the compact lines: outlet display name, date and language next to the title
    compact = miami.others[0]
    line = next(li for li in text.splitlines() if compact.title in li)
    assert line.strip() == (f"- {compact.outlet} : {compact.title} "
                            f"({compact.date}, {compact.language_label})")
    assert compact.outlet in ("La Provence", "gomet", "Miami Herald", "el Nuevo Herald",
                              "Les Échos")
    row = re.search(r"<tr><td[^>]*><b>([^<]*)</b> · <a href=\"[^\"]*\"[^>]*>" +
                    re.escape(compact.title) + r"</a> <span[^>]*>· ([^<]*)</span>", html)
    assert row and row.group(1) == compact.outlet
    assert row.group(2) == f"{compact.date} · {compact.language_label}"
    # headings count what follows
    assert f"Autres sujets de la semaine ({60 - limit})" in html
    assert f"Autres sujets de la semaine ({60 - limit}) :" in text


def test_sixty_stories_stay_readable(busy_db):
    """The HTML of a 60-story week stays under Gmail's 102 kB clipping limit, and the plain
    text keeps short lines apart from links."""
    _, html, text = render(_digest(busy_db))
    assert len(html.encode("utf-8")) < 102_000, len(html.encode("utf-8"))
    long_lines = [li for li in text.splitlines() if len(li) > 120 and "<http" not in li]
    assert long_lines == []


def test_a_week_under_the_limit_has_no_compact_list(tmp_path):
    """Three stories and the default limit: all in full, no "Autres sujets" heading."""
    db = build_db(tmp_path / "press.duckdb", busy_week(3, other=0))
    digest = _digest(db)
    [miami] = digest.sections
    assert len(miami.stories) == 3 and miami.others == []
    _, html, text = render(digest)
    assert "Autres sujets" not in html and "Autres sujets" not in text
    assert "3 sujets cette semaine" in html


def test_french_plurals(tmp_path):
    """One story, one outlet: the singular everywhere; "(s)" nowhere."""
    db = build_db(tmp_path / "press.duckdb", busy_week(1, other=0))
    subject, html, text = render(_digest(db))
    for part in (html, text):
        assert "(s)" not in part
        assert "1 média" in part and "1 médias" not in part
        assert "1 sujet cette semaine" in part
    assert ">sujet<" in html and ">média<" in html  # headline figure labels agree

"""The digest names every relevant story of the week: the top ones in full, every other one on
one line under its mission, in the HTML and in the plain text, even in a busy week, and when
stories are grouped by event."""

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


def busy_week(stories: int, other: int = 4, events: list[list[int]] | None = None) -> dict:
    """``stories`` relevant stories of the Miami mission in 2017-W45 (some carried by two
    outlets) and ``other`` relevant stories tied to no mission; ``events`` groups stories by
    their numbers."""
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
    return {"missions": missions, "sources": sources, "articles": articles,
            "events": [{"event_id": f"ev_{n}", "stories": [f"s{i:03d}" for i in ev]}
                       for n, ev in enumerate(events or [])]}


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


# Story numbers of five events: one of 4 stories, one of 3 (one of them carried twice), one
# joining a story tied to no mission (62) to the mission's, one far down the ranking, one of
# two stories tied to no mission (61, 63).
EVENTS = [[5, 10, 15, 33], [1, 2, 3], [40, 62], [50, 51], [61, 63]]


@pytest.fixture(scope="module")
def busy_events_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("busy-events") / "press.duckdb",
                    busy_week(60, events=EVENTS))


@pytest.mark.parametrize("limit", [8, 3])
def test_sixty_stories_in_events_all_listed_once(busy_events_db, limit):
    """With events: every story still named once in each part; an event's stories are shown
    together under its header, whole (never split between full entries and one-liners), in the
    mission section even for its story tied to no mission; events come first, widest reach
    first; full entries stop at the first group that reaches ``limit``."""
    data = busy_week(60, events=EVENTS)
    digest = _digest(busy_events_db, limit)
    miami, other = digest.sections
    assert miami.story_count == 61 and other.story_count == 3
    subject, html, text = render(digest)
    # an event's header is named after one of its titles: the stories are the other lines
    entries = "\n".join(li for li in text.splitlines() if not li.startswith("ÉVÉNEMENT : "))
    for i in range(64):
        title = f"Sujet numéro {i:03d} sur Marseille et Miami"
        link = f"https://{OUTLETS[i % len(OUTLETS)][0]}.example/{i:03d}"
        assert html.count(f">{title}</a>") == 1, i
        assert html.count(f'<a href="{link}"') == 1, i
        assert entries.count(title) == 1, i
        assert text.count(f"<{link}>") == 1, i

    # tied to no mission: no partner city, the foreign press is foreign
    [loose] = other.events
    assert {s.story_id for s in loose.stories} == {"s061", "s063"}
    assert loose.split == "1 dans la presse locale et nationale, 1 dans la presse étrangère"

    events = {frozenset(f"s{i:03d}" for i in ev) for ev in EVENTS[:-1]}
    full = [frozenset(s.story_id for s in g.stories) for g in miami.events]
    compact = {s.story_id for s in miami.others}
    for ev in events:  # whole, in one place
        assert ev in full or ev <= compact, sorted(ev)
    # groups with a header come before lone stories
    kinds = [bool(g.label) for g in miami.groups]
    assert kinds == sorted(kinds, reverse=True)
    assert [g.outlets for g in miami.events] == sorted((g.outlets for g in miami.events),
                                                       reverse=True)
    shown = [len(g.stories) for g in miami.groups]
    assert sum(shown[:-1]) < limit <= sum(shown)

    for g in miami.events:
        ids = {s.story_id for s in g.stories}
        arts = [a for a in data["articles"] if a["story_id"] in ids]
        langs = sorted({a["language"] for a in arts},
                       key=lambda x: (-sum(a["language"] == x for a in arts), x))
        regions = {o: r for o, r, _, _ in OUTLETS}
        home = sum(regions[a["source"]] in ("marseille", "national") for a in arts)
        summary = (f"{len(arts)} articles, {len({a['source'] for a in arts})} médias, "
                   f"{'/'.join(langs)}")
        assert g.summary == summary
        assert g.split == (f"{home} dans la presse locale et nationale, {len(arts) - home} "
                           f"dans la presse de la ville partenaire")
        assert f"ÉVÉNEMENT : {g.label} — {summary}" in text
        assert html.count(f">{g.label}</div>") == 1 and summary in html and g.split in html
        # the label is the earliest French title of the event
        french = sorted((a for a in arts if a["language"] == "fr"),
                        key=lambda a: a["published_at"])
        assert g.label == french[0]["title"]


def test_an_event_with_a_story_of_another_week_says_so(tmp_path):
    """Two stories of an event this week and one published the week before: the header counts
    the two listed under it and says the third was published another week; that story is not
    in this week's digest."""
    data = busy_week(3, other=0)
    data["articles"].append({
        "article_id": "old", "source": "gomet", "story_id": "s-old",
        "published_at": "2017-11-03T09:00:00+00:00", "title": "Annonce du voyage à Miami",
        "url": "https://gomet.example/old", "language": "fr", "relevant": True,
        "mission_id": "miami-2017", "topics": ["economy"]})
    data["events"] = [{"event_id": "ev_x", "stories": ["s-old", "s000", "s001"]}]
    digest = _digest(build_db(tmp_path / "press.duckdb", data))
    [miami] = digest.sections
    [event] = miami.events
    assert [s.story_id for s in event.stories] == ["s000", "s001"]
    assert event.summary.startswith("2 articles, 2 médias")
    assert event.elsewhere == "l'événement compte aussi 1 sujet paru une autre semaine"
    _, html, text = render(digest)
    assert "L'événement compte aussi 1 sujet paru une autre semaine" in text
    # the label is the event's (v_events: its earliest French title), the story is not listed
    assert event.label == "Annonce du voyage à Miami"
    assert "gomet.example/old" not in text and "gomet.example/old" not in html
    assert "compte aussi 1 sujet paru une autre semaine" in html

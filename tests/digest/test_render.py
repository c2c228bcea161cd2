"""How the digest looks: both parts, escaping, links, no remote resources, the subject."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from pressmon.digest.build import build_digest
from pressmon.digest.render import build_message, render
from pressmon.errors import DigestError
from pressmon.store import open_reader


def _digest(db, week="2017-W45"):
    con = open_reader(db)
    try:
        return build_digest(con, week)
    finally:
        con.close()


@pytest.fixture
def rendered(week45_db):
    return render(_digest(week45_db))


def test_subject_names_the_week_in_french(rendered):
    assert rendered[0] == "Revue de presse internationale — semaine 45, du 6 au 12 nov. 2017"


def test_hostile_title_is_text_in_html(rendered):
    """`<script>` in a title shows as text; no script element, no javascript: link."""
    html = rendered[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Marseille courts investors" in html
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()
    assert "Marseille &amp; Euroméditerranée" in html


def test_every_link_is_http_and_nothing_is_loaded_from_elsewhere(rendered):
    html = rendered[1]
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "https://gomet.example/accord-miami" in hrefs
    assert not re.search(r"<(img|link|script|iframe)\b|\bsrc=|url\(|@import", html, re.I)


def test_text_part_has_the_same_stories(rendered):
    _, html, text = rendered
    for title in ("La Métropole signe un accord de jumelage avec Miami-Dade",
                  "PortMiami y Marsella hablan de cruceros",
                  "<script>alert(1)</script> Marseille courts investors"):
        assert title in text
    assert "Aussi dans : La Provence <https://laprovence.example/jumelage>, Miami Herald " \
        "<http://miamiherald.example/sister?id=7>" in text
    assert "DÉLÉGATION MÉTROPOLITAINE À MIAMI" in text
    assert "Autres retombées internationales" in html
    assert "wire : 2 échecs" in text and "wire : 2 échecs" in html


def test_chart_is_inline_table_bars(rendered):
    """Bars are table cells with a width and a colour: they show without loading anything."""
    html = rendered[1]
    assert re.search(r'<td width="\d+%" height="14" bgcolor="#1f5fa8"', html)
    assert "lun. 6" in html and "dim. 12" in html


def test_empty_week_says_so(week45_db):
    subject, html, text = render(_digest(week45_db, "2017-W47"))
    assert subject.endswith("semaine 47, du 20 au 26 nov. 2017 : aucune retombée")
    assert "Aucune retombée cette semaine" in html
    assert "Aucune retombée" in text


def test_message_is_multipart_alternative_with_text_then_html(week45_db):
    msg = build_message(_digest(week45_db), sender="Revue <revue@metropole.example>",
                        recipients=["a@metropole.example", "b@metropole.example"])
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Subject"] == "Revue de presse internationale — semaine 45, du 6 au 12 nov. 2017"
    assert parsed["To"] == "a@metropole.example, b@metropole.example"
    assert parsed["Message-ID"].endswith("@metropole.example>")
    assert parsed["X-Pressmon-Week"] == "2017-W45"


def test_bad_sender_is_refused(week45_db):
    with pytest.raises(DigestError, match="not an email address"):
        build_message(_digest(week45_db), sender="nobody", recipients=[])

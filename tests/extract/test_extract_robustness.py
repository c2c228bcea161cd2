"""Decoding rules and robustness of pressmon.extract on inputs that are not ordinary pages."""

from __future__ import annotations

import pytest

from pressmon.extract import ExtractError, decode_html, extract_page, normalize_date

PAGE = ("<html><head><title>Délégation à Miami</title></head><body><article><h1>Délégation à Miami</h1>"
        + "".join(f"<p>Paragraphe {i} : la délégation métropolitaine a rencontré les élus du comté, "
                  f"les responsables du port et des entreprises de la croisière à Miami.</p>" for i in range(8))
        + "</article></body></html>")


def test_utf16_with_bom_is_decoded():
    """A UTF-16 byte-order mark decides the encoding (NUL bytes are then text, not binary)."""
    body = PAGE.encode("utf-16")
    assert decode_html(body) == PAGE
    assert extract_page(body)["title"] == "Délégation à Miami"


def test_utf8_bom_is_dropped():
    """A UTF-8 BOM is not part of the text."""
    assert decode_html(b"\xef\xbb\xbf" + PAGE.encode()) == PAGE


def test_http_charset_comes_before_meta():
    """The Content-Type charset wins over <meta charset> when it decodes the bytes."""
    body = ('<meta charset="utf-8"><p>caf' + "\u00e9" + "</p>").encode("cp1252")
    assert "café" in decode_html(body, "text/html; charset=windows-1252")
    # Without the header, the wrong meta charset cannot decode the byte and is ignored.
    assert "café" in decode_html(body)


def test_undeclared_latin1_is_detected():
    """No declaration and invalid UTF-8: detection gives readable text."""
    body = ("<p>" + "La délégation est arrivée à Miami, où elle a rencontré les élus. " * 20 + "</p>").encode("latin-1")
    assert "délégation est arrivée" in decode_html(body)


def test_binary_input_raises_extract_error():
    """Data that is not text at all is the one case that raises."""
    with pytest.raises(ExtractError, match="binary"):
        decode_html(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with pytest.raises(ExtractError, match="type int"):
        extract_page(42)


@pytest.mark.parametrize("body", [b"", b"   \n", "<html></html>", "<<<>>>", "<html><body><p>", b"\xff\xfe"[:1],
                                  "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>"])
def test_degenerate_pages_do_not_raise(body):
    """Empty, truncated or odd documents give a record with empty fields, never an exception."""
    out = extract_page(body)
    assert isinstance(out["text"], str) and isinstance(out["title"], str)


def test_huge_page_is_capped_and_still_extracted():
    """A multi-megabyte page (a runaway comment thread) is cut to the work cap, not refused."""
    filler = "<div class='comment'><p>" + "bla " * 60 + "</p></div>"
    body = PAGE.replace("</article>", "</article>" + filler * 30_000)
    assert len(body) > 5_000_000
    out = extract_page(body)
    assert "Paragraphe 3" in out["text"]
    # the cap itself: the tree holds no more than MAX_INPUT_BYTES of the page
    from pressmon.extract import MAX_INPUT_BYTES, parse_html

    tree = parse_html(body)
    assert len(tree.text_content()) <= MAX_INPUT_BYTES < len(body)
    assert tree.text_content().count("bla ") < body.count("bla ")


@pytest.mark.parametrize("raw, iso", [
    ("2017-11-07T18:32:00+01:00", "2017-11-07T18:32:00+01:00"),
    ("2017-11-07T17:32:00Z", "2017-11-07T17:32:00+00:00"),
    ("2017-11-07T17:32:00.123+0100", "2017-11-07T17:32:00+01:00"),
    ("2017-11-07 18:32:00", "2017-11-07T18:32:00"),
    ("2017-11-07", "2017-11-07"),
    ("Tue, 07 Nov 2017 18:32:00 +0100", "2017-11-07T18:32:00+01:00"),
    ("not a date", None),
])
def test_normalize_date(raw, iso):
    """Dates keep their offset and come out as ISO 8601."""
    assert normalize_date(raw) == iso

"""`pressmon extract`: one JSON object per file, in order, errors per file."""

from __future__ import annotations

import json

from pm_testing import SAMPLE, run_cli

ES_PAGE = SAMPLE / "sites/elnuevoherald/noticias/sur-de-florida/article183205731.html"


def test_extract_prints_one_object_per_file_in_order(tmp_path):
    """Good pages, a missing file and a binary file: three lines, the bad ones with `error`."""
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    missing = tmp_path / "missing.html"
    out = run_cli("extract", str(ES_PAGE), str(missing), str(binary))
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 3
    first, second, third = map(json.loads, lines)
    assert first["file"] == str(ES_PAGE)
    assert first["title"] and first["language"] == "es"
    assert "\n\n" in first["text"] and len(first["text"].split()) > 80
    assert first["published"] and first["published"][:4] == "2017"
    assert second["file"] == str(missing) and "error" in second and second["text"] is None
    assert "No such file" in second["error"]
    assert third["file"] == str(binary) and ("error" in third or third["text"] == "")


def test_extract_url_resolves_relative_canonical(tmp_path):
    """--url gives the page's address: relative links and metadata resolve against it."""
    page = tmp_path / "p.html"
    body = ("<html lang=en><head><title>Port news</title><link rel=canonical href='/news/port-1.html'>"
            "</head><body><article><h1>Port news</h1>"
            + "".join(f"<p>PortMiami and the port of Marseille signed paragraph {i} of a long "
                      f"agreement about cruise calls and cargo exchanges between both cities.</p>"
                      for i in range(8))
            + "</article></body></html>")
    page.write_text(body, encoding="utf-8")
    out = run_cli("extract", str(page), "--url", "https://news.example.org/a/b.html?x=1")
    data = json.loads(out.stdout)
    assert data["canonical_url"] == "https://news.example.org/news/port-1.html"
    assert data["language"] == "en"


def test_extract_url_with_several_files_is_a_usage_error(tmp_path):
    proc = run_cli("extract", str(ES_PAGE), str(ES_PAGE), "--url", "https://x.org/", check=False)
    assert proc.returncode == 2 and "single FILE" in proc.stderr

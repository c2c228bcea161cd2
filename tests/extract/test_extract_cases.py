"""Pins extract_page's behaviour on the fixture pages of cases/: one .html page and one .json
holding its description, page URL, HTTP Content-Type and expectations. A new case is a new pair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressmon.extract import FIELDS, extract_page

CASES = Path(__file__).parent / "cases"


def _cases():
    return sorted(p.stem for p in CASES.glob("*.json"))


@pytest.mark.parametrize("name", _cases())
def test_case(name):
    """Each fixture's expected fields, and text it must contain or must not contain."""
    spec = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    out = extract_page((CASES / f"{name}.html").read_bytes(), spec.get("url"),
                       content_type=spec.get("content_type"))
    assert set(FIELDS) <= set(out), f"{name}: missing keys {set(FIELDS) - set(out)}"
    for key, want in spec.get("expect", {}).items():
        assert out[key] == want, f"{name} ({spec['description']}): {key} = {out[key]!r}, expected {want!r}"
    for snippet in spec.get("text_contains", []):
        assert snippet in out["text"], f"{name}: text lacks {snippet!r}:\n{out['text']}"
    for snippet in spec.get("text_excludes", []):
        assert snippet not in out["text"], f"{name}: text has boilerplate {snippet!r}:\n{out['text']}"
    assert out["word_count"] == len(out["text"].split())


def test_cases_folder_is_not_empty():
    """The parametrised test above must have something to walk."""
    assert len(_cases()) >= 10

"""Shared fixtures: the project's own rules, loaded once."""

from pathlib import Path

import pytest

from pressmon.classify import load_rules

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"


@pytest.fixture(scope="session")
def rules():
    return load_rules(CONFIG, CONFIG / "missions.yaml")


def article(title="", text="", summary=None, published_at=None, region="marseille",
            source_language=None):
    return {"title": title, "text": text, "summary": summary, "published_at": published_at,
            "region": region, "source_language": source_language, "page_language": None}

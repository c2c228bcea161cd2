"""Fixtures for the dedupe tests."""

from __future__ import annotations

import pytest

from dedupe_testlib import open_db


@pytest.fixture
def db(tmp_path):
    """An open connection to a fresh DuckDB file with migrations 001, 002 and v_stories."""
    con = open_db(tmp_path / "press.duckdb")
    yield con
    con.close()

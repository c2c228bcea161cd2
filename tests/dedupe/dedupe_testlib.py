"""Helpers for the dedupe tests: a real DuckDB file with the core schema and the story
tables, dates, and the labelled cases of tests/data/dedupe (loaded by the evaluation script's
own loader, so tests and evaluation read the files the same way)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
from pm_testing import ROOT, script_module

DATA = ROOT / "tests" / "data" / "dedupe"
EVAL = script_module("eval_dedupe")


def open_db(path):
    """An open connection to a fresh DuckDB file with migrations 001, 002 and v_stories."""
    con = duckdb.connect(str(path))
    for name in ("001_init.sql", "002_stories.sql"):
        con.execute((ROOT / "sql" / "migrations" / name).read_text(encoding="utf-8"))
    con.execute((ROOT / "sql" / "views" / "20_v_stories.sql").read_text(encoding="utf-8"))
    return con


def when(day: float) -> datetime:
    """A date `day` days after the start of the Miami mission."""
    return datetime(2017, 11, 5, 9, tzinfo=timezone.utc) + timedelta(days=day)


def dev_case(name: str) -> dict:
    case = EVAL.load_text_case(DATA / "text" / f"{name}.yaml")
    assert case["split"] == "dev", "tests pin dev cases only: the holdout is scored at the end"
    return case

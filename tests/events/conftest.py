"""Fixtures for the event tests: the labelled dev split loaded through the pipeline's stages
(scripts/eval_events.py does the same for the figures), and the project's rules."""

from __future__ import annotations

import pytest

from pm_testing import ROOT, script_module


def eval_module():
    return script_module("eval_events")


@pytest.fixture(scope="module")
def dev_loaded(tmp_path_factory):
    """The dev split, tagged by classify_stage and loaded by load_stage into a fresh DuckDB:
    (eval module, cases, paths, {case id: event, story, relevance})."""
    ev = eval_module()
    cases = ev.load_cases("dev")
    paths, got = ev.run_split(tmp_path_factory.mktemp("events-dev"), cases)
    return ev, cases, paths, got


@pytest.fixture(scope="session")
def rules():
    from pressmon.classify import load_rules

    return load_rules(ROOT / "config", ROOT / "tests" / "data" / "events" / "missions.yaml")

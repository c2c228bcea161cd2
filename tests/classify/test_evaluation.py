"""The labelled dev splits meet the targets (the holdouts and the sample corpus are scored by the
script, at the end)."""


import pytest

from pm_testing import script_module

from .conftest import ROOT


def _eval_module():
    return script_module("eval_classify")


@pytest.mark.parametrize("split, size", [("dev", 60), ("dev2", 25)])
def test_dev_split_meets_the_targets(rules, split, size):
    """Relevance F1 >= 0.9, language >= 0.97, topic micro-F1 >= 0.75, mission >= 0.9."""
    ev = _eval_module()
    cases = [c for c in ev.load_cases() if c["split"] == split]
    assert len(cases) >= size
    m = ev.evaluate(rules, cases)
    assert m["relevance"][2] >= 0.9, m["errors"]["relevance"]
    assert m["language_accuracy"] >= 0.97, m["errors"]["language"]
    assert m["topic_micro"][2] >= 0.75, m["errors"]["topics"]
    assert m["mission_accuracy"] >= 0.9, m["errors"]["mission"]


def test_labelled_set_is_well_formed():
    """At least 130 articles in fr/en/es, a third relevant, a third held out (holdout and
    holdout2), every split known, topics valid."""
    ev = _eval_module()
    from pressmon.topics import TOPICS
    cases = ev.load_cases()
    assert len(cases) >= 130
    assert {c["labels"]["language"] for c in cases} == {"fr", "en", "es"}
    assert {c["split"] for c in cases} == set(ev.SPLITS)
    relevant = sum(c["labels"]["relevant"] for c in cases)
    assert 0.3 <= relevant / len(cases) <= 0.4
    holdout = sum(c["split"].startswith("holdout") for c in cases)
    assert 0.3 <= holdout / len(cases) <= 0.4
    second = [c for c in cases if c["split"] in ("dev2", "holdout2")]
    assert len(second) >= 40
    assert 0.3 <= sum(c["split"] == "holdout2" for c in second) / len(second) <= 0.4
    for c in cases:
        assert c["labels"]["topics"] and set(c["labels"]["topics"]) <= set(TOPICS), c["file"]
        assert c["labels"]["relevant"] or c["labels"]["mission_id"] is None, c["file"]


def test_long_form_dev_split_meets_the_targets():
    """On real-length articles (long-form dev part) with the missions file a new user writes:
    topic micro-F1 >= 0.80, mission linking >= 0.95, relevance F1 >= 0.9."""
    from pressmon.classify import load_rules

    ev = _eval_module()
    cases = [c for c in ev.load_longform_cases() if c["split"] == "longform-dev"]
    assert len(cases) >= 40
    m = ev.evaluate(load_rules(ROOT / "config", ev.LONGFORM / "missions-minimal.yaml"), cases)
    assert m["topic_micro"][2] >= 0.80, m["errors"]["topics"]
    assert m["mission_accuracy"] >= 0.95, m["errors"]["mission"]
    assert m["relevance"][2] >= 0.9, m["errors"]["relevance"]

"""The digest DAG's late-run guard: a scheduled run that starts long after its time (the
catch-up made when the DAG is unpaused mid-week, an old run cleared) sends nothing and says
why; a timely run or a run triggered by hand is never held back."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import duckdb
import pytest

from pressmon.airflow.digest import late_start, send_digest_once

UTC = dt.timezone.utc
MONDAY_8_PARIS = dt.datetime(2017, 11, 13, 7, 0, tzinfo=UTC)  # Monday 08:00 CET


def context(run_type: str, run_after: dt.datetime, **params) -> dict:
    dag_run = SimpleNamespace(run_type=SimpleNamespace(value=run_type), run_after=run_after)
    return {"dag_run": dag_run, "logical_date": run_after, "params": params}


@pytest.mark.parametrize("run_type,started,late", [
    ("scheduled", MONDAY_8_PARIS + dt.timedelta(minutes=3), False),
    ("scheduled", MONDAY_8_PARIS + dt.timedelta(hours=11, minutes=59), False),
    ("scheduled", MONDAY_8_PARIS + dt.timedelta(hours=12, minutes=1), True),
    ("scheduled", MONDAY_8_PARIS + dt.timedelta(days=5), True),   # unpaused on Saturday
    ("manual", MONDAY_8_PARIS + dt.timedelta(days=5), False),     # an operator asked for it
    ("backfill", MONDAY_8_PARIS + dt.timedelta(days=30), False),
])
def test_only_late_scheduled_runs_are_held_back(run_type, started, late):
    found = late_start(context(run_type, MONDAY_8_PARIS), 12, now=started)
    assert (found is not None) is late
    if late:
        assert found[0] == MONDAY_8_PARIS and found[1] == started - MONDAY_8_PARIS


def test_late_run_skips_send_says_why_and_sends_nothing(paths, smtp, monkeypatch, caplog):
    """The send task of a run five days late is skipped before reading recipients or SMTP;
    its log says when it was due, how late it is, and how to send the week anyway."""
    from airflow.sdk.exceptions import AirflowSkipException

    monkeypatch.setenv("PRESSMON_DB", str(paths.db))
    monkeypatch.setenv("PRESSMON_CONFIG_DIR", str(paths.config_dir))
    ctx = context("scheduled", MONDAY_8_PARIS)
    ctx["dag_run"].run_after = dt.datetime.now(UTC) - dt.timedelta(days=5)
    with pytest.raises(AirflowSkipException) as info:
        send_digest_once(ctx)
    message = str(info.value)
    assert message.startswith("digest 2017-W") and "not sent" in message
    assert "starts 120 h late" in message and "send_within_hours" in message
    assert "trigger press_weekly_digest by hand with week=" in message
    assert " CET" in message or " CEST" in message  # the due time, in Paris time
    assert smtp.messages == []
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM digest_log").fetchone()[0] == 0
    finally:
        con.close()


def test_send_within_hours_is_validated(tmp_path):
    from pressmon.digest.config import load_digest_config
    from pressmon.errors import ConfigError

    f = tmp_path / "digest.yaml"
    f.write_text("send_within_hours: 36\n", encoding="utf-8")
    assert load_digest_config(f).send_within_hours == 36
    f.write_text("send_within_hours: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="send_within_hours.*greater than 0"):
        load_digest_config(f)

"""The failure alert: the SMTP provider's notifier, sent to a real SMTP server on loopback,
with recipients taken from the rendered Variable and the run's facts in the message."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from services_support import smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def smtp_conn(smtp_server, monkeypatch):
    host, port, box = smtp_server
    box.messages.clear()
    box.envelopes.clear()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": host, "port": port,
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "pressmon@example.org",
                  "retry_limit": 0},
    }))
    return box


def failure_context(recipients: str | None, exception: Exception) -> dict:
    """The parts of an Airflow task context the alert reads (a mapped fetch that failed)."""
    ti = SimpleNamespace(
        dag_id="press_ingest", task_id="per_feed.fetch", map_index=3,
        rendered_map_index="gomet", run_id="manual__2025-01-06T10:00:00+00:00",
        try_number=2, max_tries=1,
        log_url="http://127.0.0.1:8080/dags/press_ingest/runs/manual__2025-01-06T10%3A00%3A00%2B00%3A00"
                "/tasks/per_feed.fetch/mapped/3?try_number=2")
    values = {} if recipients is None else {"pressmon_alert_recipients": recipients}
    return {"ti": ti, "task_instance": ti, "var": {"value": values}, "exception": exception}


def test_alert_names_dag_task_feed_try_and_log(smtp_conn):
    """One mail to every listed operator, naming DAG, task, feed, try, error and log link."""
    from pressmon.airflow.alerts import failure_notifier

    notifier = failure_notifier()
    exc = RuntimeError("feed gomet (http://127.0.0.9:1/feed) failed: <connection refused>")
    notifier(failure_context("ops@example.org; desk@example.org", exc))

    [msg] = smtp_conn.wait_for(1, timeout=10)
    assert sorted(smtp_conn.envelopes[0][1]) == ["desk@example.org", "ops@example.org"]
    assert msg["From"] == "pressmon@example.org"
    assert msg["Subject"] == ("[pressmon] press_ingest: per_feed.fetch [gomet] failed "
                              "(try 2 of 2)")
    html = msg.get_body(("html",)).get_content()
    assert "press_ingest" in html and "per_feed.fetch" in html and "gomet" in html
    assert "2 of 2" in html
    assert "/tasks/per_feed.fetch/mapped/3?try_number=2" in html
    # The error text is escaped, not interpreted as markup, and wraps.
    assert "&lt;connection refused&gt;" in html and "<connection refused>" not in html
    assert "white-space:pre-wrap;overflow-wrap:anywhere" in html
    # "Press monitor" links to the plugin's page in the same Airflow
    assert '<a href="http://127.0.0.1:8080/plugin/press-monitor">Press monitor</a>' in html
    # and the same facts in a plain-text part, first
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    text = msg.get_body(("plain",)).get_content()
    assert "Feed:  gomet" in text and "Try:   2 of 2" in text
    assert "failed: <connection refused>" in text
    assert "Log: http://127.0.0.1:8080/dags/press_ingest/runs/" in text
    assert "Press monitor: http://127.0.0.1:8080/plugin/press-monitor" in text


def test_no_try_count_for_a_task_without_retries(smtp_conn):
    """A task that is never retried has one try: the alert does not say "try 1 of 1"."""
    from pressmon.airflow.alerts import failure_notifier

    ctx = failure_context("ops@example.org", RuntimeError("feed gomet failed: HTTP 404"))
    ctx["ti"].try_number, ctx["ti"].max_tries = 1, 0
    failure_notifier()(ctx)
    [msg] = smtp_conn.wait_for(1, timeout=10)
    assert msg["Subject"] == "[pressmon] press_ingest: per_feed.fetch [gomet] failed"
    for part in ("html", "plain"):
        body = msg.get_body((part,)).get_content()
        assert "Try" not in body and "of 1" not in body


def test_templates_survive_for_the_next_failure(smtp_conn):
    """A notifier shared by several tasks renders each failure from its own context."""
    from pressmon.airflow.alerts import failure_notifier

    notifier = failure_notifier()
    notifier(failure_context("first@example.org", RuntimeError("one")))
    notifier(failure_context("second@example.org", RuntimeError("two")))
    smtp_conn.wait_for(2, timeout=10)
    assert [rcpt for _, rcpt in smtp_conn.envelopes] == [["first@example.org"],
                                                         ["second@example.org"]]


def test_no_recipients_sends_nothing(smtp_conn):
    """Without the Variable the alert is skipped (and logged), not an error in the callback."""
    from pressmon.airflow.alerts import failure_notifier

    failure_notifier()(failure_context(None, RuntimeError("boom")))
    failure_notifier()(failure_context(" , ", RuntimeError("boom")))
    assert smtp_conn.wait_for(1, timeout=1) == []


def test_press_ingest_uses_the_alert():
    """The ingest DAG's tasks report failures through the pressmon notifier."""
    from airflow.dag_processing.dagbag import DagBag

    from services_support import ROOT

    bag = DagBag(dag_folder=str(ROOT / "dags" / "press_ingest.py"))
    assert bag.import_errors == {}
    dag = bag.dags["press_ingest"]
    for task in dag.tasks:
        callbacks = task.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert any(type(cb).__name__ == "AlertNotifier" for cb in callbacks), task.task_id
        assert task.owner == "pressmon"

"""
### press_weekly_digest: the weekly press digest email, Mondays 08:00 (Paris)

Builds the digest of the **previous ISO week** (Monday to Sunday, Europe/Paris) from the
snapshot published after each load, and mails it once to communications staff.

* **render**: reads the snapshot only; writes the HTML preview `exports/digest-YYYY-Www.html`
  beside the database and logs the text version. No database lock.
* **send** (pool `duckdb_writer`, one slot): opens the live database, checks `digest_log`,
  sends through the SMTP connection `smtp_default`, records message id, recipients and time.
  A retry or a second trigger of an already sent week sends nothing; a refused delivery fails
  the task with the server's answer and records nothing.
* **Recipients**: Airflow Variable `pressmon_digest_recipients` (comma separated), else
  `recipients` in `config/digest.yaml` (sender there too).
* **Params** (manual trigger): `week` (`YYYY-Www`, default the previous week) and `force`
  (send again a week already sent).
* **Alerts**: a failed task mails the operators (Variable `pressmon_alert_recipients`,
  connection `smtp_default`) with the DAG, task, try and log link.
* The `pressmon_articles` asset is an inlet (lineage only): the digest runs by its cron, not
  after each hourly load.
"""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task, timezone

from pressmon.airflow.common import ARTICLES, WRITER_POOL, failure_notifier


@dag(
    dag_id="press_weekly_digest",
    schedule=CronTriggerTimetable("0 8 * * 1", timezone="Europe/Paris"),
    start_date=timezone.datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["pressmon", "digest"],
    params={
        "week": Param(None, type=["null", "string"], pattern=r"^\d{4}-W\d{2}$",
                      description="ISO week YYYY-Www; empty: the week before the run"),
        "force": Param(False, type="boolean", description="send again a week already sent"),
    },
    default_args={"owner": "pressmon", "retries": 0, "on_failure_callback": failure_notifier()},
)
def press_weekly_digest():
    @task(inlets=[ARTICLES])
    def render() -> dict:
        from pressmon.airflow.digest import render_digest

        return render_digest(get_current_context())

    @task(pool=WRITER_POOL, retries=2, retry_delay=300.0)  # seconds
    def send() -> dict:
        from pressmon.airflow.digest import send_digest_once

        return send_digest_once(get_current_context())

    render() >> send()


press_weekly_digest()

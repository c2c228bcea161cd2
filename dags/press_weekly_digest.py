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
  `recipients` in `config/digest.yaml` (sender there too). None set: `send` fails and says so.
* **Late runs send nothing**: a scheduled run that starts more than `send_within_hours`
  (`config/digest.yaml`, default 12 h) after its time (Monday 08:00 Paris), such as the
  catch-up run made when the DAG is unpaused later in the week or an old run cleared, skips
  `send` and says why in both task logs: staff never get a stale digest days late. To send
  such a week, trigger the DAG by hand (a manual run is never late) with `week` (and `force`
  if it was already sent).
* **Params** (manual trigger): `week` (`YYYY-Www`, default the previous week) and `force`
  (send again a week already sent, or a late scheduled run).
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
    # The UI shows the bare cron; the DAG's time zone (its start date's) and description say
    # that it is Paris time.
    description="Weekly press digest email, Mondays 08:00 Paris time (Europe/Paris)",
    schedule=CronTriggerTimetable("0 8 * * 1", timezone="Europe/Paris"),
    start_date=timezone.parse("2024-01-01", timezone="Europe/Paris"),
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

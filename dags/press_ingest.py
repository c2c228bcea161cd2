"""
### press_ingest: press feeds to DuckDB, every hour

One ingest cycle of **pressmon**: each feed of `sources.yaml` is fetched (conditional GET,
robots.txt, per-host politeness), its new article pages scraped, their main text extracted,
tagged (language, relevance to the Métropole's international missions, mission, topics), then
the whole cycle is loaded into DuckDB in one transaction, grouped into stories, and a read-only
snapshot is published for readers.

* **Reads**: `$PRESSMON_SOURCES`, `$PRESSMON_MISSIONS`, `$PRESSMON_CONFIG_DIR` (watchlist, topics).
* **Writes**: `$PRESSMON_DB` (only the `load` task, in the one-slot pool `duckdb_writer`), its
  snapshot `*.snapshot.duckdb`, and the `fetch_log` row of every feed.
* **Per feed** (`per_feed.*`, one mapped instance per feed, labelled with the feed name): a dead
  feed's `fetch` is red (failed) with the cause on the first line of its log, and its
  `extract`/`classify` are skipped (pink) saying why; a feed waiting in backoff has its `fetch`
  skipped, with the next attempt in Paris time. The other feeds still load.
* **Run state**: failed when the data-quality check finds a wrong load, or when a feed that
  worked in its previous cycle failed in this one (`check_feeds`). A feed that has never
  worked (a new feed with a wrong address) is reported in the `check_feeds` and
  `check_quality` logs and in feed health, without failing the run. A feed that keeps failing
  is retried with backoff (up to a day) and shows in `v_feed_health`, without failing every
  hourly run.
* **Alerts**: a failed task mails the addresses of the Variable `pressmon_alert_recipients`
  through the connection `smtp_default` (DAG, task, feed, error, log link).
* **Times**: runs are scheduled in UTC (hourly, so the zone does not matter); the Press monitor
  page and the logs' backoff times are in Paris time, with the zone said.
* **Rerun**: clear the run (or trigger a new one); a cycle is never loaded twice and a rerun
  only adds `fetch_log` rows for unchanged feeds.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, get_current_context, task, task_group

from pressmon.airflow.common import ARTICLES, WRITER_POOL, failure_notifier

FEED_LABEL = "{{ task.op_kwargs['source'] }}"  # a mapped task's label: its feed's name


@dag(
    dag_id="press_ingest",
    schedule="@hourly",
    start_date=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["pressmon", "ingest"],
    default_args={"owner": "pressmon", "retries": 0, "on_failure_callback": failure_notifier()},
)
def press_ingest():
    @task
    def plan() -> list[str]:
        from pressmon.airflow.ingest import plan_cycle

        return plan_cycle()

    @task_group
    def per_feed(source: str):
        # Each mapped task is labelled with its feed, the mapped input itself (passed by
        # keyword): Airflow renders the label before the task body runs, so a task that fails
        # or skips is labelled too. extract and classify run on all_done and skip themselves,
        # saying why, when their feed's fetch failed or was skipped: a task that never runs
        # (upstream_failed) would show only its map index.
        @task(map_index_template=FEED_LABEL)
        def fetch(source: str) -> str:
            from pressmon.airflow.ingest import fetch_feed

            return fetch_feed(source, get_current_context()["run_id"])

        @task(map_index_template=FEED_LABEL, trigger_rule="all_done")
        def extract(source: str) -> dict:
            from pressmon.airflow.ingest import extract_feed

            return extract_feed(source, get_current_context()["run_id"])

        @task(map_index_template=FEED_LABEL, trigger_rule="all_done")
        def classify(source: str) -> dict:
            from pressmon.airflow.ingest import classify_feed

            return classify_feed(source, get_current_context()["run_id"])

        fetched = fetch(source=source)
        extracted = extract(source=source)
        fetched >> extracted >> classify(source=source)

    @task(pool=WRITER_POOL, outlets=[ARTICLES], trigger_rule="all_done", retries=3,
          retry_delay=dt.timedelta(seconds=30))
    def load() -> dict:
        from pressmon.airflow.ingest import load as load_cycle

        return load_cycle(get_current_context()["run_id"])

    @task
    def check_quality() -> dict:
        from pressmon.airflow.ingest import check_quality as run_checks

        return run_checks(get_current_context()["run_id"])

    @task
    def check_feeds() -> dict:
        from pressmon.airflow.ingest import check_feeds as run_checks

        return run_checks(get_current_context()["run_id"])

    feeds = plan()
    groups = per_feed.expand(source=feeds)
    loaded = load()
    groups >> loaded >> [check_quality(), check_feeds()]


press_ingest()

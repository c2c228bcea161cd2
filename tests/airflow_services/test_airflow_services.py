"""pressmon in a real, running Airflow: `airflow standalone` (API server, scheduler, DAG
processor, triggerer) on 127.0.0.1 with a throw-away AIRFLOW_HOME, driven only through the
REST API v2 as an operator's tools would.

One instance serves the whole module. A first run of press_ingest over feeds of the sample
corpus must succeed and load DuckDB; a second, where one of those feeds now points at a dead
address, must fail, with the cause in the failing mapped task's log and an alert e-mail, and
that feed's other tasks skipped and labelled with its name; a third, while that feed backs
off, must succeed with its fetch skipped; the "Press monitor" page of the plugin answers in
that same Airflow with the runs' figures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import duckdb
import httpx
import pytest
import yaml

from services_support import ROOT, free_port, smtp_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.airflow

BIN = Path(sys.executable).parent
SAMPLE = ROOT / "sample"
CONFIG = ROOT / "config"
DAG_ID = "press_ingest"
PASSWORD = "pressmon-test-password"
# A few feeds of the sample corpus, from both sides of the mission, keep two runs of the DAG
# (three mapped tasks per feed) within a couple of minutes on two cores. The full corpus
# through Airflow is tests/pipeline/test_airflow_dag.py's job.
FEEDS = ("gomet", "laprovence-economie", "miamiherald")
DEAD_FEED = "laprovence-economie"
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 240


class Airflow:
    """A running standalone Airflow and an authenticated REST client for it."""

    def __init__(self, base: str, proc: subprocess.Popen, log: Path, paths: dict):
        self.base = base
        self.proc = proc
        self.log = log
        self.paths = paths
        self.http = httpx.Client(base_url=base, timeout=30)

    def output(self, tail: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    def login(self) -> None:
        r = self.http.post("/auth/token", json={"username": "admin", "password": PASSWORD})
        assert r.status_code in (200, 201), r.text
        self.http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def api(self, method: str, path: str, **kw) -> dict:
        r = self.http.request(method, "/api/v2" + path, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:2000]}"
        return r.json() if r.content else {}

    def trigger(self) -> str:
        return self.api("POST", f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None})[
            "dag_run_id"]

    def wait_run(self, run_id: str) -> str:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        state = None
        while time.monotonic() < deadline:
            try:
                state = self.api("GET", f"/dags/{DAG_ID}/dagRuns/"
                                        f"{quote(run_id, safe='')}")["state"]
            except httpx.TimeoutException:  # a busy machine: the API server answers later
                continue
            if state in ("success", "failed"):
                return state
            assert self.proc.poll() is None, "Airflow exited:\n" + self.output()
            time.sleep(2)
        raise AssertionError(f"run {run_id} still {state} after {RUN_TIMEOUT_S} s; "
                             f"tasks: {self.task_states(run_id)}\n{self.output()}")

    def task_instances(self, run_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}"
                               f"/taskInstances", params={"limit": 1000})["task_instances"]

    def task_states(self, run_id: str) -> dict:
        return {(ti["task_id"], ti.get("rendered_map_index") or ti["map_index"]): ti["state"]
                for ti in self.task_instances(run_id)}

    def log_text(self, run_id: str, ti: dict) -> str:
        data = self.api(
            "GET", f"/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances/"
                   f"{ti['task_id']}/logs/{ti['try_number']}",
            params={"map_index": ti["map_index"], "full_content": "true"},
            headers={"Accept": "application/json"})
        content = data.get("content", [])
        if isinstance(content, str):
            return content
        return "\n".join(json.dumps(line) if not isinstance(line, str) else line
                         for line in content)


def write_sources(full: Path, out: Path, dead_url: str | None = None) -> None:
    """The chosen feeds of the rendered sample sources; DEAD_FEED moved to ``dead_url``."""
    data = yaml.safe_load(full.read_text(encoding="utf-8"))
    data["sources"] = [s for s in data["sources"] if s["name"] in FEEDS]
    assert {s["name"] for s in data["sources"]} == set(FEEDS), "sample feeds renamed?"
    if dead_url:
        for s in data["sources"]:
            if s["name"] == DEAD_FEED:
                s["url"] = dead_url
    tmp = out.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    os.replace(tmp, out)


def wait_for(what: str, check, proc, log: Path, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"Airflow exited while waiting for {what}:\n" + \
            log.read_text(errors="replace")[-6000:]
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}\n" + log.read_text(errors="replace")[-6000:])


@pytest.fixture(scope="module")
def airflow(tmp_path_factory, smtp_server):  # noqa: F811  (the imported fixture)
    from siteserver import SiteServer, load_sites, render_sources

    tmp = tmp_path_factory.mktemp("airflow_services")
    home = tmp / "airflow_home"
    home.mkdir()
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({"admin": PASSWORD}), encoding="utf-8")
    smtp_host, smtp_port, mailbox = smtp_server
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    with SiteServer(load_sites(SAMPLE)) as sites:
        full = render_sources(SAMPLE / "sources.yaml", sites, tmp / "sample_sources.yaml")
        sources = tmp / "sources.yaml"
        write_sources(full, sources)
        db = tmp / "data" / "press.duckdb"
        env = dict(os.environ)
        env.update({
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
            "AIRFLOW__CORE__PARALLELISM": "3",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            # Only the runs this test triggers: unpausing must not add the hourly one.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps({
                "conn_type": "smtp", "host": smtp_host, "port": smtp_port,
                "extra": {"from_email": "pressmon@example.org", "disable_ssl": True,
                          "disable_tls": True, "retry_limit": 0}}),
            "AIRFLOW_VAR_PRESSMON_ALERT_RECIPIENTS": "operators@example.org",
            "PRESSMON_DB": str(db),
            "PRESSMON_SOURCES": str(sources),
            "PRESSMON_MISSIONS": str(CONFIG / "missions.yaml"),
            "PRESSMON_CONFIG_DIR": str(CONFIG),
        })
        env.pop("PRESSMON_DATA_DIR", None)
        log = tmp / "standalone.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([str(BIN / "airflow"), "standalone"], env=env, cwd=tmp,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        af = Airflow(base, proc, log, {"db": db, "sources": sources, "full": full,
                                       "mailbox": mailbox})
        try:
            wait_for("the API server", lambda: af.http.get("/api/v2/monitor/health")
                     .status_code == 200, proc, log, START_TIMEOUT_S)
            af.login()
            wait_for(f"DAG {DAG_ID} to be parsed", lambda: af.http.get(
                f"/api/v2/dags/{DAG_ID}").status_code == 200, proc, log, START_TIMEOUT_S)
            af.api("POST", "/pools", json={
                "name": "duckdb_writer", "slots": 1, "include_deferred": False,
                "description": "DuckDB has one writer"})
            af.api("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})
            yield af
        finally:
            af.http.close()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def good_run(airflow):
    run_id = airflow.trigger()
    return run_id, airflow.wait_run(run_id)


@pytest.fixture(scope="module")
def failing_run(airflow, good_run):
    # Nothing listens on this port of this loopback address: connection refused at once.
    dead_url = f"http://127.0.0.93:{free_port('127.0.0.93')}/rss/economie.xml"
    write_sources(airflow.paths["full"], airflow.paths["sources"], dead_url=dead_url)
    run_id = airflow.trigger()
    return run_id, airflow.wait_run(run_id), dead_url


@pytest.fixture(scope="module")
def backoff_run(airflow, failing_run):
    """Right after the failure the dead feed is in backoff (10 minutes after one failure)."""
    run_id = airflow.trigger()
    return run_id, airflow.wait_run(run_id)


def snapshot(airflow) -> duckdb.DuckDBPyConnection:
    from pressmon import store

    snap = store.snapshot_path(airflow.paths["db"])
    assert snap.exists(), "no snapshot published"
    return store.open_reader(airflow.paths["db"])


def test_triggered_run_succeeds_and_loads_duckdb(airflow, good_run):
    """A run triggered through the REST API succeeds and its articles are in DuckDB."""
    run_id, state = good_run
    assert state == "success", (airflow.task_states(run_id), airflow.output())
    states = airflow.task_states(run_id)
    for feed in FEEDS:
        assert states[("per_feed.classify", feed)] == "success", states
    con = snapshot(airflow)
    try:
        cycle = con.execute("SELECT cycle_id, feeds_ok, new_articles FROM cycles "
                            "WHERE runner = ?", [run_id]).fetchone()
        assert cycle is not None and cycle[1] == len(FEEDS)
        assert cycle[2] > 0
        per_source = dict(con.execute(
            "SELECT source, count(*) FROM v_articles GROUP BY source").fetchall())
        assert set(per_source) == set(FEEDS)
        assert con.execute("SELECT count(*) FROM fetch_log WHERE cycle_id = ? "
                           "AND outcome = 'ok'", [cycle[0]]).fetchone()[0] == len(FEEDS)
    finally:
        con.close()


def test_dead_feed_fails_the_run_and_its_log_says_why(airflow, failing_run):
    """The dead feed's fetch is red with the cause in its log; the others still load; the
    run is failed (check_feeds: a feed broke) and the operators got an alert."""
    run_id, state, dead_url = failing_run
    assert state == "failed"
    tis = airflow.task_instances(run_id)
    by_key = {(ti["task_id"], ti.get("rendered_map_index") or ti["map_index"]): ti for ti in tis}
    dead = by_key[("per_feed.fetch", DEAD_FEED)]
    assert dead["state"] == "failed"
    for feed in FEEDS:
        if feed != DEAD_FEED:
            assert by_key[("per_feed.fetch", feed)]["state"] == "success"
    assert by_key[("load", -1)]["state"] == "success"
    assert by_key[("check_feeds", -1)]["state"] == "failed"

    text = airflow.log_text(run_id, dead)
    # the cause on its own short line, the URL on the next; no traceback for a known cause
    assert f"feed {DEAD_FEED} failed: " in text, text[-3000:]
    assert f"feed URL: {dead_url}" in text
    assert "Traceback" not in text and "HTTP None" not in text and "None entries" not in text
    feeds_log = airflow.log_text(run_id, by_key[("check_feeds", -1)])
    assert "feeds that stopped working in this run" in feeds_log and DEAD_FEED in feeds_log
    assert "Traceback" not in feeds_log

    # the dead feed's later tasks ran just to skip themselves: labelled with the feed's name
    for task in ("per_feed.extract", "per_feed.classify"):
        ti = by_key[(task, DEAD_FEED)]
        assert ti["state"] == "skipped", ti
        assert "nothing to" in airflow.log_text(run_id, ti)
    assert all(isinstance(key[1], str) or key[1] == -1 for key in by_key), sorted(by_key)

    con = snapshot(airflow)
    try:
        outcome, error = con.execute(
            "SELECT f.outcome, f.error FROM fetch_log f JOIN cycles c USING (cycle_id) "
            "WHERE c.runner = ? AND f.source = ?", [run_id, DEAD_FEED]).fetchone()
    finally:
        con.close()
    assert outcome == "error" and error

    box = airflow.paths["mailbox"]
    subject = f"[pressmon] {DAG_ID}: per_feed.fetch [{DEAD_FEED}] failed"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and subject not in [m["Subject"] for m in box.messages]:
        time.sleep(0.5)
    [msg] = [m for m in box.messages if m["Subject"] == subject]
    html = msg.get_body(("html",)).get_content()
    assert f"{airflow.base}/dags/{DAG_ID}/runs/" in html and "/tasks/per_feed.fetch/mapped/" in html


def test_backed_off_feed_is_skipped_and_the_run_green(airflow, backoff_run):
    """While the dead feed waits in backoff its fetch is skipped (pink), with a readable log
    giving the next attempt in Paris time; the run succeeds."""
    run_id, state = backoff_run
    assert state == "success", (airflow.task_states(run_id), airflow.output())
    tis = airflow.task_instances(run_id)
    by_key = {(ti["task_id"], ti.get("rendered_map_index") or ti["map_index"]): ti for ti in tis}
    fetch = by_key[("per_feed.fetch", DEAD_FEED)]
    assert fetch["state"] == "skipped"
    text = airflow.log_text(run_id, fetch)
    assert f"feed {DEAD_FEED} not fetched in this run: backing off after 1 consecutive " \
           "failure; next attempt at " in text, text[-3000:]
    assert "None" not in text.split("backing off", 1)[1][:200]
    assert " CET" in text or " CEST" in text
    for task in ("per_feed.extract", "per_feed.classify"):
        assert by_key[(task, DEAD_FEED)]["state"] == "skipped"


def test_press_monitor_page_shows_the_runs(airflow, good_run, failing_run):
    """The plugin's page answers in this Airflow, behind its login, with the runs' figures."""
    good_id, _ = good_run
    bad_id, _, _ = failing_run
    assert httpx.get(f"{airflow.base}/pressmon/", timeout=30).status_code == 401

    summary = airflow.http.get("/pressmon/summary.json")
    assert summary.status_code == 200, summary.text
    cycles = {c["runner"]: c for c in summary.json()["cycles"]}
    con = snapshot(airflow)
    try:
        new_articles = con.execute("SELECT new_articles FROM cycles WHERE runner = ?",
                                   [good_id]).fetchone()[0]
    finally:
        con.close()
    assert cycles[good_id]["new_articles"] == new_articles > 0
    assert cycles[bad_id]["feeds_error"] == 1
    health = {row["source"]: row for row in summary.json()["feed_health"]}
    assert health[DEAD_FEED]["consecutive_failures"] >= 1

    page = airflow.http.get("/pressmon/")
    assert page.status_code == 200
    assert "Press monitor" in page.text
    # run links relative to where the API server mounted the page: Airflow's run pages
    assert f'href="/dags/{DAG_ID}/runs/{quote(good_id, safe="")}" data-open="top"' in page.text
    assert f"<td class='num'>{new_articles}</td>" in page.text
    csv_r = airflow.http.get("/pressmon/feed_health.csv")
    assert csv_r.status_code == 200 and DEAD_FEED in csv_r.text


def test_dags_parsed_without_import_errors(airflow):
    """The running Airflow parsed both DAG files with no import error and the expected tasks."""
    expected = {
        "press_ingest": {"plan", "per_feed.fetch", "per_feed.extract", "per_feed.classify",
                         "load", "check_quality", "check_feeds"},
        "press_weekly_digest": {"render", "send"},
    }
    for dag_id in expected:
        wait_for(f"DAG {dag_id} to be parsed", lambda: airflow.http.get(
            f"/api/v2/dags/{dag_id}").status_code == 200, airflow.proc, airflow.log, 120)
    errors = airflow.api("GET", "/importErrors")
    assert errors["total_entries"] == 0, errors
    for dag_id, tasks in expected.items():
        dag = airflow.api("GET", f"/dags/{dag_id}")
        assert "pressmon" in [t["name"] for t in dag["tags"]] and dag["owners"] == ["pressmon"]
        got = {t["task_id"] for t in airflow.api("GET", f"/dags/{dag_id}/tasks")["tasks"]}
        assert got == tasks

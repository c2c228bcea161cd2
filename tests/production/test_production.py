"""The production deployment, run for real: PostgreSQL, Redis, Airflow's api-server,
scheduler, dag-processor and triggerer, and two Celery workers (scripts/production_local.py),
driven only through the REST API v2.

The two workers run from their own working directories, HOMEs, TMPDIRs and AIRFLOW_HOMEs and
share only the data folder (PRESSMON_DB's), the staging folder (PRESSMON_STAGING_DIR) and
Airflow's log folder, as two hosts with a shared volume would. What it shows, in order:

1. a press_ingest run over half the sample feeds: the mapped feed tasks ran on both workers,
   the load ran once in the pool duckdb_writer, and v_articles equals `pressmon ingest`'s;
2. every feed, two runs queued back to back, and worker-a SIGKILLed (its whole process group)
   during the first while it fetches a feed with new articles: the killed tasks end failed
   or up for retry, the run finishes;
3. the second run loads what the killed one missed, nothing lost or doubled: v_articles
   equals the CLI's replaying the same cycles (the first feeds, every feed but the lost
   ones, every feed), and the CLI's plain cycles but for story ids (stories form as copies
   arrive, docs/dedupe.md, and the kill changed the order); no two tasks of the writers'
   pool ever ran at the same time;
4. press_weekly_digest sends once, and once only when its `send` task is cleared and re-run;
5. nothing of pressmon's is left in a worker's own folders.

Figures (tasks per worker, rows compared, recovery times) are printed as it goes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml

from airflow_services.services_support import Mailbox, free_port
from production_support import (
    COMPARED, Api, cli_ingest, differences, feed_label, load_production_local, overlapping,
    query, read_articles, without_story, write_sources,
)

pytestmark = pytest.mark.production

INGEST = "press_ingest"
DIGEST = "press_weekly_digest"
WRITER_POOL = "duckdb_writer"
# Politeness as in production (the default is 1 s between two requests to one host), halved
# to keep the test short: it also keeps a feed's fetch running long enough to be killed.
POLITENESS_DELAY_S = 0.5
# The scheduler notices a task whose worker vanished after this many seconds without a
# heartbeat (300 by default); the workers' supervisors heartbeat every 5 s.
HEARTBEAT_TIMEOUT_S = 20
RUN_TIMEOUT_S = 420
DIGEST_TO = "communication@example.org"
TEST_ENV = {
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
    # A message a killed worker had taken but not started is given back after this long.
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "90",
    # Only the runs this test triggers: unpausing must not add the scheduled ones.
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    "AIRFLOW_VAR_PRESSMON_DIGEST_RECIPIENTS": DIGEST_TO,
}


def say(request, text: str) -> None:
    """Print past pytest's capture: the figures are part of the test's output."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(f"[production] {text}", flush=True)
        return
    with capture.global_and_fixture_disabled():
        print(f"[production] {text}", flush=True)


class Deployment:
    """Everything the test started, and what it learnt along the way."""

    def __init__(self, topo, api: Api, mailbox: Mailbox, files: dict, t0: float):
        self.topo = topo
        self.api = api
        self.mailbox = mailbox
        self.files = files
        self.t0 = t0
        self.cli: dict = {}
        self._cli_thread: threading.Thread | None = None
        self._cli_error: BaseException | None = None

    def alive(self) -> None:
        for svc in self.topo.all_services():
            assert svc.alive(), f"{svc.name} exited ({svc.proc.returncode}):\n{svc.tail()}"

    def wait(self, dag_id: str, run_id: str) -> dict:
        return self.api.wait_run(dag_id, run_id, RUN_TIMEOUT_S, self.alive)

    def tis(self, dag_id: str, run_id: str) -> list[dict]:
        return self.api.task_instances(dag_id, run_id)

    def worker_of(self, ti: dict) -> str:
        hosts = {w.host: w.name for w in self.topo.worker_list}
        return hosts.get(ti.get("hostname"), ti.get("hostname"))

    def prod_articles(self) -> dict:
        from pressmon import store

        return read_articles(store.snapshot_path(self.topo.db))

    def prod_query(self, sql: str, params=None):
        from pressmon import store

        return query(store.snapshot_path(self.topo.db), sql, params)

    def start_cli_reference(self) -> None:
        """`pressmon ingest` of the first feeds, then of every feed, into a database of its
        own (a copy is kept after the first cycle), while Airflow starts."""
        folder = self.files["tmp"] / "cli"

        def work():
            try:
                db = folder / "press.duckdb"
                cli_ingest(self.files["first"], db)
                first = folder / "first" / "press.duckdb"
                first.parent.mkdir(parents=True)
                shutil.copy(db, first)
                cli_ingest(self.files["all"], db)
                self.cli = {"first": first, "all": db}
            except BaseException as exc:  # re-raised in the test that needs the result
                self._cli_error = exc

        self._cli_thread = threading.Thread(target=work, daemon=True)
        self._cli_thread.start()

    def start_cli_replay(self, lost: set[str]) -> None:
        """The cycles Airflow went through, replayed by `pressmon ingest`: the first feeds,
        every feed but those whose tasks died with the worker, then every feed."""
        folder = self.files["tmp"] / "cli-replay"
        mid = write_sources(self.files["full"], self.files["tmp"] / "sources-mid.yaml",
                            [n for n in self.files["names"] if n not in lost],
                            POLITENESS_DELAY_S)

        def work():
            try:
                db = folder / "press.duckdb"
                for sources in (self.files["first"], mid, self.files["all"]):
                    cli_ingest(sources, db)
                self.replay = db
            except BaseException as exc:
                self._replay_error = exc

        self.replay = self._replay_error = None
        self._replay_thread = threading.Thread(target=work, daemon=True)
        self._replay_thread.start()

    def cli_replay(self) -> Path:
        self._replay_thread.join(timeout=600)
        if self._replay_error is not None:
            raise self._replay_error
        assert self.replay, "the CLI replay did not finish"
        return self.replay

    def cli_reference(self) -> dict:
        self._cli_thread.join(timeout=600)
        if self._cli_error is not None:
            raise self._cli_error
        assert self.cli, "the CLI reference runs did not finish"
        return self.cli


@pytest.fixture(scope="module")
def deployment(request, tmp_path_factory):
    from aiosmtpd.controller import Controller

    pl = load_production_local()
    t0 = time.monotonic()
    tmp = tmp_path_factory.mktemp("production")
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    sites, render = pl.sample_sites()
    topo = api = None
    try:
        full = render(tmp / "sample_sources.yaml")
        names = [s["name"] for s in yaml.safe_load(full.read_text())["sources"]]
        # Every other feed first, all of them later: the later runs have new work to do.
        first_names = names[0::2]
        files = {"tmp": tmp, "full": full,
                 "first": write_sources(full, tmp / "sources-first.yaml", first_names,
                                        POLITENESS_DELAY_S),
                 "all": write_sources(full, tmp / "sources-all.yaml", None, POLITENESS_DELAY_S),
                 "names": names, "first_names": first_names,
                 "later_names": [n for n in names if n not in first_names]}
        served = tmp / "sources.yaml"
        shutil.copy(files["first"], served)
        files["served"] = served
        topo = pl.Topology(tmp / "deploy", (smtp.hostname, smtp.port), served,
                           workers=2, worker_concurrency=3, extra_env=TEST_ENV)
        dep = Deployment(topo, None, mailbox, files, t0)
        dep.start_cli_reference()
        topo.start(log=lambda m: say(request, m))
        api = dep.api = Api(topo.url, pl.ADMIN, topo.password)
        deadline = time.monotonic() + 180
        for dag_id in (INGEST, DIGEST):
            while api.http.get(f"/api/v2/dags/{dag_id}").status_code != 200:
                assert time.monotonic() < deadline, f"DAG {dag_id} never parsed"
                dep.alive()
                time.sleep(1)
            api.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
        say(request, f"deployment ready after {time.monotonic() - t0:.0f} s: {topo.url}, "
                     f"workers {', '.join(f'{w.name} (host {w.host})' for w in topo.worker_list)}")
        yield dep
    finally:
        t_stop = time.monotonic()
        if api is not None:
            api.close()
        if topo is not None:
            topo.stop()
        smtp.stop()
        sites.stop()
        say(request, f"everything stopped in {time.monotonic() - t_stop:.0f} s; "
                     f"whole production test {time.monotonic() - t0:.0f} s")


# --------------------------------------------------------------------------- the runs


@pytest.fixture(scope="module")
def first_run(deployment, request):
    dep = deployment
    t = time.monotonic()
    run_id = dep.api.trigger(INGEST)
    run = dep.wait(INGEST, run_id)
    say(request, f"run 1 ({len(dep.files['first_names'])} feeds): {run['state']} in "
                 f"{time.monotonic() - t:.0f} s")
    return run_id, run


@pytest.fixture(scope="module")
def killed_run(deployment, first_run, request):
    """Every feed now, two runs queued back to back; worker-a SIGKILLed during the first
    while it fetches a feed whose articles are new."""
    dep = deployment
    cli = dep.cli_reference()
    # The later feeds and how long their fetch lasts at least: one request per page (and
    # robots.txt, the feed) to one host, POLITENESS_DELAY_S apart. A fetch is killed while
    # at least a second of that remains, so that it is surely cut short; and only a feed
    # that lists a page no other feed lists, or the kill may lose nothing (its articles
    # would come in through the other feeds).
    latest = "SELECT cycle_id FROM cycles ORDER BY started_at DESC LIMIT 1"
    pages = dict(query(cli["all"], f"SELECT source, count(*) FROM page_log WHERE cycle_id = ("
                                   f"{latest}) GROUP BY source"))
    own = dict(query(cli["all"], f"""
        SELECT p.source, count(DISTINCT p.url) FROM page_log p
        WHERE p.cycle_id = ({latest}) AND NOT EXISTS (
            SELECT 1 FROM page_log q
            WHERE q.cycle_id = p.cycle_id AND q.url = p.url AND q.source <> p.source)
        GROUP BY p.source"""))
    targets = {name: (pages[name] + 1) * POLITENESS_DELAY_S - 1.0
               for name in dep.files["later_names"]
               if pages.get(name, 0) >= 3 and own.get(name, 0) >= 1}
    assert targets, "no later feed brings new pages: nothing to lose"
    victim = dep.topo.worker("worker-a")
    shutil.copy(dep.files["all"], dep.files["served"])
    run_id = dep.api.trigger(INGEST)
    next_id = dep.api.trigger(INGEST)  # queued behind it (max_active_runs=1)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    target = None
    feeds = None  # map index -> feed: the list `plan` returned (labels are set at the end)
    while target is None:
        assert time.monotonic() < deadline, "worker-a never fetched a new feed"
        feeds = feeds or dep.api.xcom(INGEST, run_id, "plan")
        for ti in dep.tis(INGEST, run_id):
            if (feeds and ti["task_id"] == "per_feed.fetch" and ti["state"] == "running"
                    and ti.get("hostname") == victim.host
                    and feeds[ti["map_index"]] in targets
                    and running_for(ti) < targets[feeds[ti["map_index"]]]
                    and not staged(dep, feeds[ti["map_index"]])):
                target = ti
                break
        else:
            assert dep.api.run(INGEST, run_id)["state"] not in ("success", "failed"), \
                "run 2 ended before worker-a fetched a feed with new articles"
            time.sleep(0.2)
    dep.topo.kill_worker(victim.name)
    t_kill = time.monotonic()
    # Every task worker-a was running died with it.
    killed = [ti for ti in dep.tis(INGEST, run_id)
              if ti.get("hostname") == victim.host and ti["state"] == "running"]
    keys = {(ti["task_id"], ti["map_index"]) for ti in killed} | {
        (target["task_id"], target["map_index"])}
    # What the kill lost: the feeds whose fetch had not staged its outcome (read now, before
    # the load removes the staging folder; a killed task writes nothing more). A killed task
    # that had staged it lost nothing: the load reads it, as the replay must.
    lost = {feeds[mi] for _, mi in keys if mi >= 0 and not staged(dep, feeds[mi])}
    detected = {}
    while len(detected) < len(keys):
        assert time.monotonic() - t_kill < RUN_TIMEOUT_S, \
            f"killed tasks never noticed: {keys - set(detected)}"
        for ti in dep.tis(INGEST, run_id):
            key = (ti["task_id"], ti["map_index"])
            if key in keys and key not in detected and ti["state"] != "running":
                label = feeds[ti["map_index"]] if ti["map_index"] >= 0 else "-"
                detected[key] = (ti["state"], time.monotonic() - t_kill, label)
        time.sleep(0.5)
    dep.start_cli_replay(lost)
    run = dep.wait(INGEST, run_id)
    t_end = time.monotonic() - t_kill
    say(request, f"run 2 (all {len(dep.files['names'])} feeds): worker-a SIGKILLed while "
                 f"fetching {feeds[target['map_index']]}; killed tasks: " + ", ".join(
                     f"{task}[{label}] -> {state} after {secs:.0f} s"
                     for (task, _), (state, secs, label) in sorted(detected.items()))
        + f"; run {run['state']} {t_end:.0f} s after the kill")
    # The worker comes back, as compose's `restart: always` brings a container back, while
    # run 3 has started on worker-b.
    dep.topo.start_worker(victim)
    dep.topo.wait_worker_ready(victim)
    t = time.monotonic()
    recovery = dep.wait(INGEST, next_id)
    say(request, f"run 3 (queued behind run 2): {recovery['state']}, "
                 f"{time.monotonic() - t:.0f} s after run 2's end and worker-a's restart")
    return run_id, run, feeds[target["map_index"]], detected, next_id, recovery


@pytest.fixture(scope="module")
def digest_run(deployment, killed_run, request):
    """The digest of the week with most relevant articles; then its `send` cleared and run
    again, as an operator (or a retry) would."""
    dep = deployment
    [(week, relevant)] = dep.prod_query(
        "SELECT strftime(published_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS week, "
        "count(*) FROM v_articles WHERE relevant AND published_at IS NOT NULL "
        "GROUP BY week ORDER BY 2 DESC, 1 LIMIT 1")
    run_id = dep.api.trigger(DIGEST, {"week": week})
    first = dep.wait(DIGEST, run_id)
    mails_after_first = len(digest_mails(dep))
    send = next(ti for ti in dep.tis(DIGEST, run_id) if ti["task_id"] == "send")
    dep.api.call("POST", f"/dags/{DIGEST}/clearTaskInstances", json={
        "dry_run": False, "dag_run_id": run_id, "task_ids": ["send"],
        "only_failed": False, "reset_dag_runs": True})
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        again = next(ti for ti in dep.tis(DIGEST, run_id) if ti["task_id"] == "send")
        if again["try_number"] > send["try_number"] and again["state"] in ("success",
                                                                          "failed"):
            break
        assert time.monotonic() < deadline, f"cleared send never ran again: {again}"
        time.sleep(1)
    second = dep.wait(DIGEST, run_id)
    time.sleep(2)  # a second message, if one were sent, has had time to arrive
    say(request, f"digest {week} ({relevant} relevant articles): run {first['state']}, "
                 f"{mails_after_first} mail; send cleared and re-run (try "
                 f"{again['try_number']}): {again['state']}, "
                 f"{len(digest_mails(dep))} mail in all")
    return week, run_id, first, second, send, again, mails_after_first


def staged(dep, feed: str) -> bool:
    """Whether a fetch of ``feed`` has recorded its outcome in the staging folder: a task
    killed after that has lost nothing (the load reads what it staged)."""
    from pressmon.stages import FEED_FILE

    return any((folder / FEED_FILE).exists()
               for folder in dep.topo.staging_dir.glob(f"*/{feed}"))


def running_for(ti: dict) -> float:
    started = dt.datetime.fromisoformat(ti["start_date"].replace("Z", "+00:00"))
    return (dt.datetime.now(dt.timezone.utc) - started).total_seconds()


def digest_mails(dep) -> list:
    return [m for m, (_, rcpts) in zip(dep.mailbox.messages, dep.mailbox.envelopes)
            if DIGEST_TO in rcpts]


# --------------------------------------------------------------------------- the checks


def test_feed_tasks_ran_on_both_workers(deployment, first_run, request):
    """The mapped feed tasks of one run were spread over the two workers (task instances'
    host names), and every feed that works for the CLI worked on either worker."""
    dep = deployment
    run_id, _ = first_run
    tis = dep.tis(INGEST, run_id)
    per_feed = [ti for ti in tis if ti["task_id"].startswith("per_feed.")]
    assert len(per_feed) == 3 * len(dep.files["first_names"])
    by_worker: dict[str, int] = {}
    for ti in per_feed:
        if not ti.get("hostname"):  # never ran: downstream of the malformed feed
            assert ti["state"] == "upstream_failed", ti
            continue
        by_worker[dep.worker_of(ti)] = by_worker.get(dep.worker_of(ti), 0) + 1
    say(request, "run 1 feed tasks per worker: " + ", ".join(
        f"{w}: {n}" for w, n in sorted(by_worker.items())))
    assert set(by_worker) == {"worker-a", "worker-b"}, by_worker
    failing = {s for (s,) in query(dep.cli_reference()["first"],
                                   "SELECT source FROM fetch_log WHERE outcome = 'error'")}
    for ti in per_feed:
        if ti["task_id"] == "per_feed.fetch":
            want = "failed" if feed_label(ti) in failing else "success"
            assert ti["state"] == want, (feed_label(ti), ti["state"], failing)


def test_load_ran_once_in_the_writer_pool(deployment, first_run):
    """One load, first try, in duckdb_writer; one cycle recorded for the run."""
    dep = deployment
    run_id, _ = first_run
    [load] = [ti for ti in dep.tis(INGEST, run_id) if ti["task_id"] == "load"]
    assert (load["state"], load["pool"], load["try_number"]) == ("success", WRITER_POOL, 1)
    assert dep.prod_query("SELECT count(*) FROM cycles WHERE runner = ?", [run_id]) == [(1,)]


def test_articles_equal_the_cli(deployment, first_run, request):
    """v_articles after the Airflow run equals `pressmon ingest`'s over the same feeds."""
    dep = deployment
    got = dep.prod_articles()
    want = read_articles(dep.cli_reference()["first"])
    diff = differences(got, want)
    say(request, f"run 1 vs CLI: {len(got)} articles in Airflow's database, {len(want)} in "
                 f"the CLI's, {'equal' if not diff else 'DIFFERENT'} on {', '.join(COMPARED)}")
    assert not diff, diff
    assert len(got) > 0


def test_killed_worker_tasks_fail_and_the_run_finishes(deployment, killed_run):
    """The tasks that died with worker-a end failed or up for retry (heartbeat timeout); the
    run still finishes and its load ran."""
    dep = deployment
    run_id, run, target, detected, _, _ = killed_run
    assert run["state"] in ("success", "failed")
    for (task, _), (state, secs, label) in detected.items():
        assert state in ("failed", "up_for_retry"), (task, label, state)
    [load] = [ti for ti in dep.tis(INGEST, run_id) if ti["task_id"] == "load"]
    assert load["state"] == "success" and load["pool"] == WRITER_POOL


def test_next_run_loads_what_was_missing(deployment, killed_run, request):
    """The run queued behind the killed one loads what the kill lost; the result equals the
    CLI's after the same two cycles, nothing lost or doubled."""
    dep = deployment
    killed_id, _, target, _, recovery_id, recovery = killed_run
    got = dep.prod_articles()
    want = read_articles(dep.cli_reference()["all"])
    [(loaded_at,)] = dep.prod_query("SELECT loaded_at FROM cycles WHERE runner = ?",
                                    [killed_id])
    before = {a for (a,) in dep.prod_query(
        "SELECT article_id FROM articles WHERE first_seen_at <= ?", [loaded_at])}
    missing = set(want) - before
    [(new_recovery,)] = dep.prod_query("SELECT new_articles FROM cycles WHERE runner = ?",
                                       [recovery_id])
    [(rows, ids, urls)] = dep.prod_query(
        "SELECT count(*), count(DISTINCT article_id), count(DISTINCT canonical_url) "
        "FROM v_articles")
    replay = read_articles(dep.cli_replay())
    exact = differences(got, replay)
    story = COMPARED.index("story_id")
    unstoried = differences(without_story(got), without_story(want))
    regrouped = sum(1 for a in got if a in want and got[a][story] != want[a][story])
    say(request, f"recovery: {len(missing)} articles of the CLI's missing after the killed "
                 f"run, {new_recovery} loaded by the next; {rows} rows ({ids} ids, {urls} "
                 f"canonical URLs); vs the CLI replaying the same cycles: "
                 f"{'equal' if not exact else 'DIFFERENT'} on {', '.join(COMPARED)}; vs the "
                 f"CLI's two cycles ({len(want)} rows): "
                 f"{'equal' if not unstoried else 'DIFFERENT'} but for story_id ("
                 f"{regrouped} article(s) in another story"
                 f"{': copies arrived in another order' if regrouped else ''})")
    assert recovery["state"] == "success"
    assert missing, "the kill lost nothing: the recovery proves nothing"
    assert missing <= set(got), f"{len(missing - set(got))} articles still missing"
    assert new_recovery == len(missing)
    assert rows == ids == urls
    assert not exact, exact
    assert not unstoried, unstoried


def test_writer_pool_never_ran_two_tasks_at_once(deployment, first_run, killed_run,
                                                 digest_run, request):
    """Every task of the duckdb_writer pool (each ingest's load, the digest's send, both
    tries) ran alone: no two intervals overlap, the two runs queued back to back included."""
    dep = deployment
    runs = [(INGEST, first_run[0]), (INGEST, killed_run[0]), (INGEST, killed_run[4]),
            (DIGEST, digest_run[1])]
    intervals = []
    for dag_id, run_id in runs:
        for ti in dep.tis(dag_id, run_id):
            if ti["pool"] == WRITER_POOL:
                assert ti["start_date"] and ti["end_date"], ti
                intervals.append((f"{ti['task_id']}@{run_id}", ti["start_date"],
                                  ti["end_date"]))
    # The digest's first try of send is only in the task's history.
    week, run_id, _, _, send, _, _ = digest_run
    intervals.append((f"send try {send['try_number']}@{run_id}", send["start_date"],
                      send["end_date"]))
    say(request, f"writer pool: {len(intervals)} task runs, none overlapping")
    assert len(intervals) == 5
    assert not overlapping(intervals), overlapping(intervals)


def test_digest_sent_once_even_when_send_is_retried(deployment, digest_run):
    """press_weekly_digest mails the week once; its send cleared and re-run sends nothing,
    says so in its log, and digest_log keeps one row."""
    dep = deployment
    week, run_id, first, second, send, again, mails_after_first = digest_run
    assert first["state"] == "success" and second["state"] == "success"
    assert mails_after_first == 1
    assert again["state"] == "success" and again["try_number"] == send["try_number"] + 1
    [msg] = digest_mails(dep)
    assert str(int(week.split("-W")[1])) in msg["Subject"], msg["Subject"]
    assert dep.prod_query("SELECT count(*) FROM digest_log WHERE week = ?", [week]) == [(1,)]
    log = dep.api.log_text(DIGEST, run_id, again, again["try_number"])
    assert "already sent" in log, log[-2000:]


def test_workers_share_only_the_data_and_staging_folders(deployment, killed_run):
    """Nothing of pressmon's landed in a worker's own folders (HOME, TMPDIR, working
    directory, AIRFLOW_HOME but its logs), and the staging folder is empty after the loads."""
    dep = deployment
    for worker in dep.topo.worker_list:
        found = [p for p in worker.folder.rglob("*")
                 if p.is_file() and ("duckdb" in p.name or "staging" in p.parts
                                     or p.suffix in (".jsonl", ".gz", ".lock")
                                     or p.name.endswith((".slot0", ".slot1", ".next")))]
        assert not found, f"{worker.name} kept pressmon files locally: {found[:5]}"
    assert not any(dep.topo.staging_dir.iterdir()), list(dep.topo.staging_dir.iterdir())
    assert (dep.topo.data_dir / "state").is_dir()  # politeness, shared by both workers

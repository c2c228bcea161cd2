"""press_weekly_digest: a thin DAG file, and a real Airflow run (`airflow dags test`) that
renders from the database and mails through the provider's `smtp_default` connection."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAG_FILE = ROOT / "dags" / "press_weekly_digest.py"


def test_dag_file_imports_only_light_modules_at_top_level():
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    modules = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module)
    # the shared names and notifier are the one light pressmon import DAG files share
    assert modules == {"__future__", "airflow.sdk", "pressmon.airflow.common"}


@pytest.mark.parametrize("dag_file", ["press_weekly_digest.py", "press_ingest.py"])
def test_dag_file_parse_loads_no_heavy_module(dag_file):
    """What parsing a DAG file really imports, followed through pressmon.airflow.common: none of
    the pipeline's heavy libraries (they load inside tasks)."""
    # Airflow itself (airflow.sdk) is the baseline: measured is what the file adds to it.
    code = ("import sys, runpy, airflow.sdk; before = set(sys.modules); "
            f"runpy.run_path({str(ROOT / 'dags' / dag_file)!r}); "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "plugins"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = set(out.stdout.split())
    for heavy in ("duckdb", "pyarrow", "trafilatura", "langdetect", "numpy",
                  "pressmon.digest", "pressmon.store", "pressmon.pipeline", "pressmon.stages"):
        assert heavy not in loaded, heavy


def test_dag_wiring():
    """Monday 08:00 Paris by cron, the articles asset as inlet, send in the writers' pool."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert not bag.import_errors
    dag = bag.dags["press_weekly_digest"]
    assert dag.timetable.expression == "0 8 * * 1"
    assert "Europe/Paris" in str(dag.timetable.timezone)
    render, send = dag.get_task("render"), dag.get_task("send")
    assert [(a.name, a.uri) for a in render.inlets] == [
        ("pressmon_articles", "pressmon://warehouse/articles")]
    assert send.pool == "duckdb_writer" and render.pool != "duckdb_writer"
    assert send.upstream_task_ids == {"render"}


@pytest.mark.airflow
def test_airflow_run_sends_once_through_smtp_default(week45_db, smtp, tmp_path):
    home = tmp_path / "airflow_home"
    home.mkdir()
    env = dict(os.environ)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAG_FILE),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "PRESSMON_DB": str(week45_db),
        "PRESSMON_CONFIG_DIR": str(ROOT / "config"),
        "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": smtp.port,
            "extra": {"disable_ssl": True, "disable_tls": True}}),
        "AIRFLOW_VAR_PRESSMON_DIGEST_RECIPIENTS": "a@metropole.example, b@metropole.example",
    })

    def airflow(*args):
        p = subprocess.run([str(BIN / "airflow"), *args], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
        return p

    airflow("db", "migrate")
    airflow("dags", "test", "press_weekly_digest", "-c", '{"week": "2017-W45"}')
    assert len(smtp.messages) == 1
    assert sorted(smtp.messages[0].rcpt_tos) == ["a@metropole.example", "b@metropole.example"]
    msg = message_from_bytes(smtp.messages[0].content, policy=policy.default)
    assert msg["Subject"] == "Revue de presse internationale — semaine 45, du 6 au 12 nov. 2017"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    con = duckdb.connect(str(week45_db), read_only=True)
    try:
        rows = con.execute("SELECT week, recipients FROM digest_log").fetchall()
    finally:
        con.close()
    assert rows == [("2017-W45", ["a@metropole.example", "b@metropole.example"])]
    assert (week45_db.parent / "exports" / "digest-2017-W45.html").exists()


@pytest.mark.airflow
def test_make_airflow_environment_mails_the_digest(week45_db, smtp, tmp_path):
    """`make airflow` names digest recipients (the mail catcher's communication@localhost):
    its digest run is delivered. Without any recipients the send task fails saying what to
    set in Airflow, not a command-line flag."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from airflow_local import airflow_env

    home = tmp_path / "airflow_home"
    home.mkdir()
    cfg = tmp_path / "config"  # digest.yaml without recipients
    cfg.mkdir()
    (cfg / "digest.yaml").write_text("recipients: []\n", encoding="utf-8")
    env = airflow_env(home, 8793, smtp.port, ROOT / "config" / "sources.yaml")
    env.update({"AIRFLOW__CORE__DAGS_FOLDER": str(DAG_FILE), "PRESSMON_DB": str(week45_db),
                "PRESSMON_CONFIG_DIR": str(cfg)})

    def airflow(*args, env=env):
        return subprocess.run([str(BIN / "airflow"), *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    p = airflow("db", "migrate")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    bare = {k: v for k, v in env.items() if k != "AIRFLOW_VAR_PRESSMON_DIGEST_RECIPIENTS"}
    p = airflow("dags", "test", "press_weekly_digest", "-c", '{"week": "2017-W45"}', env=bare)
    out = p.stdout + p.stderr
    assert "no recipients. Set the Airflow Variable pressmon_digest_recipients" in out, \
        out[-4000:]
    assert "--to" not in out
    # no digest; the operators' failure alert only
    assert [m.rcpt_tos for m in smtp.messages] == [["operators@localhost"]]
    alert = message_from_bytes(smtp.messages[0].content, policy=policy.default)
    assert alert["Subject"].startswith("[pressmon] press_weekly_digest: send failed")

    p = airflow("dags", "test", "press_weekly_digest", "-c", '{"week": "2017-W45"}')
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert [m.rcpt_tos for m in smtp.messages[1:]] == [["communication@localhost"]]

"""The compose file and the native production run share their settings: deploy/airflow.env
and deploy/pools.json are read by both, and neither overrides them (cheap: part of
`make test`; the run itself is test_production.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from pm_testing import ROOT
from production_support import load_production_local

COMPOSE = ROOT / "docker-compose.yaml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_reads_the_shared_env_file_and_overrides_none_of_it(compose):
    """Every Airflow service reads deploy/airflow.env; no `environment:` entry repeats one of
    its keys (a repeated key would silently win in compose and drift from the native run)."""
    pl = load_production_local()
    shared = pl.read_env_file(pl.AIRFLOW_ENV_FILE)
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    airflow_services = {name: svc for name, svc in compose["services"].items()
                        if name.startswith("airflow-")}
    assert len(airflow_services) >= 6
    for name, svc in airflow_services.items():
        assert "deploy/airflow.env" in svc.get("env_file", []), name
        overridden = set(shared) & set(svc.get("environment") or {})
        assert not overridden, f"{name} overrides {sorted(overridden)} of deploy/airflow.env"


def test_native_run_takes_the_shared_settings(tmp_path):
    """The native topology's Airflow environment holds deploy/airflow.env as written, and its
    secrets are generated, never .env.example's placeholders."""
    pl = load_production_local()
    topo = pl.Topology(tmp_path, ("127.0.0.1", 25), tmp_path / "sources.yaml")
    topo._secrets = {"fernet": pl.fernet_key(), "jwt": "j" * 43, "api": "a" * 43}
    topo._ports = {"health": 1, "trigger_logs": 2, "worker_logs": 3}
    topo.passwords_file = tmp_path / "passwords.json"

    class Fake:
        url = "postgresql+psycopg2://x"
        celery_result_backend = "db+postgresql+psycopg2://x"

    topo.postgres, topo.redis = Fake(), Fake()
    env = topo.common_env()
    for key, value in pl.read_env_file(pl.AIRFLOW_ENV_FILE).items():
        assert env[key] == value, key
    assert "change-me" not in json.dumps(env)
    from cryptography.fernet import Fernet

    Fernet(env["AIRFLOW__CORE__FERNET_KEY"])  # a valid key


def test_both_create_the_writer_pool_from_one_file(compose):
    """compose's init and the native run import deploy/pools.json: duckdb_writer, one slot."""
    pools = json.loads((ROOT / "deploy" / "pools.json").read_text(encoding="utf-8"))
    assert pools["duckdb_writer"]["slots"] == 1
    init = " ".join(compose["services"]["airflow-init"]["command"])
    assert "airflow pools import /opt/pressmon/deploy/pools.json" in init
    assert load_production_local().POOLS_FILE == ROOT / "deploy" / "pools.json"


def test_env_file_errors_name_the_line(tmp_path):
    pl = load_production_local()
    bad = tmp_path / "airflow.env"
    bad.write_text("# fine\nA=1\nnot a setting\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"airflow.env, line 3: expected KEY=VALUE"):
        pl.read_env_file(bad)

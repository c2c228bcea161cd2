"""Shared fixtures: the project's paths, the sample news sites served on loopback, and
fresh pressmon paths (DuckDB file, data folder) per test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
CONFIG = ROOT / "config"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def sample_server():
    """The bundled sample corpus: one loopback address per outlet, one port."""
    from pressmon.devserver import SiteServer, load_sites

    with SiteServer(load_sites(SAMPLE)) as server:
        yield server


@pytest.fixture
def sample_sources(sample_server, tmp_path) -> Path:
    from pressmon.devserver import render_sources

    return render_sources(SAMPLE / "sources.yaml", sample_server, tmp_path / "sources.yaml")


@pytest.fixture
def pm_env(tmp_path, monkeypatch) -> dict:
    """Environment for a pressmon run confined to tmp_path."""
    env = {
        "PRESSMON_DB": str(tmp_path / "db" / "press.duckdb"),
        "PRESSMON_CONFIG_DIR": str(CONFIG),
        "PRESSMON_MISSIONS": str(CONFIG / "missions.yaml"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("PRESSMON_SOURCES", raising=False)
    monkeypatch.delenv("PRESSMON_DATA_DIR", raising=False)
    return env


def run_cli(*args: str, env: dict | None = None, check: bool = True):
    """Run the installed `pressmon` console script as a user would."""
    import subprocess

    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([str(BIN / "pressmon"), *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"pressmon {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc

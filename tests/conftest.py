"""Shared fixtures: the project's paths, the sample news sites served on loopback, and
fresh pressmon paths (DuckDB file, data folder) per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pm_testing import BIN, CONFIG, ROOT, SAMPLE, run_cli  # noqa: F401


@pytest.fixture(scope="session")
def sample_server():
    """The bundled sample corpus: one loopback address per outlet, one port."""
    from siteserver import SiteServer, load_sites

    with SiteServer(load_sites(SAMPLE)) as server:
        yield server


@pytest.fixture
def sample_sources(sample_server, tmp_path) -> Path:
    from siteserver import render_sources

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
    monkeypatch.delenv("PRESSMON_STAGING_DIR", raising=False)
    return env

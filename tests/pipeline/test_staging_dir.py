"""PRESSMON_STAGING_DIR: the hand-over folder of the per-feed stages can live apart from the
database (a shared volume every worker mounts), and the stages really use it."""

from __future__ import annotations

from pressmon import stages
from pressmon.staging import ARTICLES_FILE, FEED_FILE
from pressmon.config import load_sources
from pressmon.settings import PROJECT_ROOT, get_paths


def test_default_is_beside_the_database(pm_env, monkeypatch):
    """Without the variable, staging stays under the data folder (the database's folder)."""
    monkeypatch.delenv("PRESSMON_STAGING_DIR", raising=False)
    paths = get_paths()
    assert paths.staging_dir == paths.db.parent / "staging"


def test_variable_moves_staging(pm_env, monkeypatch, tmp_path):
    """An absolute path is taken as is; a relative one is resolved against the project root,
    like every other pressmon default (tasks run from arbitrary working directories)."""
    monkeypatch.setenv("PRESSMON_STAGING_DIR", str(tmp_path / "shared" / "staging"))
    assert get_paths().staging_dir == tmp_path / "shared" / "staging"
    monkeypatch.setenv("PRESSMON_STAGING_DIR", "elsewhere/staging")
    monkeypatch.chdir(tmp_path)
    assert get_paths().staging_dir == PROJECT_ROOT / "elsewhere" / "staging"


def test_stages_hand_over_through_the_configured_folder(pm_env, monkeypatch, tmp_path,
                                                        sample_sources):
    """fetch and extract of one feed write under PRESSMON_STAGING_DIR and nothing under the
    database's folder but what the database owns."""
    staging = tmp_path / "shared-staging"
    monkeypatch.setenv("PRESSMON_STAGING_DIR", str(staging))
    paths = get_paths()
    sources = load_sources(sample_sources)
    name = sources.sources[0].name
    outcome = stages.fetch_stage(paths, sources, name, "cycle-1")
    assert outcome["outcome"] == "ok", outcome
    stages.extract_stage(paths, sources, name, "cycle-1")
    feed = staging / "cycle-1" / name
    assert (feed / FEED_FILE).exists() and (feed / ARTICLES_FILE).exists()
    assert not (paths.data_dir / "staging").exists()

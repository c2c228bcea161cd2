"""Where things live: the project root, the default paths and the environment variables.

Relative defaults are resolved against the project root, never the working directory,
because Airflow tasks run from arbitrary directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(
    os.environ.get("PRESSMON_HOME") or Path(__file__).resolve().parents[2]
).resolve()

ENV_DB = "PRESSMON_DB"
ENV_CONFIG_DIR = "PRESSMON_CONFIG_DIR"
ENV_SOURCES = "PRESSMON_SOURCES"
ENV_MISSIONS = "PRESSMON_MISSIONS"
ENV_DATA_DIR = "PRESSMON_DATA_DIR"
ENV_STAGING_DIR = "PRESSMON_STAGING_DIR"


def resolve(path: str | os.PathLike | None, default: str | os.PathLike) -> Path:
    """A path given by the user (absolute or relative to the cwd) or a project-relative default."""
    if path:
        return Path(path).expanduser().resolve()
    p = Path(default).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p).resolve()


@dataclass(frozen=True)
class Paths:
    """Every file a run reads or writes, resolved once."""

    db: Path
    config_dir: Path
    sources: Path
    missions: Path

    @property
    def watchlist(self) -> Path:
        return self.config_dir / "watchlist.yaml"

    @property
    def topics(self) -> Path:
        return self.config_dir / "topics.yaml"

    @property
    def data_dir(self) -> Path:
        """Working files (staging, snapshots, exports) live beside the database."""
        env = os.environ.get(ENV_DATA_DIR)
        return resolve(None, env) if env else self.db.parent

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def staging_dir(self) -> Path:
        """The per-cycle hand-over folder: every worker of a deployment must see the same one."""
        env = os.environ.get(ENV_STAGING_DIR)
        return resolve(None, env) if env else self.data_dir / "staging"

    @property
    def state_dir(self) -> Path:
        """Cross-process coordination files (per-host politeness locks)."""
        return self.data_dir / "state"


def get_paths(
    db: str | None = None,
    config_dir: str | None = None,
    sources: str | None = None,
    missions: str | None = None,
) -> Paths:
    """Command-line values first (relative to the working directory, as a user typed them),
    then the environment, then the project defaults (both relative to the project root:
    Airflow tasks run from arbitrary directories)."""
    db_path = resolve(db, os.environ.get(ENV_DB) or "data/press.duckdb")
    cfg = resolve(config_dir, os.environ.get(ENV_CONFIG_DIR) or "config")
    src = resolve(sources, os.environ.get(ENV_SOURCES) or cfg / "sources.yaml")
    mis = resolve(missions, os.environ.get(ENV_MISSIONS) or cfg / "missions.yaml")
    return Paths(db=db_path, config_dir=cfg, sources=src, missions=mis)

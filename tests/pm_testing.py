"""Paths and helpers shared by the test folders (import: ``from pm_testing import ...``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
CONFIG = ROOT / "config"
BIN = Path(sys.executable).parent


def run_cli(*args: str, env: dict | None = None, check: bool = True):
    """Run the installed `pressmon` console script as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([str(BIN / "pressmon"), *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"pressmon {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc

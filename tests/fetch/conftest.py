"""Fixtures for the fetching tests: hostile servers on loopback and fetchers with short limits."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hostile import HostileServer  # noqa: E402

from pressmon.config import FetchSettings  # noqa: E402
from pressmon.fetch import Fetcher  # noqa: E402

FAST = FetchSettings(per_host_concurrency=2, per_host_delay_s=0.0, timeout_s=1.0,
                     max_bytes=1_000_000, retries=1, max_redirects=5,
                     allow_private_links=False)


@pytest.fixture(scope="module")
def server():
    srv = HostileServer("127.0.0.1").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def server2():
    """A second 'site' on another loopback address (another host for the link policy)."""
    srv = HostileServer("127.0.0.2").start()
    yield srv
    srv.stop()


@pytest.fixture
def make_fetcher(tmp_path):
    made = []

    def make(**overrides):
        settings = dataclasses.replace(FAST, **overrides)
        f = Fetcher(settings, state_dir=tmp_path / f"state{len(made)}")
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


@pytest.fixture
def fetcher(make_fetcher):
    return make_fetcher()

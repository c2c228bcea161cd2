"""Digest test fixtures: a real DuckDB file per case and real SMTP servers on 127.0.0.1."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest_fixtures import Inbox, build_db, free_port  # noqa: E402,F401


def _serve(handler):
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = _serve(inbox)
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_refusing():
    inbox = Inbox(refuse={"*": "550 5.1.1 Mailbox unavailable: no such user here"})
    controller = _serve(inbox)
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def _week45_template(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("template") / "press.duckdb", "week45")


@pytest.fixture
def week45_db(_week45_template, tmp_path) -> Path:
    """A fresh copy per test (tests write digest_log); building it once saves the migrations."""
    target = tmp_path / "db" / "press.duckdb"
    target.parent.mkdir()
    shutil.copyfile(_week45_template, target)
    return target


@pytest.fixture
def paths(week45_db, tmp_path):
    from pressmon.settings import get_paths

    cfg = tmp_path / "config"
    cfg.mkdir()
    (cfg / "digest.yaml").write_text(
        'sender: "Revue de presse <revue@metropole.example>"\n'
        "recipients: [communication@metropole.example]\n", encoding="utf-8")
    return get_paths(db=str(week45_db), config_dir=str(cfg))

"""Digest test fixtures: a real DuckDB file per case and real SMTP servers on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import build_db  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every accepted message; ``refuse`` rejects RCPT TO."""

    def __init__(self, refuse: dict[str, str] | None = None):
        self.messages: list = []
        self.refuse = refuse or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "*" in self.refuse or address in self.refuse:
            return self.refuse.get(address) or self.refuse["*"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


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

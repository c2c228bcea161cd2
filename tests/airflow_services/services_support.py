"""Helpers for the Airflow service tests (imported by them; a conftest.py here would shadow
the suite's top-level one): a real SMTP server on loopback that keeps what it
receives, and free loopback ports."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from pathlib import Path

import pytest


class Mailbox:
    """Messages received by the loopback SMTP server, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._cond = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._cond:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._cond.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._cond.wait(timeout=max(0.0, deadline - time.monotonic()))
            return list(self.messages)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    """A plain SMTP server on 127.0.0.1 (no TLS), as a mail catcher is in development."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port, box
    finally:
        controller.stop()


ROOT = Path(__file__).resolve().parents[2]

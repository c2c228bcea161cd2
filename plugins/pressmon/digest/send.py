"""Sending the digest exactly once per week: plain SMTP (the CLI) or any transport (the DAG
passes one built on Airflow's SMTP connection), with the delivery recorded in ``digest_log``
in the same writer session that checked it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
from email.message import EmailMessage
from typing import Callable
from urllib.parse import urlsplit

from .. import store
from ..errors import DigestError, DigestSendError
from ..store import fetch_dicts
from .build import build_digest
from .config import (RECIPIENTS_VARIABLE, digest_config_path, envelope_address,
                     load_digest_config, parse_recipients)
from .render import build_message, render
from .weeks import parse_week

log = logging.getLogger("pressmon.digest")

ENV_SMTP_URL = "PRESSMON_SMTP_URL"


def already_sent(con, week: str) -> dict | None:
    """The last recorded delivery of ``week``'s digest, or None."""
    rows = fetch_dicts(con, "SELECT week, message_id, subject, recipients, sent_at, stories, articles, "
                      "forced FROM digest_log WHERE week = ? ORDER BY sent_at DESC LIMIT 1",
                 [week])
    return rows[0] if rows else None


Transport = Callable[[EmailMessage, str, list[str]], dict]


def parse_smtp_url(url: str) -> tuple[str, int]:
    parts = urlsplit(url.strip())
    if parts.scheme != "smtp" or not parts.hostname:
        raise DigestError(f"{ENV_SMTP_URL}={url!r}: write it smtp://host:port "
                          f"(plain SMTP, e.g. smtp://127.0.0.1:1025)")
    try:
        port = parts.port or 25
    except ValueError:
        raise DigestError(f"{ENV_SMTP_URL}={url!r}: the port is not a number") from None
    return parts.hostname, port


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


def smtp_transport(url: str, *, timeout: float = 30.0) -> Transport:
    """Plain SMTP to ``smtp://host:port`` (the CLI; tests use a loopback server)."""
    host, port = parse_smtp_url(url)

    def send(msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as client:
                return deliver(client, msg, sender, recipients, f"{host}:{port}")
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc, DigestSendError):
                raise
            raise DigestSendError(f"cannot deliver through SMTP server {host}:{port}: "
                                  f"{smtp_error(exc)}") from None

    return send


def smtp_error(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient refused: " + "; ".join(
            f"{r}: {_answer(*a)}" for r, a in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender {exc.sender} refused: {_answer(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def deliver(client: smtplib.SMTP, msg: EmailMessage, sender: str, recipients: list[str],
            server: str) -> dict:
    """Send on an open SMTP client; the refused recipients (when some were accepted)."""
    envelope_from = envelope_address(sender)
    envelope_to = [envelope_address(r) for r in recipients]
    try:
        refused = client.send_message(msg, from_addr=envelope_from, to_addrs=envelope_to)
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestSendError(f"SMTP server {server} did not accept the digest: "
                              f"{smtp_error(exc)}") from None
    return {r: _answer(*a) for r, a in (refused or {}).items()}


def send_digest(paths, week: str, recipients, *, smtp_url: str | None = None,
                force: bool = False, sender: str | None = None,
                transport: Transport | None = None, now: dt.datetime | None = None,
                wait_s: float = 60.0) -> dict:
    """Send ``week``'s digest once.

    Renders from the snapshot, then opens the live database (the writer) to check
    ``digest_log``, send, and record the delivery in one go, so that a retried task or a second
    trigger finds the record and sends nothing. A refused delivery raises DigestSendError with
    the server's answer and records nothing. ``transport`` replaces plain SMTP to ``smtp_url``
    (the DAG passes one built on Airflow's SMTP connection).
    """
    wk = parse_week(week)
    config = load_digest_config(digest_config_path(paths))
    recipients = parse_recipients(recipients)
    if not recipients:
        raise DigestError("no recipients: give --to ADDR, set recipients in "
                          f"{digest_config_path(paths)} or the Airflow Variable "
                          f"{RECIPIENTS_VARIABLE}")
    sender = sender or config.sender
    if transport is None:
        url = smtp_url or os.environ.get(ENV_SMTP_URL)
        if not url:
            raise DigestError(f"set {ENV_SMTP_URL}=smtp://host:port to send the digest")
        transport = smtp_transport(url)

    reader = store.open_reader(paths.db)
    try:
        digest = build_digest(reader, wk.label, now=now, config=config)
    finally:
        reader.close()  # the live file cannot be opened for writing while this is open
    rendered = render(digest)
    msg = build_message(digest, sender=sender, recipients=recipients, rendered=rendered)

    con = store.open_writer(paths.db, wait_s=wait_s)
    try:
        previous = already_sent(con, wk.label)
        if previous and not force:
            log.info("digest %s already sent on %s to %s (message %s); not sending again",
                     wk.label, previous["sent_at"], ", ".join(previous["recipients"] or []),
                     previous["message_id"])
            return {"status": "already_sent", "week": wk.label, "previous": previous,
                    "subject": previous["subject"], "message_id": previous["message_id"]}
        refused = transport(msg, sender, recipients)
        accepted = [r for r in recipients if envelope_address(r) not in refused]
        sent_at = dt.datetime.now(dt.timezone.utc)
        con.execute("INSERT INTO digest_log (week, message_id, subject, recipients, sent_at, "
                    "stories, articles, forced) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [wk.label, msg["Message-ID"], rendered[0], accepted, sent_at,
                     digest.story_count, digest.article_count, bool(previous and force)])
        try:
            # Readers (the UI, analysts) see the send without waiting for the next load.
            store.publish_snapshot(con, paths.db)
        except (OSError, store.StoreError) as exc:
            log.warning("digest %s sent and recorded; snapshot not republished: %s",
                        wk.label, exc)
    finally:
        con.close()
    log.info("digest %s sent to %s (message %s)", wk.label, ", ".join(accepted),
             msg["Message-ID"])
    return {"status": "sent", "week": wk.label, "subject": rendered[0],
            "message_id": msg["Message-ID"], "recipients": accepted,
            "delivered": [envelope_address(r) for r in accepted], "refused": refused,
            "sent_at": sent_at, "stories": digest.story_count,
            "articles": digest.article_count, "forced": bool(previous and force)}

"""Sending through a real SMTP server on 127.0.0.1, exactly once per week."""

from __future__ import annotations

from email import message_from_bytes, policy

import duckdb
import pytest

from pressmon.digest.send import send_digest
from pressmon.errors import DigestError, DigestSendError


def log_rows(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT week, message_id, recipients, forced, stories, articles "
                           "FROM digest_log ORDER BY sent_at").fetchall()
    finally:
        con.close()


def received(inbox, i=0):
    return message_from_bytes(inbox.messages[i].content, policy=policy.default)


def test_digest_arrives_with_both_parts_and_is_recorded(paths, smtp):
    result = send_digest(paths, "2017-W45", ["communication@metropole.example"],
                         smtp_url=smtp.url)
    assert result["status"] == "sent"
    assert len(smtp.messages) == 1
    env = smtp.messages[0]
    assert env.mail_from == "revue@metropole.example"
    assert env.rcpt_tos == ["communication@metropole.example"]
    msg = received(smtp)
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert "La Métropole signe un accord de jumelage avec Miami-Dade" in body
        assert "PortMiami y Marsella hablan de cruceros" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    rows = log_rows(paths.db)
    assert rows == [("2017-W45", msg["Message-ID"], ["communication@metropole.example"],
                     False, 3, 5)]


def test_second_send_is_refused_and_force_sends_again(paths, smtp):
    """A retried task or a second trigger sends nothing; --force does, and says so."""
    send_digest(paths, "2017-W45", ["communication@metropole.example"], smtp_url=smtp.url)
    again = send_digest(paths, "2017-W45", ["communication@metropole.example"],
                        smtp_url=smtp.url)
    assert again["status"] == "already_sent"
    assert len(smtp.messages) == 1
    forced = send_digest(paths, "2017-W45", ["communication@metropole.example"],
                         smtp_url=smtp.url, force=True)
    assert forced["status"] == "sent" and forced["forced"] is True
    assert len(smtp.messages) == 2
    assert [r[3] for r in log_rows(paths.db)] == [False, True]
    # another week is its own digest
    assert send_digest(paths, "2017-W44", ["x@metropole.example"],
                       smtp_url=smtp.url)["status"] == "sent"


def test_refused_delivery_raises_with_the_answer_and_records_nothing(paths, smtp_refusing):
    with pytest.raises(DigestSendError, match="550 5.1.1 Mailbox unavailable"):
        send_digest(paths, "2017-W45", ["communication@metropole.example"],
                    smtp_url=smtp_refusing.url)
    assert smtp_refusing.messages == []
    assert log_rows(paths.db) == []


def test_unreachable_server_records_nothing(paths):
    from digest_fixtures import free_port

    with pytest.raises(DigestSendError, match="127.0.0.1"):
        send_digest(paths, "2017-W45", ["communication@metropole.example"],
                    smtp_url=f"smtp://127.0.0.1:{free_port()}")
    assert log_rows(paths.db) == []


def test_some_recipients_refused_are_not_recorded_as_recipients(paths, smtp):
    smtp.refuse = {"gone@metropole.example": "550 5.1.1 gone"}
    result = send_digest(paths, "2017-W45", ["gone@metropole.example", "ok@metropole.example"],
                         smtp_url=smtp.url)
    assert result["refused"] == {"gone@metropole.example": "550 5.1.1 gone"}
    assert log_rows(paths.db)[0][2] == ["ok@metropole.example"]


@pytest.mark.parametrize("recipients,smtp_url,words", [
    ([], "smtp://127.0.0.1:1", "no recipients"),
    (["not an address"], "smtp://127.0.0.1:1", "not an email address"),
    (["Evil\r\nBcc: x@y.example <a@metropole.example>"], "smtp://127.0.0.1:1", "line break"),
    (["a@metropole.example"], "http://127.0.0.1:1", "smtp://host:port"),
])
def test_wrong_settings_are_refused_before_anything_is_sent(paths, recipients, smtp_url, words):
    with pytest.raises(DigestError, match=words):
        send_digest(paths, "2017-W45", recipients, smtp_url=smtp_url)
    assert log_rows(paths.db) == []


def test_empty_week_sends_a_short_no_coverage_email(paths, smtp):
    result = send_digest(paths, "2017-W47", ["communication@metropole.example"],
                         smtp_url=smtp.url)
    assert result["status"] == "sent" and result["stories"] == 0
    msg = received(smtp)
    assert msg["Subject"].endswith(": aucune retombée")
    assert "Aucune retombée cette semaine" in msg.get_body(("html",)).get_content()

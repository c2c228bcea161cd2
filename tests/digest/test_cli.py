"""`pressmon digest` run as a user would, through the installed console script."""

from __future__ import annotations

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def pressmon(*args, env=None):
    full = dict(os.environ)
    full.pop("PRESSMON_SMTP_URL", None)
    full.update(env or {})
    return subprocess.run([str(BIN / "pressmon"), "digest", *args], capture_output=True,
                          text=True, env=full, cwd=ROOT, timeout=120)


def test_preview_html_and_eml(week45_db, tmp_path):
    out, eml = tmp_path / "out" / "digest.html", tmp_path / "digest.eml"
    p = pressmon("--db", str(week45_db), "--week", "2017-W45", "--out", str(out),
                 "--eml", str(eml), "--to", "a@metropole.example")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [str(out), str(eml)]
    assert "&lt;script&gt;" in out.read_text(encoding="utf-8")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert [x.get_content_type() for x in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["To"] == "a@metropole.example"


def test_no_output_option_prints_the_text(week45_db):
    p = pressmon("--db", str(week45_db), "--week", "2017-W45")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Revue de presse internationale — semaine 45, du 6 au 12 nov. 2017")


def test_bad_week_is_a_usage_error(week45_db):
    for week, words in (("2017-W60", "2017 has weeks W01 to W52"), ("45", "YYYY-Www")):
        p = pressmon("--db", str(week45_db), "--week", week)
        assert p.returncode == 2
        assert p.stderr.startswith("pressmon digest: error: week") and words in p.stderr


def test_missing_database_is_reported(tmp_path):
    p = pressmon("--db", str(tmp_path / "none.duckdb"), "--week", "2017-W45")
    assert p.returncode == 3 and "does not exist" in p.stderr


def test_send_once_then_refused_then_forced(week45_db, smtp):
    env = {"PRESSMON_SMTP_URL": smtp.url}
    args = ["--db", str(week45_db), "--week", "2017-W45", "--send",
            "--to", "a@metropole.example", "--to", "b@metropole.example"]
    first = pressmon(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sent digest 2017-W45 to a@metropole.example, "
                                   "b@metropole.example")
    second = pressmon(*args, env=env)
    assert second.returncode == 1
    assert "already sent" in second.stderr and "--force" in second.stderr
    assert len(smtp.messages) == 1
    forced = pressmon(*args, "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(smtp.messages) == 2
    assert sorted(smtp.messages[0].rcpt_tos) == ["a@metropole.example", "b@metropole.example"]


def test_refusing_server_fails_with_its_answer(week45_db, smtp_refusing):
    p = pressmon("--db", str(week45_db), "--week", "2017-W45", "--send",
                 "--to", "a@metropole.example", env={"PRESSMON_SMTP_URL": smtp_refusing.url})
    assert p.returncode == 4
    assert "550 5.1.1 Mailbox unavailable" in p.stderr and "nothing recorded" in p.stderr
    con = duckdb.connect(str(week45_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM digest_log").fetchone()[0] == 0
    finally:
        con.close()


def test_send_without_smtp_url_says_what_to_set(week45_db):
    p = pressmon("--db", str(week45_db), "--week", "2017-W45", "--send", "--to",
                 "a@metropole.example")
    assert p.returncode == 2 and "PRESSMON_SMTP_URL" in p.stderr

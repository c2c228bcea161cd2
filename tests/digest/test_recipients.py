"""Recipients: one strict address per `--to`, per item of digest.yaml and per comma-separated
item of the Airflow Variable; the To header and the SMTP envelope come from that one parsed
list, and the command says to whom it delivered."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from pressmon.config import ConfigError
from pressmon.digest.config import load_digest_config, parse_recipients
from pressmon.errors import DigestError

from .test_cli import pressmon

MISLEADING = [
    # a list in one value: the header showed both, only the first got the mail
    "x@d.example, y@e.example",
    "x@d.example; y@e.example",
    # shows one address, delivers to another
    "a@b.example <c@d.example>",
    '"a@b.example" <c@d.example>',
    "a@b.example (c@d.example)",
    "Équipe <c@d.example> <e@f.example>",
    # not an address at all
    "c@d.example>",
    "<c@d.example",
    "Nom <>",
    "a@@b.example",
    "a@b..example",
]


@pytest.mark.parametrize("value", MISLEADING)
def test_each_to_is_one_strict_address(week45_db, smtp, value):
    """A value that is not exactly one address is refused before anything is sent."""
    p = pressmon("--db", str(week45_db), "--week", "2017-W45", "--send", "--to", value,
                 env={"PRESSMON_SMTP_URL": smtp.url})
    assert p.returncode == 2, (value, p.stdout, p.stderr)
    assert p.stderr.startswith("pressmon digest: error: recipient"), p.stderr
    assert "Traceback" not in p.stderr
    assert smtp.messages == []


def test_shown_and_delivered_are_one_list(week45_db, smtp, tmp_path):
    """Several --to: the To header, the envelope and the 'sent to' line name the same
    addresses, display names kept in the header only."""
    eml = tmp_path / "digest.eml"
    p = pressmon("--db", str(week45_db), "--week", "2017-W45", "--send", "--eml", str(eml),
                 "--to", "Équipe Com <com@metropole.example>", "--to", "b@metropole.example",
                 env={"PRESSMON_SMTP_URL": smtp.url})
    assert p.returncode == 0, p.stderr
    (envelope,) = smtp.messages
    delivered = ["com@metropole.example", "b@metropole.example"]
    assert envelope.rcpt_tos == delivered
    msg = message_from_bytes(envelope.content, policy=policy.default)
    assert [a.addr_spec for a in msg["To"].addresses] == delivered
    assert msg["To"].addresses[0].display_name == "Équipe Com"
    saved = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert [a.addr_spec for a in saved["To"].addresses] == delivered
    assert f"to {', '.join(delivered)} (message" in p.stdout.splitlines()[-1]


def test_variable_is_split_on_commas_then_checked_strictly():
    """The Airflow Variable stays a comma-separated list, each item one strict address."""
    assert parse_recipients(" a@b.example, Équipe <c@d.example> ,") == [
        "a@b.example", "Équipe <c@d.example>"]
    for value in ("a@b.example <c@d.example>", "a@b.example; c@d.example",
                  '"x@y.example" <c@d.example>'):
        with pytest.raises(DigestError, match="recipient"):
            parse_recipients(value)


@pytest.mark.parametrize("item", ["x@d.example, y@e.example", "a@b.example <c@d.example>"])
def test_digest_yaml_recipients_are_checked_the_same(tmp_path, item):
    path = tmp_path / "digest.yaml"
    path.write_text(f"recipients:\n  - ok@metropole.example\n  - '{item}'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_digest_config(path)
    assert str(err.value).startswith(f"{path}: top level, field 'recipients': item 2:")

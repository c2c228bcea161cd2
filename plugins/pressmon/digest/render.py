"""How the digest looks: Jinja2 templates (``templates/``, or a folder of the staff's own named
in ``digest.yaml``), and the multipart/alternative message (HTML and plain text)."""

from __future__ import annotations

import email.policy
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from ..errors import DigestError
from .config import check_address, parse_address
from .model import GROUP_COLOURS, GROUP_LABELS, GROUP_MARKS, Digest
from .weeks import PARIS, week_span

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _environment(templates_dir: Path | None = None):
    import jinja2

    dirs = [str(templates_dir)] if templates_dir else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs + [str(TEMPLATES_DIR)]),
        # every value reaching the HTML is escaped; text and subject templates are not HTML
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".html")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = number
    env.filters["count"] = count
    return env


def number(n: int) -> str:
    """French thousands: 12 345 (narrow no-break space)."""
    return f"{n:,}".replace(",", "\u202f")


def count(n: int, one: str, many: str, bare: bool = False) -> str:
    """``1 média``, ``2 médias``, ``0 article``: French takes the singular below 2.
    ``bare`` gives the word alone, for templates that style the number themselves."""
    word = one if abs(n) < 2 else many
    return word if bare else f"{number(n)} {word}"


def render(digest: Digest) -> tuple[str, str, str]:
    """The subject line, the HTML body and the plain-text body."""
    env = _environment(digest.config.templates_dir)
    ctx = {
        "d": digest,
        "week": digest.week,
        "span": week_span(digest.week),
        "group_labels": GROUP_LABELS,
        "group_colours": GROUP_COLOURS,
        "group_marks": GROUP_MARKS,
    }
    subject = env.get_template("subject.txt.j2").render(ctx)
    subject = " ".join(subject.split())  # a header is one line, whatever the template holds
    ctx["subject"] = subject
    html_body = env.get_template("digest.html.j2").render(ctx)
    text_body = env.get_template("digest.txt.j2").render(ctx)
    return subject, html_body, text_body


def _domain(address: str) -> str:
    return parse_address(address)[1].rsplit("@", 1)[1]


def _mailbox(address: str) -> Address:
    name, addr = parse_address(address)
    local, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=local, domain=domain)


def build_message(digest: Digest, *, sender: str, recipients: list[str] | tuple[str, ...],
                  rendered: tuple[str, str, str] | None = None) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML last (the part clients prefer)."""
    problem = check_address(sender)
    if problem:
        raise DigestError(f"sender {problem}")
    subject, html_body, text_body = rendered or render(digest)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = _mailbox(sender)
    if recipients:
        # Built from the parsed addresses, as the envelope is: what the reader sees in To
        # is where the message goes.
        mailboxes = [_mailbox(r) for r in recipients]
        msg["To"] = mailboxes
        if [a.addr_spec for a in msg["To"].addresses] != [a.addr_spec for a in mailboxes]:
            raise DigestError("the To header does not read back as the recipients given: "
                              + ", ".join(a.addr_spec for a in mailboxes))
    msg["Date"] = format_datetime(digest.generated_at.astimezone(PARIS))
    # short enough not to be folded onto a second header line
    msg["Message-ID"] = f"<digest.{digest.week.label}.{uuid.uuid4().hex[:20]}@{_domain(sender)}>"
    msg["Content-Language"] = "fr"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Pressmon-Week"] = digest.week.label
    msg.set_content(text_body, subtype="plain", charset="utf-8")
    msg.add_alternative(html_body, subtype="html", charset="utf-8")
    return msg

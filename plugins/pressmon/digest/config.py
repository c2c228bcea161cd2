"""``config/digest.yaml``: who sends the digest, to whom, and how much it shows.

Every address is checked by one strict parser whether it comes from the file, the command line
or the Airflow Variable ``pressmon_digest_recipients``: one value is one mailbox, ``name@domain``
or ``Name <name@domain>``, and the To header and the SMTP envelope are both built from what it
parsed, so that what a reader sees is where the mail goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Section, quote_value, read_yaml
from ..errors import DigestError

RECIPIENTS_VARIABLE = "pressmon_digest_recipients"
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS_RE = re.compile(rf"^(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?P<domain>{_LABEL}(?:\.{_LABEL})*)$")
NAMED_RE = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# In a display name these would make a reader see another address, a list, a group or a
# comment, or need quoting rules that mail clients read differently.
NAME_SPECIALS = set('@,;:<>"()[]\\')


@dataclass(frozen=True)
class DigestConfig:
    path: Path | None
    sender: str = "Revue de presse pressmon <pressmon@localhost>"
    recipients: tuple[str, ...] = ()
    max_stories_per_section: int = 8
    max_copies_listed: int = 6
    templates_dir: Path | None = None
    # A scheduled run that starts later than this after its time sends nothing (the DAG).
    send_within_hours: float = 12.0


DIGEST_KEYS = {"sender", "recipients", "max_stories_per_section", "max_copies_listed",
               "templates_dir", "send_within_hours"}


def parse_address(value: str) -> tuple[str, str]:
    """One mailbox, strictly: ``(display name, name@domain)``; DigestError says what is wrong.

    Refused: lists (``,`` or ``;``), a display name holding an address or quoting tricks
    (``a@b.example <c@d.example>`` shows one address and delivers to the other), comments,
    groups, line breaks and control characters, anything but ASCII in the address itself.
    """
    shown = quote_value(value)
    if not isinstance(value, str):
        raise DigestError(f"{shown} is not an email address")
    text = value.strip()
    if CONTROL_RE.search(text):
        raise DigestError(f"{shown} is not an email address (it holds a line break or "
                          f"control character)")
    if "," in text or ";" in text:
        raise DigestError(f"{shown} is not one email address (it holds a ',' or ';'): "
                          f"give each address on its own")
    name, addr = "", text
    m = NAMED_RE.match(text)
    if m:
        name, addr = m.group("name").strip(), m.group("addr").strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].strip()
        if NAME_SPECIALS & set(name):
            raise DigestError(f"{shown} is not an email address one can trust: the name "
                              f"shown may not hold any of @ , ; : < > \" ( ) [ ] \\ "
                              f"(write 'Name <name@domain>')")
    a = ADDRESS_RE.match(addr)
    if not a or len(addr) > 254 or len(a.group("local")) > 64:
        raise DigestError(f"{shown} is not an email address (write name@domain or "
                          f"'Name <name@domain>')")
    return " ".join(name.split()), addr


def format_address(name: str, addr: str) -> str:
    return f"{name} <{addr}>" if name else addr


def check_address(value: str) -> str | None:
    """The problem with ``value`` as one address, or None (for validation helpers)."""
    try:
        parse_address(value)
    except DigestError as exc:
        return str(exc)
    return None


def envelope_address(value: str) -> str:
    """The address mail to ``value`` is delivered to (``name@domain``)."""
    return parse_address(value)[1]


def load_digest_config(path: Path) -> DigestConfig:
    """``config/digest.yaml``; a missing file means the defaults (and no recipients)."""
    path = Path(path)
    if not path.exists():
        return DigestConfig(path=None)
    data = read_yaml(path)
    top = Section(path, "top level", data if data is not None else {})
    top.only(DIGEST_KEYS)
    defaults = DigestConfig(path=None)
    sender = top.get("sender", str, defaults.sender, check=check_address)
    recipients = top.str_list("recipients")
    for i, r in enumerate(recipients):
        problem = check_address(r)
        if problem:
            top.fail("recipients", f"item {i + 1}: {problem}")
    recipients = _unique([format_address(*parse_address(r)) for r in recipients])
    templates = top.get("templates_dir", str)
    tdir = None
    if templates:
        tdir = Path(templates).expanduser()
        tdir = tdir if tdir.is_absolute() else (path.parent / tdir)
        if not tdir.is_dir():
            top.fail("templates_dir", f"{tdir} is not a folder")
    return DigestConfig(
        path=path,
        sender=format_address(*parse_address(sender)),
        recipients=tuple(recipients),
        max_stories_per_section=top.get(
            "max_stories_per_section", int, defaults.max_stories_per_section,
            check=lambda v: None if v > 0 else "must be greater than 0"),
        max_copies_listed=top.get(
            "max_copies_listed", int, defaults.max_copies_listed,
            check=lambda v: None if v >= 0 else "must be 0 or more"),
        templates_dir=tdir,
        send_within_hours=top.get(
            "send_within_hours", float, defaults.send_within_hours,
            check=lambda v: None if v > 0 else "must be greater than 0"),
    )


def digest_config_path(paths) -> Path:
    return Path(paths.config_dir) / "digest.yaml"


def parse_recipients(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Comma-separated text (the Airflow Variable) or a list (``--to``, digest.yaml), each item
    one strictly parsed address; returned written back from what was parsed
    (``name@domain`` or ``Name <name@domain>``), each delivery address once."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if isinstance(value, str) and not item.strip():
            continue  # "a@b.example, c@d.example," in the Variable
        try:
            out.append(format_address(*parse_address(item)))
        except DigestError as exc:
            raise DigestError(f"recipient {exc}") from None
    return _unique(out)


def _unique(recipients: list[str]) -> list[str]:
    seen, out = set(), []
    for r in recipients:
        key = envelope_address(r).lower()
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out

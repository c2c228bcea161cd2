"""``config/digest.yaml``: who sends the digest, to whom, and how much it shows.

Every address is checked the same way whether it comes from the file, the command line or the
Airflow Variable ``pressmon_digest_recipients``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from ..config import Section, read_yaml
from ..errors import DigestError

RECIPIENTS_VARIABLE = "pressmon_digest_recipients"
ADDRESS_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+$")


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


def check_address(value: str) -> str | None:
    if re.search(r"[\x00-\x1f\x7f]", value):
        return f"{value!r} is not an email address (it holds a line break or control character)"
    name, addr = parseaddr(value)
    if not addr or not ADDRESS_RE.match(addr):
        return f"{value!r} is not an email address (write name@domain or 'Name <name@domain>')"
    return None


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
    templates = top.get("templates_dir", str)
    tdir = None
    if templates:
        tdir = Path(templates).expanduser()
        tdir = tdir if tdir.is_absolute() else (path.parent / tdir)
        if not tdir.is_dir():
            top.fail("templates_dir", f"{tdir} is not a folder")
    return DigestConfig(
        path=path,
        sender=sender.strip(),
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
    """Comma-separated text (an Airflow Variable) or a list; each address checked."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        problem = check_address(item)
        if problem:
            raise DigestError(f"recipient {problem}")
        out.append(item)
    return out

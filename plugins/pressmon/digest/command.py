"""``pressmon digest``: preview, write, and send the weekly digest from the command line."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .. import store
from ..errors import ConfigError, DigestError, DigestSendError
from .build import build_digest, local_time
from .config import digest_config_path, load_digest_config, parse_recipients
from .model import Digest
from .render import build_message, render
from .send import send_digest
from .weeks import parse_week


def preview(paths, week: str, *, now: dt.datetime | None = None) -> tuple[Digest, tuple]:
    config = load_digest_config(digest_config_path(paths))
    wk = parse_week(week)
    con = store.open_reader(paths.db)
    try:
        digest = build_digest(con, wk.label, now=now, config=config)
    finally:
        con.close()
    return digest, render(digest)


def write_file(path: str, data: bytes) -> Path:
    target = Path(path).expanduser().resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise DigestError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def run_digest_command(args, paths) -> int:
    """``pressmon digest``. Exit codes: 0 done, 1 already sent this week (nothing sent),
    2 bad argument or configuration, 3 database problem (raised as StoreError), 4 the SMTP
    server refused the digest (or some recipients)."""
    prog = "pressmon digest"
    try:
        digest, rendered = preview(paths, args.week)
        subject, html_body, text_body = rendered
        config = digest.config
        recipients = parse_recipients(args.to) or list(config.recipients)
        if args.out:
            print(write_file(args.out, html_body.encode("utf-8")))
        if args.eml:
            msg = build_message(digest, sender=config.sender, recipients=recipients,
                                rendered=rendered)
            print(write_file(args.eml, msg.as_bytes()))
        if not (args.out or args.eml or args.send):
            print(text_body, end="")
        if not args.send:
            return 0
        result = send_digest(paths, args.week, recipients, force=args.force)
    except (DigestError, ConfigError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except DigestSendError as exc:
        print(f"{prog}: error: {exc}; nothing recorded, the digest can be sent again",
              file=sys.stderr)
        return 4
    if result["status"] == "already_sent":
        p = result["previous"]
        print(f"{prog}: the digest for {result['week']} was already sent on "
              f"{local_time(p['sent_at']):%Y-%m-%d %H:%M %Z} to {', '.join(p['recipients'] or [])} "
              f"(message {p['message_id']}); not sent again (use --force to resend)",
              file=sys.stderr)
        return 1
    print(f"sent digest {result['week']} to {', '.join(result['delivered'])} "
          f"(message {result['message_id']}): {subject}")
    if result["refused"]:
        print(f"{prog}: error: the SMTP server refused some recipients: " + "; ".join(
            f"{r}: {a}" for r, a in result["refused"].items()), file=sys.stderr)
        return 4
    return 0

"""The ``pressmon`` command: the same library functions the DAGs call, from a shell."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import ConfigError, StoreError, UsageError
from .settings import get_paths


def _common(p: argparse.ArgumentParser, *, db: bool = True, config: bool = False) -> None:
    if db:
        p.add_argument("--db", metavar="FILE",
                       help="DuckDB file (default: $PRESSMON_DB, else data/press.duckdb)")
    if config:
        p.add_argument("--config-dir", metavar="DIR",
                       help="folder holding watchlist.yaml and topics.yaml "
                            "(default: $PRESSMON_CONFIG_DIR, else config/)")
        p.add_argument("--sources", metavar="FILE",
                       help="feeds file (default: $PRESSMON_SOURCES, else sources.yaml "
                            "in the config folder)")
        p.add_argument("--missions", metavar="FILE",
                       help="missions file (default: $PRESSMON_MISSIONS, else missions.yaml "
                            "in the config folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pressmon",
        description="Press monitoring of the Métropole Aix-Marseille-Provence's "
                    "international missions: feeds to DuckDB, stories, weekly digest.")
    parser.add_argument("--version", action="version", version=f"pressmon {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("ingest", help="run one full ingest cycle")
    _common(p, config=True)
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes for fetching and extraction (default: CPU count)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("extract", help="extract title, text and metadata from saved pages")
    p.add_argument("files", nargs="+", metavar="FILE.html")
    p.add_argument("--url", help="the page's address (one file only)")

    p = sub.add_parser("reclassify", help="re-apply the current configuration to stored articles")
    _common(p, config=True)

    p = sub.add_parser("digest", help="build (and optionally send) the weekly digest")
    _common(p, config=True)
    p.add_argument("--week", required=True, help="ISO week, YYYY-Www (e.g. 2017-W45)")
    p.add_argument("--out", metavar="FILE.html", help="write the HTML preview here")
    p.add_argument("--eml", metavar="FILE", help="write the whole message (.eml) here")
    p.add_argument("--send", action="store_true",
                   help="send through the SMTP server of $PRESSMON_SMTP_URL")
    p.add_argument("--to", action="append", default=[], metavar="ADDR", help="recipient")
    p.add_argument("--force", action="store_true", help="send even if already sent this week")

    p = sub.add_parser("report", help="run one of the analysts' SQL reports")
    _common(p, config=True)
    p.add_argument("name", nargs="?", help="report name (see --list)")
    p.add_argument("--list", action="store_true", help="list the reports")
    p.add_argument("--week", help="ISO week, YYYY-Www")
    p.add_argument("--mission", help="mission id")
    p.add_argument("--event", help="event id (an id retired by a merge finds the event it "
                                   "became)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")

    p = sub.add_parser("search", help="find articles by words in title and text")
    _common(p, config=True)
    p.add_argument("query")
    p.add_argument("--source")
    p.add_argument("--language")
    p.add_argument("--mission")
    p.add_argument("--since", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--until", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--relevant", action="store_true", help="only mission-relevant articles")
    p.add_argument("--limit", type=int, default=20, help="at most this many results "
                   "(1 to 10000, default 20)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return parser


def _paths(args):
    return get_paths(db=getattr(args, "db", None), config_dir=getattr(args, "config_dir", None),
                     sources=getattr(args, "sources", None),
                     missions=getattr(args, "missions", None))


def cmd_ingest(args) -> int:
    from .load import format_summary
    from .pipeline import run_cycle

    summary = run_cycle(_paths(args), workers=args.workers)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return 0
    print(format_summary(summary))
    return 0


def cmd_extract(args) -> int:
    from .extract import extract_page
    from .language import detect_language

    if args.url and len(args.files) > 1:
        raise UsageError("--url names the address of one page: give a single FILE with it")
    for name in args.files:
        try:
            body = Path(name).read_bytes()
            result = extract_page(body, args.url)
            lang, conf, _mix = detect_language(result.get("title") or "",
                                               result.get("text") or "",
                                               result.get("description"),
                                               result.get("page_language"))
            result["language"] = lang
            result["language_confidence"] = conf
            out = {"file": name, **result}
        except Exception as exc:  # one unreadable file never stops the others
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            out = {"file": name, "error": f"{type(exc).__name__}: {reason}", "title": None,
                   "text": None, "published": None, "language": None}
        print(json.dumps(out, ensure_ascii=False, default=str), flush=True)
    return 0


def cmd_reclassify(args) -> int:
    from .load import reclassify_all

    r = reclassify_all(_paths(args))
    print(f"reclassified {r['articles']} articles with rules {r['rules_version']}: "
          f"{r['changed']} changed, {r['relevant']} relevant")
    e = r["events"]
    print(f"events recomputed: {e['events']} ({e['kept_ids']} kept their id, {e['new_ids']} new, "
          f"{e['retired_ids']} ids retired into aliases)")
    return 0


def cmd_digest(args) -> int:
    from .digest.command import run_digest_command

    return run_digest_command(args, _paths(args))


def cmd_report(args) -> int:
    from .reports import run_report_command

    return run_report_command(args, _paths(args))


def cmd_search(args) -> int:
    from .search import run_search_command

    return run_search_command(args, _paths(args))


COMMANDS = {"ingest": cmd_ingest, "extract": cmd_extract, "reclassify": cmd_reclassify,
            "digest": cmd_digest, "report": cmd_report, "search": cmd_search}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, UsageError) as exc:
        print(f"pressmon {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"pressmon {args.command}: error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

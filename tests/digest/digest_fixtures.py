"""Builds real DuckDB files for the digest tests from the YAML cases in ``data/``, and the
SMTP handler the loopback servers use.

A case lists ``missions``, ``sources``, ``articles``, ``fetch_log`` and ``events`` rows; missing
columns get plain defaults, so a case only says what it is about. A source's ``title`` and
``channel_title`` and a mission's ``partner_fr`` go to the display-name tables. An event is
``{"event_id": ..., "stories": [story ids]}``, written as the load writes one (``events`` and
``event_stories``); the tests of grouping itself load labelled articles through the pipeline.
"""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import yaml

from pressmon.store import open_writer

DATA = Path(__file__).resolve().parent / "data"


def _ts(value):
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def load_case(name: str) -> dict:
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def build_db(path: Path, case: str | dict) -> Path:
    """A pressmon database at ``path`` (migrations and views applied) holding the case's rows."""
    data = load_case(case) if isinstance(case, str) else case
    con = open_writer(path)
    try:
        now = dt.datetime(2017, 11, 13, 7, 0, tzinfo=dt.timezone.utc)
        for m in data.get("missions") or []:
            con.execute("INSERT INTO missions VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [m["mission_id"], m.get("name"), m.get("partner"), m["start_date"],
                         m["end_date"], m.get("partner_region"), m.get("terms") or []])
            if m.get("partner_fr"):
                con.execute("INSERT INTO mission_names VALUES (?, ?)",
                            [m["mission_id"], m["partner_fr"]])
        regions = {}
        for i, s in enumerate(data.get("sources") or []):
            regions[s["name"]] = (s["region"], s.get("outlet", s["name"]))
            con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [s["name"], s.get("url", f"https://{s['name']}.example/feed"),
                         s["region"], s.get("language"), s.get("outlet", s["name"]), i,
                         s["region"] in ("marseille", "national"), now])
            if s.get("title") or s.get("channel_title"):
                con.execute("INSERT INTO feed_titles VALUES (?, ?, ?, ?)",
                            [s["name"], s.get("title"), s.get("channel_title"), now])
        for a in data.get("articles") or []:
            region, outlet = regions[a["source"]]
            published = _ts(a.get("published_at"))
            seen = _ts(a.get("first_seen_at")) or published or now
            con.execute(
                "INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, "
                "title, summary, text, published_at, first_seen_at, last_seen_at, "
                "content_hash, language, relevant, mission_id, topics, story_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [a["article_id"], a["source"], a.get("outlet", outlet),
                 a.get("region", region), a["url"], a.get("canonical_url", a["url"]),
                 a.get("title"), a.get("summary"), a.get("text"), published, seen, seen,
                 "h-" + a["article_id"], a.get("language"), bool(a.get("relevant")),
                 a.get("mission_id"), a.get("topics"), a.get("story_id")])
        for f in data.get("fetch_log") or []:
            con.execute("INSERT INTO fetch_log (source, url, started_at, outcome, http_status, "
                        "error, items, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [f["source"], f["url"], _ts(f["started_at"]), f["outcome"],
                         f.get("http_status"), f.get("error"), f.get("items"),
                         f.get("duration_ms", 100)])
        for ev in data.get("events") or []:
            first = ev["stories"][0]
            con.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                        [ev["event_id"], first, now, now, now])
            for sid in ev["stories"]:
                article = con.execute("SELECT min(article_id) FROM articles WHERE story_id = ?",
                                      [sid]).fetchone()[0]
                con.execute("INSERT INTO event_stories VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [sid, ev["event_id"], article, None, 3.0, [], now])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every accepted message; ``refuse`` rejects RCPT TO."""

    def __init__(self, refuse: dict[str, str] | None = None):
        self.messages: list = []
        self.refuse = refuse or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "*" in self.refuse or address in self.refuse:
            return self.refuse.get(address) or self.refuse["*"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

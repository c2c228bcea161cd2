"""Hand-built warehouses for the analysts' tests: a YAML file of rows loaded into a real
DuckDB file through the current schema (store.open_writer), then a published snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"


def article_row(a: dict, sources: dict) -> dict:
    src = sources[a["source"]]
    seen = a.get("first_seen") or "2017-12-01T00:00:00+00:00"
    return {
        "article_id": a["id"], "source": a["source"], "outlet": src["outlet"],
        "region": src["region"], "url": a.get("url") or f"https://{src['outlet']}.test/{a['id']}",
        "canonical_url": a.get("url") or f"https://{src['outlet']}.test/{a['id']}",
        "title": a.get("title"), "text": a.get("text"), "published_at": a.get("published"),
        "first_seen_at": seen, "last_seen_at": seen, "content_hash": "h-" + a["id"],
        "word_count": len((a.get("text") or "").split()), "language": a.get("language"),
        "relevant": a.get("relevant", a.get("mission") is not None),
        "mission_id": a.get("mission"), "topics": a.get("topics"), "story_id": a.get("story"),
        "cycle_id": a.get("cycle", "c1"),
    }


ARTICLE_INSERT = (
    "INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, title, text, "
    "published_at, first_seen_at, last_seen_at, content_hash, word_count, language, relevant, "
    "mission_id, topics, story_id, cycle_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, "
    "?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?, ?, ?, ?)")


def insert_articles(con, articles: list[dict], sources: dict) -> None:
    cols = ["article_id", "source", "outlet", "region", "url", "canonical_url", "title", "text",
            "published_at", "first_seen_at", "last_seen_at", "content_hash", "word_count",
            "language", "relevant", "mission_id", "topics", "story_id", "cycle_id"]
    for a in articles:
        row = article_row(a, sources)
        con.execute(ARTICLE_INSERT, [row[c] for c in cols])


def load_corpus(con, corpus: dict, *, now: dt.datetime | None = None) -> None:
    """Write a corpus file's rows (sources, missions, articles, events, fetch_log, feed_state)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    sources = {s["name"]: s for s in corpus.get("sources", [])}
    for pos, s in enumerate(corpus.get("sources", [])):
        con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [s["name"], s.get("url") or f"https://{s['outlet']}.test/{s['name']}.xml",
                     s["region"], s.get("language"), s["outlet"], pos,
                     s["region"] in ("marseille", "national"), now])
    for m in corpus.get("missions", []):
        con.execute("INSERT INTO missions VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [m["mission_id"], m.get("name"), m.get("partner"), m["start"], m["end"],
                     m.get("partner_region"), m.get("terms", [])])
    insert_articles(con, corpus.get("articles", []), sources)
    for f in corpus.get("fetch_log", []):
        con.execute("INSERT INTO fetch_log (cycle_id, source, url, started_at, outcome, "
                    "http_status, error, items, duration_ms, new_articles) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ["c1", f["source"], f"https://x.test/{f['source']}.xml",
                     now - dt.timedelta(hours=f["hours_ago"]), f["outcome"],
                     f.get("http_status"), f.get("error"), f.get("items"), 100, f.get("new", 0)])
    for ev in corpus.get("events", []):
        con.execute("INSERT INTO events VALUES (?, ?, ?::TIMESTAMPTZ, ?, ?)",
                    [ev["event_id"], ev["founding_story"], ev["founded"], now, now])
        for st in ev["stories"]:
            con.execute("INSERT INTO event_stories VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [st["story"], ev["event_id"], st["article"], st.get("linked"),
                         st.get("score"), st.get("shared", []), now])
    for st in corpus.get("feed_state", []):
        retry = st.get("next_attempt_in_hours")
        con.execute("INSERT INTO feed_state (source, consecutive_failures, next_attempt_at, "
                    "updated_at) VALUES (?, ?, ?, ?)",
                    [st["source"], st["consecutive_failures"],
                     now + dt.timedelta(hours=retry) if retry is not None else None, now])


def read_corpus(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def build_db(db: Path, corpus: dict, *, index: bool = True) -> Path:
    """A database at the current schema holding ``corpus``, with its snapshot published."""
    from pressmon import search, store

    con = store.open_writer(db)
    try:
        con.execute("BEGIN TRANSACTION")
        load_corpus(con, corpus)
        if index:
            search.index_articles(con)
        con.execute("COMMIT")
        store.publish_snapshot(con, db)
    finally:
        con.close()
    return db


@pytest.fixture
def small_db(tmp_path) -> Path:
    return build_db(tmp_path / "press.duckdb", read_corpus("small_corpus.yaml"))

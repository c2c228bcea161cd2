"""What the previous loads left, as the stages read it: feed validators and backoff, and which
article URLs are stored already. Read from the snapshot published after each load, never the
live database, which only the load may open (DuckDB allows one writer, and a reader in another
process would block it)."""

from __future__ import annotations

import datetime as dt
import logging

from . import store
from .dates import parse_time
from .settings import Paths

log = logging.getLogger("pressmon.snapshot")


class SnapshotReader:
    """What the previous loads left, read from the published snapshot (never the live file):
    feed validators and backoff, and which article URLs are already stored.

    Without a snapshot (first cycle) everything is new; the load deduplicates anyway.
    """

    def __init__(self, paths: Paths):
        self.con = None
        snap = store.snapshot_path(paths.db)
        if snap.exists():
            try:
                self.con = store.connect(snap, read_only=True)
            except store.StoreError as exc:
                log.warning("snapshot unreadable, treating every article as new: %s", exc)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def feed_state(self, source: str) -> dict | None:
        if self.con is None:
            return None
        rows = self.con.execute(
            "SELECT etag, last_modified, body_hash, consecutive_failures, next_attempt_at "
            "FROM feed_state WHERE source = ?", [source]).fetchall()
        if not rows:
            return None
        return dict(zip(("etag", "last_modified", "body_hash", "consecutive_failures",
                         "next_attempt_at"), rows[0]))

    def known(self, canonical_urls: list[str]) -> dict[str, dt.datetime | None]:
        """Canonical URL -> the stored article's last known update (or publication) time,
        whatever feed or outlet it was stored under: one URL is one article."""
        if self.con is None or not canonical_urls:
            return {}
        rows = self.con.execute(
            "SELECT al.canonical_url, coalesce(a.updated_at, a.published_at) "
            "FROM article_aliases al JOIN articles a USING (article_id) "
            "WHERE al.canonical_url IN (SELECT unnest(?))", [canonical_urls]).fetchall()
        return {url: parse_time(stamp) for url, stamp in rows}

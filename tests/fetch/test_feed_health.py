"""v_feed_health over a real DuckDB file migrated by pressmon.store, with hand-made history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb

from pressmon import store
from pressmon.fetch import backoff_until


def test_feed_health(tmp_path):
    """Success rate, new articles per day, days since the last article, backoff and status."""
    con = duckdb.connect(str(tmp_path / "press.duckdb"))
    store.migrate(con, tmp_path / "press.duckdb")
    now = datetime.now(timezone.utc)
    for i, name in enumerate(["alive", "dying", "backed", "fresh"]):
        con.execute("INSERT INTO sources VALUES (?, ?, 'marseille', 'fr', ?, ?, true, ?)",
                    [name, f"http://{name}.example.org/feed", name, i, now])
    rows = []
    for h in range(0, 72, 6):  # three days of cycles every 6 hours
        t = now - timedelta(hours=h)
        rows.append(("alive", t, "ok" if h % 12 else "not_modified", 200, None, 2 if h % 12 else 0))
        rows.append(("dying", t, "error" if h < 24 else "ok", 503 if h < 24 else 200,
                     "HTTP 503 Service Unavailable (3 attempts)" if h < 24 else None, 0))
    rows.append(("backed", now - timedelta(hours=1), "error", None, "timed out after 20 s", 0))
    rows.append(("backed", now - timedelta(days=10), "ok", 200, None, 5))  # outside the window
    con.executemany("INSERT INTO fetch_log (source, url, started_at, outcome, http_status, error,"
                    " new_articles) VALUES (?, 'u', ?, ?, ?, ?, ?)", rows)
    con.execute("INSERT INTO feed_state (source, consecutive_failures, next_attempt_at,"
                " last_error_at, last_error, updated_at) VALUES"
                " ('backed', 5, ?, ?, 'timed out after 20 s', ?),"
                " ('dying', 4, ?, ?, 'HTTP 503 Service Unavailable (3 attempts)', ?)",
                [backoff_until(5, now), now - timedelta(hours=1), now,
                 now - timedelta(minutes=1), now, now])
    con.execute("INSERT INTO articles (article_id, source, outlet, region, url, canonical_url,"
                " first_seen_at, last_seen_at, content_hash) VALUES"
                " ('a1', 'alive', 'alive', 'marseille', 'u', 'u', ?, ?, 'h')",
                [now - timedelta(hours=6), now - timedelta(hours=6)])
    got = {r[0]: r for r in con.execute(
        "SELECT source, status, consecutive_failures, success_rate_7d, new_articles_per_day_7d,"
        " days_since_last_new_article, last_error, next_attempt_at IS NOT NULL"
        " FROM v_feed_health").fetchall()}
    alive, dying, backed, fresh = got["alive"], got["dying"], got["backed"], got["fresh"]
    assert alive[1:4] == ("ok", 0, 1.0)
    assert abs(alive[4] - 12 / (66 / 24)) < 0.01   # 12 new articles over 2.75 days observed
    assert alive[5] == 0.3                        # last new articles 6 hours ago
    assert dying[1:4] == ("failing", 4, round(8 / 12, 3))
    assert dying[6] == "HTTP 503 Service Unavailable (3 attempts)"
    assert backed[1:4] == ("backing_off", 5, 0.0)
    assert backed[6] == "timed out after 20 s" and backed[7]
    assert fresh[1] == "never_fetched" and fresh[3] is None


def test_feed_failures_tell_broken_from_never_worked(tmp_path):
    """In one cycle: a feed that worked last cycle and fails now is broken (it fails the run);
    a new feed that fails at its first attempt, or one that never once worked, has "never
    worked" (reported only); a feed that was already failing is neither."""
    from pressmon.quality import feed_failures
    from pressmon.settings import get_paths

    db = tmp_path / "press.duckdb"
    con = store.open_writer(db)
    t0 = datetime(2026, 11, 23, 8, tzinfo=timezone.utc)
    rows = [
        ("c1", "steady", t0, "ok", None), ("c2", "steady", t0 + timedelta(hours=1), "ok", None),
        ("c1", "broke", t0, "not_modified", None),
        ("c2", "broke", t0 + timedelta(hours=1), "error", "HTTP 500"),
        ("c2", "newbad", t0 + timedelta(hours=1), "error", "not a feed"),
        ("c1", "neverok", t0, "error", "timed out"),
        ("c2", "neverok", t0 + timedelta(hours=1), "error", "timed out"),
        ("c0", "stillbad", t0 - timedelta(hours=1), "ok", None),
        ("c1", "stillbad", t0, "error", "HTTP 404"),
        ("c2", "stillbad", t0 + timedelta(hours=1), "error", "HTTP 404"),
    ]
    con.executemany("INSERT INTO fetch_log (cycle_id, source, url, started_at, outcome, error) "
                    "VALUES (?, ?, 'u', ?, ?, ?)", rows)
    con.close()
    found = feed_failures(get_paths(db=str(db)), "c2")
    assert [f["source"] for f in found["broken"]] == ["broke"]
    assert [f["source"] for f in found["never_worked"]] == ["neverok", "newbad"]
    assert found["broken"][0]["error"] == "HTTP 500"

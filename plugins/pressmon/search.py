"""Full-text search over stored articles, offline: the term index and ``pressmon search``.

DuckDB's ``fts`` extension is not in the wheel and cannot be downloaded here, so the index is
a plain table, ``search_terms`` (one row per article per distinct word, with its counts in the
title and the text), ranked with BM25 by the SQL macro ``pm_search`` (sql/migrations/
003_search.sql). Words are folded in SQL by ``pm_terms`` (lower case, accents stripped,
common function words dropped, plural "s" removed), the same macro for the index and the
query, so "Croisières" finds "croisiere". The load keeps the index current: an edited
article's terms are dropped in its transaction (``forget_articles``) and every pending article
is indexed after the commit (``index_pending``); articles not indexed yet
(``articles.search_length IS NULL``) are scored on the fly, so they are found all the same.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from zoneinfo import ZoneInfo

from . import store
from .errors import UsageError
from .settings import Paths

SEARCH_SCHEMA_VERSION = 3
PARIS = ZoneInfo("Europe/Paris")  # dates are shown and filtered on the team's days
SNIPPET_CHARS = 200
MAX_LIMIT = 10_000  # more than anyone reads; analysts wanting all rows query the snapshot
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
WORD_RE = re.compile(r"[a-z0-9]+")


class SearchError(ValueError):
    """A search option is malformed; the message says which and why."""


def forget_articles(con, article_ids) -> None:
    """Drop the index entries of these articles (their text is about to change, or they are
    gone): they are pending again (``search_length`` NULL) until indexed."""
    ids = sorted(set(article_ids or ()))
    if ids:
        con.execute("DELETE FROM search_terms WHERE article_id IN (SELECT unnest(?))", [ids])
        con.execute("UPDATE articles SET search_length = NULL "
                    "WHERE article_id IN (SELECT unnest(?))", [ids])


def _pending(con, limit: int | None = None) -> list[str]:
    sql = "SELECT article_id FROM articles WHERE search_length IS NULL ORDER BY article_id"
    if limit is not None:
        return [r[0] for r in con.execute(sql + " LIMIT ?", [limit]).fetchall()]
    return [r[0] for r in con.execute(sql).fetchall()]


def _index(con, ids: list[str]) -> None:
    """Index these articles, in the caller's transaction: their postings and length."""
    con.execute("DELETE FROM search_terms WHERE article_id IN (SELECT unnest(?))", [ids])
    con.execute("INSERT INTO search_terms (article_id, term, title_tf, body_tf) "
                "SELECT article_id, term, title_tf, body_tf FROM pm_article_postings_in(?)",
                [ids])
    con.execute(
        "UPDATE articles SET search_length = coalesce(n.len, 0) "
        "FROM (SELECT a.article_id, sum(s.title_tf + s.body_tf)::INTEGER AS len "
        "      FROM articles a LEFT JOIN search_terms s USING (article_id) "
        "      WHERE a.article_id IN (SELECT unnest(?)) GROUP BY a.article_id) n "
        "WHERE articles.article_id = n.article_id", [ids])


def index_articles(con, article_ids=()) -> int:
    """(Re)index the given articles and every article not indexed yet, in the caller's
    transaction; returns how many. Ids of deleted articles just lose their terms."""
    forget_articles(con, article_ids)
    ids = _pending(con)
    if ids:
        _index(con, ids)
    return len(ids)


def index_pending(con, *, batch: int = 1000) -> int:
    """Index every article not indexed yet, ``batch`` articles per transaction. The load
    calls it after its commit, so that a large cycle's postings never sit in memory at once;
    each article is indexed whole or not at all. Returns how many were indexed."""
    done = 0
    while ids := _pending(con, batch):
        con.execute("BEGIN TRANSACTION")
        try:
            _index(con, ids)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        done += len(ids)
    return done


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SearchError(f"{option} {value!r} is not a date: write YYYY-MM-DD") from None


def search(con, query: str, *, source: str | None = None, language: str | None = None,
           mission: str | None = None, since: str | dt.date | None = None,
           until: str | dt.date | None = None, relevant: bool = False,
           limit: int = 20) -> list[dict]:
    """Articles matching any word of ``query``, best first (BM25 score, then newest).

    Dates are Europe/Paris days, both ends included; an article without a publication date
    is left out when a date bound is given. Each result carries the query words it contains
    and a snippet: the first sentence of its text that holds one of them.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"--limit must be a positive number, at most {MAX_LIMIT}, not "
                          f"{str(limit)[:30]}")
    since = since if isinstance(since, dt.date) or since is None else _date(since, "--since")
    until = until if isinstance(until, dt.date) or until is None else _date(until, "--until")
    if since and until and since > until:
        raise SearchError(f"--since {since} is after --until {until}")
    if store.schema_version(con) < SEARCH_SCHEMA_VERSION:
        raise store.StoreError("this database predates search (schema version "
                               f"{store.schema_version(con)}); the next `pressmon ingest` "
                               "upgrades it")
    terms = con.execute("SELECT list_distinct(pm_terms(?))", [query]).fetchall()[0][0] or []
    if not terms:
        raise SearchError(f"nothing to search in {query!r}: give at least one word of two "
                          f"letters or more that is not a common function word")
    where, params = [], [query]
    for column, value in (("a.source", source), ("a.language", language),
                          ("a.mission_id", mission)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if since:
        where.append("pm_local_day(a.published_at) >= ?")
        params.append(since)
    if until:
        where.append("pm_local_day(a.published_at) <= ?")
        params.append(until)
    if relevant:
        where.append("a.relevant")
    sql = ("SELECT r.score, r.matched_terms, a.article_id, a.published_at, a.source, a.outlet, "
           "a.region, a.language, a.relevant, a.mission_id, a.story_id, a.title, a.url, a.text "
           "FROM pm_search(?) r JOIN v_articles a USING (article_id)")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY r.score DESC, a.published_at DESC NULLS LAST, a.article_id LIMIT ?"
    params.append(limit)
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    results = []
    for rank, row in enumerate(cur.fetchall(), 1):
        rec = dict(zip(names, row))
        text = rec.pop("text")
        rec["snippet"] = snippet(text, rec["matched_terms"])
        rec["score"] = round(rec["score"], 4)
        results.append({"rank": rank, **rec})
    return results


def fold(text: str) -> str:
    """Python twin of the SQL ``pm_fold``, for locating words in a snippet."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def _stem(word: str) -> str:
    return word[:-1] if len(word) >= 4 and word.endswith("s") and word[-2] != "s" else word


def snippet(text: str | None, terms: list[str], max_chars: int = SNIPPET_CHARS) -> str:
    """The first sentence of ``text`` holding one of ``terms`` (pm_terms form), shortened."""
    if not text:
        return ""
    wanted = set(terms or ())
    sentences = [s.strip() for s in SENTENCE_RE.split(text) if s.strip()]
    chosen = next((s for s in sentences
                   if wanted & {_stem(w) for w in WORD_RE.findall(fold(s))}),
                  sentences[0] if sentences else "")
    if len(chosen) > max_chars:
        chosen = chosen[:max_chars - 1].rsplit(" ", 1)[0] + "…"
    return chosen


def run_search_command(args, paths: Paths) -> int:
    """`pressmon search "words" [--source --language --mission --since --until --relevant
    --limit --format]`."""
    from .reports import format_rows

    try:
        since = _date(args.since, "--since")
        until = _date(args.until, "--until")
        con = store.open_reader(paths.db)
        try:
            results = search(con, args.query, source=args.source, language=args.language,
                             mission=args.mission, since=since, until=until,
                             relevant=args.relevant, limit=args.limit)
        finally:
            con.close()
    except SearchError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "table":
        columns = ["rank", "score", "published", "source", "language", "title", "url"]
        rows = [(r["rank"], r["score"],
                 r["published_at"].astimezone(PARIS).date() if r["published_at"] else None,
                 r["source"],
                 r["language"], r["title"], r["url"]) for r in results]
    else:
        columns = ["rank", "score", "article_id", "published_at", "source", "outlet", "region",
                   "language", "relevant", "mission_id", "story_id", "title", "url",
                   "matched_terms", "snippet"]
        rows = [tuple(r[c] for c in columns) for r in results]
    sys.stdout.write(format_rows(columns, rows, args.format) + "\n")
    return 0

"""The weekly digest email: what it says (built from the snapshot), how it looks (Jinja2
templates under ``templates/``), the MIME message, and sending it exactly once per week.

The digest covers one ISO week, Monday to Sunday in Europe/Paris. It is built from a read-only
connection (the snapshot published after each load); only the send step opens the live database,
to check and write ``digest_log``, and it does so in Airflow's one-slot ``duckdb_writer`` pool.
A failed SMTP delivery raises with the server's answer and records nothing, so a retry sends it;
a recorded digest is never sent again for its week unless forced.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import html
import logging
import os
import re
import smtplib
import socket
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .config import HOME_REGIONS, ConfigError, Section, read_yaml

log = logging.getLogger("pressmon.digest")

PARIS = ZoneInfo("Europe/Paris")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ENV_SMTP_URL = "PRESSMON_SMTP_URL"
RECIPIENTS_VARIABLE = "pressmon_digest_recipients"
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
ADDRESS_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+$")

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")
DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
LANGUAGES = {"fr": "français", "en": "anglais", "es": "espagnol", "it": "italien",
             "de": "allemand", "pt": "portugais", "ar": "arabe", "zh": "chinois"}
TOPICS = {"diplomacy": "diplomatie", "economy": "économie", "investment": "investissement",
          "tourism": "tourisme", "cruise": "croisière", "port": "port",
          "urban_development": "aménagement urbain", "innovation": "innovation",
          "culture": "culture", "politics": "politique", "sports": "sport", "other": "autre"}
# Region groups, in display order. "partner" is the mission's partner_region (or every foreign
# region when the mission names none); "other" is foreign press outside that partner city.
GROUPS = ("home", "partner", "other")
GROUP_LABELS = {"home": "presse locale et nationale", "partner": "presse de la ville partenaire",
                "other": "autre presse étrangère"}
GROUP_COLOURS = {"home": "#1f5fa8", "partner": "#d9822b", "other": "#8c8c8c"}
GROUP_MARKS = {"home": "#", "partner": "=", "other": "."}  # the plain-text chart's bars


class DigestError(ValueError):
    """The digest cannot be built or sent as asked; the message says what to fix."""


class DigestSendError(RuntimeError):
    """The SMTP server did not accept the digest; the message holds the server's answer."""


# --------------------------------------------------------------------------- weeks


@dataclass(frozen=True)
class Week:
    """One ISO week; ``start``/``end`` are aware datetimes in Europe/Paris, end exclusive."""

    label: str          # 2017-W45
    year: int
    number: int
    monday: dt.date
    sunday: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.monday, dt.time(0), PARIS)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.sunday + dt.timedelta(days=1), dt.time(0), PARIS)

    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    def previous(self) -> "Week":
        y, w, _ = (self.monday - dt.timedelta(days=7)).isocalendar()
        return parse_week(f"{y}-W{w:02d}")


def parse_week(text: str) -> Week:
    """``YYYY-Www`` to a Week; anything else is refused with an example of the right form."""
    value = (text or "").strip()
    m = WEEK_RE.match(value)
    if not m:
        raise DigestError(f"week {text!r} is not an ISO week: write it YYYY-Www, e.g. 2017-W45")
    year, number = int(m.group(1)), int(m.group(2))
    weeks_in_year = dt.date(year, 12, 28).isocalendar()[1]
    if not 1 <= number <= weeks_in_year:
        raise DigestError(f"week {text!r} does not exist: {year} has weeks W01 to "
                          f"W{weeks_in_year:02d}")
    monday = dt.date.fromisocalendar(year, number, 1)
    return Week(value, year, number, monday, monday + dt.timedelta(days=6))


def previous_week_of(moment: dt.datetime | dt.date) -> str:
    """The last complete ISO week before ``moment`` (Paris time): what a Monday run reports."""
    if isinstance(moment, dt.datetime):
        day = (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
               ).astimezone(PARIS).date()
    else:
        day = moment
    y, w, _ = (day - dt.timedelta(days=7)).isocalendar()
    return f"{y}-W{w:02d}"


def short_date(d: dt.date, *, year: bool = True) -> str:
    return f"{d.day} {MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")


def week_span(week: Week) -> str:
    return date_span(week.monday, week.sunday)


def date_span(a: dt.date, b: dt.date) -> str:
    """``6–12 nov. 2017``; ``30 oct.–5 nov. 2017``; ``29 déc. 2025–4 janv. 2026``."""
    if a == b:
        return short_date(a)
    if a.year != b.year:
        return f"{short_date(a)}–{short_date(b)}"
    if a.month != b.month:
        return f"{short_date(a, year=False)}–{short_date(b)}"
    return f"{a.day}–{short_date(b)}"


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class DigestConfig:
    path: Path | None
    sender: str = "Revue de presse pressmon <pressmon@localhost>"
    recipients: tuple[str, ...] = ()
    max_stories_per_section: int = 8
    max_copies_listed: int = 6
    templates_dir: Path | None = None


DIGEST_KEYS = {"sender", "recipients", "max_stories_per_section", "max_copies_listed",
               "templates_dir"}


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


# --------------------------------------------------------------------------- the data


@dataclass
class Copy:
    outlet: str
    title: str
    url: str | None
    date: str


@dataclass
class Story:
    story_id: str
    title: str
    url: str | None
    outlet: str
    date: str
    published_at: dt.datetime | None
    language: str
    language_label: str
    topics: list[str]
    excerpt: str
    outlets: int
    articles: int
    mission_id: str | None
    groups: list[str]
    copies: list[Copy] = field(default_factory=list)
    more_copies: int = 0


@dataclass
class DigestSection:
    key: str                     # mission id, or "other"
    title: str
    subtitle: str
    stories: list[Story]
    hidden: int                  # stories beyond the section's limit


@dataclass
class Figure:
    label: str
    current: int
    previous: int

    @property
    def delta(self) -> str:
        d = self.current - self.previous
        return "=" if d == 0 else (f"+{d}" if d > 0 else f"−{-d}")


@dataclass
class ChartDay:
    label: str
    counts: dict[str, int]
    widths: dict[str, int]
    total: int


@dataclass
class FailedFeed:
    source: str
    failures: int
    last_error: str
    last_at: str


@dataclass
class Digest:
    week: Week
    generated_at: dt.datetime
    figures: list[Figure]
    groups: list[Figure]
    languages: list[Figure]
    sections: list[DigestSection]
    chart: list[ChartDay]
    chart_groups: list[str]
    failed_feeds: list[FailedFeed]
    collected: int               # every article of the week, relevant or not
    config: DigestConfig

    @property
    def empty(self) -> bool:
        return not any(s.stories for s in self.sections)

    @property
    def story_count(self) -> int:
        return self.figures[0].current

    @property
    def article_count(self) -> int:
        return self.figures[1].current


ARTICLES_SQL = """
SELECT a.article_id, a.source, a.outlet, a.region, a.url, a.title, a.published_at,
       coalesce(a.published_at, a.first_seen_at) AS dated_at, a.language, a.topics, a.relevant,
       a.mission_id, coalesce(a.story_id, a.article_id) AS story_id,
       coalesce(s.position, 2147483647) AS position
FROM v_articles a
LEFT JOIN (SELECT name, min(position) AS position FROM sources GROUP BY name) s
       ON s.name = a.source
"""


def _rows(con, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _week_rows(con, week: Week, *, relevant_only: bool) -> list[dict]:
    where = " WHERE coalesce(a.published_at, a.first_seen_at) >= ? " \
            "AND coalesce(a.published_at, a.first_seen_at) < ?"
    if relevant_only:
        where += " AND a.relevant"
    return _rows(con, ARTICLES_SQL + where, [week.start, week.end])


def _missions(con) -> dict[str, dict]:
    rows = _rows(con, "SELECT mission_id, name, partner, start_date, end_date, partner_region "
                      "FROM missions ORDER BY start_date, mission_id", [])
    return {r["mission_id"]: r for r in rows}


def region_group(region: str, partner_region: str | None) -> str:
    if region in HOME_REGIONS:
        return "home"
    if partner_region is None or region == partner_region:
        return "partner"
    return "other"


def safe_url(url: str | None) -> str | None:
    """Only absolute http(s) links reach the email; ``javascript:``, ``data:`` and the like
    (and anything with spaces or control characters) are dropped."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def excerpt_of(summary: str | None, text: str | None, limit: int = 280) -> str:
    """One sentence, two when the first is short, cut at a word under ``limit`` characters."""
    raw = summary if summary and summary.strip() else (text or "")
    # Feed summaries sometimes carry markup; the excerpt is plain text (escaped when shown).
    raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    raw = " ".join(raw.split())
    if not raw:
        return ""
    sentences = re.split(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Þ«\"“¿¡0-9])", raw)
    out = sentences[0]
    if len(out) < 120 and len(sentences) > 1:
        out = f"{out} {sentences[1]}"
    if len(out) > limit:
        cut = out[:limit].rsplit(" ", 1)[0].rstrip(",;:—-– ")
        out = cut + "…"
    return out


def _local(ts: dt.datetime | None) -> dt.datetime | None:
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return ts.astimezone(PARIS)


def _figures(rows: list[dict], missions: dict[str, dict]) -> dict:
    stories = {r["story_id"] for r in rows}
    outlets = {r["outlet"] for r in rows}
    groups: Counter = Counter()
    langs: Counter = Counter()
    for r in rows:
        partner = (missions.get(r["mission_id"]) or {}).get("partner_region")
        groups[region_group(r["region"], partner if r["mission_id"] else "")] += 1
        langs[r["language"] or "?"] += 1
    return {"stories": len(stories), "articles": len(rows), "outlets": len(outlets),
            "groups": groups, "languages": langs}


def _story_mission(rel: list[dict], missions: dict[str, dict]) -> str | None:
    counts = Counter(r["mission_id"] for r in rel if r["mission_id"])
    if not counts:
        return None
    order = list(missions)
    return sorted(counts, key=lambda m: (-counts[m], order.index(m) if m in order else 1e9, m))[0]


def build_digest(con, week: str, *, now: dt.datetime | None = None,
                 config: DigestConfig | None = None) -> Digest:
    """Everything the email says about ``week``, from a read-only connection."""
    wk = parse_week(week) if isinstance(week, str) else week
    config = config or DigestConfig(path=None)
    now = now or dt.datetime.now(dt.timezone.utc)
    missions = _missions(con)

    current = _week_rows(con, wk, relevant_only=True)
    previous = _week_rows(con, wk.previous(), relevant_only=True)
    collected = con.execute(
        "SELECT count(*) FROM v_articles WHERE coalesce(published_at, first_seen_at) >= ? "
        "AND coalesce(published_at, first_seen_at) < ?", [wk.start, wk.end]).fetchone()[0]
    cur_f, prev_f = _figures(current, missions), _figures(previous, missions)

    figures = [Figure("histoires", cur_f["stories"], prev_f["stories"]),
               Figure("articles", cur_f["articles"], prev_f["articles"]),
               Figure("médias", cur_f["outlets"], prev_f["outlets"])]
    group_figs = [Figure(GROUP_LABELS[g], cur_f["groups"][g], prev_f["groups"][g])
                  for g in GROUPS if g != "other" or cur_f["groups"][g] or prev_f["groups"][g]]
    lang_keys = sorted(set(cur_f["languages"]) | set(prev_f["languages"]),
                       key=lambda k: (-cur_f["languages"][k], -prev_f["languages"][k], k))
    lang_figs = [Figure(LANGUAGES.get(k, k), cur_f["languages"][k], prev_f["languages"][k])
                 for k in lang_keys]

    sections = _sections(con, wk, current, missions, config)
    chart, chart_groups = _chart(wk, current, missions)
    return Digest(week=wk, generated_at=now, figures=figures, groups=group_figs,
                  languages=lang_figs, sections=sections, chart=chart,
                  chart_groups=chart_groups, failed_feeds=_failed_feeds(con, wk),
                  collected=int(collected), config=config)


def _sections(con, wk: Week, current: list[dict], missions: dict[str, dict],
              config: DigestConfig) -> list[DigestSection]:
    story_ids = sorted({r["story_id"] for r in current})
    if not story_ids:
        return []
    # Every article of those stories up to the end of the week: the original may predate it.
    members = _rows(con, "SELECT * FROM (" + ARTICLES_SQL + ") WHERE story_id IN "
                    "(SELECT unnest(?)) AND dated_at < ?", [story_ids, wk.end])
    extra = {r["article_id"]: r for r in _rows(
        con, "SELECT article_id, summary, left(text, 4000) AS text FROM v_articles "
             "WHERE coalesce(story_id, article_id) IN (SELECT unnest(?))", [story_ids])}
    by_story: dict[str, list[dict]] = {}
    for r in members:
        by_story.setdefault(r["story_id"], []).append(r)
    in_week = {r["article_id"] for r in current}

    stories: list[Story] = []
    for sid, arts in by_story.items():
        arts.sort(key=lambda r: (r["dated_at"], r["position"], r["article_id"]))
        original = arts[0]
        rel = [r for r in arts if r["relevant"] and r["article_id"] in in_week]
        mission_id = _story_mission(rel, missions)
        partner = (missions.get(mission_id) or {}).get("partner_region") if mission_id else ""
        ex = extra.get(original["article_id"], {})
        published = _local(original["published_at"] or original["dated_at"])
        seen_outlets = {original["outlet"]}
        copies: list[Copy] = []
        more = 0
        for r in arts[1:]:
            if r["outlet"] in seen_outlets:
                continue
            seen_outlets.add(r["outlet"])
            if len(copies) < config.max_copies_listed:
                d = _local(r["published_at"] or r["dated_at"])
                copies.append(Copy(r["outlet"], r["title"] or "", safe_url(r["url"]),
                                   short_date(d.date()) if d else ""))
            else:
                more += 1
        lang = original["language"] or "?"
        stories.append(Story(
            story_id=sid,
            title=(original["title"] or "").strip() or "(sans titre)",
            url=safe_url(original["url"]),
            outlet=original["outlet"],
            date=short_date(published.date()) if published else "",
            published_at=published,
            language=lang,
            language_label=LANGUAGES.get(lang, lang),
            topics=[TOPICS.get(t, t) for t in (original["topics"] or ["other"])],
            excerpt=excerpt_of(ex.get("summary"), ex.get("text")),
            outlets=len({r["outlet"] for r in arts}),
            articles=len(arts),
            mission_id=mission_id,
            groups=[g for g in GROUPS if any(
                region_group(r["region"], partner) == g for r in arts)],
            copies=copies,
            more_copies=more,
        ))
    stories.sort(key=lambda s: (-s.outlets, -s.articles,
                                s.published_at or dt.datetime.max.replace(tzinfo=PARIS),
                                s.story_id))

    sections: list[DigestSection] = []
    limit = config.max_stories_per_section
    for mid, m in missions.items():
        mine = [s for s in stories if s.mission_id == mid]
        if not mine:
            continue
        when = date_span(m["start_date"], m["end_date"]) \
            if m["start_date"] and m["end_date"] else ""
        subtitle = ", ".join(x for x in (m.get("partner") or "", when) if x)
        sections.append(DigestSection(mid, m.get("name") or mid, subtitle, mine[:limit],
                                      max(0, len(mine) - limit)))
    known = set(missions)
    rest = [s for s in stories if s.mission_id not in known]
    if rest:
        sections.append(DigestSection("other", "Autres retombées internationales", "",
                                      rest[:limit], max(0, len(rest) - limit)))
    return sections


def _chart(wk: Week, current: list[dict], missions: dict[str, dict],
           width: int = 260) -> tuple[list[ChartDay], list[str]]:
    days = wk.days()
    counts = {d: Counter() for d in days}
    for r in current:
        local = _local(r["dated_at"])
        if local is None or local.date() not in counts:
            continue
        partner = (missions.get(r["mission_id"]) or {}).get("partner_region")
        counts[local.date()][region_group(r["region"], partner if r["mission_id"] else "")] += 1
    used = [g for g in GROUPS if any(c[g] for c in counts.values())] or ["home", "partner"]
    top = max((sum(c.values()) for c in counts.values()), default=0) or 1
    chart = []
    for d in days:
        c = counts[d]
        chart.append(ChartDay(
            label=f"{DAYS[d.weekday()]} {d.day}",
            counts={g: c[g] for g in used},
            # at least 2 px so a day with one article is visible next to a busy one
            widths={g: (max(2, round(width * c[g] / top)) if c[g] else 0) for g in used},
            total=sum(c.values()),
        ))
    return chart, used


def _failed_feeds(con, wk: Week) -> list[FailedFeed]:
    rows = _rows(con, """
        SELECT source, count(*) AS failures, max(started_at) AS last_at,
               arg_max(coalesce(error, outcome), started_at) AS last_error
        FROM fetch_log
        WHERE outcome IN ('error', 'skipped') AND started_at >= ? AND started_at < ?
        GROUP BY source ORDER BY failures DESC, source""", [wk.start, wk.end])
    out = []
    for r in rows:
        at = _local(r["last_at"])
        out.append(FailedFeed(r["source"], int(r["failures"]), (r["last_error"] or "")[:200],
                              f"{DAYS[at.weekday()]} {short_date(at.date(), year=False)} "
                              f"{at:%H:%M}" if at else ""))
    return out


# --------------------------------------------------------------------------- rendering


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
    env.filters["number"] = lambda n: f"{n:,}".replace(",", "\u202f")
    return env


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
    addr = parseaddr(address)[1]
    return addr.rsplit("@", 1)[1] if "@" in addr else "pressmon.localhost"


def build_message(digest: Digest, *, sender: str, recipients: list[str] | tuple[str, ...],
                  rendered: tuple[str, str, str] | None = None) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML last (the part clients prefer)."""
    problem = check_address(sender)
    if problem:
        raise DigestError(f"sender {problem}")
    subject, html_body, text_body = rendered or render(digest)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = sender
    if recipients:
        msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(digest.generated_at.astimezone(PARIS))
    # short enough not to be folded onto a second header line
    msg["Message-ID"] = f"<digest.{digest.week.label}.{uuid.uuid4().hex[:20]}@{_domain(sender)}>"
    msg["Content-Language"] = "fr"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Pressmon-Week"] = digest.week.label
    msg.set_content(text_body, subtype="plain", charset="utf-8")
    msg.add_alternative(html_body, subtype="html", charset="utf-8")
    return msg


# --------------------------------------------------------------------------- sending


def already_sent(con, week: str) -> dict | None:
    """The last recorded delivery of ``week``'s digest, or None."""
    rows = _rows(con, "SELECT week, message_id, subject, recipients, sent_at, stories, articles, "
                      "forced FROM digest_log WHERE week = ? ORDER BY sent_at DESC LIMIT 1",
                 [week])
    return rows[0] if rows else None


Transport = Callable[[EmailMessage, str, list[str]], dict]


def parse_smtp_url(url: str) -> tuple[str, int]:
    parts = urlsplit(url.strip())
    if parts.scheme != "smtp" or not parts.hostname:
        raise DigestError(f"{ENV_SMTP_URL}={url!r}: write it smtp://host:port "
                          f"(plain SMTP, e.g. smtp://127.0.0.1:1025)")
    try:
        port = parts.port or 25
    except ValueError:
        raise DigestError(f"{ENV_SMTP_URL}={url!r}: the port is not a number") from None
    return parts.hostname, port


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


def smtp_transport(url: str, *, timeout: float = 30.0) -> Transport:
    """Plain SMTP to ``smtp://host:port`` (the CLI; tests use a loopback server)."""
    host, port = parse_smtp_url(url)

    def send(msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as client:
                return deliver(client, msg, sender, recipients, f"{host}:{port}")
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc, DigestSendError):
                raise
            raise DigestSendError(f"cannot deliver through SMTP server {host}:{port}: "
                                  f"{_smtp_error(exc)}") from None

    return send


def _smtp_error(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient refused: " + "; ".join(
            f"{r}: {_answer(*a)}" for r, a in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender {exc.sender} refused: {_answer(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def deliver(client: smtplib.SMTP, msg: EmailMessage, sender: str, recipients: list[str],
            server: str) -> dict:
    """Send on an open SMTP client; the refused recipients (when some were accepted)."""
    envelope_from = parseaddr(sender)[1]
    envelope_to = [parseaddr(r)[1] for r in recipients]
    try:
        refused = client.send_message(msg, from_addr=envelope_from, to_addrs=envelope_to)
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestSendError(f"SMTP server {server} did not accept the digest: "
                              f"{_smtp_error(exc)}") from None
    return {r: _answer(*a) for r, a in (refused or {}).items()}


def send_digest(paths, week: str, recipients, *, smtp_url: str | None = None,
                force: bool = False, sender: str | None = None,
                transport: Transport | None = None, now: dt.datetime | None = None,
                wait_s: float = 60.0) -> dict:
    """Send ``week``'s digest once.

    Renders from the snapshot, then opens the live database (the writer) to check
    ``digest_log``, send, and record the delivery in one go, so that a retried task or a second
    trigger finds the record and sends nothing. A refused delivery raises DigestSendError with
    the server's answer and records nothing. ``transport`` replaces plain SMTP to ``smtp_url``
    (the DAG passes one built on Airflow's SMTP connection).
    """
    from . import store
    from .store import open_reader, open_writer

    wk = parse_week(week)
    config = load_digest_config(digest_config_path(paths))
    recipients = parse_recipients(recipients)
    if not recipients:
        raise DigestError("no recipients: give --to ADDR, set recipients in "
                          f"{digest_config_path(paths)} or the Airflow Variable "
                          f"{RECIPIENTS_VARIABLE}")
    sender = sender or config.sender
    if transport is None:
        url = smtp_url or os.environ.get(ENV_SMTP_URL)
        if not url:
            raise DigestError(f"set {ENV_SMTP_URL}=smtp://host:port to send the digest")
        transport = smtp_transport(url)

    reader = open_reader(paths.db)
    try:
        digest = build_digest(reader, wk.label, now=now, config=config)
    finally:
        reader.close()  # the live file cannot be opened for writing while this is open
    rendered = render(digest)
    msg = build_message(digest, sender=sender, recipients=recipients, rendered=rendered)

    con = open_writer(paths.db, wait_s=wait_s)
    try:
        previous = already_sent(con, wk.label)
        if previous and not force:
            log.info("digest %s already sent on %s to %s (message %s); not sending again",
                     wk.label, previous["sent_at"], ", ".join(previous["recipients"] or []),
                     previous["message_id"])
            return {"status": "already_sent", "week": wk.label, "previous": previous,
                    "subject": previous["subject"], "message_id": previous["message_id"]}
        refused = transport(msg, sender, recipients)
        accepted = [r for r in recipients if parseaddr(r)[1] not in refused]
        sent_at = dt.datetime.now(dt.timezone.utc)
        con.execute("INSERT INTO digest_log (week, message_id, subject, recipients, sent_at, "
                    "stories, articles, forced) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [wk.label, msg["Message-ID"], rendered[0], accepted, sent_at,
                     digest.story_count, digest.article_count, bool(previous and force)])
        try:
            # Readers (the UI, analysts) see the send without waiting for the next load.
            store.publish_snapshot(con, paths.db)
        except (OSError, store.StoreError) as exc:
            log.warning("digest %s sent and recorded; snapshot not republished: %s",
                        wk.label, exc)
    finally:
        con.close()
    log.info("digest %s sent to %s (message %s)", wk.label, ", ".join(accepted),
             msg["Message-ID"])
    return {"status": "sent", "week": wk.label, "subject": rendered[0],
            "message_id": msg["Message-ID"], "recipients": accepted, "refused": refused,
            "sent_at": sent_at, "stories": digest.story_count,
            "articles": digest.article_count, "forced": bool(previous and force)}


# --------------------------------------------------------------------------- the CLI


def preview(paths, week: str, *, now: dt.datetime | None = None) -> tuple[Digest, tuple]:
    from .store import open_reader

    config = load_digest_config(digest_config_path(paths))
    wk = parse_week(week)
    con = open_reader(paths.db)
    try:
        digest = build_digest(con, wk.label, now=now, config=config)
    finally:
        con.close()
    return digest, render(digest)


def _write(path: str, data: bytes) -> Path:
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
            print(_write(args.out, html_body.encode("utf-8")))
        if args.eml:
            msg = build_message(digest, sender=config.sender, recipients=recipients,
                                rendered=rendered)
            print(_write(args.eml, msg.as_bytes()))
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
              f"{_local(p['sent_at']):%Y-%m-%d %H:%M %Z} to {', '.join(p['recipients'] or [])} "
              f"(message {p['message_id']}); not sent again (use --force to resend)",
              file=sys.stderr)
        return 1
    print(f"sent digest {result['week']} to {', '.join(result['recipients'])} "
          f"(message {result['message_id']}): {subject}")
    if result["refused"]:
        print(f"{prog}: error: the SMTP server refused some recipients: " + "; ".join(
            f"{r}: {a}" for r, a in result["refused"].items()), file=sys.stderr)
        return 4
    return 0


# --------------------------------------------------------------------------- Airflow tasks


def _airflow_week(context: dict) -> str:
    params = context.get("params") or {}
    if params.get("week"):
        return parse_week(str(params["week"])).label
    moment = context.get("logical_date")
    if moment is None:
        dag_run = context.get("dag_run")
        moment = getattr(dag_run, "run_after", None) or dt.datetime.now(dt.timezone.utc)
    return previous_week_of(moment)


def airflow_render(context: dict) -> dict:
    """DAG task ``render``: build the week's digest from the snapshot and keep a preview
    (``exports/digest-WEEK.html``) beside the database; no database write, no pool."""
    from airflow.sdk.exceptions import AirflowFailException

    from .settings import get_paths

    paths = get_paths()
    try:
        week = _airflow_week(context)
        digest, (subject, html_body, text_body) = preview(paths, week)
    except (DigestError, ConfigError) as exc:
        raise AirflowFailException(str(exc)) from None
    out = _write(str(paths.exports_dir / f"digest-{week}.html"), html_body.encode("utf-8"))
    log.info("digest %s: %s\n%s", week, subject, text_body)
    return {"week": week, "subject": subject, "stories": digest.story_count,
            "articles": digest.article_count, "empty": digest.empty, "preview": str(out)}


def airflow_recipients(paths) -> list[str]:
    """The Airflow Variable ``pressmon_digest_recipients`` (comma separated), else
    ``recipients`` in ``config/digest.yaml``."""
    from airflow.sdk import Variable

    value = Variable.get(RECIPIENTS_VARIABLE, default=None)
    recipients = parse_recipients(value)
    if recipients:
        return recipients
    return list(load_digest_config(digest_config_path(paths)).recipients)


def hook_transport(conn_id: str = "smtp_default") -> Transport:
    """Delivery through Airflow's SMTP provider connection (host, port, SSL/STARTTLS, login).

    The hook's own ``send_email_smtp`` builds an HTML-only message; the digest is
    multipart/alternative, so the hook opens and authenticates the session and the digest's
    own message goes through that session's client.
    """
    def send(msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        hook = SmtpHook(smtp_conn_id=conn_id)
        try:
            with hook as session:
                client = getattr(session, "_smtp_client", None)
                if client is None:
                    raise DigestSendError(f"SMTP connection {conn_id} opened no session")
                return deliver(client, msg, sender, recipients,
                               f"{session.host}:{session.port} ({conn_id})")
        except DigestSendError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise DigestSendError(f"cannot deliver through SMTP connection {conn_id}: "
                                  f"{_smtp_error(exc)}") from None

    return send


def airflow_send(context: dict, conn_id: str = "smtp_default") -> dict:
    """DAG task ``send`` (pool ``duckdb_writer``): send once and record it in ``digest_log``.

    Already sent: a success that sends nothing. Refused by the server: the task fails with the
    server's answer (and retries), nothing recorded. Some recipients refused: recorded as sent
    to the others, and the task fails without retry so an operator sees it.
    """
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    from .settings import get_paths
    from .store import StoreError

    paths = get_paths()
    params = context.get("params") or {}
    try:
        week = _airflow_week(context)
        config = load_digest_config(digest_config_path(paths))
        recipients = airflow_recipients(paths)
        sender = config.sender
        if config.path is None:
            # no digest.yaml: the connection's from_email, when set, names the sender
            from airflow.providers.smtp.hooks.smtp import SmtpHook

            sender = SmtpHook(smtp_conn_id=conn_id).from_email or sender
        result = send_digest(paths, week, recipients, force=bool(params.get("force")),
                             sender=sender, transport=hook_transport(conn_id))
    except (DigestError, ConfigError) as exc:
        raise AirflowFailException(str(exc)) from None
    except (DigestSendError, StoreError) as exc:
        raise AirflowException(str(exc)) from None
    if result["status"] == "already_sent":
        log.info("digest %s already sent (message %s): nothing to do", week,
                 result["message_id"])
    elif result["refused"]:
        raise AirflowFailException(
            f"digest {week} sent to {', '.join(result['recipients'])} but refused for: " +
            "; ".join(f"{r}: {a}" for r, a in result["refused"].items()))
    return {k: (str(v) if isinstance(v, dt.datetime) else v) for k, v in result.items()
            if k != "previous"}

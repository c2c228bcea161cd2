"""Building a week's digest from a read-only connection (the snapshot published after each
load): the relevant stories of the week by mission, grouped by event (``v_articles.event_id``,
``v_events``), the figures against the week before, the chart by day and press group, and the
feeds that failed."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..canonical import strip_tracking
from ..config import HOME_REGIONS
from ..display_names import Names, read_names
from ..store import fetch_dicts
from .config import DigestConfig
from .model import (GROUP_LABELS, GROUPS, LANGUAGES, TOPICS, ChartDay, Copy, Digest,
                    DigestSection, FailedFeed, Figure, Story, StoryGroup)
from .render import count
from .weeks import DAYS, PARIS, Week, date_span, parse_week, short_date


ARTICLES_SQL = """
SELECT a.article_id, a.source, a.outlet, a.region, a.url, a.title, a.published_at,
       coalesce(a.published_at, a.first_seen_at) AS dated_at, a.language, a.topics, a.relevant,
       a.mission_id, coalesce(a.story_id, a.article_id) AS story_id,
       a.event_id,
       coalesce(s.position, 2147483647) AS position
FROM v_articles a
LEFT JOIN (SELECT name, min(position) AS position FROM sources GROUP BY name) s
       ON s.name = a.source
"""


def _weekfetch_dicts(con, week: Week, *, relevant_only: bool) -> list[dict]:
    where = " WHERE coalesce(a.published_at, a.first_seen_at) >= ? " \
            "AND coalesce(a.published_at, a.first_seen_at) < ?"
    if relevant_only:
        where += " AND a.relevant"
    return fetch_dicts(con, ARTICLES_SQL + where, [week.start, week.end])


def _missions(con) -> dict[str, dict]:
    rows = fetch_dicts(con, "SELECT mission_id, name, partner, start_date, end_date, partner_region "
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
    # utm_* and the like say where a click came from: noise in a link people read or forward
    return strip_tracking(url)


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


def local_time(ts: dt.datetime | None) -> dt.datetime | None:
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
    names = read_names(con)

    current = _weekfetch_dicts(con, wk, relevant_only=True)
    previous = _weekfetch_dicts(con, wk.previous(), relevant_only=True)
    collected = con.execute(
        "SELECT count(*) FROM v_articles WHERE coalesce(published_at, first_seen_at) >= ? "
        "AND coalesce(published_at, first_seen_at) < ?", [wk.start, wk.end]).fetchone()[0]
    cur_f, prev_f = _figures(current, missions), _figures(previous, missions)

    figures = [Figure("sujets", cur_f["stories"], prev_f["stories"], "sujet"),
               Figure("articles", cur_f["articles"], prev_f["articles"], "article"),
               Figure("médias", cur_f["outlets"], prev_f["outlets"], "média")]
    group_figs = [Figure(GROUP_LABELS[g], cur_f["groups"][g], prev_f["groups"][g])
                  for g in GROUPS if g != "other" or cur_f["groups"][g] or prev_f["groups"][g]]
    lang_keys = sorted(set(cur_f["languages"]) | set(prev_f["languages"]),
                       key=lambda k: (-cur_f["languages"][k], -prev_f["languages"][k], k))
    lang_figs = [Figure(LANGUAGES.get(k, k), cur_f["languages"][k], prev_f["languages"][k])
                 for k in lang_keys]

    sections = _sections(con, wk, current, missions, config, names)
    chart, chart_groups = _chart(wk, current, missions)
    return Digest(week=wk, generated_at=now, figures=figures, groups=group_figs,
                  languages=lang_figs, sections=sections, chart=chart,
                  chart_groups=chart_groups, failed_feeds=_failed_feeds(con, wk, names),
                  collected=int(collected), config=config)


def _sections(con, wk: Week, current: list[dict], missions: dict[str, dict],
              config: DigestConfig, names: Names) -> list[DigestSection]:
    story_ids = sorted({r["story_id"] for r in current})
    if not story_ids:
        return []
    # Every article of those stories up to the end of the week: the original may predate it.
    members = fetch_dicts(con, "SELECT * FROM (" + ARTICLES_SQL + ") WHERE story_id IN "
                    "(SELECT unnest(?)) AND dated_at < ?", [story_ids, wk.end])
    extra = {r["article_id"]: r for r in fetch_dicts(
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
        published = local_time(original["published_at"] or original["dated_at"])
        seen_outlets = {original["outlet"]}
        copies: list[Copy] = []
        more = 0
        for r in arts[1:]:
            if r["outlet"] in seen_outlets:
                continue
            seen_outlets.add(r["outlet"])
            if len(copies) < config.max_copies_listed:
                d = local_time(r["published_at"] or r["dated_at"])
                copies.append(Copy(names.outlet(r["outlet"]), r["title"] or "",
                                   safe_url(r["url"]),
                                   short_date(d.date()) if d else ""))
            else:
                more += 1
        lang = original["language"] or "?"
        stories.append(Story(
            story_id=sid,
            title=(original["title"] or "").strip() or "(sans titre)",
            url=safe_url(original["url"]),
            outlet=names.outlet(original["outlet"]),
            outlet_id=original["outlet"],
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
    stories.sort(key=_story_rank)
    arts_of = {sid: arts for sid, arts in by_story.items()}
    events = _week_events(con, wk, stories, arts_of, missions)

    sections: list[DigestSection] = []
    for mid, m in missions.items():
        mine = [s for s in stories if _section_of(s, events) == mid]
        if not mine:
            continue
        when = date_span(m["start_date"], m["end_date"]) \
            if m["start_date"] and m["end_date"] else ""
        partner = names.partners.get(mid) or m.get("partner") or ""
        subtitle = " · ".join(x for x in (f"partenaire : {partner}" if partner else "",
                                          f"mission {when}" if when else "") if x)
        groups = _groups(mine, events, arts_of, m.get("partner_region"), mission=True)
        sections.append(_section(mid, m.get("name") or mid, subtitle, groups, config))
    known = set(missions)
    rest = [s for s in stories if _section_of(s, events) not in known]
    if rest:
        groups = _groups(rest, events, arts_of, "", mission=False)
        sections.append(_section("other", "Autres retombées internationales", "", groups,
                                 config))
    return sections


def _story_rank(s: Story):
    """Most outlets first, then most articles, then the earliest."""
    return (-s.outlets, -s.articles, s.published_at or dt.datetime.max.replace(tzinfo=PARIS),
            s.story_id)


@dataclass
class _Event:
    event_id: str
    label: str | None
    mission_id: str | None      # the section it goes to (None: "other")
    story_ids: list[str]        # its stories in this digest
    elsewhere: int              # its stories published in another week, not in this digest


def _week_events(con, wk: Week, stories: list[Story], arts_of: dict[str, list[dict]],
                 missions: dict[str, dict]) -> dict[str, _Event]:
    """The events of which at least two stories are in this digest, by story id. A story
    whose event has no other story this week stays alone: a group of one says nothing more."""
    by_event: dict[str, list[str]] = {}
    for s in stories:
        eid = next((r["event_id"] for r in arts_of[s.story_id] if r["event_id"]), None)
        if eid:
            by_event.setdefault(eid, []).append(s.story_id)
    by_event = {e: sids for e, sids in by_event.items() if len(sids) >= 2}
    if not by_event:
        return {}
    rows = {r["event_id"]: r for r in fetch_dicts(
        con, "SELECT event_id, label, mission_id FROM v_events WHERE event_id IN "
             "(SELECT unnest(?))", [list(by_event)])}
    others: Counter = Counter()
    for r in fetch_dicts(con, "SELECT event_id, story_id, first_published FROM v_event_stories "
                         "WHERE event_id IN (SELECT unnest(?))", [list(by_event)]):
        shown = r["story_id"] in by_event[r["event_id"]]
        t = r["first_published"]
        if not shown and t is not None and not (wk.start <= t < wk.end):
            others[r["event_id"]] += 1
    story_mission = {s.story_id: s.mission_id for s in stories}
    out: dict[str, _Event] = {}
    for eid, sids in by_event.items():
        row = rows.get(eid) or {}
        mission = row.get("mission_id")
        if mission not in missions:
            # the event's own mission is unknown here: its stories' most frequent one
            counts = Counter(story_mission[s] for s in sids if story_mission[s] in missions)
            order = list(missions)
            mission = sorted(counts, key=lambda m: (-counts[m], order.index(m)))[0] \
                if counts else None
        ev = _Event(eid, row.get("label"), mission, sids, others[eid])
        for sid in sids:
            out[sid] = ev
    return out


def _section_of(story: Story, events: dict[str, _Event]) -> str | None:
    """A story in an event goes where its event goes, so that the event is shown whole."""
    ev = events.get(story.story_id)
    return ev.mission_id if ev else story.mission_id


PRESS_PHRASES = {"home": "dans la presse locale et nationale",
                 "partner": "dans la presse de la ville partenaire",
                 "other": "dans une autre presse étrangère"}


def _groups(stories: list[Story], events: dict[str, _Event], arts_of: dict[str, list[dict]],
            partner_region: str | None, *, mission: bool) -> list[StoryGroup]:
    """A section's groups: its events, widest reach first (outlets, then articles), each with
    its stories in the usual order; then every story in no event, alone, as before."""
    grouped: dict[str, StoryGroup] = {}
    lone: list[StoryGroup] = []
    for s in stories:  # already in story order
        ev = events.get(s.story_id)
        if ev is None:
            lone.append(StoryGroup([s]))
        else:
            grouped.setdefault(ev.event_id, StoryGroup([], event_id=ev.event_id)).stories.append(s)
    for eid, g in grouped.items():
        ev = events[g.stories[0].story_id]
        arts = [r for s in g.stories for r in arts_of[s.story_id]]
        langs = Counter(r["language"] or "?" for r in arts)
        press = Counter(region_group(r["region"], partner_region) for r in arts)
        g.articles = len(arts)
        g.outlets = len({r["outlet"] for r in arts})
        g.languages = sorted(langs, key=lambda k: (-langs[k], k))
        g.press = {k: press[k] for k in GROUPS if press[k] or k == "home"
                   or (k == "partner" and mission)}
        g.label = ev.label or g.stories[0].title
        g.summary = (f"{count(g.articles, 'article', 'articles')}, "
                     f"{count(g.outlets, 'média', 'médias')}, {'/'.join(g.languages)}")
        phrases = dict(PRESS_PHRASES, other=PRESS_PHRASES["other"] if mission
                       else "dans la presse étrangère")
        g.split = ", ".join(f"{n} {phrases[k]}" for k, n in g.press.items())
        if ev.elsewhere:
            g.elsewhere = (f"l'événement compte aussi "
                           f"{count(ev.elsewhere, 'sujet paru', 'sujets parus')} "
                           f"une autre semaine")
    events_first = sorted(grouped.values(), key=lambda g: (
        -g.outlets, -g.articles, min(_story_rank(s)[2] for s in g.stories), g.event_id))
    return events_first + lone


def _section(key: str, title: str, subtitle: str, groups: list[StoryGroup],
             config: DigestConfig) -> DigestSection:
    """Groups in full while fewer than ``max_stories_per_section`` stories are shown (an event
    started is shown whole), every other story on one line: nothing of the week is left out."""
    limit = config.max_stories_per_section
    full: list[StoryGroup] = []
    others: list[Story] = []
    shown = 0
    for g in groups:
        if shown < limit:
            full.append(g)
            shown += len(g.stories)
        else:
            others.extend(g.stories)
    return DigestSection(key, title, subtitle, full, others)


def _chart(wk: Week, current: list[dict], missions: dict[str, dict],
           width: int = 80) -> tuple[list[ChartDay], list[str]]:
    """Articles per Paris day and press group; bar widths are percentages of the row (the
    busiest day ``width`` %), so that the chart fits a phone as well as a desktop."""
    days = wk.days()
    counts = {d: Counter() for d in days}
    for r in current:
        local = local_time(r["dated_at"])
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
            # at least 1 % so a day with one article is visible next to a busy one
            widths={g: (max(1, round(width * c[g] / top)) if c[g] else 0) for g in used},
            total=sum(c.values()),
        ))
    return chart, used


def _failed_feeds(con, wk: Week, names: Names) -> list[FailedFeed]:
    rows = fetch_dicts(con, """
        SELECT source, count(*) AS failures, max(started_at) AS last_at,
               -- the last real failure says more than the backoff notes that follow it
               coalesce(arg_max(error, started_at) FILTER (WHERE outcome = 'error'),
                        arg_max(coalesce(error, outcome), started_at)) AS last_error
        FROM fetch_log
        WHERE outcome IN ('error', 'skipped') AND started_at >= ? AND started_at < ?
        GROUP BY source ORDER BY failures DESC, source""", [wk.start, wk.end])
    out = []
    for r in rows:
        at = local_time(r["last_at"])
        out.append(FailedFeed(names.feed(r["source"]), int(r["failures"]),
                              (r["last_error"] or "")[:200],
                              f"{DAYS[at.weekday()]} {short_date(at.date(), year=False)} "
                              f"{at:%H:%M}" if at else ""))
    return out

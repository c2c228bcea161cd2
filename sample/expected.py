"""Writes sample/expected.yaml and sample/EXPECTED.md: the corpus's labels and their counts.

The labels (language, relevance, mission, topics, story, robots refusal) are written by hand on
each article in ``src/articles/*.yaml``; this module only gathers them and adds them up, and
checks the corpus against the rules the tests rely on (weeks that do not depend on the time
zone, copies changed by 10-30 %, every robots refusal matching robots.txt).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import yaml

from generate import (HERE, HOME_REGIONS, MISSION, PARIS, TOPICS, UTC, WEEKS, changed_share,
                      feed_names, feed_link, plain_paragraphs)


def iso_week(d: dt.datetime) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def check(cond: bool, message: str) -> None:
    if not cond:
        sys.exit(f"corpus check failed: {message}")


def write_expected(outlets_cfg: dict, articles: list[dict], info: dict) -> None:
    outlets = info["outlets"]
    feeds = info["feeds"]
    order = {f["name"]: i for i, f in enumerate(feeds)}
    broken = [f for f in feeds if f.get("broken")]
    by_id = {a["id"]: a for a in articles}

    rows = []
    refused = []
    for a in articles:
        o = outlets[a["outlet"]]
        names = sorted(feed_names(a), key=order.__getitem__)
        for n in names:
            check(n in order and feeds[order[n]]["outlet"] == a["outlet"],
                  f"{a['id']}: feed {n} is not a feed of {a['outlet']}")
            check(not feeds[order[n]].get("broken"), f"{a['id']}: listed in the broken feed {n}")
        check(a["lang"] in ("fr", "en", "es"), f"{a['id']}: language {a['lang']}")
        check(set(a["topics"]) <= TOPICS and a["topics"], f"{a['id']}: topics {a['topics']}")
        check(bool(a["relevant"]) == (a.get("mission") == MISSION),
              f"{a['id']}: relevant articles, and only they, carry the mission")
        check(a["path"].startswith("/"), f"{a['id']}: path must start with /")
        weeks = {iso_week(a["published"].astimezone(tz))
                 for tz in (PARIS, UTC, ZoneInfo(o["tz"]))}
        check(len(weeks) == 1, f"{a['id']}: ISO week depends on the time zone ({weeks})")
        disallowed = [p for p in o.get("robots_disallow", []) if a["path"].startswith(p)]
        if a.get("robots_disallowed"):
            check(bool(disallowed), f"{a['id']}: marked robots_disallowed but robots.txt allows it")
            refused.append(a)
            continue
        check(not disallowed, f"{a['id']}: robots.txt disallows it but it is not marked")
        listed = [{"source": n, "url": feed_link(a, n)} for n in names]
        if a.get("amp_path"):
            check(any(l["url"].endswith(a["amp_path"]) for l in listed),
                  f"{a['id']}: an AMP page no feed lists")
        rows.append({
            "id": a["id"],
            "site": a["outlet"],
            "path": a["path"],
            "url": "{{site:%s}}%s" % (a["outlet"], a["path"]),
            "source": names[0],
            "region": o["region"],
            "listed_as": [{"source": l["source"],
                           "url": l["url"].replace("{{base}}", "{{site:%s}}" % a["outlet"])}
                          for l in listed],
            "title": a["title"],
            "published": a["published"].isoformat(),
            "week": iso_week(a["published"].astimezone(PARIS)),
            "date_in_page": a.get("date_in_page", True),
            "jsonld": a.get("jsonld", True),
            "language": a["lang"],
            "mixed_languages": bool(a.get("mixed", False)),
            "relevant": bool(a["relevant"]),
            "mission_id": a.get("mission"),
            "topics": list(a["topics"]),
            "story": a.get("story"),
            "words": sum(len(p.split()) for p in plain_paragraphs(a)),
        })

    groups = defaultdict(list)
    for r in rows:
        if r["story"]:
            groups[r["story"]].append(r)
    story_groups = []
    for sid, members in sorted(groups.items()):
        check(len(members) >= 2, f"story {sid} has one article")
        members.sort(key=lambda r: r["published"])
        original = by_id[members[0]["id"]]
        shares = {}
        for m in members[1:]:
            share = changed_share(" ".join(plain_paragraphs(original)),
                                  " ".join(plain_paragraphs(by_id[m["id"]])))
            check(0.10 <= share <= 0.30,
                  f"story {sid}: {m['id']} differs from {original['id']} by {share:.0%}")
            shares[m["id"]] = round(share, 3)
        story_groups.append({
            "id": sid,
            "original": members[0]["url"],
            "urls": [m["url"] for m in members],
            "outlets": sorted({m["site"] for m in members}),
            "changed_share": {by_id[k]["path"]: v for k, v in shares.items()},
        })
    # A story is a group, or an article outside every group.
    story_of = {r["id"]: r["story"] or f"single:{r['id']}" for r in rows}

    def side(r):
        return "home" if r["region"] in HOME_REGIONS else "partner"

    weeks = {}
    for w in WEEKS:
        in_week = [r for r in rows if r["week"] == w]
        entry = {}
        for label, subset in (("articles", in_week),
                              ("relevant", [r for r in in_week if r["relevant"]])):
            entry[label] = {"home": sum(side(r) == "home" for r in subset),
                            "partner": sum(side(r) == "partner" for r in subset),
                            "total": len(subset)}
        entry["stories"] = {
            "home": len({story_of[r["id"]] for r in in_week if side(r) == "home"}),
            "partner": len({story_of[r["id"]] for r in in_week if side(r) == "partner"}),
            "total": len({story_of[r["id"]] for r in in_week})}
        entry["relevant_stories"] = len({story_of[r["id"]] for r in in_week if r["relevant"]})
        weeks[w] = entry

    entries_listed = sum(len(feed_names(a)) for a in articles)
    summary = {
        "corpus": "pressmon sample: the Métropole Aix-Marseille-Provence's mission to Miami, "
                  "November 2017",
        "mission_id": MISSION,
        "week_time_zone": "Europe/Paris",
        "feeds": len(feeds),
        "feeds_ok": len(feeds) - len(broken),
        "outlets": len(outlets),
        "failing_feeds": [{"source": f["name"], "url": "{{site:%s}}%s" % (f["outlet"], f["path"]),
                           "cause": "truncated XML: the channel header, then a cut-off tag and "
                                    "no item"} for f in broken],
        "feed_entries": entries_listed,
        "robots_disallowed": [{"source": sorted(feed_names(a), key=order.__getitem__)[0],
                               "site": a["outlet"], "path": a["path"],
                               "url": "{{site:%s}}%s" % (a["outlet"], a["path"]),
                               "rule": next(p for p in outlets[a["outlet"]]["robots_disallow"]
                                            if a["path"].startswith(p))} for a in refused],
        "articles": len(rows),
        "relevant": sum(r["relevant"] for r in rows),
        "stories": len(set(story_of.values())),
        "relevant_stories": len({story_of[r["id"]] for r in rows if r["relevant"]}),
        "per_source": dict(sorted(Counter(r["source"] for r in rows).items(),
                                  key=lambda kv: order[kv[0]])),
        "per_region": dict(sorted(Counter(r["region"] for r in rows).items())),
        "relevant_per_region": dict(sorted(Counter(r["region"] for r in rows
                                                   if r["relevant"]).items())),
        "per_language": dict(sorted(Counter(r["language"] for r in rows).items())),
        "per_week_all": dict(sorted(Counter(r["week"] for r in rows).items())),
        "weeks": weeks,
        "story_groups": story_groups,
        "same_article_several_urls": [
            {"path": r["path"], "site": r["site"], "listed_as": r["listed_as"]}
            for r in rows if len(r["listed_as"]) > 1
            or any("?" in l["url"] or "/amp/" in l["url"] for l in r["listed_as"])],
        "articles_detail": rows,
    }
    header = ("# Facts about the sample corpus, from the hand-made labels in sample/src/.\n"
              "# Written by sample/generate.py; see EXPECTED.md for the definitions.\n"
              "# URLs start with a site placeholder: resolve them with SiteServer.substitute.\n")
    (HERE / "expected.yaml").write_text(
        header + yaml.safe_dump(summary, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")
    (HERE / "EXPECTED.md").write_text(markdown(summary), encoding="utf-8")


def markdown(s: dict) -> str:
    out = [
        "# What the sample corpus holds, and what a correct pipeline finds in it",
        "",
        "These are the oracle figures for tests of the ingest pipeline, the digest and the reports.",
        "The labels are written by hand on each article in `src/articles/*.yaml` (what the text",
        "is about, in which language, which topics, which copies belong together);",
        "`generate.py` only adds them up into `expected.yaml` and this page, and refuses to build",
        "a corpus that breaks the rules below. Change a label there, not here.",
        "",
        "## Definitions",
        "",
        "- **Article**: one outlet's publication. An article listed in two feeds of its outlet,",
        "  or under a tracking-parameter URL, or under an AMP URL whose page points",
        "  (`<link rel=canonical>`) to the plain URL, is ONE article, identified by its plain path.",
        "- **Source** of an article: the first `sources.yaml` feed that lists it (file order).",
        "- **Robots refusal**: a page that the outlet's robots.txt disallows is not fetched and",
        "  is not an article; it is counted only under `robots_disallowed`.",
        "- **Story**: a set of copies of one text (syndicated wire copy in several outlets, or a",
        "  lightly edited reprint in the same outlet); every other article is a story of its own.",
        "- **Weeks**: ISO weeks of the publication date in Europe/Paris. No article of the corpus",
        "  changes week between UTC, Paris and its outlet's local time.",
        "  Per week and side, `stories` counts the distinct stories among that week's articles",
        "  on that side (home = marseille + national, partner = miami).",
        "",
        "## Totals",
        "",
        "| fact | value |",
        "|---|---|",
        f"| feeds in sources.yaml | {s['feeds']} |",
        f"| feeds that parse | {s['feeds_ok']} |",
        f"| outlets (sites) | {s['outlets']} |",
        f"| failing feed | `{s['failing_feeds'][0]['source']}` ({s['failing_feeds'][0]['cause']}) |",
        f"| entries listed by the working feeds | {s['feed_entries']} |",
        f"| robots.txt refusal | `{s['robots_disallowed'][0]['path']}` on "
        f"`{s['robots_disallowed'][0]['site']}` (rule `Disallow: {s['robots_disallowed'][0]['rule']}`) |",
        f"| distinct articles | {s['articles']} |",
        f"| relevant articles (mission `{s['mission_id']}`) | {s['relevant']} |",
        f"| stories | {s['stories']} |",
        f"| relevant stories | {s['relevant_stories']} |",
        "",
        "Entries listed = articles + 1 refused page + the extra listings of one article "
        f"({s['feed_entries']} = {s['articles']} + {len(s['robots_disallowed'])} + "
        f"{s['feed_entries'] - s['articles'] - len(s['robots_disallowed'])}).",
        "",
        "## Per source (first listing feed)",
        "",
        "| source | articles |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in s["per_source"].items()],
        "",
        "## Per region and language",
        "",
        "| region | articles | relevant |", "|---|---|---|",
        *[f"| {k} | {v} | {s['relevant_per_region'].get(k, 0)} |"
          for k, v in s["per_region"].items()],
        "",
        "| language | articles |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in s["per_language"].items()],
        "",
        "## Weeks (Europe/Paris)",
        "",
        "| week | articles home / partner / total | relevant home / partner / total | "
        "stories home / partner / total | relevant stories |",
        "|---|---|---|---|---|",
    ]
    for w, e in s["weeks"].items():
        cell = lambda d: f"{d['home']} / {d['partner']} / {d['total']}"  # noqa: E731
        out.append(f"| {w} | {cell(e['articles'])} | {cell(e['relevant'])} | "
                   f"{cell(e['stories'])} | {e['relevant_stories']} |")
    out += ["", "Articles per week, all weeks: "
            + ", ".join(f"{k}: {v}" for k, v in s["per_week_all"].items()) + ".", "",
            "## Story groups (copies of one text)", ""]
    for g in s["story_groups"]:
        out.append(f"- **{g['id']}** ({', '.join(g['outlets'])}): original `{g['original']}`; "
                   + "; ".join(f"`{p}` changed {v:.0%}" for p, v in g["changed_share"].items()))
    out += ["", "## One article, several URLs", ""]
    for d in s["same_article_several_urls"]:
        out.append(f"- `{d['site']}{d['path']}` listed as: "
                   + ", ".join(f"`{l['url']}` ({l['source']})" for l in d["listed_as"]))
    out += ["", "## Every article", "",
            "| site | path | published | week | lang | relevant | topics | story | notes |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(s["articles_detail"], key=lambda r: (r["site"], r["published"])):
        notes = []
        if not r["date_in_page"]:
            notes.append("no date in page")
        if not r["jsonld"]:
            notes.append("no JSON-LD")
        if r["mixed_languages"]:
            notes.append("bilingual")
        out.append(f"| {r['site']} | `{r['path']}` | {r['published']} | {r['week'][-3:]} | "
                   f"{r['language']} | {'yes' if r['relevant'] else 'no'} | "
                   f"{', '.join(r['topics'])} | {r['story'] or ''} | {'; '.join(notes)} |")
    out.append("")
    return "\n".join(out)

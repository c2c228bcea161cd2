"""Tagging of one article: language, relevance, mission and topics, under versioned rules.

``load_rules`` reads the three files staff edit (``watchlist.yaml`` and ``topics.yaml`` in the
configuration folder, and the missions file) once, validates them and returns an immutable
``Rules`` whose ``version`` is a fingerprint of their content; every tagged article records it,
so an analyst knows which rules decided, and ``pressmon reclassify`` can re-apply new rules to
stored articles offline. ``classify_article`` is a pure function of the rules and the article.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .config import MissionsConfig, file_digest, load_missions
from .dates import parse_time
from .events import fingerprint
from .language import detect_language
from .missions import MissionMatcher, build_matcher, link_mission
from .relevance import Watchlist, load_watchlist, score_relevance, tokens
from .topics import Taxonomy, load_topics, score_topics_explained

_PARA_RE = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Rules:
    """Everything loaded from configuration, validated and immutable."""

    version: str
    watchlist: Watchlist
    taxonomy: Taxonomy
    missions: MissionsConfig
    matcher: MissionMatcher


def load_rules(config_dir: Path, missions_path: Path) -> Rules:
    """Read ``watchlist.yaml`` and ``topics.yaml`` from ``config_dir`` and the missions file.

    Raises ``pressmon.config.ConfigError`` naming the file, the entry and the field.
    """
    config_dir = Path(config_dir)
    watch_path = config_dir / "watchlist.yaml"
    topics_path = config_dir / "topics.yaml"
    missions = load_missions(Path(missions_path))
    watchlist = load_watchlist(watch_path, missions)
    taxonomy = load_topics(topics_path)
    versioned = [watch_path, topics_path, Path(missions_path)]
    if taxonomy.model_path is not None:
        versioned.append(taxonomy.model_path)
    return Rules(
        version=file_digest(*versioned),
        watchlist=watchlist,
        taxonomy=taxonomy,
        missions=missions,
        matcher=build_matcher(missions, watchlist.window, watchlist),
    )


def article_zones(title: str | None, text: str | None, summary: str | None) -> dict[str, list]:
    """Tokens of the title, the lead (summary and first paragraph) and the rest of the body."""
    paragraphs = [p for p in _PARA_RE.split(text or "") if p.strip()]
    lead_parts = [summary or "", paragraphs[0] if paragraphs else ""]
    return {
        "title": tokens(title),
        "lead": tokens("\n".join(lead_parts)),
        "body": tokens("\n\n".join(paragraphs[1:])),
    }


def classify_article(rules: Rules, article: dict) -> dict:
    """Tag one article; see DESIGN.md (``v_articles``) for the meaning of each key."""
    title = article.get("title") or ""
    text = article.get("text") or ""
    summary = article.get("summary")
    if article.get("language"):
        # Detected earlier (the extract stage, or a stored article): langdetect is the
        # costliest step of tagging and its answer does not depend on the rules.
        lang = article["language"]
        conf = article.get("language_confidence")
        mix = article.get("language_mix")
    else:
        # The page's own lang attribute is more specific than the outlet's usual language.
        hint = article.get("page_language") or article.get("source_language")
        lang, conf, mix = detect_language(title, text, summary, hint)

    zones = article_zones(title, text, summary)
    raw = "\n".join((title, summary or "", text))
    rel = score_relevance(rules.watchlist, zones, raw, article.get("region"))
    mission_id = event = None
    if rel.relevant:
        # In UTC, as stored: the pipeline, reclassify and the evaluation see the same date.
        published = _as_datetime(article.get("published_at"))
        mission_id = link_mission(rules.matcher, zones, published,
                                  raw_text=raw, region=article.get("region"))
        # What event linking compares (pressmon.events), from the hits found above: only
        # relevant articles are linked into events, so only they pay for it.
        event = fingerprint(rules.watchlist, rel.hits, title, summary, text, published)
    topics, topic_scores, topic_terms = score_topics_explained(rules.taxonomy, zones)
    return {
        "language": lang,
        "language_confidence": conf,
        "language_mix": mix,
        "relevant": rel.relevant,
        "relevance_score": rel.score,
        "matched_terms": rel.matched_terms,
        "mission_id": mission_id,
        "topics": topics,
        "topic_scores": topic_scores,
        "topic_terms": topic_terms,
        "rules_version": rules.version,
        "event_fingerprint": event,
    }


def _as_datetime(value) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return parse_time(value)

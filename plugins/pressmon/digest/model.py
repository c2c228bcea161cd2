"""What a digest holds, as its templates see it: sections (a mission's, then the rest), each with
its top stories in full, in groups (an event's stories under its header, a story in no event
alone), then every other story of the week on one line; headline figures, the chart, the feeds
that failed; and the French labels of languages, topics and press groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .config import DigestConfig
from .weeks import Week

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


@dataclass
class Copy:
    outlet: str                  # display name (pressmon.display_names)
    title: str
    url: str | None
    date: str


@dataclass
class Story:
    story_id: str
    title: str
    url: str | None
    outlet: str                  # display name of the original's outlet
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
    outlet_id: str = ""


@dataclass
class StoryGroup:
    """Stories shown together: an event's stories of the week under its header, or one story
    in no event (``label`` None). For an event, ``label`` is its title ("Marseille et Miami
    scellent leur jumelage"), ``summary`` its reach ("9 articles, 7 médias, fr/en/es"),
    ``split`` its articles by press ("4 dans la presse locale et nationale, 5 dans la presse
    de la ville partenaire") and ``elsewhere`` what the event holds outside this digest
    ("l'événement compte aussi 1 sujet paru une autre semaine"), each counted over the
    stories listed under it."""

    stories: list[Story]
    label: str | None = None
    summary: str | None = None
    split: str | None = None
    elsewhere: str | None = None
    event_id: str | None = None
    articles: int = 0
    outlets: int = 0
    languages: list[str] = field(default_factory=list)
    press: dict[str, int] = field(default_factory=dict)   # press group -> articles


@dataclass
class DigestSection:
    key: str                     # mission id, or "other"
    title: str
    subtitle: str
    groups: list[StoryGroup]     # the top stories, in full (max_stories_per_section)
    others: list[Story] = field(default_factory=list)  # every other story: one line each

    @property
    def stories(self) -> list[Story]:
        """The stories shown in full, in order."""
        return [s for g in self.groups for s in g.stories]

    @property
    def events(self) -> list[StoryGroup]:
        """The groups that are events (several stories under a header)."""
        return [g for g in self.groups if g.label]

    @property
    def story_count(self) -> int:
        return len(self.stories) + len(self.others)

    @property
    def hidden(self) -> int:
        """Stories left out: none (every story is listed); kept for reworded templates."""
        return 0


@dataclass
class Figure:
    label: str                   # plural: "sujets", "articles", "médias"
    current: int
    previous: int
    singular: str = ""           # "sujet": the label for 0 or 1

    @property
    def unit(self) -> str:
        """The label agreeing with ``current`` (French: singular below 2)."""
        return self.singular if self.singular and abs(self.current) < 2 else self.label

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

"""Topics: a multilingual keyword taxonomy over the fixed topic set (``config/topics.yaml``).

Each topic lists phrases in French, English and Spanish at three strengths (strong, medium,
weak), matched with the same tokens as the watchlist (accent-, case- and plural-tolerant, word
boundaries, longest phrase first). A topic's score is the sum over its distinct phrases of the
strength times the zone weight of the best place the phrase was found (title and lead count
more), plus a little for repeats. Every topic reaching the threshold is kept, so an article can
have several; ``["other"]`` when none does.

A long body mentions more things in passing than a short one: past ``body_words_ref`` words,
phrases found only in the body count less (by the square root of the length ratio), so that the
same threshold serves a brief and a feature without sprouting topics on the long one.

Optionally (``scoring.model`` in ``topics.yaml``), a small learned layer decides which topics
to keep from those scores: a logistic regression per topic over every topic's score (its log
and its share of the best score), trained on the committed labelled articles by
``scripts/train_topics.py`` and stored as JSON next to ``topics.yaml``. It learns what the
labels call substantial coverage (a port named by a cruise story is not a port story) without
new words: the explanation of a topic stays the phrases found for it (``topic_terms``).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import operator
from dataclasses import dataclass, field
from pathlib import Path

from .config import Section, non_negative, positive, quote_value, read_yaml
from .errors import ConfigError
from .relevance import ZONES, Hit, PhraseIndex, Term, tokens

log = logging.getLogger("pressmon.topics")

TOPICS = ("diplomacy", "economy", "investment", "tourism", "cruise", "port",
          "urban_development", "innovation", "culture", "politics", "sports", "other")
STRENGTHS = ("strong", "medium", "weak")


@dataclass(frozen=True)
class Taxonomy:
    threshold: float
    relative: float           # a topic must also reach this share of the best topic's score
    max_topics: int
    title_weight: float
    lead_weight: float
    repeat_bonus: float
    index: PhraseIndex
    body_words_ref: int = 0  # 0: no damping of long bodies
    model: "TopicModel | None" = None
    model_path: Path | None = None


@dataclass(frozen=True)
class TopicModel:
    """The learned layer: p(topic) = sigmoid(features . weights[topic] + bias[topic]), where
    the features are, for every topic of ``topics`` in order, log(1 + score) and score / best
    score. Topics with p >= ``min_probability`` are kept, best first, at most ``max_topics``."""

    topics: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]   # one row per feature, one column per topic
    bias: tuple[float, ...]
    min_probability: float
    max_topics: int
    info: dict = field(default_factory=dict, compare=False)

    def features(self, scores: dict[str, float]) -> list[float]:
        best = max((scores.get(t, 0.0) for t in self.topics), default=0.0) or 1.0
        out = []
        for t in self.topics:
            s = scores.get(t, 0.0)
            out += [math.log1p(s), s / best]
        return out

    @functools.cached_property
    def _columns(self) -> tuple[tuple[float, ...], ...]:
        """The weights per topic (one column each), summed in the rows' order."""
        return tuple(zip(*self.weights))

    def probabilities(self, scores: dict[str, float]) -> dict[str, float]:
        x = self.features(scores)
        out = {}
        for t, b, col in zip(self.topics, self.bias, self._columns):
            z = b + sum(map(operator.mul, x, col))
            out[t] = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
        return out

    def to_json(self) -> dict:
        return {"topics": list(self.topics), "weights": [list(r) for r in self.weights],
                "bias": list(self.bias), "min_probability": self.min_probability,
                "max_topics": self.max_topics, "info": self.info}


def load_model(path: Path) -> TopicModel:
    """Read a model written by scripts/train_topics.py; errors name the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (scoring.model in topics.yaml)") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a topic model: {exc}") from None
    try:
        topics = tuple(data["topics"])
        weights = tuple(tuple(float(v) for v in row) for row in data["weights"])
        bias = tuple(float(v) for v in data["bias"])
        model = TopicModel(topics, weights, bias, float(data["min_probability"]),
                           int(data["max_topics"]), dict(data.get("info") or {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a topic model: missing or bad {exc}") from None
    unknown = [t for t in topics if t not in TOPICS or t == "other"]
    if unknown or len(bias) != len(topics) or len(weights) != 2 * len(topics) \
            or any(len(row) != len(topics) for row in weights):
        raise ConfigError(f"{path}: not a topic model for the topics of topics.yaml "
                          f"(unknown {unknown}, or weights of the wrong shape)")
    return model


def load_topics(path: Path) -> Taxonomy:
    path = Path(path)
    data = read_yaml(path)
    top = Section(path, "top level", data if data is not None else {})
    top.only({"scoring", "strengths", "topics"})
    sc = Section(path, "scoring", top.get("scoring", dict, default={}))
    sc.only({"threshold", "relative", "max_topics", "title_weight", "lead_weight",
             "repeat_bonus", "body_words_ref", "model"})
    pos = positive
    share = lambda v: None if 0 <= v <= 1 else "must be between 0 and 1"  # noqa: E731
    threshold = sc.get("threshold", float, 3.0, check=pos)
    relative = sc.get("relative", float, 0.0, check=share)
    max_topics = sc.get("max_topics", int, 3, check=pos)
    title_weight = sc.get("title_weight", float, 2.0, check=pos)
    lead_weight = sc.get("lead_weight", float, 1.5, check=pos)
    repeat_bonus = sc.get("repeat_bonus", float, 0.25, check=non_negative)
    body_words_ref = sc.get("body_words_ref", int, 0, check=lambda v: None if v >= 0
                            else "must be 0 (no damping) or more")
    model_name = sc.get("model", str, check=lambda v: None if v.strip()
                        else "must name a JSON file next to topics.yaml")
    model_path = (path.parent / model_name.strip()) if model_name else None
    model = None
    if model_path is not None and not model_path.exists():
        # topics.yaml copied into another config folder without its model: the phrases and
        # the threshold still decide, which is what the file says without the line.
        log.warning("%s: scoring.model names %s, which does not exist: topics are kept by "
                    "threshold alone (copy the model beside topics.yaml, or remove the line)",
                    path, model_path)
        model_path = None
    elif model_path is not None:
        model = load_model(model_path)

    st = Section(path, "strengths", top.get("strengths", dict,
                                            default={"strong": 3, "medium": 2, "weak": 1}))
    st.only(STRENGTHS)
    strengths = {s: st.get(s, float, {"strong": 3.0, "medium": 2.0, "weak": 1.0}[s], check=pos)
                 for s in STRENGTHS}

    entries = top.get("topics", dict, required=True)
    terms: list[Term] = []
    owner: dict[str, set[tuple[str, ...]]] = {}
    for name, body in entries.items():
        label = f"topics entry ({name})"
        if name not in TOPICS or name == "other":
            raise ConfigError(
                f"{path}: {label}: unknown topic '{name}' (allowed: "
                f"{', '.join(t for t in TOPICS if t != 'other')}; 'other' is the fallback)")
        sec = Section(path, label, body)
        sec.only(STRENGTHS)
        if not any(sec.data.get(s) for s in STRENGTHS):
            sec.fail(None, "must list phrases under strong, medium or weak")
        for strength in STRENGTHS:
            for phrase in sec.str_list(strength):
                toks = tuple(tokens(phrase))
                if not toks:
                    sec.fail(strength, f"phrase {quote_value(phrase)} has no letters or digits")
                if toks in owner.setdefault(name, set()):
                    # A plural or accent variant of a phrase already listed: same tokens,
                    # the first (strongest) listing stands.
                    continue
                owner[name].add(toks)
                terms.append(Term(f"{name}:{phrase}", name, strengths[strength], (toks,)))
    return Taxonomy(threshold, relative, max_topics, title_weight, lead_weight, repeat_bonus,
                    _TopicIndex(terms), body_words_ref, model, model_path)


class _TopicIndex(PhraseIndex):
    """Longest match first, like the watchlist, but one phrase may serve several topics."""

    def find(self, toks, zone):
        hits = []
        free = 0  # tokens before this one belong to a phrase already matched
        for i, entries in self.candidates(toks):
            if i < free:
                continue
            longest = 0
            for phrase, term in entries:
                k = len(phrase)
                if k < longest:
                    break
                if tuple(toks[i:i + k]) == phrase:
                    longest = k
                    hits.append(Hit(term, zone, i))
            free = i + (longest or 1)
        return hits


def score_topics(tax: Taxonomy, zones: dict[str, list[str]]) -> tuple[list[str], dict[str, float]]:
    """Topics kept (best first, ``["other"]`` when none) and every topic's score."""
    kept, scores, _terms = score_topics_explained(tax, zones)
    return kept, scores


def score_topics_explained(tax: Taxonomy, zones: dict[str, list[str]], *, use_model: bool = True
                           ) -> tuple[list[str], dict[str, float], list[str]]:
    """Like ``score_topics``, with the explanation: for each topic kept, the phrases found for
    it, strongest first ("economy: emplois, chiffre d'affaires")."""
    body_words = len(zones.get("body", ()))
    body = 1.0
    if tax.body_words_ref and body_words > tax.body_words_ref:
        body = math.sqrt(tax.body_words_ref / body_words)
    factor = {"title": tax.title_weight, "lead": tax.lead_weight, "body": body}
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    topic_of: dict[str, str] = {}
    for zone in ZONES:
        for h in tax.index.find(zones.get(zone, []), zone):
            key = h.term.name
            topic_of[key] = h.term.kind
            count[key] = count.get(key, 0) + 1
            best[key] = max(best.get(key, 0.0), h.term.weight * factor[zone])
    scores: dict[str, float] = {}
    contributions: dict[str, list[tuple[float, str]]] = {}
    for key, w in best.items():
        extra = tax.repeat_bonus * w * min(count[key] - 1, 3)
        scores[topic_of[key]] = scores.get(topic_of[key], 0.0) + w + extra
        contributions.setdefault(topic_of[key], []).append((w + extra, key.split(":", 1)[1]))
    scores = {t: round(s, 3) for t, s in scores.items()}
    if tax.model is not None and use_model:
        probs = tax.model.probabilities(scores)
        kept = [t for t, p in sorted(probs.items(), key=lambda kv: (-kv[1], TOPICS.index(kv[0])))
                if p >= tax.model.min_probability and scores.get(t, 0.0) > 0
                ][:tax.model.max_topics]
    else:
        top_score = max(scores.values(), default=0.0)
        kept = [t for t, s in sorted(scores.items(), key=lambda kv: (-kv[1], TOPICS.index(kv[0])))
                if s >= tax.threshold and s >= tax.relative * top_score][:tax.max_topics]
    terms = [f"{t}: " + ", ".join(p for _w, p in sorted(contributions[t], key=lambda c: -c[0])[:5])
             for t in kept]
    return (kept or ["other"]), scores, terms

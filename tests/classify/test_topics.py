"""Topics: several allowed, always from the fixed set, ["other"] when none fits."""

from pressmon.classify import classify_article
from pressmon.topics import TOPICS

from .conftest import article


def test_other_when_nothing_fits(rules):
    """Weather news has no topic of the set."""
    out = classify_article(rules, article("Il pleut", "Il pleuvra demain sur la région."))
    assert out["topics"] == ["other"]


def test_several_topics_from_the_fixed_set(rules):
    """A cruise-port story is cruise and port."""
    a = article("Croisière : record de passagers au port de Marseille Fos",
                "Les paquebots des compagnies de croisière multiplient les escales au terminal "
                "de croisière du Grand port maritime : le port attend 1,7 million de "
                "croisiéristes.")
    out = classify_article(rules, a)
    assert {"cruise", "port"} <= set(out["topics"])
    assert set(out["topics"]) <= set(TOPICS)
    assert all(t in TOPICS for t in out["topic_scores"])


def test_longest_phrase_wins_in_topics(rules):
    """"Vieux-Port" is a place to visit, not port business."""
    a = article("Balade sur le Vieux-Port", "Une balade sur le Vieux-Port puis au musée.")
    out = classify_article(rules, a)
    assert "port" not in out["topics"]

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


def test_economy_beside_port_when_jobs_and_companies_appear(rules):
    """Jobs, hiring and companies make a port story an economy story too."""
    a = article("Le port de Marseille Fos recrute : 400 emplois dans la logistique",
                "Les terminaux à conteneurs du port de Marseille Fos annoncent 400 embauches. "
                "Les entreprises de logistique portuaire signent des contrats avec les "
                "armateurs, et le trafic est en hausse de 8 %.")
    assert {"port", "economy"} <= set(classify_article(rules, a)["topics"])


def test_long_bodies_count_less_per_phrase(rules):
    """A phrase met once in a very long body (past body_words_ref) weighs less than in a
    short one."""
    from pressmon.topics import score_topics
    from pressmon.relevance import tokens

    ref = rules.taxonomy.body_words_ref
    short = {"title": [], "lead": [], "body": tokens("un match " + "mot " * 20)}
    long = {"title": [], "lead": [], "body": tokens("un match " + "mot " * (5 * ref))}
    s_short = score_topics(rules.taxonomy, short)[1]["sports"]
    s_long = score_topics(rules.taxonomy, long)[1]["sports"]
    assert s_short == 3.0
    assert 0 < s_long < s_short / 2


def test_topics_are_explained_by_the_phrases_found(rules):
    """Every topic kept comes with the phrases that counted for it, strongest first."""
    a = article("Le port de Marseille Fos recrute : 400 emplois dans la logistique",
                "Les terminaux à conteneurs du port de Marseille Fos annoncent 400 embauches. "
                "Les entreprises de logistique portuaire signent des contrats avec les "
                "armateurs, et le trafic est en hausse de 8 %.")
    out = classify_article(rules, a)
    assert [t.split(":")[0] for t in out["topic_terms"]] == out["topics"]
    port = next(t for t in out["topic_terms"] if t.startswith("port: "))
    assert "conteneurs" in port and "terminal" in port


def test_the_learned_layer_only_keeps_topics_it_found_words_for(rules):
    """The model decides among topics with a score: no topic without a phrase behind it."""
    assert rules.taxonomy.model is not None
    a = article("Croisière : record de passagers au port de Marseille Fos",
                "Les paquebots des compagnies de croisière multiplient les escales.")
    out = classify_article(rules, a)
    assert all(out["topic_scores"].get(t, 0) > 0 for t in out["topics"])


def test_a_sports_word_in_passing_makes_no_sports_topic(rules):
    """One "équipe" (of investigators) in a crime story is not sports."""
    a = article("Cambriolage dans une pharmacie",
                "Des cambrioleurs ont forcé la porte d'une pharmacie du quartier dans la nuit. "
                "Une équipe de la police judiciaire mène l'enquête.")
    assert "sports" not in classify_article(rules, a)["topics"]

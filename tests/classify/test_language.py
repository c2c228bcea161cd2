"""Language: deterministic, robust to quotes, flags bilingual pages, falls back on little text."""

from pressmon.language import detect_language

ENGLISH = ("Members of the delegation spent the afternoon on Calle Ocho, meeting shop owners and "
           "the merchants association of the neighborhood.")
QUOTE = ('"Es un honor recibir a la delegación, esperamos que vuelvan pronto", said Maria '
         'Fernandez, who runs a cigar shop on the street.')
SPANISH = ("El condado de Miami-Dade tiene ahora una metrópoli hermana en Francia. El acuerdo "
           "firmado esta semana abarca el comercio, la cultura y el turismo.")


def test_deterministic():
    """The same text gives the same answer, call after call."""
    text = "Una delegación francesa visitó el puerto. " * 3
    results = {detect_language("Visita", text) for _ in range(5)}
    assert len(results) == 1
    assert results.pop()[0] == "es"


def test_english_with_a_spanish_quote_stays_english():
    """A quoted sentence in Spanish does not flip an English article."""
    text = "\n\n".join([ENGLISH, QUOTE, ENGLISH.replace("afternoon", "morning")])
    lang, conf, mix = detect_language("Little Havana welcomes visitors", text)
    assert lang == "en"
    assert conf > 0.8
    assert mix <= 1 / 3


def test_bilingual_page_has_a_mix_share():
    """Three English paragraphs and one Spanish: English, a quarter in another language."""
    paras = [ENGLISH,
             "Community leaders welcomed the French visitors, who toured the port and a college.",
             "The county already has sister city agreements with cities across Latin America.",
             SPANISH]
    lang, _, mix = detect_language("A new sister relationship", "\n\n".join(paras))
    assert lang == "en"
    assert mix == 0.25


def test_monolingual_article_has_no_mix():
    """One language throughout: mix share 0."""
    text = "\n\n".join([ENGLISH, ENGLISH.replace("shop owners", "officials")])
    assert detect_language("Visit", text)[2] == 0.0


def test_short_text_falls_back_to_title_and_summary_then_hint():
    """Too little text: the summary helps; with nothing to read, the outlet's language."""
    lang, _, _ = detect_language("Breves", "Marsella.",
                                 summary="El condado sumó a Marsella a su lista de ciudades "
                                         "hermanas tras la visita de una delegación francesa.")
    assert lang == "es"
    assert detect_language("", "", hint="fr") == ("fr", 0.0, 0.0)
    assert detect_language("OK", "", hint="en")[0] == "en"


def test_short_texts_are_decided_from_their_words():
    """Headlines and single sentences carry their language: no minimum length, no hint needed."""
    assert detect_language("Presupuestos a cambio de sedición", "")[0] == "es"
    assert detect_language("Misère du documentaire", "")[0] == "fr"
    assert detect_language("Rogue pastors, fake miracles and murder", "")[0] == "en"
    assert detect_language("", "Chris Christie is no angel.")[0] == "en"
    assert detect_language("", "Mais la situation semble s'améliorer.")[0] == "fr"


def test_neighbouring_languages_are_not_called_french_english_or_spanish():
    """Catalan, Portuguese, Italian, German and Dutch text keeps its own language."""
    cases = {
        "ca": "El director del museu ens va explicar que l'exposició s'obrirà després de l'estiu.",
        "pt": "O governo não quis comentar a decisão, que foi tomada depois de uma longa reunião.",
        "it": "Il sindaco ha detto che la decisione è stata presa dopo una lunga riunione.",
        "de": "Der Bürgermeister sagte, dass die Entscheidung nach einer langen Sitzung gefallen ist.",
        "nl": "De burgemeester zei dat het besluit na een lange vergadering is genomen.",
    }
    for want, text in cases.items():
        assert detect_language("", text)[0] == want, text


def test_declared_language_tips_an_ambiguous_title_but_never_overrides_clear_text():
    """A headline of proper nouns follows the declared language; a clear sentence does not."""
    # Names alone: the declared language decides between close candidates.
    assert detect_language("Miami-Dade 2024", "", hint="es")[0] == "es"
    assert detect_language("Daniella Levine Cava", "", hint="fr")[0] == "fr"
    assert detect_language("Daniella Levine Cava", "", hint="en")[0] != "en"   # too far off
    for hint in ("fr", "en", "es"):
        assert detect_language(SPANISH[:90], "", hint=hint)[0] == "es"
        assert detect_language("", ENGLISH, hint=hint)[0] == "en"


def test_ngrams_are_langdetects():
    """The exact decision counts the very n-grams langdetect's Detector extracts (its cleaning,
    normalisation and capital-word rule)."""
    from collections import Counter

    from langdetect.detector import Detector

    from pressmon.language import _detector_factory

    model = _detector_factory()
    view = type("Profiles", (), {"word_lang_prob_map": model.index, "langlist": model.langs,
                                 "seed": 0})()
    for text in (ENGLISH, QUOTE, SPANISH, "NASA and USAid met McDonald's at ÉCOLE-Polytechnique",
                 "Visit http://example.com/a or mail news@example.org — “quoted” text",
                 "北京 Beijing 東京 Tokyo 서울", "Αθήνα ΑΘΗΝΑ", "ends with a capital ABC"):
        detector = Detector(view)
        detector.append(text)
        detector.cleaning_text()
        assert Counter(model.ngrams(text)) == Counter(detector._extract_ngrams()), text

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

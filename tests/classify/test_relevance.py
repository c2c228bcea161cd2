"""Relevance matching: tolerant of accents, case and inflection; proximity; exclusions."""

from pressmon.classify import classify_article
from pressmon.relevance import tokens

from .conftest import article


def test_accents_case_and_plurals_meet():
    """Text and configured phrases reduce to the same tokens."""
    assert tokens("DÉLÉGATIONS") == tokens("délégation")
    assert tokens("Ciudades Hermanas") == tokens("ciudad hermana")
    assert tokens("Jumelages") == tokens("jumelage")
    assert tokens("sister cities") == tokens("Sister City")
    assert tokens("Aix-Marseille-Provence") == tokens("aix marseille provence")
    assert tokens("Euromediterranee") == tokens("Euroméditerranée")


def test_word_boundaries():
    """A name inside a longer word does not match."""
    assert "om" not in tokens("Tom signed the roman agreement")
    assert tokens("Marseillais")[0] != tokens("Marseille")[0]


def test_unaccented_upper_case_plural_article_is_relevant(rules):
    """Accent-free, shouting, plural wording is matched as the configured entries."""
    a = article("METROPOLE AIX-MARSEILLE-PROVENCE : LES DELEGATIONS EN FLORIDE",
                "LA METROPOLE AIX-MARSEILLE-PROVENCE SIGNE DES ACCORDS DE COOPERATION AVEC LE "
                "COMTE DE MIAMI-DADE. LES DELEGATIONS SE RENCONTRENT A MIAMI.",
                published_at="2017-11-08T10:00:00+01:00", source_language="fr")
    out = classify_article(rules, a)
    assert out["relevant"]
    assert "Métropole Aix-Marseille-Provence" in out["matched_terms"]
    assert "cooperation agreement" in out["matched_terms"]
    assert out["mission_id"] == "miami-2017"


def test_spanish_sister_cities_with_county_without_metropole(rules):
    """The issue's case: "acuerdo de ciudades hermanas" and "el condado de Miami-Dade"."""
    a = article("Miami-Dade y Marsella, ciudades hermanas",
                "El condado de Miami-Dade y la ciudad francesa de Marsella firmaron un acuerdo "
                "de ciudades hermanas para impulsar el comercio y el turismo.",
                published_at="2017-11-08T10:00:00-05:00", region="miami", source_language="es")
    out = classify_article(rules, a)
    assert out["relevant"], out
    assert {"Marseille", "Miami-Dade County", "sister city"} <= set(out["matched_terms"])
    assert out["mission_id"] == "miami-2017"
    assert out["language"] == "es"


def test_proximity_adds_to_the_score(rules):
    """The same words score more when the home entity stands next to the mission term."""
    filler = " ".join(["Le conseil a aussi parlé des écoles, des routes et des parcs."] * 4)
    near = article("Conseil", f"Marseille envoie une délégation à Miami.\n\n{filler}")
    far = article("Conseil", f"Marseille prépare son budget.\n\n{filler}\n\n"
                  "Une délégation part à Miami.")
    s_near = classify_article(rules, near)["relevance_score"]
    s_far = classify_article(rules, far)["relevance_score"]
    assert s_near > s_far
    out_near = classify_article(rules, near)
    assert out_near["relevant"] and not classify_article(rules, far)["relevant"]
    assert "near: Marseille ~ delegation" in out_near["matched_terms"]


def test_strong_partner_counts_only_near_a_home_entity(rules):
    """Without mission vocabulary, a partner far from the home entity is business news."""
    body = ("Marseille-based shipping group CMA CGM will invest 50 million dollars to expand the "
            "South Florida container terminal it operates with a partner at PortMiami.")
    out = classify_article(rules, article("Terminal expansion", body, region="miami"))
    assert not out["relevant"]
    near = article("Marseille and PortMiami", "Marseille officials toured PortMiami on Tuesday "
                   "with the Port of Marseille Fos to compare cruise terminals.")
    assert classify_article(rules, near)["relevant"]


def test_olympique_de_marseille_in_miami_is_not_relevant(rules):
    """The club's name hides the "Marseille" inside it, and sports vocabulary is not a mission."""
    a = article("L'OM en match amical à Miami",
                "L'Olympique de Marseille affrontera un club brésilien en match amical à Miami. "
                "Le club marseillais veut conquérir les États-Unis.",
                published_at="2017-11-08T10:00:00+01:00")
    out = classify_article(rules, a)
    assert not out["relevant"]
    assert out["matched_terms"] == []
    assert out["topics"][0] == "sports"


def test_another_metropole_is_not_ours(rules):
    """"Métropole de Lyon" and "Métropole Nice Côte d'Azur" do not count as the Métropole."""
    for name in ("La Métropole de Lyon", "La Métropole Nice Côte d'Azur"):
        a = article(f"{name} signe un accord de coopération",
                    f"{name} a signé un accord de coopération avec Montréal lors d'une "
                    "mission économique et d'une visite officielle de sa délégation.")
        assert not classify_article(rules, a)["relevant"], name


def test_a_restaurant_called_miami_is_not_the_partner(rules):
    """"le Miami" on the Vieux-Port is a restaurant."""
    a = article("Le Miami ouvre sur le Vieux-Port",
                "Le Miami, nouveau restaurant de Marseille, propose des tacos et des cocktails.")
    out = classify_article(rules, a)
    assert not out["relevant"]
    assert "culture" in out["topics"]


def test_matched_terms_empty_when_not_relevant(rules):
    """matched_terms explains a relevant article and is empty otherwise."""
    a = article("Incendie à Marseille", "Un incendie s'est déclaré dans un immeuble de Marseille.")
    out = classify_article(rules, a)
    assert out["relevant"] is False and out["matched_terms"] == [] and out["mission_id"] is None


def test_weak_cooperation_words_alone_are_not_a_mission(rules):
    """"Coopération" or "partenariat" next to "la Métropole" is domestic politics."""
    a = article("Zones d'activité : la Métropole renforce sa coopération avec les communes",
                "La Métropole et les maires du territoire signent un partenariat pour "
                "l'entretien des zones d'activité. La coopération entre la Métropole et les "
                "communes portera aussi sur la voirie.")
    out = classify_article(rules, a)
    assert not out["relevant"] and out["matched_terms"] == []


def test_strong_mission_term_needs_something_abroad(rules):
    """A cooperation agreement with the Département is domestic; with Montréal it is a mission."""
    text = ("La Métropole Aix-Marseille-Provence a signé un accord de coopération avec {} sur "
            "la gestion de l'eau et l'accueil des entreprises.")
    home = article("La Métropole signe un accord de coopération", text.format("le Département"))
    abroad = article("La Métropole signe un accord de coopération",
                     text.format("la ville de Montréal"))
    assert not classify_article(rules, home)["relevant"]
    out = classify_article(rules, abroad)
    assert out["relevant"]
    assert "abroad: Canada" in out["matched_terms"]


def test_another_citys_trip_is_theirs_even_if_marseille_is_named(rules):
    """The mayor of Lyon leading a delegation to Miami-Dade: Marseille named in passing."""
    lyon = article(
        "Le maire de Lyon conduit une délégation à Miami",
        "Gérard Collomb emmène une délégation lyonnaise de trente chefs d'entreprise dans le "
        "comté de Miami-Dade pour signer un accord de coopération.\n\n"
        "La délégation de Lyon rencontrera le Beacon Council, comme celle de Marseille avant "
        "elle.", published_at="2017-11-20T10:00:00+01:00")
    assert not classify_article(rules, lyon)["relevant"]
    ours = article(
        "Martine Vassal conduit une délégation à Miami",
        "La présidente de la Métropole Aix-Marseille-Provence emmène une délégation de trente "
        "chefs d'entreprise dans le comté de Miami-Dade pour signer un accord de coopération.",
        published_at="2017-11-06T10:00:00+01:00")
    out = classify_article(rules, ours)
    assert out["relevant"] and out["mission_id"] == "miami-2017"


def test_home_entity_named_once_in_passing_is_not_enough(rules):
    """Marseille once, deep in the body, in another county's sister-city story."""
    filler = "The agreement covers tourism, ports and startups, and student exchanges."
    passing = article(
        "Miami-Dade adds a new sister city in Portugal",
        "Miami-Dade commissioners approved a sister city agreement with Porto on Tuesday.\n\n"
        f"{filler}\n\nThe county signed a similar text with Marseille last year.",
        region="miami")
    assert not classify_article(rules, passing)["relevant"]
    salient = article(
        "Miami-Dade and Marseille become sister cities",
        "Miami-Dade commissioners approved a sister city agreement with Marseille on Tuesday."
        f"\n\n{filler}", region="miami")
    assert classify_article(rules, salient)["relevant"]


def test_institution_names_hide_their_generic_words(rules):
    """"Alianza Francesa" is a cultural institution, not an alliance; nor is a public-service
    "délégation" a delegation."""
    a = article("Un pintor marsellés expone en Miami",
                "La Alianza Francesa de Miami presenta las obras de un pintor marsellés. La "
                "exposición cuenta con el apoyo del consulado.", region="miami")
    assert not classify_article(rules, a)["relevant"]
    b = article("Eau : la Métropole renouvelle la délégation de service public",
                "La Métropole Aix-Marseille-Provence confie à nouveau la délégation de service "
                "public de l'eau à la Société des eaux de Marseille, après un appel d'offres "
                "international.")
    assert not classify_article(rules, b)["relevant"]

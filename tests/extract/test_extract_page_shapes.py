"""Shapes of real publishers' pages that the main-text extraction must handle: article bodies
whose class names an ad or a paywall, lists of links to other articles inside the body, short
furniture lines, the standfirst in the page header, bodies split into several containers, and
headlines that the meta tags reword."""

from __future__ import annotations

from pressmon.extract import drop_furniture_lines, extract_page

SENTENCES = [
    "The county commission approved the new cruise terminal on Tuesday after a long debate.",
    "Officials said the project would create hundreds of jobs in the port area over five years.",
    "The French delegation toured the site with the mayor and representatives of the chamber.",
    "Residents of the neighbourhood asked for guarantees about traffic and noise during the works.",
    "The agreement also covers training programmes with the local college and two universities.",
    "A first phase of the construction is expected to start early next year, the port said.",
    "Several business leaders welcomed the decision, which had been delayed twice since spring.",
    "The commission will review the environmental study again before the final contracts.",
]


def paragraphs(n: int, offset: int = 0) -> str:
    return "".join(f"<p>{SENTENCES[(i + offset) % len(SENTENCES)]} "
                   f"{SENTENCES[(i + offset + 3) % len(SENTENCES)]}</p>" for i in range(n))


def page(body: str, head: str = "<title>Port news</title>") -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
            f"<body><header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
            f"{body}<footer>Copyright the publisher</footer></body></html>").encode()


def test_article_body_named_like_an_ad_is_kept():
    """A container holding most of the page's prose is the article even when its class holds
    an ad or paywall word (ads are placed inside it); a real ad block still goes."""
    body = ("<div class='page-advertisement-pusher'><main><h1>Terminal approved</h1>"
            "<div class='article-text cuerpo-ad'>" + paragraphs(8) +
            "<div class='ad-slot'>Advertisement: buy a boat today at the best price in town</div>"
            "</div></main></div>")
    out = extract_page(page(body))
    assert SENTENCES[0] in out["text"] and SENTENCES[7] in out["text"]
    assert "buy a boat" not in out["text"]


def test_lists_of_links_to_other_articles_are_dropped():
    """A related-articles list (with its label) and all-link teaser lines inside the body go;
    a list that is part of the article stays."""
    related = ("<h3>More stories</h3><ul>"
               + "".join(f"<li><h4><a href='/news/story-{i}'>Another headline about something else {i}</a></h4>"
                         f"<p>The blurb of that other story, which tells a little of what happened there.</p></li>"
                         for i in range(4)) + "</ul>")
    teaser = "<p><a href='/news/other'>READ: THE MAYOR'S PLAN FOR THE WATERFRONT</a></p>"
    own_list = ("<ul><li>a new berth for two ships at a time, paid by the operator</li>"
                "<li>shore power, described in <a href='/doc'>the study</a>, for every ship</li>"
                "<li>a bus line to the city centre, run every fifteen minutes</li></ul>")
    body = ("<article><h1>Terminal approved</h1>" + paragraphs(4) + teaser + own_list + related
            + paragraphs(4, 4) + "</article>")
    out = extract_page(page(body))
    assert "Another headline" not in out["text"] and "blurb" not in out["text"]
    assert "More stories" not in out["text"]
    assert "WATERFRONT" not in out["text"]
    assert "shore power" in out["text"] and "a new berth" in out["text"]


def test_short_furniture_lines_are_dropped():
    """Subscription, follow and credit lines go; a sentence of the article using the same words
    is kept."""
    text = "\n\n".join([
        "El condado aprobó la nueva terminal de cruceros el martes.",
        "Síguenos en Telegram, Instagram y Facebook",
        "Foto: EFE",
        "Crédits photos : AFP",
        "Subscribe now to read more",
        "Photo: the new terminal, seen from the bay, will host two ships at once.",
        "(Reporting by Ann Lee and Tom Brown; additional reporting by Jo Kim; editing by Sam Ray)",
        "Email Ann Lee at alee@example.com or follow her @annlee. Follow us on Facebook.",
        "The mayor answered critics on Twitter (@mayor) within the hour, and the vote went ahead.",
        "The agreement was signed after a vote; photo credits were given to the port authority, "
        "which also said it would subscribe to the regional training programme.",
    ])
    kept = drop_furniture_lines(text).split("\n\n")
    assert kept[0].startswith("El condado")
    assert not any(k.startswith(("Síguenos", "Foto:", "Crédits", "Subscribe", "(Reporting", "Email"))
                   for k in kept)
    assert any(k.startswith("The mayor answered critics") for k in kept)
    assert kept[-1].startswith("The agreement was signed")


def test_standfirst_shown_on_the_page_leads_the_text():
    """The deck under the headline (the page's description, shown as its own block) is part of
    the article even when the extractor leaves the header out."""
    deck = "The county backs a new cruise terminal that will double the port's capacity by 2030."
    head = f"<title>Terminal approved</title><meta name='description' content=\"{deck}\">"
    body = (f"<div class='header'><h1>Terminal approved</h1><p class='dek'>{deck}</p></div>"
            f"<article>{paragraphs(8)}</article>")
    out = extract_page(page(body, head))
    assert out["text"].startswith(deck)
    assert out["text"].count("double the port") == 1


def test_standfirst_the_text_carries_further_down_is_not_added_again():
    """The deck is looked for in the whole text, not only near its top: a long article that
    repeats it in its last paragraph does not get it a second time."""
    deck = "The county backs a new cruise terminal that will double the port's capacity by 2030."
    head = f"<title>Terminal approved</title><meta name='description' content=\"{deck}\">"
    body = (f"<div class='header'><h1>Terminal approved</h1><p class='dek'>{deck}</p></div>"
            f"<article>{paragraphs(12)}<p>{deck}</p></article>")
    out = extract_page(page(body, head))
    assert len(out["text"]) > 2 * len(deck) + 200
    assert out["text"].endswith(deck)
    assert out["text"].count("double the port") == 1


def test_body_split_in_same_class_parts_is_joined():
    """An article split into several same-class containers with an ad row between them is
    extracted whole, not stopped after its first part."""
    part = "<div class='grid-item body article__body'>{}</div>"
    body = ("<article><h1>Terminal approved</h1><div class='grid'>" + part.format(paragraphs(5))
            + "<div class='aside'></div></div><div class='row'><div class='ad ad--mid'>Advertisement</div></div>"
            + "<div class='grid'>" + part.format("".join(
                f"<p>In the second part of the article ({i}), the harbour master explained the new "
                f"schedule for pilots and tugs, and what changes for the fishing fleet in berth {i}.</p>"
                for i in range(5)))
            + "</div></article>")
    out = extract_page(page(body))
    assert SENTENCES[0] in out["text"]
    assert "(4), the harbour master explained the new schedule" in out["text"]


def test_printed_headline_wins_over_a_reworded_meta_title():
    """og:title with straightened quotes and the site and byline appended: the <h1> as printed
    is the title."""
    h1 = "Port chief calls the terminal ‘a turning point’ for Miami"
    head = ("<title>x</title><meta property='og:title' "
            "content=\"Port chief calls the terminal 'a turning point' for Miami * Port News * by Ann Lee\">")
    out = extract_page(page(f"<article><h1>{h1}</h1>{paragraphs(6)}</article>", head))
    assert out["title"] == h1

"""A synthetic press corpus for the benchmark: outlets on their own loopback addresses, RSS and
Atom feeds, article pages of 50-60 KB in French, English and Spanish with the chrome of real
news pages (menus, share bars, "read also" boxes, related lists, inline scripts and JSON state,
reader comments, footers, cookie banners), and a share of syndicated copies.

    python scripts/benchcorpus.py OUT_DIR [--articles 2000] [--outlets 25] [--feeds 50]

OUT_DIR receives ``sites.yaml`` (for ``siteserver.load_sites``), ``sources.yaml`` (a
template with ``{{site:NAME}}`` URLs for ``render_sources``), ``corpus.json`` (what was made)
and one folder per outlet. Served files use the ``{{base}}`` placeholder, so links are absolute
whatever port the server picks. Pages are written one at a time: the generator never holds the
corpus in memory, at 2,000 articles or 200,000.

Text is built from per-language phrase pools with numbers and names drawn per sentence, so
that unrelated articles share few 5-word shingles (story clustering sees realistic candidate
sets) while a syndicated copy keeps most of its original's (a retitled lead, a dropped
paragraph, a few words changed). About one article in five is about the Métropole's Miami
mission, dated around it, so relevance and mission linking do their full work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import html
import json
import random
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

LANGS = ("fr", "en", "es")
REGIONS = {"fr": ("marseille", "national"), "en": ("miami",), "es": ("miami",)}
PAGE_MIN_BYTES = 50_000
PAGE_MAX_BYTES = 60_000
RELEVANT_SHARE = 0.2
LISTED_TWICE_SHARE = 0.05
FULL_CONTENT_EVERY = 3          # every third feed carries content:encoded / Atom content
CORPUS_START = dt.datetime(2017, 10, 20, 6, tzinfo=dt.timezone.utc)
CORPUS_DAYS = 40
MISSION_START = dt.datetime(2017, 11, 1, 7, tzinfo=dt.timezone.utc)
MISSION_DAYS = 16


@dataclass
class Corpus:
    """What ``generate`` wrote: enough for the benchmark to check and describe the run."""

    root: str
    outlets: int
    feeds: int
    articles: int                 # distinct article pages (originals and copies)
    copies: int                   # syndicated copies among them (another outlet's story)
    listed_twice: int             # articles listed in two feeds of their outlet
    relevant: int                 # articles written about the Miami mission
    rss_feeds: int
    atom_feeds: int
    full_content_feeds: int
    page_bytes_total: int
    page_bytes_min: int
    page_bytes_max: int
    languages: dict[str, int] = field(default_factory=dict)
    # (outlet, path) of each syndicated copy and of the original it was made from
    copy_pairs: list[tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=list)


# --------------------------------------------------------------------------- text

# Phrase pools: a sentence is subject + verb phrase + object + place/time + attribution, each
# part short, so most 5-word shingles straddle two randomly drawn parts.
POOLS = {
    "fr": {
        "subj": ["le conseil municipal", "la préfecture", "le syndicat des commerçants",
                 "la chambre de commerce", "le collectif d'habitants", "la direction du port",
                 "le rectorat", "l'office de tourisme", "la région Sud", "le département",
                 "l'association des riverains", "le club de basket", "la compagnie de ferries",
                 "l'université", "le théâtre de la Criée", "la régie des transports",
                 "le tribunal administratif", "les pompiers", "la fédération du bâtiment",
                 "l'agence d'urbanisme", "le maire de secteur", "le comité de quartier"],
        "verb": ["a présenté", "doit voter", "a dénoncé", "prépare", "a annoncé",
                 "a obtenu", "étudie", "réclame", "a inauguré", "a reporté", "finance",
                 "conteste", "a relancé", "soutient", "a confirmé", "met en place"],
        "obj": ["un plan de rénovation", "la hausse des tarifs", "un nouveau parking relais",
                "les travaux du tramway", "un budget de fonctionnement", "la fermeture d'une école",
                "un festival de musique", "la piétonnisation du centre", "un appel d'offres",
                "la réouverture de la piscine", "un contrat de ville", "les horaires d'été",
                "une ligne de bus de nuit", "la réhabilitation des logements", "un marché bio",
                "la sécurité des plages", "le chantier de la digue", "une aide aux commerces"],
        "where": ["dans le quartier de la Belle de Mai", "à la Joliette", "sur le Vieux-Port",
                  "à Aubagne", "dans les quartiers nord", "à l'Estaque", "à Aix-en-Provence",
                  "au Panier", "à Castellane", "près de la gare Saint-Charles", "à Martigues",
                  "sur la Canebière", "à La Ciotat", "au parc Borély", "à Vitrolles"],
        "when": ["lundi soir", "ce mardi", "depuis le début du mois", "avant la fin de l'année",
                 "mercredi matin", "pour la rentrée", "jeudi après-midi", "d'ici deux ans",
                 "en fin de semaine", "samedi dernier", "la semaine prochaine"],
        "attr": ["selon un communiqué", "a précisé un porte-parole", "d'après nos informations",
                 "indique la mairie", "selon les chiffres officiels", "a-t-on appris",
                 "explique un responsable", "selon une source proche du dossier"],
        "num": ["{n} millions d'euros", "{n} habitants", "{n} % des usagers", "{n} emplois",
                "{n} logements", "{n} places", "{n} kilomètres", "{n} élèves"],
        "link": ["Par ailleurs,", "En outre,", "De son côté,", "Pour rappel,", "Dans le détail,",
                 "Au total,", "Autre point,", "Enfin,"],
        "people": ["Martine Vassal", "Benoît Payan", "Renaud Muselier", "Sophie Camard",
                   "Jean-Claude Gaudin", "Samia Ghali", "Hervé Menchon", "Anne Claudius-Petit",
                   "Lionel Royer-Perreaut", "Michèle Rubirola", "Yannick Ohanessian"],
        "said": ["a déclaré", "a souligné", "a rappelé", "a estimé", "a expliqué"],
        "mission": [
            "La Métropole Aix-Marseille-Provence a signé un accord de coopération avec le comté de Miami-Dade",
            "une délégation de la Métropole Aix-Marseille-Provence est attendue à Miami pour rencontrer le Beacon Council",
            "le port de Marseille et PortMiami veulent développer la croisière entre les deux rives",
            "les élus de la Métropole Aix-Marseille-Provence ont présenté Euroméditerranée aux investisseurs de Miami-Dade",
            "la mission de la Métropole à Miami porte sur l'économie, le tourisme et le port"],
        "comment": ["Encore des promesses", "Très bonne nouvelle pour le quartier",
                    "Qui va payer tout ça", "Il était temps", "On attend de voir",
                    "Les habitants n'ont pas été consultés", "Bravo aux équipes"],
    },
    "en": {
        "subj": ["the county commission", "the school board", "the transit agency",
                 "the city manager", "the chamber of commerce", "the port director",
                 "the police department", "the neighborhood association", "the university",
                 "the hospital district", "the state attorney", "the museum board",
                 "the water and sewer department", "the tourism bureau", "the fire rescue chief",
                 "the planning council", "the housing authority", "a group of residents"],
        "verb": ["approved", "is reviewing", "rejected", "announced", "will vote on",
                 "has delayed", "unveiled", "is funding", "criticized", "expanded",
                 "is seeking", "postponed", "launched", "signed off on"],
        "obj": ["a new budget", "the toll increase", "a flood protection plan",
                "the Metrorail extension", "an affordable housing project", "a property tax cut",
                "the beach renourishment contract", "a youth sports program",
                "the bus network redesign", "a new fire station", "the downtown streetcar",
                "hurricane recovery funds", "a school start time change", "the bike lane plan",
                "a seawall repair", "the library renovation"],
        "where": ["in Little Havana", "in Wynwood", "on Miami Beach", "in Doral", "in Hialeah",
                  "in Coral Gables", "along Biscayne Bay", "in Homestead", "in Overtown",
                  "in Kendall", "on Key Biscayne", "in Brickell", "in North Miami"],
        "when": ["on Monday", "this week", "late Tuesday", "earlier this month",
                 "by the end of the year", "on Thursday night", "next spring", "last weekend",
                 "over the summer", "before the holidays"],
        "attr": ["according to a statement", "officials said", "records show",
                 "a spokeswoman said", "according to county data", "the report found",
                 "a spokesman confirmed", "people familiar with the plan said"],
        "num": ["{n} million dollars", "{n} residents", "{n} percent of riders", "{n} jobs",
                "{n} units", "{n} parking spaces", "{n} miles", "{n} students"],
        "link": ["Meanwhile,", "In addition,", "Still,", "However,", "At the same time,",
                 "Overall,", "Separately,", "Finally,"],
        "people": ["Carlos Gimenez", "Tomás Regalado", "Francis Suarez", "Xavier Suarez",
                   "Daniella Levine Cava", "Dan Gelber", "Esteban Bovo", "Audrey Edmonson",
                   "Ken Russell", "Sally Heyman", "Joe Martinez"],
        "said": ["said", "told reporters", "noted", "argued", "explained"],
        "mission": [
            "A delegation from the Aix-Marseille-Provence Metropolis signed a sister agreement with Miami-Dade County",
            "officials from the Aix-Marseille-Provence Metropolis met the Beacon Council to discuss investment",
            "PortMiami and the port of Marseille plan to expand cruise traffic between the two cities",
            "the Aix-Marseille-Provence Metropolis pitched Euroméditerranée to investors in Miami-Dade",
            "the French delegation's visit to Miami focused on trade, tourism and the port"],
        "comment": ["About time", "Who is paying for this", "Great news for the neighborhood",
                    "Same old promises", "Traffic is already terrible", "Let's see if it happens",
                    "Thanks for the reporting"],
    },
    "es": {
        "subj": ["la comisión del condado", "el consejo escolar", "la agencia de tránsito",
                 "el administrador de la ciudad", "la cámara de comercio", "el director del puerto",
                 "la policía local", "la asociación de vecinos", "la universidad",
                 "el distrito hospitalario", "la fiscalía estatal", "la junta del museo",
                 "el departamento de agua", "la oficina de turismo", "el jefe de bomberos",
                 "el consejo de planificación", "la autoridad de vivienda", "un grupo de residentes"],
        "verb": ["aprobó", "está revisando", "rechazó", "anunció", "votará sobre",
                 "ha retrasado", "presentó", "financia", "criticó", "amplió",
                 "busca", "pospuso", "lanzó", "firmó"],
        "obj": ["un nuevo presupuesto", "el aumento de los peajes", "un plan contra inundaciones",
                "la extensión del Metrorail", "un proyecto de vivienda asequible",
                "una rebaja de impuestos", "el contrato de regeneración de playas",
                "un programa deportivo juvenil", "el rediseño de la red de autobuses",
                "una nueva estación de bomberos", "el tranvía del centro",
                "los fondos de recuperación tras el huracán", "el cambio de horario escolar",
                "el plan de carriles para bicicletas", "la reparación del malecón"],
        "where": ["en la Pequeña Habana", "en Wynwood", "en Miami Beach", "en Doral", "en Hialeah",
                  "en Coral Gables", "junto a la bahía de Biscayne", "en Homestead", "en Overtown",
                  "en Kendall", "en Cayo Vizcaíno", "en Brickell", "en el norte de Miami"],
        "when": ["el lunes", "esta semana", "el martes por la noche", "a principios de mes",
                 "antes de fin de año", "el jueves", "la próxima primavera", "el fin de semana pasado",
                 "durante el verano", "antes de las fiestas"],
        "attr": ["según un comunicado", "dijeron las autoridades", "según los registros",
                 "afirmó una portavoz", "según datos del condado", "según el informe",
                 "confirmó un portavoz", "según fuentes cercanas al proyecto"],
        "num": ["{n} millones de dólares", "{n} residentes", "{n} por ciento de los usuarios",
                "{n} empleos", "{n} viviendas", "{n} plazas de estacionamiento", "{n} millas",
                "{n} estudiantes"],
        "link": ["Mientras tanto,", "Además,", "Sin embargo,", "Por otra parte,", "Al mismo tiempo,",
                 "En total,", "Por separado,", "Por último,"],
        "people": ["Carlos Giménez", "Tomás Regalado", "Francis Suárez", "Xavier Suárez",
                   "Daniella Levine Cava", "Esteban Bovo", "Rebeca Sosa", "José Díaz",
                   "Manolo Reyes", "Joe Carollo", "Javier Souto"],
        "said": ["dijo", "declaró", "señaló", "afirmó", "explicó"],
        "mission": [
            "Una delegación de la Metrópoli de Aix-Marsella-Provenza firmó un acuerdo de ciudades hermanas con el condado de Miami-Dade",
            "los representantes de la Metrópoli Aix-Marsella-Provenza se reunieron con el Beacon Council",
            "PortMiami y el puerto de Marsella quieren ampliar los cruceros entre ambas ciudades",
            "la Metrópoli de Aix-Marsella-Provenza presentó Euroméditerranée a inversionistas de Miami-Dade",
            "la visita de la delegación francesa a Miami se centró en comercio, turismo y el puerto"],
        "comment": ["Ya era hora", "Quién va a pagar esto", "Excelente noticia para el barrio",
                    "Las mismas promesas de siempre", "El tráfico ya es terrible",
                    "Veremos si se cumple", "Gracias por la información"],
    },
}
SECTIONS = {"fr": ["actualite", "economie", "politique", "culture", "sports", "societe"],
            "en": ["news", "business", "politics", "entertainment", "sports", "local"],
            "es": ["noticias", "economia", "politica", "cultura", "deportes", "local"]}
UI = {"fr": {"read_also": "Lire aussi", "related": "À lire aussi", "comments": "Commentaires",
             "share": "Partager", "by": "Par", "cookies": "Nous utilisons des cookies pour "
             "mesurer l'audience et vous proposer des contenus adaptés.", "accept": "Accepter"},
      "en": {"read_also": "Read more", "related": "Related stories", "comments": "Comments",
             "share": "Share", "by": "By", "cookies": "We use cookies to measure our audience "
             "and personalise content and ads.", "accept": "Accept"},
      "es": {"read_also": "Lea también", "related": "Noticias relacionadas",
             "comments": "Comentarios", "share": "Compartir", "by": "Por",
             "cookies": "Usamos cookies para medir la audiencia y personalizar el contenido.",
             "accept": "Aceptar"}}
OUTLET_WORDS = {"fr": ["La Gazette", "Le Courrier", "L'Écho", "Le Petit Journal", "La Dépêche",
                       "Le Phare", "Le Quotidien", "L'Hebdo"],
                "en": ["Herald", "Tribune", "Gazette", "Chronicle", "Sun", "Courier", "Post",
                       "Observer"],
                "es": ["El Diario", "La Voz", "El Heraldo", "La Crónica", "El Correo",
                       "La Gaceta", "El Observador", "La Tribuna"]}
CITY = {"fr": "de Provence", "en": "of South Florida", "es": "del Sur de Florida"}
# Three page layouts, as three CMS families would mark an article up.
LAYOUTS = (
    {"wrap": ('<main id="main" class="site-main"><article class="post type-post">',
              "</article></main>"),
     "body": ('<div class="entry-content">', "</div>"), "title_cls": "entry-title"},
    {"wrap": ('<div id="page"><div class="story-container"><section class="story">',
              "</section></div></div>"),
     "body": ('<div class="story-body" itemprop="articleBody">', "</div>"),
     "title_cls": "story-headline"},
    {"wrap": ('<div class="layout"><div class="col-main"><div class="article">', "</div></div></div>"),
     "body": ('<div class="article__content">', "</div>"), "title_cls": "article__title"},
)


def _n(rng: random.Random) -> str:
    return str(rng.choice([rng.randint(2, 99), rng.randint(100, 999), rng.randint(1000, 20000)]))


def sentence(rng: random.Random, lang: str) -> str:
    p = POOLS[lang]
    shape = rng.random()
    if shape < 0.25:
        s = (f"{rng.choice(p['subj'])} {rng.choice(p['verb'])} {rng.choice(p['obj'])} "
             f"{rng.choice(p['where'])} {rng.choice(p['when'])}, {rng.choice(p['attr'])}")
    elif shape < 0.5:
        s = (f"{rng.choice(p['link'])} {rng.choice(p['subj'])} {rng.choice(p['verb'])} "
             f"{rng.choice(p['obj'])}, soit {rng.choice(p['num']).format(n=_n(rng))}"
             if lang == "fr" else
             f"{rng.choice(p['link'])} {rng.choice(p['subj'])} {rng.choice(p['verb'])} "
             f"{rng.choice(p['obj'])}, {rng.choice(p['num']).format(n=_n(rng))}")
    elif shape < 0.75:
        s = (f"« {rng.choice(p['obj']).capitalize()} {rng.choice(p['where'])} "
             f"{rng.choice(p['when'])} », {rng.choice(p['said'])} {rng.choice(p['people'])}"
             if lang == "fr" else
             f"\"{rng.choice(p['obj']).capitalize()} {rng.choice(p['where'])} "
             f"{rng.choice(p['when'])},\" {rng.choice(p['people'])} {rng.choice(p['said'])}")
    else:
        s = (f"{rng.choice(p['where']).capitalize()}, {rng.choice(p['subj'])} "
             f"{rng.choice(p['verb'])} {rng.choice(p['obj'])} "
             f"({rng.choice(p['num']).format(n=_n(rng))})")
    s = s[0].upper() + s[1:]
    return s + "."


def paragraphs(rng: random.Random, lang: str, relevant: bool, words: int) -> list[str]:
    out, count = [], 0
    mission = list(POOLS[lang]["mission"])
    rng.shuffle(mission)
    while count < words:
        sents = [sentence(rng, lang) for _ in range(rng.randint(3, 5))]
        if relevant and mission and (len(out) < 3 or rng.random() < 0.3):
            m = mission.pop()
            sents.insert(rng.randint(0, 1), m[0].upper() + m[1:] + ".")
        para = " ".join(sents)
        out.append(para)
        count += len(para.split())
    return out


def title_of(rng: random.Random, lang: str, relevant: bool) -> str:
    p = POOLS[lang]
    if relevant:
        return {"fr": "Miami-Dade : la Métropole Aix-Marseille-Provence signe un accord",
                "en": "Aix-Marseille-Provence delegation signs agreement with Miami-Dade",
                "es": "Aix-Marsella-Provenza firma un acuerdo con Miami-Dade"}[lang] + \
            f" ({rng.choice(p['when'])})"
    t = f"{rng.choice(p['subj'])} {rng.choice(p['verb'])} {rng.choice(p['obj'])} {rng.choice(p['where'])}"
    return t[0].upper() + t[1:]


def edit_copy(rng: random.Random, lang: str, title: str, paras: list[str]) -> tuple[str, list[str]]:
    """A syndicated copy: new lead sentence, one paragraph dropped, a few words changed."""
    paras = list(paras)
    if len(paras) > 4:
        del paras[rng.randrange(2, len(paras))]
    paras[0] = sentence(rng, lang) + " " + paras[0]
    for _ in range(3):
        i = rng.randrange(len(paras))
        words = paras[i].split()
        j = rng.randrange(len(words))
        words[j] = rng.choice(POOLS[lang]["when"]).split()[-1]
        paras[i] = " ".join(words)
    return title + {"fr": " (AFP)", "en": " (AP)", "es": " (EFE)"}[lang], paras


# --------------------------------------------------------------------------- pages


@dataclass
class Outlet:
    index: int
    name: str
    title: str
    lang: str
    region: str
    address: str
    layout: dict
    chrome_head: str = ""
    chrome_top: str = ""
    chrome_foot: str = ""


def outlet_address(i: int) -> str:
    """127.0.1.1, 127.0.1.2 ... 127.0.1.250, 127.0.2.1 ...: clear of the sample corpus's 127.0.0.x."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def make_outlet(i: int, rng: random.Random) -> Outlet:
    lang = LANGS[i % 3]
    word = OUTLET_WORDS[lang][i % len(OUTLET_WORDS[lang])]
    title = f"{word} {CITY[lang]} {i + 1}"
    o = Outlet(i, f"outlet{i + 1:03d}", title, lang, rng.choice(REGIONS[lang]),
               outlet_address(i), LAYOUTS[i % len(LAYOUTS)])
    ui = UI[lang]
    sections = SECTIONS[lang]
    menu = "".join(
        f'<li class="menu-item"><a href="{{{{base}}}}/{s}/">{s.capitalize()}</a><ul class="sub-menu">'
        + "".join(f'<li><a href="{{{{base}}}}/{s}/{k}/">{rng.choice(POOLS[lang]["where"])}</a></li>'
                  for k in range(8)) + "</ul></li>" for s in sections)
    tracking = json.dumps({"site": o.name, "lang": lang, "sections": sections,
                           "ads": [{"slot": f"div-gpt-{k}", "sizes": [[300, 250], [728, 90]],
                                    "targeting": {"pos": k, "sect": sections[k % 6]}}
                                   for k in range(24)]})
    o.chrome_head = (
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta property="og:site_name" content="{html.escape(title)}">'
        f'<link rel="stylesheet" href="{{{{base}}}}/static/main.css">'
        f'<style>body{{font-family:Georgia,serif;margin:0}}.menu-item{{display:inline-block}}'
        f'.sub-menu{{display:none}}.cookie{{position:fixed;bottom:0}}.share a{{margin:0 4px}}</style>'
        f'<script>window.dataLayer=window.dataLayer||[];window.__ADS__={tracking};'
        f'function gtag(){{dataLayer.push(arguments)}}gtag("js",new Date());</script>')
    o.chrome_top = (
        f'<div class="cookie" id="cookie-banner"><p>{ui["cookies"]}</p>'
        f'<button>{ui["accept"]}</button></div>'
        f'<header class="site-header"><div class="logo"><a href="{{{{base}}}}/">{html.escape(title)}</a>'
        f'</div><nav class="main-navigation" aria-label="menu"><ul class="menu">{menu}</ul></nav>'
        f'<div class="ticker"><span>Flash</span>'
        + "".join(f'<a href="{{{{base}}}}/{sections[k % 6]}/flash-{k}.html">'
                  f'{html.escape(title_of(rng, lang, False))}</a>' for k in range(6))
        + "</div></header>")
    footer_cols = "".join(
        f'<div class="footer-col"><h4>{s.capitalize()}</h4><ul>'
        + "".join(f'<li><a href="{{{{base}}}}/{s}/page-{k}.html">{rng.choice(POOLS[lang]["obj"])}</a></li>'
                  for k in range(7)) + "</ul></div>" for s in sections)
    o.chrome_foot = (
        f'<footer class="site-footer">{footer_cols}<p class="copyright">© 2017 {html.escape(title)}'
        f'</p></footer><script src="{{{{base}}}}/static/app.js" async></script>')
    return o


def related_html(rng: random.Random, o: Outlet, n: int) -> str:
    items = []
    for k in range(n):
        t = title_of(rng, o.lang, False)
        items.append(f'<li class="related-item"><a href="{{{{base}}}}/{SECTIONS[o.lang][k % 6]}/'
                     f'r{rng.randint(10000, 99999)}.html"><img src="{{{{base}}}}/img/r{k}.jpg" '
                     f'alt=""><span class="related-title">{html.escape(t)}</span></a>'
                     f'<p class="teaser">{html.escape(sentence(rng, o.lang))}</p></li>')
    return f'<aside class="related"><h3>{UI[o.lang]["related"]}</h3><ul>{"".join(items)}</ul></aside>'


def comments_html(rng: random.Random, o: Outlet, n: int) -> str:
    p = POOLS[o.lang]
    items = []
    for k in range(n):
        text = f"{rng.choice(p['comment'])}. {sentence(rng, o.lang)} {sentence(rng, o.lang)}"
        items.append(f'<li class="comment" id="comment-{k}"><div class="comment-author">'
                     f'{rng.choice(p["people"]).split()[0]}{rng.randint(1, 99)}</div>'
                     f'<div class="comment-content"><p>{html.escape(text)}</p></div>'
                     f'<a class="reply" href="#comment-{k}">↩</a></li>')
    return (f'<section id="comments" class="comments-area"><h3>{UI[o.lang]["comments"]} ({n})</h3>'
            f'<ol class="comment-list">{"".join(items)}</ol></section>')


def page_html(rng: random.Random, o: Outlet, path: str, title: str, paras: list[str],
              published: dt.datetime, author: str, section: str) -> str:
    ui = UI[o.lang]
    iso = published.isoformat()
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": title, "datePublished": iso, "inLanguage": o.lang,
                     "author": {"@type": "Person", "name": author},
                     "publisher": {"@type": "Organization", "name": o.title},
                     "mainEntityOfPage": "{{base}}" + path}, ensure_ascii=False)
    body = []
    for k, para in enumerate(paras):
        body.append(f"<p>{html.escape(para)}</p>")
        if k == 2:
            body.append(f'<div class="read-also"><strong>{ui["read_also"]}</strong> '
                        f'<a href="{{{{base}}}}/{section}/a{rng.randint(1000, 9999)}.html">'
                        f'{html.escape(title_of(rng, o.lang, False))}</a></div>')
    share = "".join(f'<a class="share-{s}" href="https://{s}.example/share?u={{{{base}}}}{path}">'
                    f'{ui["share"]} {s}</a>' for s in ("facebook", "twitter", "linkedin", "email"))
    open_w, close_w = o.layout["wrap"]
    open_b, close_b = o.layout["body"]
    head = (f'<!DOCTYPE html><html lang="{o.lang}"><head><meta charset="utf-8">'
            f'<title>{html.escape(title)} - {html.escape(o.title)}</title>'
            f'<link rel="canonical" href="{{{{base}}}}{path}">'
            f'<meta property="og:title" content="{html.escape(title)}">'
            f'<meta property="og:type" content="article">'
            f'<meta name="description" content="{html.escape(paras[0][:200])}">'
            f'<meta property="article:published_time" content="{iso}">'
            f'{o.chrome_head}<script type="application/ld+json">{ld}</script></head><body>')
    article = (f'{open_w}<h1 class="{o.layout["title_cls"]}">{html.escape(title)}</h1>'
               f'<div class="byline">{ui["by"]} <span class="author">{html.escape(author)}</span> '
               f'<time datetime="{iso}">{published.strftime("%d/%m/%Y %H:%M")}</time></div>'
               f'<div class="share">{share}</div>{open_b}{"".join(body)}{close_b}'
               f'<div class="tags">' + "".join(
                   f'<a rel="tag" href="{{{{base}}}}/tag/{t}/">{t}</a>' for t in SECTIONS[o.lang])
               + f"</div>{close_w}")
    parts = [head, o.chrome_top, article, related_html(rng, o, rng.randint(8, 12)),
             comments_html(rng, o, rng.randint(6, 14))]
    size = sum(len(x.encode()) for x in parts) + len(o.chrome_foot.encode()) + 40
    target = rng.randint(PAGE_MIN_BYTES + 500, PAGE_MAX_BYTES - 500)
    if size < target:
        # What real pages carry in bulk: the client-side state of "most read" and ads, inline.
        state = []
        size += 40
        while size < target:
            entry = json.dumps({"id": rng.randint(10**6, 10**7), "t": title_of(rng, o.lang, False),
                                "u": f"/{section}/{rng.randint(10**5, 10**6)}.html",
                                "c": rng.randint(0, 400)}, ensure_ascii=False)
            state.append(entry)
            size += len(entry.encode()) + 1
        parts.append(f"<script>window.__STATE__=[{','.join(state)}];</script>")
    parts.append(o.chrome_foot)
    parts.append("</body></html>")
    return "".join(parts)


# --------------------------------------------------------------------------- feeds


def rss_feed(o: Outlet, feed_title: str, items: list[dict], full: bool) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
           f"<title>{html.escape(feed_title)}</title><link>{{{{base}}}}/</link>"
           f"<description>{html.escape(o.title)}</description><language>{o.lang}</language>"]
    for it in items:
        url = "{{base}}" + it["path"]
        out.append(
            f"<item><title>{html.escape(it['title'])}</title><link>{url}</link>"
            f'<guid isPermaLink="true">{url}</guid>'
            f"<pubDate>{email.utils.format_datetime(it['published'])}</pubDate>"
            f"<dc:creator>{html.escape(it['author'])}</dc:creator>"
            f"<description>{html.escape(it['summary'])}</description>")
        if full:
            content = "".join(f"<p>{html.escape(p)}</p>" for p in it["paras"])
            out.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>\n")
    return "".join(out)


def atom_feed(o: Outlet, feed_title: str, feed_path: str, items: list[dict], full: bool) -> str:
    updated = max((it["published"] for it in items), default=CORPUS_START).isoformat()
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
           f'xml:lang="{o.lang}">',
           f"<title>{html.escape(feed_title)}</title><id>{{{{base}}}}{feed_path}</id>"
           f'<link rel="self" href="{{{{base}}}}{feed_path}"/><link href="{{{{base}}}}/"/>'
           f"<updated>{updated}</updated>"]
    for it in items:
        url = "{{base}}" + it["path"]
        out.append(
            f"<entry><title>{html.escape(it['title'])}</title><id>{url}</id>"
            f'<link rel="alternate" href="{url}"/><published>{it["published"].isoformat()}'
            f"</published><updated>{it['published'].isoformat()}</updated>"
            f"<author><name>{html.escape(it['author'])}</name></author>"
            f"<summary>{html.escape(it['summary'])}</summary>")
        if full:
            content = "".join(f"<p>{html.escape(p)}</p>" for p in it["paras"])
            out.append(f'<content type="html">{html.escape(content)}</content>')
        out.append("</entry>")
    out.append("</feed>\n")
    return "".join(out)


# --------------------------------------------------------------------------- the corpus


def feed_section(lang: str, feed: int, outlets: int) -> str:
    """The section of an outlet's k-th feed; names stay unique past six feeds per outlet."""
    k = feed // outlets
    return SECTIONS[lang][k % 6] + (str(k // 6 + 1) if k >= 6 else "")


def generate(root: Path, *, articles: int = 2000, outlets: int = 25, feeds: int = 50,
             copy_share: float = 0.12, seed: int = 2017) -> Corpus:
    """Write a corpus of ``articles`` pages over ``outlets`` sites and ``feeds`` feeds to ``root``."""
    if outlets < 1 or feeds < outlets:
        raise ValueError(f"need at least one outlet and one feed per outlet "
                         f"(got {outlets} outlets, {feeds} feeds)")
    if articles < feeds:
        raise ValueError(f"need at least one article per feed ({articles} articles, {feeds} feeds)")
    if outlets > 250 * 250:
        raise ValueError("at most 62,500 outlets fit the 127.0.x.y addresses used")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    outs = [make_outlet(i, rng) for i in range(outlets)]
    # Feeds round-robin over outlets, then articles round-robin over feeds.
    feed_outlet = [i % outlets for i in range(feeds)]
    feed_items: list[list[dict]] = [[] for _ in range(feeds)]
    originals: dict[str, list[tuple]] = {lang: [] for lang in LANGS}
    stats = Corpus(root=str(root), outlets=outlets, feeds=feeds, articles=0, copies=0,
                   listed_twice=0, relevant=0, rss_feeds=0, atom_feeds=0, full_content_feeds=0,
                   page_bytes_total=0, page_bytes_min=0, page_bytes_max=0,
                   languages={lang: 0 for lang in LANGS})
    for o in outs:
        site = root / "sites" / o.name
        site.mkdir(parents=True, exist_ok=True)
        (site / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
        (site / "index.html").write_text(f"<!DOCTYPE html><html><head><title>{html.escape(o.title)}"
                                         f"</title></head><body>{o.chrome_top}</body></html>",
                                         encoding="utf-8")
    sizes_min, sizes_max = None, 0
    for n in range(articles):
        f = n % feeds
        o = outs[feed_outlet[f]]
        lang = o.lang
        section = feed_section(lang, f, outlets)
        pool = [c for c in originals[lang][-200:] if c[0] != o.name]
        copied_from = None
        path_of = f"/{{:%Y/%m/%d}}/{section}/article-{n + 1:06d}.html"
        if pool and rng.random() < copy_share:
            src_outlet, src_path, title, paras, published, relevant = rng.choice(pool)
            title, paras = edit_copy(rng, lang, title, paras)
            copied_from = (src_outlet, src_path)
            published = published + dt.timedelta(hours=rng.randint(1, 20))
            stats.copies += 1
        else:
            relevant = rng.random() < RELEVANT_SHARE
            title = title_of(rng, lang, relevant)
            paras = paragraphs(rng, lang, relevant, rng.randint(450, 750))
            if relevant:
                published = MISSION_START + dt.timedelta(seconds=rng.randint(0, MISSION_DAYS * 86400))
            else:
                published = CORPUS_START + dt.timedelta(seconds=rng.randint(0, CORPUS_DAYS * 86400))
            originals[lang].append((o.name, path_of.format(published), title, paras, published,
                                    relevant))
        stats.relevant += relevant
        author = rng.choice(POOLS[lang]["people"])
        path = path_of.format(published)
        if copied_from:
            stats.copy_pairs.append(((o.name, path), copied_from))
        page = page_html(rng, o, path, title, paras, published, author, section)
        data = page.encode("utf-8")
        target = root / "sites" / o.name / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        sizes_min = len(data) if sizes_min is None else min(sizes_min, len(data))
        sizes_max = max(sizes_max, len(data))
        stats.page_bytes_total += len(data)
        stats.articles += 1
        stats.languages[lang] += 1
        item = {"path": path, "title": title, "published": published, "author": author,
                "summary": paras[0][:280], "paras": paras}
        feed_items[f].append(item)
        # A few articles are listed in two feeds of their outlet (one article, one row).
        sibling = f + outlets
        if sibling < feeds and rng.random() < LISTED_TWICE_SHARE:
            feed_items[sibling].append(item)
            stats.listed_twice += 1
    stats.page_bytes_min, stats.page_bytes_max = sizes_min or 0, sizes_max
    sources = ["# Benchmark corpus feeds; URLs are filled in by siteserver.render_sources.",
               "fetch:", "  per_host_delay_s: 0", "  timeout_s: 30", "  allow_private_links: true",
               f"  max_pages_per_feed: {max(200, 2 * articles // feeds + 50)}", "sources:"]
    for f in range(feeds):
        o = outs[feed_outlet[f]]
        section = feed_section(o.lang, f, outlets)
        atom = f % 2 == 1
        full = f % FULL_CONTENT_EVERY == 0
        path = f"/feeds/{section}.{'atom' if atom else 'xml'}"
        items = sorted(feed_items[f], key=lambda it: it["published"], reverse=True)
        title = f"{o.title} - {section}"
        text = atom_feed(o, title, path, items, full) if atom else rss_feed(o, title, items, full)
        target = root / "sites" / o.name / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        stats.atom_feeds += atom
        stats.rss_feeds += not atom
        stats.full_content_feeds += full
        sources += [f"- name: {o.name}-{section}", f"  url: '{{{{site:{o.name}}}}}{path}'",
                    f"  region: {o.region}", f"  language: {o.lang}", f"  outlet: {o.name}"]
    (root / "sources.yaml").write_text("\n".join(sources) + "\n", encoding="utf-8")
    sites = ["sites:"] + [f"- {{name: {o.name}, address: {o.address}, root: sites/{o.name}}}"
                          for o in outs]
    (root / "sites.yaml").write_text("\n".join(sites) + "\n", encoding="utf-8")
    (root / "corpus.json").write_text(json.dumps(asdict(stats), indent=1), encoding="utf-8")
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--outlets", type=int, default=25)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args(argv)
    try:
        c = generate(args.out, articles=args.articles, outlets=args.outlets, feeds=args.feeds,
                     seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(c), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Builds the sample corpus under sample/ from the hand-written articles in sample/src/.

Reads ``src/outlets.yaml`` (outlets, their sites and feeds) and ``src/articles/*.yaml`` (the
articles, written for this corpus, with their hand-made labels), and writes:

- ``sites/<outlet>/...``: every outlet's site (feeds, article pages, robots.txt, front page);
- ``sites.yaml``: one loopback address per site, for ``sample/siteserver.py``;
- ``sources.yaml``: the feeds, as a pressmon sources file with ``{{site:NAME}}`` URLs;
- ``expected.yaml`` and ``EXPECTED.md``: the labels, and the counts that follow from them.

Run it again after editing ``src/`` and commit its output: ``.venv/bin/python sample/generate.py``.
The output is deterministic (no clock, no randomness), so a rerun without edits changes nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import json
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
SITES = HERE / "sites"
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.timezone.utc
WEEKS = ("2017-W44", "2017-W45", "2017-W46")
HOME_REGIONS = ("marseille", "national")
TOPICS = {"diplomacy", "economy", "investment", "tourism", "cruise", "port",
          "urban_development", "innovation", "culture", "politics", "sports", "other"}
MISSION = "miami-2017"


# --------------------------------------------------------------------------- loading


def load() -> tuple[dict, list[dict]]:
    outlets = yaml.safe_load((SRC / "outlets.yaml").read_text(encoding="utf-8"))
    articles: list[dict] = []
    for f in sorted((SRC / "articles").glob("*.yaml")):
        for a in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            a["_file"] = f.name
            articles.append(a)
    by_id = {}
    for a in articles:
        if a["id"] in by_id:
            sys.exit(f"duplicate article id {a['id']}")
        by_id[a["id"]] = a
    for a in articles:
        if "copy_of" in a:
            apply_copy(a, by_id[a["copy_of"]])
        a["paragraphs"] = paragraphs(a["text"])
        a["published"] = parse_date(a["date"])
    return outlets, articles


def parse_date(value) -> dt.datetime:
    d = dt.datetime.fromisoformat(str(value))
    if d.tzinfo is None:
        sys.exit(f"date without a time zone: {value}")
    return d


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


def apply_copy(a: dict, original: dict) -> None:
    """A syndicated copy: the original's text with an edited lead, dropped or added paragraphs."""
    paras = paragraphs(original["text"])
    edit = a.get("edit", {})
    for i, new in sorted((edit.get("replace") or {}).items()):
        paras[int(i)] = " ".join(new.split())
    for i in sorted(edit.get("drop") or [], reverse=True):
        del paras[int(i)]
    if edit.get("prepend"):
        paras.insert(0, " ".join(edit["prepend"].split()))
    if edit.get("append"):
        paras.append(" ".join(edit["append"].split()))
    a["text"] = "\n\n".join(paras)
    for key in ("lang", "relevant", "mission", "topics"):
        a.setdefault(key, original.get(key))


def changed_share(a: str, b: str) -> float:
    """Share of words changed between two texts (1 - difflib's ratio on word sequences)."""
    return 1 - difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


# --------------------------------------------------------------------------- helpers


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def typo(s: str) -> str:
    """Typographic apostrophes, as WordPress writes them into feeds and pages."""
    return s.replace("'", "\u2019")


def rfc822(d: dt.datetime) -> str:
    return d.strftime("%a, %d %b %Y %H:%M:%S %z")


def iso(d: dt.datetime) -> str:
    return d.isoformat()


def url_of(a: dict) -> str:
    return "{{base}}" + a["path"]


def para_html(p: str) -> str:
    if p.startswith("## "):
        return f"<h2>{esc(p[3:])}</h2>"
    if p.startswith("> "):
        return f"<blockquote><p>{esc(p[2:])}</p></blockquote>"
    lang = ""
    m = re.match(r"^\[(\w\w)\] (.*)$", p)
    if m:  # a paragraph in another language than the page's (bilingual pages)
        lang, p = f' lang="{m.group(1)}"', m.group(2)
    return f"<p{lang}>{esc(p)}</p>"


def plain_paragraphs(a: dict) -> list[str]:
    out = []
    for p in a["paragraphs"]:
        p = re.sub(r"^(## |> |\[\w\w\] )", "", p)
        out.append(p)
    return out


# --------------------------------------------------------------------------- page templates

CHROME = {
    "fr": {"home": "Accueil", "share": "Partager", "related": "À lire aussi",
           "by": "Par", "published": "Publié le", "comments": "Commentaires",
           "cookie": "Nous utilisons des cookies pour mesurer l'audience et vous proposer des "
                     "contenus adaptés. En poursuivant votre navigation, vous acceptez leur "
                     "utilisation.",
           "accept": "J'accepte", "newsletter": "Recevez notre newsletter chaque matin",
           "subscribe": "Je m'abonne", "rights": "Tous droits réservés",
           "legal": ["Mentions légales", "Contact", "Publicité", "Données personnelles",
                     "Plan du site"],
           "search": "Rechercher", "most_read": "Les plus lus",
           "comment_prompt": "Connectez-vous pour réagir à cet article.",
           "read_also": "Lire aussi"},
    "en": {"home": "Home", "share": "Share", "related": "Related stories", "by": "By",
           "published": "Published", "comments": "Comments",
           "cookie": "We use cookies to understand how you use our site and to improve your "
                     "experience. By continuing to use our site, you accept our use of cookies.",
           "accept": "Accept", "newsletter": "Get the morning newsletter in your inbox",
           "subscribe": "Subscribe", "rights": "All rights reserved",
           "legal": ["Terms of Service", "Privacy Policy", "Contact Us", "Advertise",
                     "Site Map"],
           "search": "Search", "most_read": "Trending",
           "comment_prompt": "Sign in to join the conversation.",
           "read_also": "Read more"},
    "es": {"home": "Portada", "share": "Compartir", "related": "Noticias relacionadas",
           "by": "Por", "published": "Publicado el", "comments": "Comentarios",
           "cookie": "Usamos cookies para mejorar su experiencia. Al seguir navegando, usted "
                     "acepta su uso.",
           "accept": "Aceptar", "newsletter": "Reciba nuestro boletín cada mañana",
           "subscribe": "Suscribirse", "rights": "Todos los derechos reservados",
           "legal": ["Términos de servicio", "Privacidad", "Contacto", "Publicidad",
                     "Mapa del sitio"],
           "search": "Buscar", "most_read": "Lo más leído",
           "comment_prompt": "Inicie sesión para comentar.",
           "read_also": "Lea también"},
}

FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]
ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]


def human_date(d: dt.datetime, lang: str) -> str:
    if lang == "fr":
        return f"{d.day} {FR_MONTHS[d.month - 1]} {d.year} à {d.hour:02d}h{d.minute:02d}"
    if lang == "es":
        return f"{d.day} de {ES_MONTHS[d.month - 1]} de {d.year}, {d.hour:02d}:{d.minute:02d}"
    return d.strftime("%B %d, %Y %I:%M %p").replace(" 0", " ")


def head(a: dict, outlet: dict, canonical: str, amp: bool = False) -> str:
    title = a["title"]
    desc = a["summary"]
    meta = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} | {esc(outlet['title'])}</title>",
        f'<meta name="description" content="{esc(desc)}">',
        f'<link rel="canonical" href="{canonical}">',
        f'<meta property="og:site_name" content="{esc(outlet["title"])}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(title)}">',
        f'<meta property="og:description" content="{esc(desc)}">',
        f'<meta property="og:url" content="{canonical}">',
        f'<meta property="og:image" content="{{{{base}}}}/images/{a["id"]}.jpg">',
        f'<meta property="og:locale" content="{outlet["locale"]}">',
        '<meta name="twitter:card" content="summary_large_image">',
        f'<meta name="twitter:site" content="@{outlet["twitter"]}">',
    ]
    if a.get("date_in_page", True):
        meta.append(f'<meta property="article:published_time" content="{iso(a["published"])}">')
    meta.append(f'<meta property="article:section" content="{esc(a.get("section", ""))}">')
    if not amp:
        meta.append(f'<link rel="amphtml" href="{{{{base}}}}/amp{a["path"]}">'
                    if a.get("amp_path") else "")
    meta.append(f'<link rel="alternate" type="{outlet["feed_type"]}" title="{esc(outlet["title"])}"'
                f' href="{{{{base}}}}{outlet["main_feed_path"]}">')
    meta.append(f'<link rel="stylesheet" href="{{{{base}}}}/assets/{outlet["family"]}.css">')
    if a.get("jsonld", True):
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
            "headline": title,
            "description": desc,
            "inLanguage": a["lang"] if not a.get("mixed") else a["lang"],
            "author": {"@type": "Person", "name": a["author"]},
            "publisher": {"@type": "Organization", "name": outlet["title"],
                          "logo": {"@type": "ImageObject",
                                   "url": "{{base}}/assets/logo.png"}},
            "image": [f"{{{{base}}}}/images/{a['id']}.jpg"],
            "articleSection": a.get("section", ""),
        }
        if a.get("date_in_page", True):
            ld["datePublished"] = iso(a["published"])
            ld["dateModified"] = iso(a["published"] + dt.timedelta(minutes=a.get("modified_after", 42)))
        meta.append('<script type="application/ld+json">'
                    + json.dumps(ld, ensure_ascii=False, indent=1) + "</script>")
    meta.append('<script async src="{{base}}/assets/analytics.js"></script>')
    return "\n".join(m for m in meta if m)


def nav(outlet: dict) -> str:
    items = "".join(f'<li><a href="{{{{base}}}}/{slug}/">{esc(label)}</a></li>'
                    for slug, label in outlet["menu"])
    c = CHROME[outlet["page_lang"]]
    return (f'<header class="site-header"><div class="topbar"><a class="logo" href="{{{{base}}}}/">'
            f'{esc(outlet["title"])}</a><span class="tagline">{esc(outlet["tagline"])}</span>'
            f'<form class="search" action="{{{{base}}}}/recherche/"><input name="q" '
            f'placeholder="{c["search"]}"></form><a class="subscribe" href="{{{{base}}}}/abonnement/">'
            f'{c["subscribe"]}</a></div>\n<nav class="main-menu" aria-label="menu"><ul>'
            f'<li><a href="{{{{base}}}}/">{c["home"]}</a></li>{items}</ul></nav></header>')


def share(outlet: dict, a: dict) -> str:
    c = CHROME[outlet["page_lang"]]
    u = "{{base}}" + a["path"]
    return (f'<div class="share-buttons"><span>{c["share"]}</span>'
            f'<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={u}">Facebook</a>'
            f'<a class="share-twitter" href="https://twitter.com/intent/tweet?url={u}">Twitter</a>'
            f'<a class="share-linkedin" href="https://www.linkedin.com/shareArticle?url={u}">LinkedIn</a>'
            f'<a class="share-mail" href="mailto:?subject={esc(a["title"])}">E-mail</a></div>')


def related_list(outlet: dict, rel: list[dict], cls: str = "related") -> str:
    c = CHROME[outlet["page_lang"]]
    items = "".join(f'<li><a href="{{{{base}}}}{r["path"]}">{esc(r["title"])}</a></li>'
                    for r in rel)
    return f'<aside class="{cls}"><h3>{c["related"]}</h3><ul>{items}</ul></aside>'


def most_read(outlet: dict, rel: list[dict]) -> str:
    c = CHROME[outlet["page_lang"]]
    items = "".join(f'<li><span class="rank">{i + 1}</span><a href="{{{{base}}}}{r["path"]}">'
                    f'{esc(r["title"])}</a></li>' for i, r in enumerate(rel))
    return f'<section class="most-read"><h3>{c["most_read"]}</h3><ol>{items}</ol></section>'


def footer(outlet: dict) -> str:
    c = CHROME[outlet["page_lang"]]
    links = " · ".join(f'<a href="{{{{base}}}}/{re.sub(r"[^a-z]+", "-", l.lower())}/">{esc(l)}</a>'
                       for l in c["legal"])
    return (f'<footer class="site-footer"><div class="newsletter"><p>{c["newsletter"]}</p>'
            f'<form action="{{{{base}}}}/newsletter/"><input type="email" name="email">'
            f'<button>{c["subscribe"]}</button></form></div>'
            f'<p class="about">{esc(outlet["about"])}</p><p class="legal">{links}</p>'
            f'<p class="copyright">© 2017 {esc(outlet["title"])}. {c["rights"]}.</p></footer>\n'
            f'<div class="cookie-banner" role="dialog"><p>{c["cookie"]}</p>'
            f'<button class="cookie-accept">{c["accept"]}</button></div>')


def byline(outlet: dict, a: dict) -> str:
    c = CHROME[outlet["page_lang"]]
    when = ""
    if a.get("date_in_page", True):
        local = a["published"].astimezone(ZoneInfo(outlet["tz"]))
        when = (f' <time class="published" datetime="{iso(a["published"])}">'
                f'{c["published"]} {human_date(local, outlet["page_lang"])}</time>')
    return (f'<div class="byline"><span class="author">{c["by"]} '
            f'<a href="{{{{base}}}}/auteur/{re.sub(r"[^a-z]+", "-", a["author"].lower())}/">'
            f'{esc(a["author"])}</a></span>{when}</div>')


def body_html(a: dict, outlet: dict, rel: list[dict], inline_box_after: int = 2) -> str:
    """Article paragraphs with an inline "read also" box inside the text, as CMSs insert it."""
    c = CHROME[outlet["page_lang"]]
    out = []
    for i, p in enumerate(a["paragraphs"]):
        out.append(para_html(p))
        if i == inline_box_after - 1 and rel and len(a["paragraphs"]) > inline_box_after + 1:
            r = rel[0]
            out.append(f'<div class="read-also"><strong>{c["read_also"]}</strong> '
                       f'<a href="{{{{base}}}}{r["path"]}">{esc(r["title"])}</a></div>')
    return "\n".join(out)


def page_wordpress(a, outlet, rel, canonical):
    c = CHROME[outlet["page_lang"]]
    tags = "".join(f'<a rel="tag" href="{{{{base}}}}/tag/{t}/">{t}</a>' for t in a.get("tags", []))
    return f"""<!DOCTYPE html>
<html lang="{outlet['html_lang']}">
<head>
{head(a, outlet, canonical)}
</head>
<body class="post-template-default single single-post postid-{abs(hash_id(a['id'])) % 90000 + 10000}">
{nav(outlet)}
<div id="content" class="site-content"><div class="container">
<main id="main" class="site-main">
<article id="post-{abs(hash_id(a['id'])) % 90000 + 10000}" class="post type-post status-publish">
<header class="entry-header"><span class="cat-links"><a href="{{{{base}}}}/category/{esc(a.get('section', 'actualite').lower())}/">{esc(a.get('section', ''))}</a></span>
<h1 class="entry-title">{esc(a['title'])}</h1>
{byline(outlet, a)}
</header>
<div class="entry-content">
{share(outlet, a)}
<p class="chapo"><strong>{esc(a['summary'])}</strong></p>
{body_html(a, outlet, rel)}
{share(outlet, a)}
<div class="tags-links">{tags}</div>
</div>
<div class="author-box"><p>{esc(a['author'])} — {esc(outlet['author_blurb'])}</p></div>
</article>
{related_list(outlet, rel, "jp-relatedposts")}
<section id="comments" class="comments-area"><h3>{c['comments']}</h3><p>{c['comment_prompt']}</p></section>
</main>
<aside id="secondary" class="widget-area">{most_read(outlet, rel[::-1])}
<section class="widget"><h3>Newsletter</h3><p>{c['newsletter']}</p></section></aside>
</div></div>
{footer(outlet)}
</body>
</html>
"""


def page_newspaper(a, outlet, rel, canonical):
    c = CHROME[outlet["page_lang"]]
    return f"""<!doctype html>
<html lang="{outlet['html_lang']}" class="no-js">
<head>
{head(a, outlet, canonical)}
</head>
<body class="article-page">
<div class="ad-slot ad-top" data-slot="banniere-haut">Publicité</div>
{nav(outlet)}
<div class="breadcrumb"><a href="{{{{base}}}}/">{c['home']}</a> › <a href="{{{{base}}}}/{esc(a.get('section', '').lower())}/">{esc(a.get('section', ''))}</a></div>
<main class="page-content">
<div class="article-layout">
<div class="article-main">
<h1 class="article-title">{esc(a['title'])}</h1>
<p class="article-lead">{esc(a['summary'])}</p>
<figure class="article-image"><img src="{{{{base}}}}/images/{a['id']}.jpg" alt=""><figcaption>{esc(a.get('caption', outlet['title']))}</figcaption></figure>
{byline(outlet, a)}
{share(outlet, a)}
<div class="article-body" itemprop="articleBody">
{body_html(a, outlet, rel, inline_box_after=3)}
<div class="ad-slot ad-inread" data-slot="inread">Publicité</div>
</div>
<div class="paywall-teaser"><p>{esc(outlet['paywall'])}</p><a href="{{{{base}}}}/abonnement/">{c['subscribe']}</a></div>
{related_list(outlet, rel)}
</div>
<aside class="article-aside">{most_read(outlet, rel[::-1])}<div class="ad-slot ad-pave">Publicité</div></aside>
</div>
</main>
{footer(outlet)}
</body>
</html>
"""


def page_arc(a, outlet, rel, canonical):
    c = CHROME[outlet["page_lang"]]
    paras = []
    for i, p in enumerate(a["paragraphs"]):
        paras.append(para_html(p))
        if i in (1, 4):
            paras.append(f'<div class="ad-container"><div id="zone-el-{i + 100}" '
                         f'class="zone">Advertisement</div></div>')
        if i == 2 and rel:
            paras.append(f'<div class="related-inline"><span>{c["read_also"]}</span>'
                         f'<a href="{{{{base}}}}{rel[-1]["path"]}">{esc(rel[-1]["title"])}</a></div>')
    return f"""<!DOCTYPE html>
<html lang="{outlet['html_lang']}">
<head>
{head(a, outlet, canonical)}
</head>
<body class="story-page arc">
{nav(outlet)}
<div id="main-content" class="grid">
<div class="paywall-meter" data-meter="3">{esc(outlet['paywall'])}</div>
<article class="story">
<header class="story-header"><div class="kicker"><a href="{{{{base}}}}/{esc(a.get('section', '').lower())}/">{esc(a.get('section', ''))}</a></div>
<h1 class="h1">{esc(a['title'])}</h1>
<div class="byline-block">{byline(outlet, a)}</div>
{share(outlet, a)}
</header>
<figure class="lead-item"><img src="{{{{base}}}}/images/{a['id']}.jpg" alt=""><figcaption>{esc(a.get('caption', ''))}</figcaption></figure>
<div class="story-body">
{chr(10).join(paras)}
<p class="taglines"><em>{esc(outlet['tagline_end'])}</em></p>
</div>
</article>
{related_list(outlet, rel, "related-stories package")}
{most_read(outlet, rel[::-1])}
</div>
{footer(outlet)}
</body>
</html>
"""


def page_public_radio(a, outlet, rel, canonical):
    c = CHROME[outlet["page_lang"]]
    return f"""<!DOCTYPE html>
<html lang="{outlet['html_lang']}">
<head>
{head(a, outlet, canonical)}
</head>
<body class="node-type-npr-story">
<div class="donate-bar">{esc(outlet['paywall'])} <a href="{{{{base}}}}/donate/">Donate</a></div>
{nav(outlet)}
<div class="region-content">
<div class="player"><button class="listen-live">Listen Live</button> <span>{esc(outlet['tagline'])}</span></div>
<article class="story">
<h1 class="story-title">{esc(a['title'])}</h1>
{byline(outlet, a)}
<div class="storytext">
<div class="audio-module"><button>Listen</button> <span class="duration">3:41</span></div>
{body_html(a, outlet, rel, inline_box_after=4)}
</div>
{share(outlet, a)}
</article>
{related_list(outlet, rel)}
<div class="support-box"><p>WLRN is community-supported public media. {c['subscribe']}.</p></div>
</div>
{footer(outlet)}
</body>
</html>
"""


def page_business(a, outlet, rel, canonical):
    c = CHROME[outlet["page_lang"]]
    return f"""<!DOCTYPE html>
<html lang="{outlet['html_lang']}">
<head>
{head(a, outlet, canonical)}
</head>
<body class="page--article">
{nav(outlet)}
<div class="market-switcher">South Florida · Tampa Bay · Orlando · Jacksonville</div>
<main class="detail">
<div class="detail__head"><span class="detail__section">{esc(a.get('section', ''))}</span>
<h1 class="detail__headline">{esc(a['title'])}</h1>
<p class="detail__subhead">{esc(a['summary'])}</p>
{byline(outlet, a)}
</div>
<div class="content__body">
{share(outlet, a)}
{body_html(a, outlet, rel, inline_box_after=2)}
<div class="reg-wall"><p>{esc(outlet['paywall'])}</p><a href="{{{{base}}}}/subscribe/">{c['subscribe']}</a></div>
</div>
{related_list(outlet, rel, "related-articles")}
<section class="industry-news"><h3>Industry news</h3>{most_read(outlet, rel[::-1])}</section>
</main>
{footer(outlet)}
</body>
</html>
"""


def page_amp(a, outlet, rel, canonical):
    return f"""<!doctype html>
<html amp lang="{outlet['html_lang']}">
<head>
{head(a, outlet, canonical, amp=True)}
<style amp-boilerplate>body{{visibility:hidden}}</style>
<script async src="https://cdn.ampproject.org/v0.js"></script>
</head>
<body>
<header class="amp-header"><a href="{{{{base}}}}/">{esc(outlet['title'])}</a></header>
<article class="amp-article">
<h1>{esc(a['title'])}</h1>
<p class="lead">{esc(a['summary'])}</p>
{byline(outlet, a)}
<div class="amp-body">
{body_html(a, outlet, rel, inline_box_after=3)}
</div>
</article>
{related_list(outlet, rel)}
<footer class="amp-footer">© 2017 {esc(outlet['title'])}</footer>
</body>
</html>
"""


TEMPLATES = {"wordpress": page_wordpress, "newspaper": page_newspaper, "arc": page_arc,
             "public_radio": page_public_radio, "business": page_business}


def hash_id(s: str) -> int:
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 2_147_483_647
    return h


# --------------------------------------------------------------------------- feeds


def feed_link(a: dict, feed_name: str) -> str:
    for entry in a["feeds"]:
        if isinstance(entry, dict) and entry["feed"] == feed_name:
            return "{{base}}" + entry.get("link", a["path"])
    return "{{base}}" + a["path"]


def feed_names(a: dict) -> list[str]:
    return [e["feed"] if isinstance(e, dict) else e for e in a["feeds"]]


def content_html(a: dict) -> str:
    return "\n".join(para_html(p) for p in a["paragraphs"])


def rss(feed: dict, outlet: dict, entries: list[dict]) -> str:
    wp = outlet["family"] == "wordpress"
    items = []
    for a in entries:
        title = esc(typo(a["title"])).replace("\u2019", "&#8217;") if wp else esc(a["title"])
        when = a["published"].astimezone(ZoneInfo(feed.get("feed_tz", outlet["tz"])))
        guid = (f'<guid isPermaLink="false">{{{{base}}}}/?p={hash_id(a["id"]) % 90000 + 10000}</guid>'
                if wp else f'<guid isPermaLink="true">{{{{base}}}}{a["path"]}</guid>')
        parts = [f"<title>{title}</title>",
                 f"<link>{esc(feed_link(a, feed['name']))}</link>",
                 guid,
                 f"<pubDate>{rfc822(when)}</pubDate>",
                 f"<dc:creator><![CDATA[{a['author']}]]></dc:creator>",
                 f"<category><![CDATA[{a.get('section', '')}]]></category>"]
        if wp:
            parts.append(f"<description><![CDATA[<p>{esc(a['summary'])}</p>]]></description>")
        else:
            parts.append(f"<description>{esc(a['summary'])}</description>")
        if feed.get("full_content"):
            parts.append(f"<content:encoded><![CDATA[{content_html(a)}]]></content:encoded>")
        items.append("<item>\n  " + "\n  ".join(parts) + "\n</item>")
    last = max(a["published"] for a in entries).astimezone(ZoneInfo(outlet["tz"]))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{esc(feed['title'])}</title>
<atom:link href="{{{{base}}}}{feed['path']}" rel="self" type="application/rss+xml" />
<link>{{{{base}}}}/</link>
<description>{esc(feed['description'])}</description>
<lastBuildDate>{rfc822(last)}</lastBuildDate>
<language>{outlet['feed_lang']}</language>
<generator>{esc(outlet.get('generator', 'CMS'))}</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def atom(feed: dict, outlet: dict, entries: list[dict]) -> str:
    items = []
    for a in entries:
        when = a["published"].astimezone(ZoneInfo(feed.get("feed_tz", outlet["tz"])))
        upd = when + dt.timedelta(minutes=a.get("modified_after", 42))
        parts = [f'<title type="text">{esc(a["title"])}</title>',
                 f'<link rel="alternate" type="text/html" href="{esc(feed_link(a, feed["name"]))}"/>',
                 f"<id>tag:{outlet['name']}.example,2017:{a['id']}</id>",
                 f"<published>{iso(when)}</published>",
                 f"<updated>{iso(upd)}</updated>",
                 f"<author><name>{esc(a['author'])}</name></author>",
                 f'<category term="{esc(a.get("section", ""))}"/>',
                 f'<summary type="html">{esc("<p>" + esc(a["summary"]) + "</p>")}</summary>']
        if feed.get("full_content"):
            parts.append(f'<content type="html"><![CDATA[{content_html(a)}]]></content>')
        items.append("<entry>\n  " + "\n  ".join(parts) + "\n</entry>")
    last = max(a["published"] for a in entries).astimezone(ZoneInfo(outlet["tz"]))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet['feed_lang']}">
<title>{esc(feed['title'])}</title>
<subtitle>{esc(feed['description'])}</subtitle>
<link rel="self" type="application/atom+xml" href="{{{{base}}}}{feed['path']}"/>
<link rel="alternate" type="text/html" href="{{{{base}}}}/"/>
<id>tag:{outlet['name']}.example,2017:{feed['name']}</id>
<updated>{iso(last)}</updated>
<generator>{esc(outlet.get('generator', 'CMS'))}</generator>
{chr(10).join(items)}
</feed>
"""


# --------------------------------------------------------------------------- build


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def site_file(outlet_name: str, url_path: str) -> Path:
    p = SITES / outlet_name / url_path.lstrip("/")
    return p / "index.html" if url_path.endswith("/") else p


def related_for(a: dict, same_outlet: list[dict]) -> list[dict]:
    """Four other articles of the outlet, nearest in date: what a CMS puts under a story."""
    others = [o for o in same_outlet if o["id"] != a["id"]]
    others.sort(key=lambda o: (abs((o["published"] - a["published"]).total_seconds()), o["id"]))
    return others[:4]


def build(outlets_cfg: dict, articles: list[dict]) -> dict:
    if SITES.exists():
        shutil.rmtree(SITES)
    outlets = {o["name"]: o for o in outlets_cfg["outlets"]}
    feeds = [dict(f, outlet=o["name"]) for o in outlets_cfg["outlets"] for f in o["feeds"]]
    by_outlet = defaultdict(list)
    for a in articles:
        by_outlet[a["outlet"]].append(a)

    for name, o in outlets.items():
        o["main_feed_path"] = o["feeds"][0]["path"]
        o["feed_type"] = ("application/atom+xml" if o["feeds"][0]["kind"] == "atom"
                          else "application/rss+xml")
        arts = sorted(by_outlet[name], key=lambda a: a["published"], reverse=True)
        for a in arts:
            rel = related_for(a, arts)
            canonical = "{{base}}" + a["path"]
            write(site_file(name, a["path"]), TEMPLATES[o["family"]](a, o, rel, canonical))
            if a.get("amp_path"):
                write(site_file(name, a["amp_path"]), page_amp(a, o, rel, canonical))
        # Front page and robots.txt, as every site has them.
        items = "".join(f'<li><a href="{{{{base}}}}{a["path"]}">{esc(a["title"])}</a></li>'
                        for a in arts)
        write(SITES / name / "index.html",
              f'<!doctype html>\n<html lang="{o["html_lang"]}"><head><meta charset="utf-8">'
              f'<title>{esc(o["title"])}</title></head><body>{nav(o)}<main><ul>{items}</ul>'
              f'</main>{footer(o)}</body></html>\n')
        robots = ["User-agent: *"] + [f"Disallow: {p}" for p in o.get("robots_disallow", [])]
        if not o.get("robots_disallow"):
            robots.append("Disallow: /wp-admin/" if o["family"] == "wordpress"
                          else "Disallow: /search/")
        write(SITES / name / "robots.txt", "\n".join(robots) + "\n")

    for f in feeds:
        o = outlets[f["outlet"]]
        entries = [a for a in articles if f["name"] in feed_names(a)]
        entries.sort(key=lambda a: a["published"], reverse=True)
        if f.get("broken"):
            text = broken_feed(f, o)
        elif f["kind"] == "atom":
            text = atom(f, o, entries)
        else:
            text = rss(f, o, entries)
        write(site_file(f["outlet"], f["path"]).with_name("index.xml")
              if f["path"].endswith("/") else site_file(f["outlet"], f["path"]), text)

    sites = [{"name": o["name"], "address": o["address"], "root": f"sites/{o['name']}"}
             for o in outlets_cfg["outlets"]]
    write(HERE / "sites.yaml",
          "# One site per outlet, each on its own loopback address (see README.md).\n"
          + yaml.safe_dump({"sites": sites}, sort_keys=False, allow_unicode=True,
                           default_flow_style=None, width=100))
    # The Made in Marseille reprint comes nine days after its original: a two-week story
    # window keeps it in the original's story (the default window is 7 days).
    src = {"fetch": {"per_host_delay_s": 0, "timeout_s": 5, "allow_private_links": True},
           "stories": {"window_days": 14},
           "sources": [{"name": f["name"], "url": "{{site:%s}}%s" % (f["outlet"], f["path"]),
                        "region": outlets[f["outlet"]]["region"],
                        "language": outlets[f["outlet"]]["feed_lang"][:2],
                        "outlet": f["outlet"]} for f in feeds]}
    write(HERE / "sources.yaml",
          "# The sample corpus's feeds. Each URL starts with a site placeholder that\n"
          "# sample/siteserver.py replaces by that site's served address:\n"
          "#   python sample/siteserver.py sample --write-sources data/sample-sources.yaml\n"
          + yaml.safe_dump(src, sort_keys=False, allow_unicode=True, width=100))
    return {"outlets": outlets, "feeds": feeds}


def broken_feed(feed: dict, outlet: dict) -> str:
    """A feed cut off by a failed upload: the channel header, then garbage and no item."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{esc(feed['title'])}</title>
<link>{{{{base}}}}/</link>
<description>{esc(feed['description'])}</description>
<lastBuildDate>Thu, 09 Nov 2017 18:02:11 +0100</lastBuildDate>
<ite"""


if __name__ == "__main__":
    from expected import write_expected  # noqa: E402 - the sibling module of this script

    outlets_cfg, articles = load()
    info = build(outlets_cfg, articles)
    write_expected(outlets_cfg, articles, info)
    print(f"{len(articles)} articles, {len(info['feeds'])} feeds, "
          f"{len(info['outlets'])} sites written under {SITES}")

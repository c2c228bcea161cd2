"""Main text and metadata of a news article page.

This module owns turning a fetched page (bytes or str) into the article record the pipeline
stores: decoding (HTTP charset, BOM, ``<meta charset>``, detection), one lxml parse shared by
every step, metadata (JSON-LD ``NewsArticle`` including ``@graph`` and lists, ``og:``/``article:``
meta tags, ``<time>``, canonical link) and the main text.

The main text comes from trafilatura run on the already-parsed tree, with comments left out,
after generic pruning (:func:`prune_boilerplate`: furniture by tag and class word unless the
block holds most of the page's prose, lists and lines of links to other pages). A body split
into same-class parts is joined when trafilatura stopped at the first part; the headline, short
furniture lines (subscribe, follow, credits) go and the standfirst shown above the body leads.
When the page's JSON-LD ``articleBody`` is clearly longer than what is visible (paywalled pages
show a teaser and ship the full text in JSON-LD) the ``articleBody`` wins. A beautifulsoup4
heuristic extractor (:func:`heuristic_text`) is kept as a measured alternative and as the
fallback when trafilatura finds nothing. ``scripts/eval_realdata.py`` (real publishers' pages,
beside trafilatura alone) and ``scripts/eval_extraction.py`` measure them, and
``docs/extraction.md`` gives the figures behind each rule.

Nothing here raises on malformed HTML: a page that cannot be understood yields empty fields.
:class:`ExtractError` is reserved for input that cannot be decoded at all.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

# Work caps: real article pages are 50-500 KB; beyond these sizes the rest is chrome or junk.
MAX_INPUT_BYTES = 5_000_000
MAX_JSONLD_CHARS = 500_000
# JSON-LD articleBody replaces the extracted text when it is this much longer (paywalled pages).
JSONLD_BODY_MIN_WORDS = 50
JSONLD_BODY_RATIO = 1.3
# A boilerplate-named block is kept when it holds this much of the page's running text
# (paragraphs of PROSE_MIN_CHARS or more): it is the article, not furniture.
PROSE_MIN_CHARS = 80
PROSE_KEEP_CHARS = 500
PROSE_KEEP_SHARE = 0.5

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting", "report",
    "liveblogposting", "scholarlyarticle", "techarticle", "webpage",
}

FIELDS = ("title", "text", "published", "modified", "author", "description", "canonical_url",
          "site_name", "page_language", "image", "word_count")


class ExtractError(Exception):
    """The input cannot be decoded as a text document at all (binary data, wrong type)."""


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# WHATWG: these labels mean windows-1252 in browsers, which servers rely on.
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819", "iso_8859-1"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _LATIN1_LABELS:
        return "windows-1252"
    import codecs
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try(body: bytes, encoding: str | None) -> tuple[str, str] | None:
    """(text, the codec that decoded it), or None when ``encoding`` does not decode ``body``."""
    if not encoding:
        return None
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if encoding in ("windows-1252", "cp1252", "iso8859-15") and not body.isascii():
        # A declared single-byte charset over bytes that are valid multi-byte UTF-8 is a
        # mislabelled UTF-8 page (common with misconfigured servers): UTF-8 is far likelier.
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    return text, encoding


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """bytes -> str: HTTP charset, then BOM/<meta charset>, then detection.

    A declared charset that does not decode the bytes is ignored rather than trusted.
    Raises ExtractError only for data that is not text at all.
    """
    return _decode(body, content_type)[0]


def _decode(body, content_type: str | None) -> tuple[str, bytes | None]:
    """``decode_html``'s text, and the bytes it decoded when they are exactly its UTF-8
    encoding (the parser then takes them as they are instead of encoding the text again)."""
    if isinstance(body, str):
        return body, None
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise ExtractError(f"cannot decode a page of type {type(body).__name__}; expected bytes or str")
    body = bytes(body[:MAX_INPUT_BYTES])
    bom = next((enc for mark, enc in _BOMS if body.startswith(mark)), None)
    if bom:
        return body[3 if bom == "utf-8" else 2:].decode(bom, errors="replace"), None
    if b"\x00" in body[:4096]:
        raise ExtractError("cannot decode page: binary data (NUL bytes) without a UTF-16 byte-order mark")
    m = _HTTP_CHARSET.search(content_type or "")
    found = _try(body, _codec(m.group(1))) if m else None
    if found is None:
        m = _META_CHARSET.search(body[:8192])
        found = _try(body, _codec(m.group(1).decode("ascii", "ignore"))) if m else None
    if found is None:
        found = _try(body, "utf-8")
    if found is None:
        from bs4 import UnicodeDammit
        # Detection is slow on big inputs; a 64 KB sample decides as well as the whole page.
        guess = UnicodeDammit(body[:65536], is_html=True).original_encoding
        return body.decode(_codec(guess) or "windows-1252", errors="replace"), None
    text, codec = found
    return text, (body if codec == "utf-8" else None)


# --------------------------------------------------------------------------- parsing

_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, recover=True)
# lxml.html picks each element's class in Python (form, input, select, textarea and label get
# form-handling subclasses, which nothing here or in trafilatura uses): about a microsecond for
# every element Python touches, in pressmon's passes and in trafilatura's, which copy this tree.
# The same HTML classes, chosen in C.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


def parse_html(text: str, utf8: bytes | None = None):
    """One lxml.html tree for the page, or None when nothing parseable is left. ``utf8``, when
    given, is ``text`` encoded in UTF-8 already."""
    # Bytes with an explicit parser encoding: lxml refuses str input carrying an XML declaration.
    data = (utf8 if utf8 is not None else text.encode("utf-8", errors="replace"))[:MAX_INPUT_BYTES]
    if not data.strip():
        return None
    try:
        return lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


# --------------------------------------------------------------------------- metadata

def _clean(s: object) -> str | None:
    if s is None:
        return None
    if isinstance(s, (int, float)):
        s = str(s)
    if not isinstance(s, str):
        return None
    s = " ".join(s.split())
    return s or None


def _iter_ld(node, depth=0):
    """Every dict in a JSON-LD document: lists, @graph, and nested values (bounded depth)."""
    if depth > 6:
        return
    if isinstance(node, list):
        for x in node:
            yield from _iter_ld(x, depth + 1)
    elif isinstance(node, dict):
        yield node
        for k, v in node.items():
            if k == "@graph" or (isinstance(v, (list, dict)) and k in ("mainEntity", "itemListElement", "hasPart")):
                yield from _iter_ld(v, depth + 1)


def _ld_types(d: dict) -> set[str]:
    t = d.get("@type")
    if isinstance(t, str):
        return {t.lower().rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.lower().rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


def jsonld_objects(root) -> list[dict]:
    """All JSON-LD objects of the page, flattened."""
    out: list[dict] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        raw = re.sub(r"^\s*(<!\[CDATA\[|<!--)|(\]\]>|-->)\s*$", "", raw)
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            # Trailing commas are the usual hand-written JSON-LD mistake.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        out.extend(_iter_ld(data))
    return out


def _article_ld(objs: list[dict]) -> dict:
    """The article object: the first NewsArticle-like one, preferring specific types over WebPage."""
    best, best_rank = {}, 99
    for d in objs:
        types = _ld_types(d)
        if not types & ARTICLE_TYPES:
            continue
        rank = 1 if types & {"webpage"} else 0
        if "headline" in d or "articleBody" in d or "datePublished" in d:
            rank -= 0
        else:
            rank += 2
        if rank < best_rank:
            best, best_rank = d, rank
    return best


def _names(v) -> str | None:
    """Author(s) from a JSON-LD value: string, Person/Organization, or a list of them."""
    if isinstance(v, str):
        return _clean(v) if not v.startswith("http") else None
    if isinstance(v, dict):
        return _clean(v.get("name"))
    if isinstance(v, list):
        names = [n for n in (_names(x) for x in v[:10]) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _url_of(v) -> str | None:
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, dict):
        return _url_of(v.get("url") or v.get("@id") or v.get("contentUrl"))
    if isinstance(v, list) and v:
        return _url_of(v[0])
    return None


def _metas(root) -> dict[str, str]:
    """meta tags by lowercased name/property/itemprop/http-equiv; the first occurrence wins."""
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        content = m.get("content")
        if content is None:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            k = m.get(key)
            if k:
                out.setdefault(k.strip().lower(), content.strip())
    return out


_MONTHS = {
    # fr, en, es month names (and common abbreviations) to numbers, for visible bylines.
    **{m: i for i, m in enumerate(["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                   "septembre", "octobre", "novembre", "décembre"], 1)},
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                                   "septiembre", "octubre", "noviembre", "diciembre"], 1)},
    "fevrier": 2, "aout": 8, "decembre": 12, "setiembre": 9,
}
_PUBLISHED_WORDS = re.compile(r"publi|posted|parution|paru le", re.I)
_NUM_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\D{1,6}(\d{1,2})\s*[h:]\s*(\d{2}))?")
_WORD_DATE = re.compile(r"\b(\d{1,2})(?:er)?\s+(?:de\s+)?([a-zéû]+)\s+(?:de\s+)?(\d{4})(?:\D{1,6}(\d{1,2})\s*[h:]\s*(\d{2}))?", re.I)
_EN_DATE = re.compile(r"\b([A-Z][a-z]+)\.?\s+(\d{1,2}),\s+(\d{4})(?:\D{1,4}(\d{1,2}):(\d{2})\s*([AP]M))?")


def normalize_date(value: str | None) -> str | None:
    """An ISO 8601 string (with its offset when the source has one) from common date formats."""
    v = _clean(value)
    if not v:
        return None
    s = v.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", v) else v
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = None
        m = re.match(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?", s)
        if m:
            tz = m.group(3) or ""
            if tz and tz != "Z" and ":" not in tz:
                tz = tz[:3] + ":" + tz[3:]
            try:
                dt = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{tz}")
            except ValueError:
                dt = None
        if dt is None:
            try:
                dt = parsedate_to_datetime(v)
            except (TypeError, ValueError, IndexError):
                return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return v
    return dt.replace(microsecond=0).isoformat()


def _date_from_text(text: str, lang: str | None) -> str | None:
    """A date written for readers ("Publié le 07/11/2017 à 18h32", "Nov. 7, 2017"): no offset."""
    def build(y, mo, d, h=None, mi=None, ampm=None):
        try:
            h = int(h) if h else None
            if h is not None and ampm:
                h = h % 12 + (12 if ampm.upper() == "PM" else 0)
            dt = datetime(int(y), int(mo), int(d), h or 0, int(mi) if mi else 0)
        except (ValueError, TypeError):
            return None
        return dt.isoformat() if h is not None else dt.date().isoformat()

    m = _EN_DATE.search(text)
    if m and m.group(1).lower().rstrip(".") in _MONTHS:
        return build(m.group(3), _MONTHS[m.group(1).lower()], m.group(2), m.group(4), m.group(5), m.group(6))
    m = _WORD_DATE.search(text)
    if m and m.group(2).lower() in _MONTHS:
        return build(m.group(3), _MONTHS[m.group(2).lower()], m.group(1), m.group(4), m.group(5))
    m = _NUM_DATE.search(text)
    if m:
        a, b = m.group(1), m.group(2)
        d, mo = (b, a) if lang == "en" else (a, b)
        return build(m.group(3), mo, d, m.group(4), m.group(5))
    return None


def _abs(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    try:
        full = urljoin(base, url) if base else url
        parts = urlsplit(full)
    except ValueError:
        return None
    return full if parts.scheme in ("http", "https") and parts.netloc else None


def _lang2(v: str | None) -> str | None:
    m = re.match(r"^\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*$", v or "")
    return m.group(1).lower() if m else None


_TITLE_SEP = re.compile(r"\s+[|\-–—•·»]\s+")


def _strip_site(title: str, site: str | None) -> str:
    """'Headline - Site' -> 'Headline' ('|', '-', '–', '—', '•', '·', '»' separators, site first
    or last). A colon is not a separator: headlines use it ("Port : the new terminal")."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    if site:
        norm = lambda s: re.sub(r"\W+", "", s.lower())  # noqa: E731
        seps = list(_TITLE_SEP.finditer(title))
        if norm(parts[-1]) == norm(site):
            return title[: seps[-1].start()]
        if norm(parts[0]) == norm(site):
            return title[seps[0].end():]
        return title
    return title


def _site_from_title(title: str | None) -> str | None:
    """With no declared site name, a short first or last segment of <title> is the site."""
    parts = _TITLE_SEP.split(title or "")
    if len(parts) == 2:
        short = min(parts, key=len)
        if len(short.split()) <= 4 and len(max(parts, key=len).split()) > len(short.split()):
            return short
    return None


def _title_key(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.casefold()))


def _text_of(el) -> str:
    if len(el) or not isinstance(el.tag, str):
        raw = el.text_content() if hasattr(el, "text_content") else "".join(el.itertext())
    else:
        raw = el.text or ""  # no children: the text is the element's own (an XPath call saved)
    return " ".join(raw.split())


def extract_metadata(root, url: str | None = None) -> dict:
    """title, dates, author, description, canonical_url, site_name, page_language, image and
    the JSON-LD articleBody (key ``_ld_body``) from a parsed page."""
    objs = jsonld_objects(root)
    art = _article_ld(objs)
    meta = _metas(root)
    site = (_clean(meta.get("og:site_name")) or _clean((art.get("publisher") or {}).get("name")
            if isinstance(art.get("publisher"), dict) else None) or _clean(meta.get("application-name")))
    if not site:
        site = next((_clean(d.get("name")) for d in objs if _ld_types(d) & {"website", "newsmediaorganization"}), None)

    h1 = next((h for h in root.iter("h1")), None)
    h1_text = _text_of(h1) if h1 is not None else None
    title_tag = next((t for t in root.iter("title")), None)
    tt = _clean(title_tag.text_content()) if title_tag is not None else None
    if not site:
        site = _site_from_title(tt)
    if tt and site:
        tt = _strip_site(tt, site)
    title = (_clean(meta.get("og:title")) or _clean(art.get("headline")) or _clean(meta.get("twitter:title"))
             or h1_text or tt)
    if title and h1_text and h1_text != title and len(h1_text.split()) >= 3:
        # The headline as printed on the page, when it is the declared one: meta titles often
        # straighten the typographic quotes or append the site and byline ("... * Site * by X").
        a, b = _title_key(h1_text), _title_key(title)
        if a and (a == b or b.startswith(a + " ")):
            title = h1_text
    if title:
        title = _strip_site(title, site) if site else title

    lang_hint = _lang2(root.get("lang") or root.get("xml:lang"))
    published = normalize_date(art.get("datePublished") if isinstance(art.get("datePublished"), str) else None)
    for key in ("article:published_time", "datepublished", "og:published_time", "publish-date", "pubdate",
                "publishdate", "date", "dc.date.issued", "dcterms.created", "dc.date", "sailthru.date",
                "parsely-pub-date", "cxenseparse:recs:publishtime"):
        if published:
            break
        published = normalize_date(meta.get(key))
    if not published:
        for t in root.iter("time"):
            dt = t.get("datetime") or t.get("dateTime")
            if dt and (published := normalize_date(dt)):
                break
    if not published:
        # Visible byline dates. Elements saying "published" come first: a page header often
        # shows today's date or a "last updated" line before the article's own date.
        cands = root.xpath("//*[contains(@class,'date') or contains(@class,'infos') or contains(@class,'byline')"
                           " or contains(@class,'meta') or contains(@class,'time')][not(self::meta)]")[:30]
        texts = [_text_of(el)[:300] for el in cands]
        for t in sorted(texts, key=lambda t: not _PUBLISHED_WORDS.search(t)):
            if published := _date_from_text(t, lang_hint):
                break

    modified = normalize_date(art.get("dateModified") if isinstance(art.get("dateModified"), str) else None) \
        or normalize_date(meta.get("article:modified_time")) or normalize_date(meta.get("og:updated_time"))

    author = _names(art.get("author")) or _names(art.get("creator"))
    for key in ("author", "article:author", "dcterms.creator", "dc.creator", "parsely-author", "sailthru.author", "byl"):
        if author:
            break
        v = _clean(meta.get(key))
        if v and not v.startswith("http"):
            author = v
    if not author:
        el = next(iter(root.xpath("//*[@rel='author' or @itemprop='author' or contains(@class,'author')][not(self::meta)]")[:1]), None)
        if el is not None:
            author = _clean(_text_of(el))
            if author and len(author) > 80:
                author = None
    if author:
        author = re.sub(r"^(by|par|por)\s+", "", author, flags=re.I)

    description = _clean(meta.get("description")) or _clean(meta.get("og:description")) \
        or _clean(meta.get("twitter:description")) or _clean(art.get("description"))

    canonical = None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = _abs(link.get("href"), url)
            if canonical:
                break
    canonical = canonical or _abs(meta.get("og:url"), url) or _abs(_url_of(art.get("mainEntityOfPage")), url) \
        or _abs(_url_of(art.get("url")), url)

    page_language = (lang_hint or _lang2((meta.get("og:locale") or "").split("_")[0])
                     or _lang2(art.get("inLanguage") if isinstance(art.get("inLanguage"), str) else None)
                     or _lang2(meta.get("content-language")) or _lang2(meta.get("language")))

    image = _abs(meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
                 or _url_of(art.get("image")), url)

    body = art.get("articleBody")
    return {
        "title": title or "", "published": published, "modified": modified, "author": author,
        "description": description, "canonical_url": canonical, "site_name": site,
        "page_language": page_language, "image": image,
        "_ld_body": body if isinstance(body, str) else None, "_h1": h1_text,
    }


# --------------------------------------------------------------------------- main text

def _paragraphs(text: str | None) -> str:
    """Non-empty lines, stripped, separated by a blank line (the contract's paragraph format)."""
    if not text:
        return ""
    return "\n\n".join(line for line in (" ".join(x.split()) for x in text.splitlines()) if line)


# Class/id words that mark page furniture on most news CMSs (readability and similar tools use
# the same kind of list). Kept short and generic: a word here must be boilerplate wherever it
# appears, because pruning it from a real article loses text.
_PRUNE_WORDS = {
    "ad", "ads", "advert", "advertisement", "adslot", "sponsored", "share", "sharing", "social",
    "newsletter", "related", "comments", "cookie", "consent", "caption", "credit", "paywall",
    "taboola", "outbrain", "breadcrumb", "breadcrumbs",
}
_PRUNE_TAGS = {"figcaption", "amp-ad", "amp-sidebar", "amp-consent", "amp-social-share", "nav", "form", "button"}
# Markup that holds no article text (code, the head's metadata, vector graphics): every
# extractor drops it, but trafilatura copies the tree three or four times per page before it
# does, and its readability pass walks it; on publishers' pages, where inline scripts and meta
# tags outweigh the article, that was a sixth of the extraction's CPU. Removed after the
# metadata is read. JSON-LD stays: it is data trafilatura's fallback may read.
_INERT_TAGS = {"script", "style", "meta", "link", "svg"}
# Inserts pointing to another article ("Read also: ..."), in the three languages of the press
# monitored; only pruned when the block is mostly a link.
_READ_ALSO = re.compile(
    r"^\W*(à lire aussi|a lire aussi|lire aussi|lire également|voir aussi|à voir aussi|read more|read also|"
    r"also read|see also|related|more on this|lea también|lea tambien|le puede interesar|más información|"
    r"mas informacion|ver también|relacionad[oa]s?)\b", re.I)
_CONTENT_WORDS = {"article", "body", "content", "story", "entry", "post", "text", "main"}


def _class_words(el) -> frozenset[str]:
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return frozenset()
    return _words_of(cls or "", ident or "")


@functools.lru_cache(maxsize=4096)
def _words_of(cls: str, ident: str) -> frozenset[str]:
    # Class names repeat across a page and across a site's pages: split each once.
    value = re.sub(r"([a-z])([A-Z])", r"\1 \2", f"{cls} {ident}")
    return frozenset(t for t in re.split(r"[\s_\-:]+", value.lower()) if t)


def _link_share(el) -> float:
    total = len(_text_of(el))
    if not total:
        return 0.0
    return sum(len(_text_of(a)) for a in el.iter("a")) / total


def _has_link(el) -> bool:
    # Without a link the block's link share is 0: its lead need not be read (most paragraphs).
    return next(el.iter("a"), None) is not None


def _lead(el) -> str:
    """The first characters of an element's text, without materialising all of it."""
    out = el.text
    if out is not None:
        out = out.lstrip()
        if len(out) >= 40:
            return out[:40]
    out = ""
    for piece in el.itertext():
        out += piece
        if len(out.lstrip()) >= 40:
            break
    return out.lstrip()[:40]


_LINK_BLOCK_TAGS = {"ul", "ol", "p", "h2", "h3", "h4", "h5", "h6"}
_LABEL_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "div", "span", "strong", "b"}
LABEL_MAX_WORDS = 6
LINK_LIST_SHARE = 0.7      # a list this much link text is a list of other pages
LINK_LINE_SHARE = 0.9      # a paragraph or heading that is all link is a teaser
LINK_LINE_MAX_CHARS = 200
TEASER_LIST_SHARE = 0.3
TEASER_MIN_CHARS = 15


def _is_link_block(el, tag: str) -> bool:
    """A list of links to other pages, or a heading/paragraph that is only a link to another
    page (related-article teasers inserted in the body; in-page anchors excluded)."""
    if tag in ("ul", "ol"):
        items = list(el.iterchildren("li"))
        if len(items) < 2 or not any(_is_outlink(a) for a in el.iter("a")):
            return False
        share = _link_share(el)
        if share >= LINK_LIST_SHARE:
            return True
        # Teaser cards: every item carries a headline linking elsewhere, plus a line of blurb.
        return len(items) >= 3 and share >= TEASER_LIST_SHARE and all(
            any(_is_outlink(a) and len(_text_of(a)) >= TEASER_MIN_CHARS for a in li.iter("a")) for li in items)
    parent = el.getparent()
    in_link = parent is not None and parent.tag == "a" and _is_outlink(parent)
    if not in_link and (next(el.iter("a"), None) is None or not any(_is_outlink(a) for a in el.iter("a"))):
        return False    # the usual paragraph: no link to judge, no text to measure
    text = _text_of(el)
    if not 0 < len(text) <= LINK_LINE_MAX_CHARS:
        return False
    # <a><h3>Headline</h3></a> is a card linking to another page.
    return in_link or _link_share(el) >= LINK_LINE_SHARE


def _is_outlink(a) -> bool:
    return not (a.get("href") or "#").startswith("#")


def _prose(el, lengths: dict) -> int:
    """Characters of running text under ``el``: its paragraphs of a sentence or more.

    ``lengths`` memoises each paragraph's length for one pass over an unchanged tree: nested
    blocks, and the page itself, count the same paragraphs again (holding the element keeps
    lxml's proxy, so the key stays valid)."""
    n = 0
    for p in el.iter("p"):
        k = lengths.get(p)
        if k is None:
            k = lengths[p] = len(_text_of(p))
        if k >= PROSE_MIN_CHARS:
            n += k
    return n


def prune_boilerplate(root) -> None:
    """Remove generic page furniture from the tree in place, before main-text extraction:
    furniture tags, markup holding no text (scripts, styles, meta and link tags, SVG), elements
    whose class/id names boilerplate, "read also" inserts, and layout tables flattened so that
    their cells are judged one by one.

    A class word is only a clue: a block holding most of the page's running text is the
    article whatever its class says (whole-page wrappers named "...-advertisement-pusher",
    article bodies marked "paywall" or "cuerpo-ad" for the ads placed inside them)."""
    doomed = []
    page_prose = None
    lengths: dict = {}  # paragraph -> characters; the tree only changes after the walk
    # Document order; nothing inside a doomed block is judged (it goes with the block).
    walk = etree.iterwalk(root, events=("start",))
    for _, el in walk:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _PRUNE_TAGS or (tag in _INERT_TAGS and "json" not in (el.get("type") or "")):
            doomed.append(el)
            walk.skip_subtree()
            continue
        if tag in ("html", "body", "article", "main"):
            continue
        words = _class_words(el)
        if words & _PRUNE_WORDS and not (words & _CONTENT_WORDS and len(_text_of(el)) > 2000):
            # The block's prose is part of the page's: below PROSE_KEEP_CHARS the page's
            # total is not needed to doom it.
            prose = _prose(el, lengths)
            if prose >= PROSE_KEEP_CHARS:
                if page_prose is None:
                    page_prose = _prose(root, lengths)
                if prose >= PROSE_KEEP_SHARE * page_prose:
                    continue
            doomed.append(el)
            walk.skip_subtree()
        elif tag in ("p", "div", "aside", "span", "li") and _has_link(el) \
                and _READ_ALSO.match(_lead(el)) and len(_text_of(el)) < 400 \
                and _link_share(el) > 0.4:
            doomed.append(el)
            walk.skip_subtree()
        elif tag in _LINK_BLOCK_TAGS and _is_link_block(el, tag):
            doomed.append(el)
            walk.skip_subtree()
            label = el.getprevious()
            if label is not None and label.tag in _LABEL_TAGS and len(_text_of(label).split()) <= LABEL_MAX_WORDS:
                # "Don't miss", "You may also like", "Most read": the label of the link list.
                doomed.append(label)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            # Keep the tail text (it belongs to the parent's flow).
            if el.tail and el.tail.strip():
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + el.tail
                else:
                    parent.text = (parent.text or "") + el.tail
            parent.remove(el)
    for table in root.xpath("//table[.//div or .//table or .//ul or .//form or .//h1 or .//h2]"):
        # A layout table: cells holding blocks are page regions, not data.
        for el in table.iter("table", "tbody", "thead", "tr", "td", "th"):
            el.tag = "div"


SPLIT_BODY_MAX_PARTS = 12
SPLIT_BODY_SHARE = 0.6
SPLIT_BODY_MISSING = 0.3


def split_body_parts(root) -> list:
    """The containers of an article body that the page splits into several same-class blocks
    (one per screenful, with an ad row between them), in document order; [] for the usual page.

    The parts are the parents of the page's prose paragraphs that share one class naming
    content and together hold most of the page's prose."""
    groups: dict[tuple, list] = {}
    total = 0
    for p in root.iter("p"):
        k = len(_text_of(p))
        if k < PROSE_MIN_CHARS:
            continue
        total += k
        parent = p.getparent()
        if parent is None or not parent.get("class"):
            continue
        parts = groups.setdefault((parent.tag, parent.get("class")), [])
        for entry in parts:
            if entry[0] is parent:
                entry[1] += k
                entry[2].append(p)
                break
        else:
            parts.append([parent, k, [p]])
    for parts in groups.values():
        if 2 <= len(parts) <= SPLIT_BODY_MAX_PARTS and _class_words(parts[0][0]) & _CONTENT_WORDS \
                and sum(e[1] for e in parts) >= SPLIT_BODY_SHARE * total:
            first = parts[0][0]
            if not any(first in set(e[0].iterancestors()) for e in parts[1:]):
                return parts
    return []


def missing_share(parts: list, text: str) -> float:
    """The share of the parts' prose that ``text`` lacks (each paragraph judged by its start)."""
    have = _norm_words(text)
    missing = sum(len(_text_of(p)) for _, _, ps in parts for p in ps
                  if _norm_words(_text_of(p)[:80])[:60] not in have)
    return missing / max(1, sum(e[1] for e in parts))


def join_parts(parts: list) -> None:
    """Move the later parts' children into the first part, so that an extractor taking the
    first body container gets the whole article."""
    first = parts[0][0]
    for el, _, _ in parts[1:]:
        for child in list(el):
            first.append(child)


def trafilatura_text(root, url: str | None = None, *, fast: bool = False) -> str:
    """trafilatura's main text on the shared tree (it copies the tree before pruning)."""
    import trafilatura
    try:
        out = trafilatura.extract(root, options=_trafilatura_options(url, fast))
    except Exception:  # noqa: BLE001 - a third-party failure on odd markup must not stop a batch
        return ""
    return _paragraphs(out)


_TRAFILATURA_OPTIONS: dict = {}


def warm_up() -> None:
    """Import trafilatura and build its options now (a process that forks workers calls it
    first, so that they share what it loaded)."""
    import trafilatura  # noqa: F401

    _trafilatura_options(None, False)


def _trafilatura_options(url: str | None, fast: bool):
    """trafilatura's options for one page: built once per process (reading its configuration
    takes a tenth of a millisecond a page), copied with the page's address as trafilatura's own
    constructor sets it."""
    from copy import copy

    from trafilatura.settings import Extractor

    base = _TRAFILATURA_OPTIONS.get(fast)
    if base is None:
        base = _TRAFILATURA_OPTIONS[fast] = Extractor(
            output_format="txt", fast=fast, comments=False, tables=True, with_metadata=False)
    options = copy(base)
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


# Lines that are page furniture whatever the site, in the languages of the press monitored:
# subscription and paywall calls, follow/share/comment prompts, photo credits, app and audio
# promotions, rights notices. Only a short line starting with one of them is dropped, so a
# sentence of the article that happens to use the words is kept.
_FURNITURE_LINE = re.compile(
    r"^\W*(?:"
    # fr
    r"abonnez[- ]vous|déjà abonné|réservée? aux abonnés|pour (?:lire|accéder à) la suite|"
    r"la suite est réservée|il vous reste \d|accès illimité|pour accéder en illimité|"
    r"inscrivez[- ]vous|suivez[- ]nous|retrouvez[- ]nous|partager (?:cet|l')article|"
    r"laisser un commentaire|réagir à cet article|cliquez ici|téléchargez l'application|"
    r"écouter (?:cet|l')article|crédits? photos?\s*:|photo\s*:|image illustrative|"
    r"tous droits réservés|publicité$|faire un don$|"
    # en
    r"subscribe (?:now|today|to)|already a subscriber|sign up (?:for|to)|follow us|"
    r"share (?:this|on)|leave a comment|click here|download the app|get the .{1,30} app|"
    r"listen to this article|photo credit|image credit|credit\s*:|all rights reserved|"
    r"advertisement$|donate(?: now)?$|"
    # es
    r"suscr[íi]b(?:e|ete|ase)|hazte (?:miembro|socio|suscriptor)|s[íi]guenos|comp[áa]rt(?:e|elo|ir)|"
    r"deja tu comentario|dej[áa] tu comentario|comentar este art[íi]culo|valora esta noticia|"
    r"haz clic|haga clic|pulse aqu[íi]|descarga (?:la|nuestra) app|escucha esta nota|"
    r"fotos?\s*:|imagen(?:es)?\s*:|cr[ée]ditos?\s*:|todos los derechos reservados|"
    r"an[úu]nciese|contenido patrocinado|publicidad$|don[áa] ahora$|haz un donativo$"
    r")", re.I)
# Credit lines of wire copy ("(Reporting by A; editing by B)"): longer, as they list names.
_CREDIT_LINE = re.compile(
    r"^\W*(?:(?:additional |with |writing and )?reporting by|(?:writing|editing) by|with reports from|"
    r"con informaci[óo]n de|avec (?:l')?(?:afp|reuters|ap)\b)", re.I)
CREDIT_LINE_MAX_WORDS = 35
# Author contact and follow lines ("Email X at x@y.com or follow him @x"): an address or a
# handle together with a contact word.
_CONTACT_LINE = re.compile(r"(?=.*(?:\S+@\S+\.\w+|(?<!\w)@\w{2,}))(?=.*\b(?:follow|e-?mail|reach|contact|tips?"
                           r"|suivez|écrivez|contactez|siga|sigue|síguel[oa]|escr[íi]bele|contacte)\b)", re.I)
CONTACT_LINE_MAX_WORDS = 45
FURNITURE_LINE_MAX_WORDS = 15


def drop_furniture_lines(text: str) -> str:
    """The text without its short furniture lines (see ``_FURNITURE_LINE``)."""
    if not text:
        return text
    paras = text.split("\n\n")
    kept = [p for p in paras if not _furniture_line(p)]
    return "\n\n".join(kept) if len(kept) != len(paras) else text


_LINE_WORDS_CAP = max(FURNITURE_LINE_MAX_WORDS, CONTACT_LINE_MAX_WORDS, CREDIT_LINE_MAX_WORDS)


def _furniture_line(p: str) -> bool:
    # Words counted once, and only up to the largest limit: the article's paragraphs are
    # longer than any furniture line and need not be split whole.
    n = len(p.split(None, _LINE_WORDS_CAP))
    return bool((n <= FURNITURE_LINE_MAX_WORDS and _FURNITURE_LINE.match(p))
                or (n <= CONTACT_LINE_MAX_WORDS and "@" in p and _CONTACT_LINE.match(p))
                or (n <= CREDIT_LINE_MAX_WORDS and _CREDIT_LINE.match(p)))


_NON_WORD = re.compile(r"\W+")


def drop_headline(text: str, title: str | None, h1: str | None = None) -> str:
    """Extractors often start the text with the headline (and a section kicker before it):
    the title is its own field, so a leading copy of it (or of the page's ``<h1>``, which may
    word it differently), and short lines above it, go."""
    if not text or not (title or h1):
        return text
    paras = text.split("\n\n")
    key = lambda s: _NON_WORD.sub(" ", s.lower()).strip()  # noqa: E731
    heads = {key(h) for h in (title, h1) if h and key(h)}
    if not heads:
        return text
    # A headline variant is at most 1/0.6 of a headline's length. The key of a paragraph's
    # first characters is a prefix of the paragraph's key: when it is already longer than
    # that, the paragraph (usually the article's first, long one) is no headline.
    longest = max(map(len, heads)) / 0.6
    cut = int(2 * longest) + 20
    for i, p in enumerate(paras[:4]):
        if len(p) > cut and len(key(p[:cut])) > longest:
            continue
        k = key(p)
        # Headline variants: the same words, or one cut short of the other ("...to contract").
        if any(k == t or (min(len(k), len(t)) >= 0.6 * max(len(k), len(t)) and (k.startswith(t) or t.startswith(k)))
               for t in heads):
            if all(len(q.split()) <= 6 for q in paras[:i]):
                return "\n\n".join(paras[i + 1:])
            return "\n\n".join(paras[:i] + paras[i + 1:])
    return text


STANDFIRST_MIN_WORDS = 8
_STANDFIRST_TAGS = ("p", "h2", "h3", "div", "span", "header")


def _norm_words(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def add_standfirst(text: str, root, description: str | None) -> str:
    """The standfirst (the deck under the headline) is part of the article, but extractors
    often leave it out because it sits in the page header. When the page's description is
    shown on the page as a block of its own and the text lacks it, it leads the text."""
    if not text or not description or len(description.split()) < STANDFIRST_MIN_WORDS:
        return text
    want = _norm_words(description)
    # The words of a prefix of the text are a prefix of the text's words (a word cut short
    # still starts the whole one): a deck found near the top is found without the whole text.
    head = 2 * len(description) + 200
    if want in _norm_words(text[:head]) or (len(text) > head and want in _norm_words(text)):
        return text
    n = len(description)
    # The deck sits above the body: a block met after the text's first paragraph (the same
    # summary in a list of teasers further down) is not it.
    first = _norm_words(text.split("\n\n", 1)[0])[:60]
    body = next(root.iter("body"), root)
    for el in body.iter(*_STANDFIRST_TAGS):
        if len(el) > 4:
            continue
        shown = _text_of(el)
        if el.tag == "p" and first and _norm_words(shown).startswith(first):
            return text
        if abs(len(shown) - n) <= 0.1 * n + 5 and _norm_words(shown) == want:
            return shown + "\n\n" + text
    return text


def _ld_body_text(body: str | None) -> str:
    if not body:
        return ""
    if "<" in body and re.search(r"</?(p|br|div)\b", body, re.I):
        # Some CMSs put HTML in articleBody: every block's text counts, <br> lines too.
        from .text import html_to_text

        return html_to_text(body)
    return _paragraphs(body)


def choose_text(extracted: str, ld_body: str | None) -> str:
    """The visible main text, unless JSON-LD articleBody is clearly the fuller article."""
    body = _ld_body_text(ld_body)
    nb = len(body.split())
    # The extracted text's words are only counted when the JSON-LD body could win.
    if nb >= JSONLD_BODY_MIN_WORDS and nb >= JSONLD_BODY_RATIO * len(extracted.split()):
        return body
    return extracted


# The bs4 heuristic extractor: a readability-style scorer, kept as the measured alternative.
# Generic boilerplate words only (the kind readability-style tools use); words specific to one
# CMS are deliberately absent so that the evaluation compares like with like.
_NEGATIVE = {
    "ad", "ads", "advert", "advertisement", "sponsor", "sponsored", "promo", "share", "sharing", "social",
    "related", "recommended", "newsletter", "subscribe", "subscription", "paywall", "comment", "comments",
    "cookie", "consent", "banner", "sidebar", "widget", "breadcrumb", "tags", "tag", "bio", "caption",
    "credit", "figcaption", "taboola", "outbrain", "popular", "footer", "nav", "navigation", "menu",
    "byline", "meta", "author", "print", "skip", "modal",
}
_NEG_PAIRS = {("read", "also"), ("read", "more"), ("lire", "aussi"), ("most", "read"), ("more", "stories")}
_DROP_TAGS = ["script", "style", "noscript", "nav", "footer", "aside", "form", "iframe", "svg", "button",
              "figure", "figcaption", "template", "amp-ad", "amp-sidebar", "amp-consent", "select", "input", "textarea"]
_INLINE = {"b", "i", "em", "strong", "a", "span", "font", "u", "small", "sup", "sub", "abbr", "cite", "q"}
_BLOCK_TAGS = ["p", "h2", "h3", "h4", "blockquote", "li", "pre"]


def _tokens(value: str) -> set[str]:
    value = re.sub(r"([a-z])([A-Z])", r"\1 \2", value)
    return {t for t in re.split(r"[\s_\-:]+", value.lower()) if t}


def _is_boilerplate(tag) -> bool:
    attrs = " ".join(filter(None, [" ".join(tag.get("class") or []), tag.get("id") or "", tag.get("data-qa") or ""]))
    if not attrs:
        return False
    toks = _tokens(attrs)
    if toks & _NEGATIVE:
        return True
    return any(a in toks and b in toks for a, b in _NEG_PAIRS)


def heuristic_text(html: str) -> str:
    """Main text by a beautifulsoup4 heuristic: drop boilerplate by tag and class/id words, pick
    the container holding the most low-link-density paragraph text, keep its text blocks."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    soup = BeautifulSoup(html, "lxml")
    for t in soup(_DROP_TAGS):
        t.decompose()
    for t in soup.find_all(_is_boilerplate):
        if not t.decomposed:
            t.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")

    def blocks(scope) -> list[tuple[Tag, str]]:
        """Text blocks in document order: block elements, and text written straight into a
        div or cell between <br>s (old CMSs)."""
        out = []
        for el in [scope, *scope.find_all(True)]:
            if el.name in _BLOCK_TAGS:
                if el.find_parent(_BLOCK_TAGS):
                    continue
                text = " ".join(el.get_text(" ").split())
                if text:
                    out.append((el, text))
            elif el.name in ("div", "td"):
                direct = "".join(s if isinstance(s, NavigableString) else s.get_text()
                                 for s in el.children
                                 if isinstance(s, NavigableString) or (isinstance(s, Tag) and s.name in _INLINE))
                if len(direct.split()) > 30:
                    for chunk in re.split(r"\n", direct):
                        chunk = " ".join(chunk.split())
                        if chunk:
                            out.append((el, chunk))
        return out

    def link_density(el) -> float:
        total = len(el.get_text())
        return sum(len(a.get_text()) for a in el.find_all("a")) / total if total else 0.0

    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    body = soup.body or soup
    for el, text in blocks(body):
        if len(text) < 40 or (el.name != "div" and link_density(el) > 0.4):
            continue
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        parent = el if el.name in ("div", "td") else el.parent
        for depth, anc in enumerate([parent, getattr(parent, "parent", None)]):
            if isinstance(anc, Tag):
                nodes[id(anc)] = anc
                scores[id(anc)] = scores.get(id(anc), 0) + score / (1 + depth)
    if not scores:
        return ""
    best = nodes[max(scores, key=scores.get)]
    keep = []
    for el, text in blocks(best):
        if el.name != "div" and link_density(el) > 0.4:
            continue
        if el.name == "li" and len(text) < 60:
            continue
        keep.append(text)
    return "\n\n".join(dict.fromkeys(keep))


# --------------------------------------------------------------------------- the page

def _empty() -> dict:
    d = {k: None for k in FIELDS}
    d.update(title="", text="", word_count=0)
    return d


def extract_page(html: bytes | str, url: str | None = None, *, content_type: str | None = None,
                 method: str = "final") -> dict:
    """Parse once; return title, text (paragraphs separated by a blank line), published,
    modified (ISO 8601), author, description, canonical_url, site_name, page_language, image,
    word_count. Absent values are None ("" for title and text).

    ``method`` selects the text extractor for evaluation: "final" (trafilatura, JSON-LD
    articleBody when fuller, heuristic fallback), "trafilatura", "heuristic", "jsonld+heuristic".
    Never raises on malformed HTML; raises ExtractError only for undecodable input.
    """
    text_html, utf8 = _decode(html, content_type)
    result = _empty()
    root = parse_html(text_html, utf8)
    if root is None:
        return result
    try:
        meta = extract_metadata(root, url)
    except Exception:  # noqa: BLE001 - metadata is best effort; the text may still be good
        meta = {}
    ld_body = meta.pop("_ld_body", None)
    h1 = meta.pop("_h1", None)
    result.update({k: v for k, v in meta.items() if k in result})
    if method in ("heuristic", "jsonld+heuristic"):
        try:
            text = heuristic_text(text_html)
        except Exception:  # noqa: BLE001
            text = ""
        if method == "jsonld+heuristic":
            text = choose_text(text, ld_body)
    else:
        parts = []
        if method == "final":
            prune_boilerplate(root)
            parts = split_body_parts(root)
        text = trafilatura_text(root, url)
        if parts and missing_share(parts, text) >= SPLIT_BODY_MISSING:
            # The extractor stopped at the first part of a split body: run it on the joined body.
            join_parts(parts)
            joined = trafilatura_text(root, url)
            if len(joined) > len(text):
                text = joined
        if method == "final":
            text = drop_furniture_lines(drop_headline(text, result["title"], h1))
            text = add_standfirst(text, root, result["description"])
            text = choose_text(text, ld_body)
            if not text:
                try:
                    text = heuristic_text(text_html)
                except Exception:  # noqa: BLE001
                    text = ""
    result["text"] = text
    result["word_count"] = len(text.split())
    return result

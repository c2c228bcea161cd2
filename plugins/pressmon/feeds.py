"""Feed parsing: the bytes of one RSS, Atom or JSON Feed document in, clean entries out.

This module owns what a feed body may do to pressmon. feedparser reads RSS and Atom from bytes
we hand it (never a URL or a path: it would fetch or open it itself); before it sees them:

- bodies that are plainly not a feed (nothing, an HTML page, binary data) are refused with a
  message an operator understands;
- entity declarations are screened on the text feedparser will parse (whatever encoding the
  document declares): external entities, parameter entities, entities referring to other
  entities and long entity values are refused, which is what billion-laughs, quadratic-blowup
  and external-entity attacks need. expat's own amplification limit (libexpat >= 2.4) stays as
  a second wall.

feedparser's HTML sanitising and relative-URI resolution inside content are switched off: they
are about two thirds of its time (MEASURED.md) and pressmon never renders feed HTML unescaped
(summaries and content are kept as the feed's markup, for text extraction and for templates
that escape). Titles are returned as plain text. Entry links are resolved against the feed URL;
entries without an http(s) link are dropped and counted in the warning.
"""

from __future__ import annotations

import calendar
import codecs
import html
import io
import json
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser

from .dates import parse_time

MAX_ENTITY_CHARS = 64      # a longer entity value is the building block of a quadratic blowup
MAX_ENTITY_DECLARATIONS = 64


class FeedError(Exception):
    """A body that cannot be read as a feed. Permanent: fetching it again gives the same."""


@dataclass
class Entry:
    link: str
    title: str | None
    summary: str | None         # the feed's markup (untrusted HTML: escape it to display)
    content: str | None         # idem, full content when the feed carries it
    published: datetime | None  # timezone-aware UTC
    updated: datetime | None    # timezone-aware UTC
    author: str | None
    guid: str | None


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[Entry]
    warning: str | None         # something non-fatal went wrong, in readable words


# --------------------------------------------------------------------------- sniffing

_MAGIC = [
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
]
_UTF32 = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"))
_UTF16 = ((b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
_PROLOG_SKIP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>)",
                          re.DOTALL | re.IGNORECASE)
_FIRST_TAG = re.compile(rb"\s*<([A-Za-z_][\w:.-]*)")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_HTML_ROOTS = {b"html", b"head", b"body", b"div", b"p", b"title", b"meta", b"script"}


def _unicode_view(body: bytes) -> tuple[bytes, str | None]:
    """The body as UTF-8 when a BOM or NUL pattern says it is UTF-16/32, else as it is."""
    for bom, enc in _UTF32 + _UTF16:
        if body.startswith(bom):
            return body[len(bom):].decode(enc, "replace").encode("utf-8"), enc
    if body[:2] == b"<\x00":
        return body.decode("utf-16-le", "replace").encode("utf-8"), "utf-16-le"
    if body[:2] == b"\x00<":
        return body.decode("utf-16-be", "replace").encode("utf-8"), "utf-16-be"
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:], "utf-8"
    return body, None


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _root_tag(view: bytes) -> bytes | None:
    pos = 0
    head = view[:65536]
    while True:
        m = _PROLOG_SKIP.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _FIRST_TAG.match(head, pos)
    return m.group(1).lower() if m else None


def check_feed_body(body: bytes, content_type: str | None = None) -> None:
    """Raise FeedError when a body is plainly not a feed: empty, binary, an HTML page."""
    if not body or not body.strip(b" \t\r\n\x00"):
        raise FeedError("empty feed")
    for magic, what in _MAGIC:
        if body.startswith(magic):
            raise FeedError(f"not a feed: binary data ({what})")
    view, _ = _unicode_view(body)
    start = view[:1024]
    if b"\x00" in start:
        raise FeedError("not a feed: binary data")
    stripped = start.lstrip()
    if stripped.startswith((b"{", b"[")):
        return  # JSON Feed, read by parse_feed
    doctype = re.match(rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<!DOCTYPE\s+html\b", start,
                       re.IGNORECASE | re.DOTALL)
    root = _root_tag(view)
    if doctype or root in _HTML_ROOTS:
        raise FeedError("not a feed: text/html page")
    if not stripped.startswith(b"<"):
        mime = _mime(content_type)
        raise FeedError(f"not a feed: {mime + ' ' if mime else ''}document without XML markup")


# --------------------------------------------------------------------------- entity screen

_ENTITY_DECL = re.compile(
    rb"<!ENTITY\s+(%\s+)?([^\s\"'>]+)\s*(?:(SYSTEM|PUBLIC)\b|\"([^\"]*)\"|'([^']*)')?")
_CHAR_REFS = re.compile(rb"&#(?:[0-9]+|x[0-9A-Fa-f]+);")


def _declared_encodings(body: bytes, content_type: str | None) -> set[str]:
    found = set()
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", content_type or "", re.IGNORECASE)
    if m:
        found.add(m.group(1))
    m = _XML_ENCODING.match(body[:512])
    if m:
        found.add(m.group(1).decode("ascii"))
    return found


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _screen_views(body: bytes, content_type: str | None) -> list[bytes]:
    """Every reading of the body feedparser might parse, as ASCII-compatible bytes."""
    view, _ = _unicode_view(body)
    views = [view]
    for name in _declared_encodings(body, content_type):
        try:
            codec = codecs.lookup(name)
        except LookupError:
            continue
        probe = bytes(range(0x20, 0x7F))
        try:
            ascii_compatible = probe.decode(codec.name, "replace") == probe.decode("ascii")
        except (UnicodeError, LookupError, TypeError):
            continue  # not a text codec: feedparser cannot use it either
        if not ascii_compatible:  # utf-7, EBCDIC...: screen what it decodes to
            views.append(body.decode(codec.name, "replace").encode("utf-8", "replace"))
    return views


def screen_entities(body: bytes, content_type: str | None = None) -> None:
    """Refuse the entity declarations XML attacks are made of (see the module docstring)."""
    for view in _screen_views(body, content_type):
        count = 0
        for m in re.finditer(rb"<!ENTITY", view):
            count += 1
            if count > MAX_ENTITY_DECLARATIONS:
                raise FeedError(f"unsafe feed: more than {MAX_ENTITY_DECLARATIONS} XML entity "
                                "declarations refused")
            decl = _ENTITY_DECL.match(view, m.start())
            if not decl:
                raise FeedError("unsafe feed: unreadable XML entity declaration refused")
            parameter, name, external, v1, v2 = decl.groups()
            name = name.decode("utf-8", "replace")
            if parameter:
                raise FeedError(f"unsafe feed: XML parameter entity '{name}' refused")
            if external:
                raise FeedError(f"unsafe feed: external XML entity '{name}' refused "
                                f"({external.decode()} reference)")
            value = v1 if v1 is not None else v2
            if value is None:
                raise FeedError(f"unsafe feed: unreadable XML entity '{name}' refused")
            if b"&" in _CHAR_REFS.sub(b"", value) or b"%" in value:
                raise FeedError(f"unsafe feed: XML entity '{name}' refers to other entities "
                                "(entity expansion attack)")
            if len(value) > MAX_ENTITY_CHARS:
                raise FeedError(f"unsafe feed: XML entity '{name}' of {len(value)} characters "
                                "refused (entity expansion attack)")


# --------------------------------------------------------------------------- parsing

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _plain(detail, value: str | None) -> str | None:
    """A title as plain text: markup removed when the feed says it is HTML, spaces collapsed."""
    if not value:
        return None
    kind = (detail or {}).get("type", "text/plain") if hasattr(detail, "get") else "text/plain"
    if "html" in kind and ("<" in value or "&" in value):
        value = html.unescape(_TAG.sub("", value))
    value = _SPACE.sub(" ", value).strip()
    return value or None


def _utc(parsed) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _describe(exc: Exception | None, line_shift: int = 0) -> str:
    if exc is None:
        return "unknown error"
    get_message = getattr(exc, "getMessage", None)
    get_line = getattr(exc, "getLineNumber", None)
    if callable(get_message) and callable(get_line):
        return f"{get_message()} (line {max(1, get_line() - line_shift)})"
    text = str(exc).strip() or type(exc).__name__
    return text


def _http_link(base: str, link: str | None) -> str | None:
    if not link or not link.strip():
        return None
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _finish(title: str | None, entries: list[Entry], problems: list[str], without_link: int,
            bad_link: int) -> ParsedFeed:
    if without_link:
        problems.append(f"{without_link} {'entry' if without_link == 1 else 'entries'} "
                        "without a link dropped")
    if bad_link:
        problems.append(f"{bad_link} {'entry' if bad_link == 1 else 'entries'} with a "
                        "non-http(s) link dropped")
    return ParsedFeed(title, entries, "; ".join(problems) or None)


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one feed body fetched from ``url`` (its final URL, for relative links).

    Raises FeedError for what is not a readable feed; anything recoverable (a wrong charset
    declaration, a truncated document whose first entries are intact, entries without a link)
    is returned in ``warning``.
    """
    check_feed_body(body, content_type)
    view, _ = _unicode_view(body)
    if view.lstrip()[:1] in (b"{", b"["):
        return _parse_json_feed(view, url)
    screen_entities(body, content_type)
    # No document base: given one, feedparser joins it with every element's xml:base (a
    # urljoin per element, a fifth of its time on a plain feed). Entry links are resolved
    # against the feed's address here instead (``_http_link``).
    headers = {"content-type": content_type} if content_type else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # A stream, never bytes or str: feedparser opens a str or bytes that names a file.
        d = feedparser.parse(io.BytesIO(body), response_headers=headers,
                             resolve_relative_uris=False, sanitize_html=False)
    exc = d.get("bozo_exception") if d.get("bozo") else None
    # feedparser prepends an XML declaration line when the document has none.
    shift = 0 if view.startswith(b"<?xml") else 1
    if not d.get("version") and not d.entries:
        if exc is not None and not isinstance(exc, (feedparser.CharacterEncodingOverride,
                                                    feedparser.NonXMLContentType)):
            raise FeedError(f"malformed feed: {_describe(exc, shift)}")
        root = _root_tag(view)
        what = f"XML document with root element <{root.decode()}>" if root else "no feed markup"
        raise FeedError(f"not a feed: {what}")
    problems: list[str] = []
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        # feedparser follows RFC 3023 (text/xml without charset means ASCII); landing on the
        # document's own declaration is not worth a warning, contradicting every one is.
        declared = {_codec_name(e) for e in _declared_encodings(body, content_type)}
        used = d.get("encoding") or "?"
        if _codec_name(used) not in declared:
            names = " and ".join(sorted(declared)) or "ASCII"
            problems.append(f"declared character encoding ({names}) is wrong; read as {used}")
    elif exc is not None and not isinstance(exc, feedparser.NonXMLContentType):
        # A feed served as text/html or text/plain is common and harmless: not reported.
        problems.append(f"not well-formed XML: {_describe(exc, shift)}; read leniently")
    entries: list[Entry] = []
    without_link = bad_link = 0
    for e in d.entries:
        raw = e.get("link")
        link = _http_link(url, raw)
        if link is None:
            if raw and raw.strip():
                bad_link += 1
            else:
                without_link += 1
            continue
        content = "\n".join(c.get("value", "") for c in e.get("content", []) or []).strip()
        entries.append(Entry(
            link=link,
            title=_plain(e.get("title_detail"), e.get("title")),
            summary=(e.get("summary") or "").strip() or None,
            content=content or None,
            published=_utc(e.get("published_parsed")),
            # dict.get: feedparser's own .get falls back to the published date (with a warning).
            updated=_utc(dict.get(e, "updated_parsed")),
            author=_plain(None, e.get("author")),
            guid=(e.get("id") or "").strip() or None,  # as the feed writes it
        ))
    feed = d.get("feed", {})
    return _finish(_plain(feed.get("title_detail"), feed.get("title")), entries, problems,
                   without_link, bad_link)


def _iso(value) -> datetime | None:
    return parse_time(value) if isinstance(value, str) else None


def _parse_json_feed(view: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.x (feedparser 6 does not read it)."""
    try:
        doc = json.loads(view.decode("utf-8", "replace"))
    except ValueError as exc:
        raise FeedError(f"malformed feed: invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise FeedError("not a feed: JSON document that is not a JSON Feed")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed feed: JSON Feed without an 'items' list")
    entries: list[Entry] = []
    without_link = bad_link = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        raw = item.get("url") or item.get("external_url")
        link = _http_link(url, raw) if isinstance(raw, str) else None
        if link is None:
            if isinstance(raw, str) and raw.strip():
                bad_link += 1
            else:
                without_link += 1
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]

        def text(key: str) -> str | None:
            value = item.get(key)
            return value.strip() or None if isinstance(value, str) else None

        entries.append(Entry(
            link=link,
            title=_plain(None, text("title")),
            summary=text("summary"),
            content=text("content_html") or text("content_text"),
            published=_iso(item.get("date_published")),
            updated=_iso(item.get("date_modified")),
            author=", ".join(names) or None,
            guid=str(item["id"]).strip() or None if item.get("id") is not None else None,
        ))
    title = doc.get("title")
    return _finish(_plain(None, title if isinstance(title, str) else None), entries, [],
                   without_link, bad_link)

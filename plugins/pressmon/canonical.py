"""Canonical URLs: one address per article, whatever form a feed or a page gave it.

Owns `canonicalize_url` (tracking parameters, AMP variants, ``www.``/``m.`` hosts, default
ports, fragments, trailing slashes, percent-encoding) and `choose_canonical` (which of the
listed URL, the URL after redirects and the page's own ``rel=canonical``/``og:url`` to trust), and `site_of` (the site a URL belongs
to, an outlet's default name). They are pure functions that never raise: a URL that cannot be parsed comes back trimmed,
because a feed's junk link must not stop a load.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from. Compared lower-cased.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "xtor", "xtref", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "ocid", "cmpid", "ito", "icid", "smid", "s_cid", "wt.mc_id", "wt_mc", "ref_src",
        "ref_url", "vero_id", "soc_src", "soc_trk",
        "sr_share", "amp", "outputtype", "amp_js_v", "usqp", "__twitter_impression", "emc",
        "guccounter", "guce_referrer", "guce_referrer_sig", "spref",
    }
)
# Families of tracking parameters named by a prefix.
TRACKING_PREFIXES = ("utm_", "ns_", "pk_", "mtm_", "hsa_", "at_", "oly_", "trk_")
# Parameters that do select content on some sites are kept even if they look like tracking
# when the value is not a tracking marker: `s` (search), `src`, `from`, `share` are only dropped
# when their value looks like a campaign tag (see _is_tracking).
_AMBIGUOUS = frozenset({"s", "src", "from", "origin", "partner", "cmp", "feed", "rss", "sh", "share"})
_CAMPAIGN_VALUE = re.compile(r"^(rss|feed|atom|twitter|tw|facebook|fb|social|newsletter|email|"
                             r"mail|share|sharing|push|app|amp|google|gnews|flipboard|"
                             r"linkedin|whatsapp|copy|copylink|homepage|hp|)([_\-.].*)?$",
                             re.IGNORECASE)
_HOST_PREFIXES = ("www.", "www2.", "www3.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_FILES = ("index.html", "index.htm", "index.php", "default.aspx", "index.shtml")
# Characters left unescaped in a path or a query component (RFC 3986 unreserved + sub-delims
# that are safe there); everything else is percent-encoded from its UTF-8 bytes.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*+,;/?-._~"
# Second-level labels under which the registrable domain has three labels (bbc.co.uk).
_SECOND_LEVEL = frozenset(
    {"co", "com", "org", "net", "gov", "gouv", "ac", "edu", "nom", "asso", "ne", "or", "go", "gob", "mil"}
)
_AMP_CACHE = re.compile(r"\.cdn\.ampproject\.org$")


def canonicalize_url(url: str) -> str:
    """The canonical form of `url`: same article, same string. Never raises."""
    if not isinstance(url, str):
        return ""
    raw = url.strip()
    try:
        return _canonicalize(raw)
    except Exception:  # a junk link is data: return it trimmed rather than fail the load
        return raw


def strip_tracking(url: str) -> str:
    """``url`` without its tracking parameters (utm_*, fbclid...), otherwise as written: the
    links people read and click in the digest."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [piece for piece in parts.query.split("&") if piece and not _is_tracking(
        unquote(piece.partition("=")[0].replace("+", " ")),
        unquote(piece.partition("=")[2].replace("+", " ")))]
    return urlunsplit(parts._replace(query="&".join(kept)))


def choose_canonical(listed_url: str, final_url: str | None, page_canonical: str | None) -> str:
    """The article's canonical URL from what the feed listed, where redirects ended, and the
    page's own rel=canonical / og:url.

    The page's declaration is trusted only when it stays on the same registrable domain as the
    fetched page (a syndicated copy declaring the wire's URL is still the outlet's own article)
    and does not point at the site's home page while the page itself is not the home page (a
    common CMS misconfiguration that would merge every article of an outlet).
    """
    base = (final_url or "").strip() or (listed_url or "").strip()
    declared = (page_canonical or "").strip()
    if declared and base:
        try:
            declared = urljoin(base, declared)
        except ValueError:
            declared = ""
    if declared and _is_http(declared):
        target = canonicalize_url(declared)
        sites = {registrable_domain(canonicalize_url(u)) for u in (final_url, listed_url) if u}
        same_site = registrable_domain(target) in sites
        base_canonical = canonicalize_url(base)
        home_trap = _is_home(target) and not _is_home(base_canonical)
        if same_site and not home_trap:
            return target
        return base_canonical
    return canonicalize_url(base)


def site_of(url: str) -> str:
    """The site a URL belongs to: its host as the canonical form writes it (lower case, without
    ``www.``/``m.``/``amp.``, with a non-default port): ``https://www.gomet.net/feed/`` ->
    ``gomet.net``. Names an outlet when sources.yaml gives none."""
    try:
        return urlsplit(canonicalize_url(url)).netloc or (url or "").strip()
    except ValueError:
        return (url or "").strip()


def registrable_domain(url_or_host: str) -> str:
    """The part of the host a publisher registers: ``news.bbc.co.uk`` -> ``bbc.co.uk``.

    A small rule (two labels, three under a generic second-level label such as ``co`` or
    ``gouv``) rather than the public-suffix list, which is not installed; it is only used to
    tell one site from another.
    """
    host = url_or_host
    if "/" in url_or_host:
        try:
            host = urlsplit(url_or_host).hostname or ""
        except ValueError:
            return ""
    host = host.lower().rstrip(".")
    labels = [x for x in host.split(".") if x]
    if len(labels) <= 2 or _looks_like_ip(host):
        return host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# A page's address is canonicalised several times over a cycle (the feed entry, then the
# listed, final and declared URLs of its record, usually one string): each worked out once.
@functools.lru_cache(maxsize=8192)
def _canonicalize(raw: str) -> str:
    if not raw:
        return raw
    text = raw
    if text.startswith("//"):
        text = "https:" + text
    elif not re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", text):
        if re.match(r"^[\w\-]+(\.[\w\-]+)+(:\d+)?(/|$)", text):
            text = "https://" + text  # a bare host/path, as some feeds write links
        else:
            return " ".join(raw.split())
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return text
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return raw  # "http://" alone names no page: keep it as written
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        pass
    host = host.lower()
    port = parts.port
    path, query = parts.path, parts.query

    cache = _AMP_CACHE.search(host)
    if cache:
        # https://www-example-com.cdn.ampproject.org/c/s/www.example.com/path
        m = re.match(r"^/[a-z](?:/s)?/(.+)$", path)
        if m:
            inner = ("https://" if "/s/" in path[:5] else "http://") + m.group(1)
            return _canonicalize(inner + (("?" + query) if query else ""))

    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    # http and https name one article; an explicit non-default port keeps its own scheme,
    # which is then part of how the site is reached.
    scheme = "https" if port is None or port in _DEFAULT_PORTS.values() else scheme
    if port is not None and port in _DEFAULT_PORTS.values():
        port = None
    netloc = host + (f":{port}" if port is not None else "")

    path = _normalize_path(path)
    query = _normalize_query(query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalize_path(path: str) -> str:
    path = _requote(path, _PATH_SAFE)
    path = re.sub(r"/{2,}", "/", path)
    path = _remove_dot_segments(path)
    # AMP variants: /article.amp.html, /article/amp, /article/amp/, /amp/article
    path = re.sub(r"\.amp\.html?$", ".html", path)
    path = re.sub(r"/amp/?$", "/", path)
    if path.startswith("/amp/") and len(path) > 5:
        path = path[4:]
    segments = path.split("/")
    if segments and segments[-1].lower() in _INDEX_FILES:
        segments[-1] = ""
        path = "/".join(segments)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path or "/"


def _normalize_query(query: str) -> str:
    if not query:
        return ""
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        key_text = unquote(key.replace("+", " "))
        value_text = unquote(value.replace("+", " "))
        if _is_tracking(key_text, value_text):
            continue
        key_q = quote(key_text, safe=_QUERY_SAFE.replace("=", "").replace("&", ""))
        value_q = quote(value_text, safe=_QUERY_SAFE)
        kept.append((key_q, value_q, sep))
    kept.sort()
    return "&".join(k + (("=" + v) if (sep or v) else "") for k, v, sep in kept)


def _is_tracking(key: str, value: str) -> bool:
    k = key.strip().lower()
    if k in _AMBIGUOUS:
        return bool(_CAMPAIGN_VALUE.match(value.strip()))
    if k in TRACKING_PARAMS:
        return True
    return k.startswith(TRACKING_PREFIXES)


def _requote(component: str, safe: str) -> str:
    # Decode every escape then re-encode what must be: %7E and ~ become one, %c3%a9 and é
    # become %C3%A9. An escaped "/" stays escaped (it is data, not a separator); bytes that
    # are not UTF-8 survive the round trip through surrogateescape.
    out = []
    for piece in re.split(r"(%2[fF])", component):
        if piece.lower() == "%2f":
            out.append("%2F")
        else:
            text = unquote(piece, errors="surrogateescape")
            out.append(quote(text, safe=safe, errors="surrogateescape"))
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    for seg in path.split("/"):
        if seg == ".":
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            continue
        out.append(seg)
    result = "/".join(out)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def _is_home(canonical: str) -> bool:
    try:
        parts = urlsplit(canonical)
    except ValueError:
        return False
    return parts.path in ("", "/") and not parts.query


def _is_http(url: str) -> bool:
    return bool(re.match(r"^https?://[^/\s]+", url, re.IGNORECASE))


def _looks_like_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+", host)) or ":" in host

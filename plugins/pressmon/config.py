"""What staff edit: the YAML files under ``config/``, loaded once and validated.

Every error names the file, the entry and the field, so that whoever edits the file can fix it
without reading code. Unknown keys are rejected (a misspelt key must not be silently ignored).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import yaml

from . import PROJECT_URL, __version__
from .canonical import site_of
from .errors import ConfigError



class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe subset (libyaml's loader when available, ~10x faster), with dates left
    as text: a date like 2017-11-35 must reach validation, which names the entry and field,
    instead of failing inside the parser."""


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp",
                            lambda loader, node: loader.construct_scalar(node))
NAME_RE = re.compile(r"^[a-z0-9_-]+$")
# A feed's name names its staging folder, its Airflow task label and its fetch_log rows.
NAME_MAX = 64
HOME_REGIONS = ("marseille", "national")
# Aliases let a few hundred bytes of YAML stand for billions of values (an "alias bomb"): the
# values a file stands for, each alias counted once per use, are bounded before they are built.
MAX_YAML_VALUES = 250_000

_QUOTE = reprlib.Repr()
_QUOTE.maxlevel, _QUOTE.maxstring, _QUOTE.maxother = 3, 60, 60
_QUOTE.maxlist = _QUOTE.maxtuple = _QUOTE.maxdict = _QUOTE.maxset = 4


def quote_value(value: Any, limit: int = 80) -> str:
    """``repr`` of a value for an error message, shortened: a value from a file can be huge
    (or hold the same list a million times through aliases), a message never is."""
    text = _QUOTE.repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def short_text(value: Any, limit: int = 60) -> str:
    """A name from a file (a key, an entry's name) for a message: as written, shortened."""
    if not isinstance(value, str):
        return quote_value(value, limit)
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _yaml_values(node, limit: int) -> int:
    """How many values the composed ``node`` stands for, each alias counted once per use;
    stops counting past ``limit`` (an alias inside itself never ends)."""
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        count += 1
        if count > limit:
            break
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return count


def read_yaml(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    # libyaml's loader is ~10x faster than the pure-Python one; same safe subset. The document
    # is composed (aliases are shared nodes, so this is small), measured, then built.
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _yaml_values(node, MAX_YAML_VALUES) > MAX_YAML_VALUES:
            raise ConfigError(
                f"{path}: the file stands for more than {MAX_YAML_VALUES:,} values once its "
                f"YAML aliases (*name) are expanded, or an alias refers to itself: write the "
                f"values out, or use fewer aliases")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None
    finally:
        loader.dispose()


def file_digest(*paths: Path) -> str:
    """A short fingerprint of configuration files, recorded as the rules version."""
    h = hashlib.sha256()
    for p in paths:
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:12]


class Section:
    """Validation helper bound to one file and one entry, producing precise messages."""

    def __init__(self, path: Path, where: str, data: Any):
        self.path = path
        self.where = where
        if not isinstance(data, dict):
            self.fail(None, f"must be a mapping, got {type(data).__name__}")
        self.data = data

    def fail(self, key: Any, message: str):
        field_part = f", field '{short_text(key)}'" if key is not None else ""
        raise ConfigError(f"{self.path}: {self.where}{field_part}: {message}")

    def only(self, allowed: set[str] | list[str] | tuple[str, ...]):
        for key in self.data:
            if key not in allowed:
                self.fail(
                    key, f"unknown key (allowed: {', '.join(sorted(allowed))})"
                )

    def get(self, key: str, kind: type | tuple, default: Any = None, required: bool = False,
            check: Callable[[Any], str | None] | None = None) -> Any:
        if key not in self.data or self.data[key] is None:
            if required:
                self.fail(key, "is required")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if bool not in kinds and isinstance(value, bool):
            self.fail(key, f"must be {_kind_name(kinds)}, got a boolean")
        if not isinstance(value, kinds):
            self.fail(key, f"must be {_kind_name(kinds)}, got {type(value).__name__} "
                           f"{quote_value(value)}")
        if check:
            problem = check(value)
            if problem:
                self.fail(key, problem)
        return value

    def str_list(self, key: str, required: bool = False) -> list[str]:
        value = self.get(key, (list, str), default=[], required=required)
        if isinstance(value, str):
            value = [value]
        out = []
        for i, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.fail(key, f"item {i + 1} must be a non-empty string, got "
                               f"{quote_value(item)}")
            out.append(item.strip())
        return out


def _kind_name(kinds: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping", dt.date: "a date (YYYY-MM-DD)"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def positive(v) -> str | None:
    return None if v > 0 else "must be greater than 0"


def non_negative(v) -> str | None:
    return None if v >= 0 else "must be 0 or more"


def _display_name(v: str) -> str | None:
    if not v.strip():
        return "must not be empty (leave the key out instead)"
    if re.search(r"[\x00-\x1f\x7f]", v) or len(v) > 200:
        return "must be one line of at most 200 characters"
    return None


def _http_url(v: str) -> str | None:
    """A feed address pressmon can request as written: http(s), a host (a name, an IPv4 or a
    bracketed IPv6 address), a valid port, no space, line break or control character."""
    v = v.strip()
    if re.search(r"[\s\x00-\x1f\x7f-\x9f]", v):
        return "must be an http:// or https:// URL without spaces, line breaks or control " \
               "characters"
    try:
        parts = urlsplit(v)
        port = parts.port
    except ValueError as exc:
        return f"must be an http:// or https:// URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL"
    host = parts.hostname or ""
    if not host:
        return "must be an http:// or https:// URL naming a host"
    if parts.netloc.rsplit("@", 1)[-1].startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"must be an http:// or https:// URL: {quote_value(host)} is not an IPv6 " \
                   f"address"
    elif not _host_name(host):
        return f"must be an http:// or https:// URL: {quote_value(host)} is not a host name"
    if port == 0:
        return "must be an http:// or https:// URL with a port from 1 to 65535"
    return None


def _host_name(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(
        re.fullmatch(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?", label)
        for label in labels)


def _feed_name(v: str) -> str | None:
    if len(v) > NAME_MAX:
        return f"must be at most {NAME_MAX} characters (it has {len(v)})"
    return None if NAME_RE.match(v) else "must use only a-z, 0-9, '_' and '-'"


# --------------------------------------------------------------------------- sources.yaml


@dataclass(frozen=True)
class FetchSettings:
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    timeout_s: float = 20.0
    max_bytes: int = 10_000_000
    user_agent: str = f"pressmon/{__version__} (+{PROJECT_URL})"
    max_redirects: int = 5
    retries: int = 2
    max_pages_per_feed: int = 200
    # Discovered links that resolve to private addresses are refused; tests and the
    # bundled demo serve "news sites" on loopback, so they can allow it explicitly.
    allow_private_links: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    region: str
    language: str | None
    outlet: str
    position: int  # order in sources.yaml: breaks ties between feeds
    title: str | None = None  # the name people read (digest, Press monitor); see pressmon.display_names

    @property
    def is_home(self) -> bool:
        return self.region in HOME_REGIONS


@dataclass(frozen=True)
class SourcesConfig:
    path: Path
    fetch: FetchSettings
    sources: tuple[Source, ...]
    # Copies are only looked for among articles published this many days apart.
    story_window_days: int = 7

    def by_name(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)


SOURCE_KEYS = {"name", "url", "region", "language", "outlet", "title"}
FETCH_KEYS = {f for f in FetchSettings.__dataclass_fields__}
LANG_RE = re.compile(r"^[a-z]{2}$")


def load_sources(path: Path) -> SourcesConfig:
    path = Path(path)
    data = read_yaml(path)
    top = Section(path, "top level", data if data is not None else {})
    top.only({"fetch", "sources", "stories"})
    stories = Section(path, "stories", top.get("stories", dict, default={}))
    stories.only({"window_days"})
    window = stories.get("window_days", int, 7, check=positive)
    fetch_data = top.get("fetch", dict, default={})
    fs = Section(path, "fetch", fetch_data)
    fs.only(FETCH_KEYS)
    defaults = FetchSettings()
    fetch = FetchSettings(
        per_host_concurrency=fs.get("per_host_concurrency", int, defaults.per_host_concurrency,
                                    check=positive),
        per_host_delay_s=fs.get("per_host_delay_s", float, defaults.per_host_delay_s,
                                check=non_negative),
        timeout_s=fs.get("timeout_s", float, defaults.timeout_s, check=positive),
        max_bytes=fs.get("max_bytes", int, defaults.max_bytes, check=positive),
        user_agent=fs.get("user_agent", str, defaults.user_agent,
                          check=lambda v: None if v.strip() else "must not be empty"),
        max_redirects=fs.get("max_redirects", int, defaults.max_redirects, check=non_negative),
        retries=fs.get("retries", int, defaults.retries, check=non_negative),
        max_pages_per_feed=fs.get("max_pages_per_feed", int, defaults.max_pages_per_feed,
                                  check=positive),
        allow_private_links=fs.get("allow_private_links", bool, defaults.allow_private_links),
    )
    entries = top.get("sources", list, required=True)
    if not entries:
        top.fail("sources", "must list at least one feed")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        label = f"sources entry {i + 1}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({short_text(entry['name'])})"
        sec = Section(path, label, entry)
        sec.only(SOURCE_KEYS)
        name = sec.get("name", str, required=True, check=_feed_name)
        if name in seen:
            sec.fail("name", f"duplicate name '{name}' (also entry {seen[name] + 1})")
        seen[name] = i
        url = sec.get("url", str, required=True, check=_http_url).strip()
        region = sec.get("region", str, required=True, check=lambda v: None if NAME_RE.match(v)
                         else "must be a lower-case region name such as marseille, national or miami")
        language = sec.get("language", str, check=lambda v: None if LANG_RE.match(v)
                           else "must be a two-letter ISO 639-1 code such as fr, en or es")
        # One site, one outlet: feeds of a site share its articles unless told otherwise.
        outlet = sec.get("outlet", str, default=site_of(url), check=lambda v: None if v.strip()
                         else "must not be empty")
        title = sec.get("title", str, check=_display_name)
        sources.append(Source(name, url, region, language, outlet.strip(), i,
                              " ".join(title.split()) if title else None))
    return SourcesConfig(path, fetch, tuple(sources), window)


# --------------------------------------------------------------------------- missions.yaml


@dataclass(frozen=True)
class Mission:
    id: str
    name: str
    partner: str
    start: dt.date
    end: dt.date
    partner_region: str | None = None
    terms: tuple[str, ...] = field(default_factory=tuple)
    partner_fr: str | None = None  # the partner as French readers name it, for the digest


@dataclass(frozen=True)
class MissionsConfig:
    path: Path
    missions: tuple[Mission, ...]

    def get(self, mission_id: str) -> Mission | None:
        return next((m for m in self.missions if m.id == mission_id), None)

    def partner_regions(self) -> set[str]:
        return {m.partner_region for m in self.missions if m.partner_region}


MISSION_KEYS = {"id", "name", "partner", "start", "end", "partner_region", "terms",
                "partner_fr"}


def _as_date(sec: Section, key: str) -> dt.date:
    value = sec.get(key, (dt.date, str), required=True)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        sec.fail(key, f"must be a date written YYYY-MM-DD, got {quote_value(value)}")
        raise  # unreachable


def load_missions(path: Path) -> MissionsConfig:
    path = Path(path)
    data = read_yaml(path)
    top = Section(path, "top level", data if data is not None else {})
    top.only({"missions"})
    entries = top.get("missions", list, default=[])
    missions: list[Mission] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        label = f"missions entry {i + 1}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({short_text(entry['id'])})"
        sec = Section(path, label, entry)
        sec.only(MISSION_KEYS)
        mid = sec.get("id", str, required=True, check=lambda v: None if v.strip()
                      else "must not be empty").strip()
        if mid in seen:
            sec.fail("id", f"duplicate id '{short_text(mid)}'")
        seen.add(mid)
        start = _as_date(sec, "start")
        end = _as_date(sec, "end")
        if end < start:
            sec.fail("end", f"{end} is before start {start}")
        missions.append(Mission(
            id=mid,
            name=sec.get("name", str, default=mid),
            partner=sec.get("partner", str, default=""),
            start=start,
            end=end,
            partner_region=sec.get("partner_region", str, check=lambda v: None if NAME_RE.match(v)
                               else "must be a region name as used in sources.yaml, "
                                    "such as miami"),
            terms=tuple(sec.str_list("terms")),
            partner_fr=" ".join((sec.get("partner_fr", str, check=_display_name)
                                 or "").split()) or None,
        ))
    return MissionsConfig(path, tuple(missions))

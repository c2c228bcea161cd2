"""HTTP for pressmon: polite to the sites it polls, bounded against whatever they send back.

This module owns every request pressmon makes: feeds, article pages and robots.txt.

- Politeness per host (at most ``per_host_concurrency`` requests in flight, at least
  ``per_host_delay_s`` between two request starts, ``Retry-After`` remembered) holds across
  threads and across processes on one machine, because Airflow runs each feed in its own task
  process: it is kept in flock'ed files under ``state_dir``.
- Every response has a total deadline (``timeout_s`` from the request to the last byte, not a
  socket timeout that a server trickling one byte a second would never trip), a size cap applied
  while streaming and again after decompression (gzip is inflated piece by piece, never whole),
  and manual redirects with a cap.
- Links found inside feeds are only followed over http(s) to public addresses or to the feed's
  own host, checked at every redirect hop and again when the socket connects (a DNS answer that
  changes between the check and the connection cannot smuggle a private address in).
- Failures are ``FetchError`` with an operator-readable message and a ``kind`` saying whether
  trying again later is worth it.

httpcore (the transport under httpx) is used directly rather than httpx or urllib3: it takes a
pluggable network backend, which is where the deadline and the address check are enforced for
every connect, read and write, and it hands back the raw body so decompression stays in our
bounded loop.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import hashlib
import http
import ipaddress
import os
import random
import re
import shutil
import socket
import ssl
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpcore
import httpx

from .config import FetchSettings

# A Retry-After longer than this is not waited for inside one cycle: the request fails as
# transient and the feed is tried again next cycle. Hosts are held off for at most this long.
MAX_RETRY_AFTER_S = 60.0
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 8.0
# Failing feeds: 10 min, 20, 40, 80 ... capped at a day. Not a multiple of an hour, so an hourly
# schedule never lands exactly on the boundary.
FEED_BACKOFF_BASE = timedelta(minutes=10)
FEED_BACKOFF_MAX = timedelta(days=1)
ROBOTS_MAX_BYTES = 500_000  # RFC 9309: crawlers may ignore what follows the first 500 KiB
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
TRANSIENT_STATUSES = {408, 425, 429}
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


class FetchError(Exception):
    """A request that did not give a usable response.

    ``kind`` is "transient" (a timeout, a reset, a 5xx, a 429: worth trying again next time) or
    "permanent" (404, 410, other 4xx, a refused link, a body that is not what was asked for).
    ``refused`` marks a URL pressmon itself declined to fetch (link policy, scheme).
    """

    def __init__(self, message: str, kind: str = "permanent", status: int | None = None,
                 url: str | None = None, attempts: int = 1, refused: bool = False):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.url = url
        self.attempts = attempts
        self.refused = refused

    def __str__(self) -> str:
        if self.attempts > 1 and self.kind == "transient":
            return f"{self.message} ({self.attempts} attempts)"
        return self.message


@dataclass
class Response:
    url: str                 # after redirects
    status: int
    headers: dict[str, str]  # lower-case keys
    body: bytes
    elapsed_ms: int          # the whole call: retries, redirects and politeness waits included
    attempts: int            # requests sent, redirect hops and retries included


# --------------------------------------------------------------------------- small helpers


def human_bytes(n: int) -> str:
    if n >= 1_000_000:
        return f"{n // 1_000_000} MB" if n % 1_000_000 == 0 else f"{n / 1_000_000:.1f} MB"
    if n >= 1000:
        return f"{n // 1000} kB" if n % 1000 == 0 else f"{n / 1000:.1f} kB"
    return f"{n} bytes"


def human_seconds(s: float) -> str:
    return f"{int(s)} s" if float(s).is_integer() else f"{s:g} s"


def status_text(status: int) -> str:
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_public_address(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return addr.is_global and not addr.is_multicast


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_until(consecutive_failures: int, now: datetime) -> datetime | None:
    """When a failing feed may be polled again: 10 min doubling per failure, at most a day."""
    if consecutive_failures <= 0:
        return None
    exponent = min(consecutive_failures - 1, 20)  # 2**20 * 10 min is far past the cap
    return now + min(FEED_BACKOFF_BASE * (2 ** exponent), FEED_BACKOFF_MAX)


# --------------------------------------------------------------------------- per-call guard

@dataclass
class _Call:
    deadline: float            # time.monotonic() value the response must be complete by
    guard_host: str | None     # None: any address; else only public ones or this host


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("pressmon_fetch_call",
                                                                      default=None)


class _Refused(Exception):
    """A link or redirect aimed at an address pressmon must not reach."""


def _remaining(timeout: float | None, write: bool = False) -> float | None:
    call = _CALL.get()
    if call is None:
        return timeout
    left = call.deadline - time.monotonic()
    if left <= 0:
        raise (httpcore.WriteTimeout if write else httpcore.ReadTimeout)("total deadline passed")
    return left if timeout is None else min(timeout, left)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve host {host}") from exc
    seen: list[str] = []
    for info in infos:
        ip = info[4][0]
        if ip not in seen:
            seen.append(ip)
    return seen


def _check_addresses(host: str, ips: list[str], guard_host: str | None) -> None:
    if guard_host is None or host.lower().strip("[]") == guard_host:
        return
    for ip in ips:
        if not is_public_address(ip):
            raise _Refused(f"refused link to private address {ip}")


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write is cut at the current call's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout, write=True))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _remaining(timeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks the addresses against the call's link policy, connects to a checked one."""

    def __init__(self):
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        call = _CALL.get()
        ips = _resolve(host, port)
        _check_addresses(host, ips, call.guard_host if call else None)
        last: Exception | None = None
        for ip in ips:
            try:
                stream = self._inner.connect_tcp(ip, port, _remaining(timeout), local_address,
                                                 socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not used by pressmon")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# --------------------------------------------------------------------------- politeness


class _HostGate:
    """Per-host slots and start times, shared by every thread and process using ``state_dir``.

    For each host: ``<host>.slotN`` files (N < concurrency), one of which is flock'ed for the
    duration of a request, and ``<host>.next`` holding "next_start not_before" as epoch seconds,
    read and advanced under its own flock so that two processes never reserve the same start.
    """

    POLL_S = 0.02

    def __init__(self, state_dir: Path, concurrency: int, delay_s: float):
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.concurrency = max(1, concurrency)
        self.delay_s = max(0.0, delay_s)

    def _name(self, host: str) -> str:
        safe = re.sub(r"[^a-z0-9.-]", "_", host.lower())
        if len(safe) > 100:
            safe = safe[:80] + "-" + hashlib.sha1(host.encode()).hexdigest()[:12]
        return safe or "_"

    @contextlib.contextmanager
    def turn(self, host: str):
        """Hold one of the host's slots, starting no sooner than its politeness allows."""
        fd = self._acquire_slot(host)
        try:
            wait = self._reserve_start(host)
            if wait > 0:
                time.sleep(wait)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _acquire_slot(self, host: str) -> int:
        base = self._name(host)
        first = random.randrange(self.concurrency)  # spread waiters over the slots
        while True:
            for i in range(self.concurrency):
                path = self.dir / f"{base}.slot{(first + i) % self.concurrency}"
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    os.close(fd)
            time.sleep(self.POLL_S)

    @contextlib.contextmanager
    def _timing(self, host: str):
        fd = os.open(self.dir / f"{self._name(host)}.next", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 100, 0).split()
            try:
                values = [float(raw[0]), float(raw[1])]
            except (IndexError, ValueError):
                values = [0.0, 0.0]
            yield values

            # A fixed-width record overwritten in place: truncating first made ext4 write the
            # file back on every close (its replace-by-truncate heuristic), milliseconds of
            # I/O per request. Readers take the first two fields.
            os.pwrite(fd, f"{values[0]:20.6f} {values[1]:20.6f}\n".encode(), 0)
        finally:
            os.close(fd)  # closing releases the flock

    def _reserve_start(self, host: str) -> float:
        with self._timing(host) as values:
            now = time.time()
            start = max(now, values[0], values[1])
            values[0] = start + self.delay_s
        return start - now

    def hold_off(self, host: str, seconds: float) -> None:
        """Remember a Retry-After: no request to this host starts before it has passed."""
        with self._timing(host) as values:
            values[1] = max(values[1], time.time() + min(seconds, MAX_RETRY_AFTER_S))


# --------------------------------------------------------------------------- robots.txt


class RobotsRules:
    """robots.txt as RFC 9309 reads it: the groups naming our product token (else ``*``), the
    longest matching rule wins, Allow wins a tie, ``*`` and a final ``$`` are wildcards."""

    def __init__(self, text: str = "", agent: str = "*", allow_all: bool = False,
                 disallow_all: bool = False):
        self.allow_all = allow_all
        self.disallow_all = disallow_all
        token = agent.split("/", 1)[0].strip().lower()
        groups: list[tuple[list[str], list[tuple[bool, str]]]] = []
        current: tuple[list[str], list[tuple[bool, str]]] | None = None
        last_was_agent = False
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (p.strip() for p in line.split(":", 1))
            key = key.lower()
            if key == "user-agent":
                if not last_was_agent or current is None:
                    current = ([], [])
                    groups.append(current)
                current[0].append(value.split("/", 1)[0].strip().lower())
                last_was_agent = True
            elif key in ("allow", "disallow"):
                last_was_agent = False
                if current is not None and value:
                    current[1].append((key == "allow", value))
            else:
                last_was_agent = False
        mine = [r for agents, rules in groups if token in agents for r in rules]
        if not any(token in agents for agents, _ in groups):
            mine = [r for agents, rules in groups if "*" in agents for r in rules]
        self.rules = [(allow, pattern, self._compile(pattern)) for allow, pattern in mine]

    @staticmethod
    def _compile(pattern: str) -> re.Pattern:
        anchored = pattern.endswith("$")
        body = _normalise_path(pattern[:-1] if anchored else pattern)
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        return re.compile(regex + ("$" if anchored else ""), re.DOTALL)

    def allowed(self, url: str) -> bool:
        if self.disallow_all:
            return False
        parts = urlsplit(url)
        path = parts.path or "/"
        if path == "/robots.txt" or self.allow_all:
            return True
        target = _normalise_path(path + (f"?{parts.query}" if parts.query else ""))
        best: tuple[int, bool] | None = None
        for allow, pattern, regex in self.rules:
            if regex.match(target):
                key = (len(pattern), allow)
                if best is None or key > best:
                    best = key
        return True if best is None else best[1]


def _normalise_path(path: str) -> str:
    # Compare decoded forms so that /caf%C3%A9 and /café, %7e and ~ are the same path.
    return unquote(path)


# --------------------------------------------------------------------------- the fetcher


class _Decoder:
    """Content-Encoding decoding with the output capped: a gzip bomb stops at ``limit``."""

    def __init__(self, encoding: str, limit: int, status: int):
        self.encoding = encoding
        self.limit = limit
        self.status = status
        self.out = bytearray()
        self.raw = 0
        self._z: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise FetchError(f"unsupported content encoding '{encoding}'", "permanent", status)

    def _too_large(self) -> FetchError:
        suffix = " once decompressed" if self.encoding not in ("", "identity") else ""
        return FetchError(f"response larger than {human_bytes(self.limit)}{suffix}",
                          "permanent", self.status)

    def feed(self, chunk: bytes) -> None:
        self.raw += len(chunk)
        if self.raw > self.limit:
            raise FetchError(f"response larger than {human_bytes(self.limit)}", "permanent",
                             self.status)
        if self.encoding in ("", "identity"):
            self.out += chunk
            return
        if self._z is None:  # deflate: zlib-wrapped as the RFC says, or raw as some servers send
            zlib_header = len(chunk) >= 2 and chunk[0] & 0x0F == 8 and \
                (chunk[0] * 256 + chunk[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        data = chunk
        try:
            while data:
                piece = self._z.decompress(data, self.limit - len(self.out) + 1)
                self.out += piece
                if len(self.out) > self.limit:
                    raise self._too_large()
                data = self._z.unconsumed_tail
                if self._z.eof and not data:
                    rest = self._z.unused_data
                    if rest.strip(b"\0"):  # a further gzip member
                        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        data = rest
        except zlib.error as exc:
            raise FetchError(f"corrupt {self.encoding} response: {exc}", "permanent",
                             self.status) from None

    def finish(self) -> bytes:
        if self._z is not None and not self._z.eof and self.raw:
            raise FetchError(f"truncated {self.encoding} response", "transient", self.status)
        return bytes(self.out)


_SSL_CONTEXT: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~30 ms, every Fetcher
    (one per feed task) would pay it again."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        try:
            import certifi
            _SSL_CONTEXT = ssl.create_default_context(cafile=certifi.where())
        except ImportError:
            _SSL_CONTEXT = ssl.create_default_context()
    return _SSL_CONTEXT


class Fetcher:
    """Polite, bounded HTTP GETs. One per task process (or thread pool); close it when done."""

    def __init__(self, settings: FetchSettings, state_dir: Path | None = None):
        self.settings = settings
        self._own_state = state_dir is None
        # Without a shared folder, politeness holds for this Fetcher only (same code path).
        self.state_dir = Path(tempfile.mkdtemp(prefix="pressmon-hosts-")) if state_dir is None \
            else Path(state_dir)
        self._gate = _HostGate(self.state_dir, settings.per_host_concurrency,
                               settings.per_host_delay_s)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(), max_connections=64, keepalive_expiry=30.0,
            network_backend=_GuardedBackend(), retries=0)
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool.close()
        if self._own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- public

    def get(self, url: str, *, headers: dict | None = None,
            link_from: str | None = None) -> Response:
        started = time.monotonic()
        s = self.settings
        guard_base = _host_of(link_from) if link_from else _host_of(url)
        attempts = 0
        current = url
        redirects = 0
        while True:
            # A configured feed URL is trusted; a link from a feed, and any redirect hop that
            # leaves the feed's host, must reach a public address (or the feed's own host).
            checked = (link_from is not None or redirects > 0) and not s.allow_private_links
            guard = guard_base if checked else None
            status, hdrs, body, n = self._get_one(current, headers, guard)
            attempts += n
            if status in REDIRECT_STATUSES:
                location = hdrs.get("location")
                if not location:
                    raise FetchError(f"{status_text(status)} without a Location header",
                                     "permanent", status, current, attempts)
                redirects += 1
                if redirects > s.max_redirects:
                    raise FetchError(f"too many redirects ({redirects})", "permanent", status,
                                     current, attempts)
                current = urljoin(current, location.strip())
                continue
            return Response(url=current, status=status, headers=hdrs, body=body,
                            elapsed_ms=int((time.monotonic() - started) * 1000),
                            attempts=attempts)

    def check_link(self, url: str, link_from: str) -> None:
        """Refuse (FetchError, ``refused``) a link found in the feed ``link_from`` that the link
        policy forbids: not http(s), or a private address other than the feed's own host.

        Checked before robots.txt is asked for: a refused host's robots.txt cannot be fetched
        either, and that failure would read as "disallowed by robots.txt". An address that
        does not resolve is left to the request, which reports it.
        """
        u, _ = self._request_target(url)
        if self.settings.allow_private_links:
            return
        host = u.host.lower()
        try:
            _check_addresses(host, _resolve(host, u.port or (443 if u.scheme == "https" else 80)),
                             _host_of(link_from))
        except _Refused as exc:
            raise FetchError(str(exc), "permanent", url=url, refused=True) from None
        except httpcore.ConnectError:
            return

    def robots_allowed(self, url: str, link_from: str | None = None) -> bool:
        """Whether robots.txt of the URL's host lets ``settings.user_agent`` fetch it.

        Fetched once per host for this Fetcher. A 4xx robots.txt allows everything; a server
        error or an unreachable host disallows everything for this run (RFC 9309 2.3.1).
        """
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            rules = self._robots.get(key)
            if rules is not None:
                return rules.allowed(url)
            host_lock = self._robots_locks.setdefault(key, threading.Lock())
        with host_lock:
            rules = self._robots.get(key)
            if rules is None:
                rules = self._load_robots(key, link_from)
                with self._lock:
                    self._robots[key] = rules
        return rules.allowed(url)

    # -- internals

    def _load_robots(self, base: str, link_from: str | None) -> RobotsRules:
        agent = self.settings.user_agent
        try:
            resp = self.get(base + "/robots.txt", headers={"accept": "text/plain, */*;q=0.5"},
                            link_from=link_from)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return RobotsRules(agent=agent, allow_all=True)
            return RobotsRules(agent=agent, disallow_all=True)
        if not 200 <= resp.status < 300:
            return RobotsRules(agent=agent, allow_all=True)
        text = resp.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
        return RobotsRules(text, agent=agent)

    def _request_target(self, url: str) -> tuple[httpx.URL, httpcore.URL]:
        try:
            u = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(f"invalid URL {url!r}: {exc}", "permanent", url=url) from None
        if u.scheme not in ("http", "https"):
            what = f"link with scheme '{u.scheme}'" if u.scheme else "URL without a scheme"
            raise FetchError(f"refused {what}: only http and https are fetched", "permanent",
                             url=url, refused=True)
        if not u.host:
            raise FetchError(f"invalid URL {url!r}: no host", "permanent", url=url)
        return u, httpcore.URL(scheme=u.raw_scheme, host=u.raw_host, port=u.port,
                               target=u.raw_path)

    def _headers(self, extra: dict | None) -> list[tuple[bytes, bytes]]:
        merged = {"user-agent": self.settings.user_agent, "accept": "*/*",
                  "accept-encoding": "gzip, deflate"}
        for k, v in (extra or {}).items():
            if v is not None:
                merged[k.lower()] = str(v)
        return [(k.encode("ascii"), v.encode("latin-1", "replace")) for k, v in merged.items()]

    def _get_one(self, url: str, headers: dict | None, guard: str | None
                 ) -> tuple[int, dict[str, str], bytes, int]:
        """One URL (no redirect following), with retries of transient failures."""
        s = self.settings
        u, target = self._request_target(url)
        host = u.host.lower()
        if guard is not None and host != guard:
            # Checked before queueing for the host so no slot or delay is spent on a refusal;
            # the backend checks again at connect time.
            try:
                _check_addresses(host, _resolve(host, u.port or 443), guard)
            except _Refused as exc:
                raise FetchError(str(exc), "permanent", url=url, refused=True) from None
            except httpcore.ConnectError as exc:
                raise FetchError(str(exc), "transient", url=url) from None
        request_headers = self._headers(headers)
        attempt = 0
        while True:
            attempt += 1
            try:
                status, hdrs, body = self._attempt(host, target, request_headers, guard)
            except FetchError as exc:
                exc.attempts, exc.url = attempt, url
                if exc.kind != "transient" or attempt > s.retries:
                    raise
            else:
                if status < 400:
                    return status, hdrs, body, attempt
                if status < 500 and status not in TRANSIENT_STATUSES:
                    raise FetchError(status_text(status), "permanent", status, url, attempt)
                error = FetchError(status_text(status), "transient", status, url, attempt)
                retry_after = parse_retry_after(hdrs.get("retry-after"))
                if retry_after is not None and status in (429, 503):
                    self._gate.hold_off(host, retry_after)  # every process now waits for it
                    if retry_after > MAX_RETRY_AFTER_S:
                        error.message += f" (Retry-After {human_seconds(round(retry_after))})"
                        raise error
                if attempt > s.retries:
                    raise error
            # Exponential backoff with jitter; a Retry-After is waited for in the host gate.
            delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
            time.sleep(random.uniform(delay / 2, delay))

    def _attempt(self, host: str, target: httpcore.URL, headers, guard: str | None
                 ) -> tuple[int, dict[str, str], bytes]:
        s = self.settings
        with self._gate.turn(host):
            call = _Call(time.monotonic() + s.timeout_s, guard)
            token = _CALL.set(call)
            status: int | None = None
            try:
                t = s.timeout_s
                with self._pool.stream("GET", target, headers=headers, extensions={
                        "timeout": {"connect": t, "read": t, "write": t, "pool": t}}) as resp:
                    status = resp.status
                    hdrs: dict[str, str] = {}
                    for k, v in resp.headers:
                        key = k.decode("latin-1").lower()
                        val = v.decode("latin-1")
                        hdrs[key] = f"{hdrs[key]}, {val}" if key in hdrs else val
                    if not 200 <= status < 300:
                        return status, hdrs, b""
                    return status, hdrs, self._read_body(resp, hdrs, call)
            except _Refused as exc:
                raise FetchError(str(exc), "permanent", status, refused=True) from None
            except (httpcore.TimeoutException, socket.timeout):
                raise FetchError(f"timed out after {human_seconds(s.timeout_s)}", "transient",
                                 status) from None
            except httpcore.ConnectError as exc:
                raise _connect_error(exc, status) from None
            except (httpcore.ReadError, httpcore.WriteError, httpcore.NetworkError) as exc:
                raise _network_error(exc, status) from None
            except httpcore.RemoteProtocolError as exc:
                raise _protocol_error(exc, status) from None
            except httpcore.ProtocolError as exc:
                raise FetchError(f"invalid HTTP exchange: {exc}", "permanent", status) from None
            except httpcore.UnsupportedProtocol as exc:
                raise FetchError(f"unsupported URL: {exc}", "permanent", status) from None
            finally:
                _CALL.reset(token)

    def _read_body(self, resp, hdrs: dict[str, str], call: _Call) -> bytes:
        limit = self.settings.max_bytes
        length = hdrs.get("content-length", "").strip()
        if length.isdigit() and int(length) > limit:
            raise FetchError(f"response larger than {human_bytes(limit)}", "permanent",
                             resp.status)
        encoding = hdrs.get("content-encoding", "").strip().lower()
        decoder = _Decoder(encoding, limit, resp.status)
        for chunk in resp.iter_stream():
            decoder.feed(chunk)
            if time.monotonic() > call.deadline:
                raise httpcore.ReadTimeout("total deadline passed")
        return decoder.finish()


def _errno_of(exc: BaseException) -> int | None:
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno:
            return exc.errno
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _root_cause(exc: BaseException) -> BaseException:
    seen = 0
    while (exc.__cause__ or exc.__context__) is not None and seen < 5:
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return exc


def _connect_error(exc: httpcore.ConnectError, status) -> FetchError:
    text = str(exc)
    if text.startswith("cannot resolve host"):
        return FetchError(text, "transient", status)
    root = _root_cause(exc)
    if isinstance(root, ssl.SSLError):
        reason = getattr(root, "verify_message", None) or getattr(root, "reason", None) or root
        return FetchError(f"TLS error: {reason}", "permanent", status)
    code = _errno_of(exc)
    if code == errno.ECONNREFUSED:
        return FetchError("connection refused", "transient", status)
    if code == errno.ECONNRESET:
        return FetchError("connection reset by peer", "transient", status)
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return FetchError("host unreachable", "transient", status)
    return FetchError(f"cannot connect: {root}", "transient", status)


def _network_error(exc: Exception, status) -> FetchError:
    code = _errno_of(exc)
    if code == errno.ECONNRESET:
        return FetchError("connection reset by peer", "transient", status)
    if code == errno.EPIPE:
        return FetchError("connection closed by the server", "transient", status)
    root = _root_cause(exc)
    if isinstance(root, ssl.SSLError):
        return FetchError(f"TLS error: {getattr(root, 'reason', None) or root}", "transient",
                          status)
    return FetchError(f"network error: {root}", "transient", status)


def _protocol_error(exc: Exception, status) -> FetchError:
    text = str(exc)
    m = re.search(r"received (\d+) bytes, expected (\d+)", text)
    if m:
        return FetchError(f"truncated response: received {m.group(1)} of {m.group(2)} bytes",
                          "transient", status)
    if "without sending a response" in text or "Server disconnected" in text:
        return FetchError("server closed the connection without a response", "transient",
                          status)
    if _errno_of(exc) == errno.ECONNRESET:
        return FetchError("connection reset by peer", "transient", status)
    return FetchError(f"invalid HTTP response: {text}", "permanent", status)


# --------------------------------------------------------------------------- feeds


@dataclass
class FeedFetch:
    outcome: str                 # "ok" | "not_modified"
    status: int | None
    body: bytes | None           # None when not modified
    content_type: str | None
    final_url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    duration_ms: int


def fetch_feed(fetcher: Fetcher, url: str, state: dict | None) -> FeedFetch:
    """One conditional GET of a configured feed.

    ``state`` holds the previous cycle's "etag", "last_modified" and "body_hash". A 304, or a
    200 whose body hashes to the previous one (servers that send no validators), is
    "not_modified": the caller skips parsing. Raises FetchError, including for a body that is
    plainly not a feed (an HTML page, binary data, nothing).
    """
    from .feeds import FeedError, check_feed_body

    state = state or {}
    headers = {"accept": FEED_ACCEPT}
    if state.get("etag"):
        headers["if-none-match"] = state["etag"]
    if state.get("last_modified"):
        headers["if-modified-since"] = state["last_modified"]
    started = time.monotonic()
    resp = fetcher.get(url, headers=headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    content_type = resp.headers.get("content-type")
    etag = resp.headers.get("etag") or None
    last_modified = resp.headers.get("last-modified") or None
    if resp.status == 304:
        return FeedFetch("not_modified", 304, None, content_type, resp.url,
                         etag or state.get("etag"), last_modified or state.get("last_modified"),
                         state.get("body_hash"), duration_ms)
    try:
        check_feed_body(resp.body, content_type)
    except FeedError as exc:
        raise FetchError(str(exc), "permanent", resp.status, resp.url, resp.attempts) from None
    body_hash = hashlib.sha256(resp.body).hexdigest()
    if state.get("body_hash") == body_hash:
        return FeedFetch("not_modified", resp.status, None, content_type, resp.url, etag,
                         last_modified, body_hash, duration_ms)
    return FeedFetch("ok", resp.status, resp.body, content_type, resp.url, etag, last_modified,
                     body_hash, duration_ms)

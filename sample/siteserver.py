"""Static "news sites" on loopback addresses, for the demo, the tests and the benchmarks.

Each outlet of the bundled sample corpus (``sample/``) is its own site on its own loopback
address (127.0.0.2, 127.0.0.3, ...), all on one port, as real outlets are on their own hosts.
The fetching code under test therefore sees real HTTP: conditional GET (strong ``ETag`` and
``Last-Modified``, 304 answers), gzip, HEAD, directory indexes, 404s, keep-alive, and per-file
special cases declared in a ``<file>.http.yaml`` sidecar.

Served text files may hold two placeholders, replaced at serve time so that feeds and pages
carry real absolute links whatever port was picked: ``{{base}}`` (this site's base URL) and
``{{site:NAME}}`` (another site's base URL). ``render_sources`` does the same for a
``sources.yaml`` template.

Run ``.venv/bin/python sample/siteserver.py [SAMPLE_DIR] [--port P] [--write-sources OUT]`` to
serve the corpus until Ctrl-C. It is test and demo equipment, not part of the ``pressmon``
package: the tests import it as ``siteserver`` (``sample/`` is on pytest's ``pythonpath``), the
scripts put ``sample/`` on ``sys.path``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import errno
import gzip
import hashlib
import mimetypes
import posixpath
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pressmon.config import Section, read_yaml
from pressmon.errors import ConfigError

SAMPLE_DIR = Path(__file__).resolve().parent

PLACEHOLDER_RE = re.compile(r"\{\{\s*(base|site:([A-Za-z0-9_-]+))\s*\}\}")
SIDECAR_SUFFIX = ".http.yaml"
SIDECAR_KEYS = {"status", "headers", "content_type", "encoding"}
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".json", ".css", ".js", ".yaml", ".yml",
                 ".rss", ".atom", ".md", ".csv"}
INDEX_FILES = ("index.html", "index.xml")
# Last-Modified is derived from the file's content so that it is the same on every checkout
# (git does not keep mtimes) and changes when the file changes.
LAST_MODIFIED_EPOCH = dt.datetime(2017, 12, 1, tzinfo=dt.timezone.utc)
LAST_MODIFIED_SPAN_S = 60 * 24 * 3600
MIN_GZIP_BYTES = 200
BIND_ATTEMPTS = 25


@dataclass(frozen=True)
class Site:
    name: str
    address: str
    root: Path


@dataclass(frozen=True)
class RequestRecord:
    site: str
    method: str
    path: str  # as requested, with the query string
    status: int
    headers: dict[str, str]


@dataclass
class _Resource:
    status: int
    body: bytes
    content_type: str
    etag: str
    last_modified: float
    headers: dict[str, str] = field(default_factory=dict)
    gzipped: bytes | None = None

    def gzip_body(self) -> bytes:
        """The body gzipped, compressed once and kept."""
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self.gzipped


def load_sites(sample_dir: Path) -> list[Site]:
    """Reads ``sample_dir/sites.yaml``: ``sites: [{name, address, root}]``, roots relative to it."""
    sample_dir = Path(sample_dir)
    path = sample_dir / "sites.yaml"
    data = read_yaml(path)
    top = Section(path, "top level", data if data is not None else {})
    top.only({"sites"})
    entries = top.get("sites", list, required=True)
    sites: list[Site] = []
    names: set[str] = set()
    addresses: set[str] = set()
    for i, entry in enumerate(entries):
        label = f"sites entry {i + 1}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label += f" ({entry['name']})"
        sec = Section(path, label, entry)
        sec.only({"name", "address", "root"})
        name = sec.get("name", str, required=True,
                       check=lambda v: None if re.match(r"^[A-Za-z0-9_-]+$", v)
                       else "must use only letters, digits, '_' and '-'")
        address = sec.get("address", str, required=True, check=_loopback_problem)
        root = sample_dir / sec.get("root", str, required=True)
        if name in names:
            sec.fail("name", f"duplicate site name '{name}'")
        if address in addresses:
            sec.fail("address", f"address {address} is already used by another site")
        if not root.is_dir():
            sec.fail("root", f"{root} is not a directory")
        names.add(name)
        addresses.add(address)
        sites.append(Site(name, address, root.resolve()))
    return sites


def _loopback_problem(value: str) -> str | None:
    parts = value.split(".")
    if len(parts) == 4 and parts[0] == "127" and all(p.isdigit() and int(p) < 256 for p in parts):
        return None
    return f"must be a 127.x.y.z loopback address, got {value!r}"


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Many short-lived clients (benchmarks) connect at once.
    request_queue_size = 128

    def __init__(self, address, handler, site: Site, owner: "SiteServer"):
        self.site = site
        self.owner = owner
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the client's delayed
    # ACK stalls every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server_version = "pressmon-siteserver"
    sys_version = ""

    def do_GET(self):
        self._answer(head=False)

    def do_HEAD(self):
        self._answer(head=True)

    def _not_allowed(self):
        self._send(405, b"method not allowed\n", "text/plain; charset=utf-8",
                   {"Allow": "GET, HEAD"}, head=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        # Requests are recorded in SiteServer.requests; stderr noise would drown test output.
        pass

    def _answer(self, head: bool):
        owner: SiteServer = self.server.owner
        site: Site = self.server.site
        raw_path = urlsplit(self.path).path or "/"
        try:
            outcome = owner._resolve(site, raw_path)
        except Exception as exc:  # a broken corpus file must show up as a 500, not a hang
            self._send(500, f"cannot serve {raw_path}: {exc}\n".encode(),
                       "text/plain; charset=utf-8", {}, head)
            return
        if outcome is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", {}, head)
            return
        if isinstance(outcome, str):  # a directory asked without its trailing slash
            query = urlsplit(self.path).query
            location = owner.base_url(site.name) + outcome + (f"?{query}" if query else "")
            self._send(301, b"", "text/plain; charset=utf-8", {"Location": location}, head)
            return
        res: _Resource = outcome
        use_gzip = (len(res.body) >= MIN_GZIP_BYTES
                    and _accepts_gzip(self.headers.get("Accept-Encoding", "")))
        etag = res.etag[:-1] + '-gz"' if use_gzip else res.etag
        headers = {"ETag": etag,
                   "Last-Modified": email.utils.formatdate(res.last_modified, usegmt=True),
                   "Vary": "Accept-Encoding",
                   "Cache-Control": "max-age=0, must-revalidate"}
        headers.update(res.headers)
        if res.status == 200 and _not_modified(self.headers, etag, res.last_modified):
            self._send(304, b"", None, headers, head, no_length=True)
            return
        body = res.body
        if use_gzip:
            body = res.gzip_body()
            headers["Content-Encoding"] = "gzip"
        self._send(res.status, body, res.content_type, headers, head)

    def _send(self, status: int, body: bytes, content_type: str | None,
              headers: dict[str, str], head: bool, no_length: bool = False):
        # Recorded before answering: a client that has its response can read the log.
        self.server.owner._record(RequestRecord(
            self.server.site.name, self.command, self.path, status, dict(self.headers.items())))
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers.items():
            self.send_header(k, v)
        if not no_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body and status not in (204, 304):
            self.wfile.write(body)


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() not in ("gzip", "*"):
            continue
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


def _not_modified(request_headers, etag: str, last_modified: float) -> bool:
    inm = request_headers.get("If-None-Match")
    if inm is not None:
        # RFC 9110: If-None-Match uses weak comparison, and when present If-Modified-Since
        # is ignored.
        tags = [t.strip() for t in inm.split(",")]
        bare = etag.removeprefix("W/")
        return any(t == "*" or t.removeprefix("W/") == bare for t in tags)
    ims = request_headers.get("If-Modified-Since")
    if ims:
        try:
            when = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if when is None:
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return int(last_modified) <= when.timestamp()
    return False


class SiteServer:
    """Serves every site on its own loopback address, all on one port, in daemon threads."""

    def __init__(self, sites: list[Site], port: int = 0):
        if not sites:
            raise ValueError("SiteServer needs at least one site")
        self.sites = list(sites)
        self.port = port
        self.requests: list[RequestRecord] = []
        self._by_name = {s.name: s for s in self.sites}
        self._servers: list[_SiteHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._log_lock = threading.Lock()
        self._cache: dict[tuple[str, str], _Resource | str | None] = {}
        self._cache_lock = threading.Lock()

    # -- life cycle

    def start(self) -> "SiteServer":
        if self._servers:
            return self
        last_error: OSError | None = None
        attempts = 1 if self.port else BIND_ATTEMPTS
        for _ in range(attempts):
            try:
                self._bind_all(self.port)
                break
            except OSError as exc:
                self._close_all()
                last_error = exc
                if exc.errno != errno.EADDRINUSE:
                    raise
        else:
            raise OSError(errno.EADDRINUSE,
                          f"no port free on all {len(self.sites)} site addresses after "
                          f"{attempts} attempts ({last_error})")
        for srv in self._servers:
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                 name=f"siteserver-{srv.site.name}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _bind_all(self, port: int):
        first = port
        for site in self.sites:
            srv = _SiteHTTPServer((site.address, first), _Handler, site, self)
            self._servers.append(srv)
            if first == 0:
                # The first site picks a free port; every other site must get that same one.
                first = srv.server_address[1]
        self.port = first

    def _close_all(self):
        for srv in self._servers:
            srv.server_close()
        self._servers = []

    def stop(self) -> None:
        # shutdown() blocks until that server's loop notices; ask all of them at once.
        stoppers = [threading.Thread(target=srv.shutdown) for srv in self._servers
                    if any(t.is_alive() for t in self._threads)]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join(timeout=5)
        self._close_all()
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses and the request log

    def base_url(self, site_name: str) -> str:
        try:
            site = self._by_name[site_name]
        except KeyError:
            raise KeyError(f"no site named '{site_name}' (sites: "
                           f"{', '.join(self._by_name)})") from None
        if not self.port:
            raise RuntimeError("the server is not started: no port yet")
        return f"http://{site.address}:{self.port}"

    def substitute(self, text: str, site_name: str | None = None, where: str = "text") -> str:
        """Replaces ``{{base}}`` (the site ``site_name``) and ``{{site:NAME}}`` placeholders."""
        def repl(m: re.Match) -> str:
            if m.group(1) == "base":
                if site_name is None:
                    raise ValueError(f"{where}: {{{{base}}}} is only meaningful in a served file")
                return self.base_url(site_name)
            name = m.group(2)
            if name not in self._by_name:
                raise ValueError(f"{where}: unknown site '{name}' in {m.group(0)} (sites: "
                                 f"{', '.join(self._by_name)})")
            return self.base_url(name)
        return PLACEHOLDER_RE.sub(repl, text)

    def _record(self, rec: RequestRecord):
        with self._log_lock:
            self.requests.append(rec)

    def reset_log(self) -> None:
        with self._log_lock:
            self.requests.clear()

    def reload(self) -> None:
        """Forget the rendered files: the next requests see the files as they are now."""
        with self._cache_lock:
            self._cache.clear()

    def warm(self) -> int:
        """Render every file of every site now, and its gzip form when a client asking for
        gzip would get it; the number of files rendered. A benchmark calls it before measuring
        clients, so that none of them pays for the server's first renders and another, run
        later, gets them cached."""
        n = 0
        for site in self.sites:
            for path in sorted(site.root.rglob("*")):
                if not path.is_file() or path.name.endswith(SIDECAR_SUFFIX):
                    continue
                res = self._resolve(site, "/" + path.relative_to(site.root).as_posix())
                if isinstance(res, _Resource):
                    n += 1
                    if len(res.body) >= MIN_GZIP_BYTES:
                        res.gzip_body()
        return n

    # -- files

    def _resolve(self, site: Site, url_path: str) -> _Resource | str | None:
        key = (site.name, url_path)
        cached = self._cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached
        with self._cache_lock:
            cached = self._cache.get(key, _MISSING)
            if cached is _MISSING:
                cached = self._load(site, url_path)
                self._cache[key] = cached
        return cached

    def _load(self, site: Site, url_path: str) -> _Resource | str | None:
        rel = posixpath.normpath(unquote(url_path))
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if any(p == ".." for p in parts):
            return None
        path = site.root.joinpath(*parts)
        if path.name.endswith(SIDECAR_SUFFIX):
            return None
        if path.is_dir():
            if not url_path.endswith("/"):
                return url_path + "/"
            path = next((path / n for n in INDEX_FILES if (path / n).is_file()), None)
            if path is None:
                return None
        elif not path.is_file():
            return None
        return self._render(site, path)

    def _render(self, site: Site, path: Path) -> _Resource:
        raw = path.read_bytes()
        status, extra, ctype_override, encoding = 200, {}, None, None
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            status, extra, ctype_override, encoding = _read_sidecar(sidecar)
        suffix = path.suffix.lower()
        body = raw
        if suffix in TEXT_SUFFIXES:
            text = raw.decode("utf-8")
            text = self.substitute(text, site.name, where=str(path))
            # A sidecar may ask for a legacy charset: the corpus is written in UTF-8 and
            # re-encoded here, as an old CMS would send it.
            body = text.encode(encoding or "utf-8", errors="xmlcharrefreplace")
        ctype = ctype_override or _content_type(path, raw, encoding)
        digest = hashlib.sha256(body).hexdigest()
        source_digest = int(hashlib.sha256(raw).hexdigest()[:12], 16)
        last_modified = (LAST_MODIFIED_EPOCH.timestamp()
                         - source_digest % LAST_MODIFIED_SPAN_S)
        return _Resource(status=status, body=body, content_type=ctype,
                         etag=f'"{digest[:24]}"', last_modified=float(int(last_modified)),
                         headers=extra)


_MISSING = object()


def _read_sidecar(path: Path) -> tuple[int, dict[str, str], str | None, str | None]:
    data = read_yaml(path)
    sec = Section(path, "top level", data if data is not None else {})
    sec.only(SIDECAR_KEYS)
    status = sec.get("status", int, default=200,
                     check=lambda v: None if 200 <= v <= 599 else "must be an HTTP status")
    headers = sec.get("headers", dict, default={})
    for k, v in headers.items():
        if not isinstance(v, (str, int, float)):
            sec.fail("headers", f"header {k!r} must have a text value, got {v!r}")
    ctype = sec.get("content_type", str)
    encoding = sec.get("encoding", str)
    if encoding:
        try:
            "".encode(encoding)
        except LookupError:
            sec.fail("encoding", f"unknown character encoding {encoding!r}")
    return status, {str(k): str(v) for k, v in headers.items()}, ctype, encoding


def _content_type(path: Path, raw: bytes, encoding: str | None) -> str:
    suffix = path.suffix.lower()
    charset = f"; charset={encoding or 'utf-8'}"
    if suffix in (".xml", ".rss", ".atom"):
        head = raw[:2000]
        if b"<feed" in head and b"http://www.w3.org/2005/Atom" in head:
            return "application/atom+xml" + charset
        if b"<rss" in head or b"<rdf:RDF" in head:
            return "application/rss+xml" + charset
        return "application/xml" + charset
    if suffix in (".html", ".htm"):
        return "text/html" + charset
    if path.name == "robots.txt" or suffix == ".txt":
        return "text/plain" + charset
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return guessed + (charset if suffix in TEXT_SUFFIXES else "")


def render_sources(template: Path, server: SiteServer, out: Path) -> Path:
    """Writes ``template`` (a sources.yaml with ``{{site:NAME}}`` URLs) to ``out``, resolved."""
    template, out = Path(template), Path(out)
    text = server.substitute(template.read_text(encoding="utf-8"), where=str(template))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sample/siteserver.py",
        description="Serve the sample news sites on loopback addresses until Ctrl-C.")
    parser.add_argument("sample_dir", nargs="?", default=str(SAMPLE_DIR),
                        help="folder holding sites.yaml (default: the bundled sample/)")
    parser.add_argument("--port", type=int, default=0,
                        help="port for every site (default: one free on every address)")
    parser.add_argument("--write-sources", metavar="OUT",
                        help="write sample_dir/sources.yaml with the served URLs to OUT")
    args = parser.parse_args(argv)
    sample_dir = Path(args.sample_dir)
    try:
        sites = load_sites(sample_dir)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server = SiteServer(sites, port=args.port)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on port {args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        for site in sites:
            print(f"{site.name:24} {server.base_url(site.name)}/")
        if args.write_sources:
            out = render_sources(sample_dir / "sources.yaml", server, Path(args.write_sources))
            print(f"sources written to {out}")
        print("serving; press Ctrl-C to stop", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A hostile web on loopback: one threaded HTTP server per address, serving every way a news
site can misbehave, and recording what it saw (paths, headers, start and end times) so tests
judge politeness from the server's side.

Feed fixtures are the YAML files of ``tests/fetch/cases/`` (served at ``/case/<name>``);
generated bodies (bombs, huge responses) are built here because they are too big for a file.
"""

from __future__ import annotations

import base64
import gzip
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

CASES_DIR = Path(__file__).parent / "cases"

GOOD_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Good feed</title>
<item><title>Marseille and Miami sign a sister agreement</title><link>/news/1</link>
<pubDate>Tue, 07 Nov 2017 10:00:00 -0500</pubDate></item>
<item><title>PortMiami and the Port of Marseille</title><link>/news/2</link></item>
</channel></rss>
"""


def billion_laughs(levels: int = 10) -> bytes:
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, levels)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{chr(10).join(decls)}\n]>\n'
            f'<rss version="2.0"><channel><title>&lol{levels - 1};</title>'
            '<item><title>x</title><link>http://example.org/1</link></item>'
            '</channel></rss>').encode()


def quadratic_blowup(value_chars: int = 100_000, references: int = 50_000) -> bytes:
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "' + "A" * value_chars + '">]>\n'
            '<rss version="2.0"><channel><title>t</title><item><title>' + "&a;" * references +
            '</title><link>http://example.org/1</link></item></channel></rss>').encode()


GENERATORS = {"billion_laughs": billion_laughs, "quadratic_blowup": quadratic_blowup}


def load_case(path: Path) -> dict:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    case["name"] = path.stem
    if "body_base64" in case:
        body = base64.b64decode(case["body_base64"])
    elif "body_generator" in case:
        body = GENERATORS[case["body_generator"]]()
    else:
        text = case.get("body", "")
        encoding = case.get("encoding", "utf-8")
        body = (b"\xef\xbb\xbf" if case.get("bom") else b"") + text.encode(encoding)
    case["bytes"] = body
    return case


def all_cases() -> list[dict]:
    return [load_case(p) for p in sorted(CASES_DIR.glob("*.yaml"))]


_GZIP_BOMB: bytes | None = None


def gzip_bomb(inflated: int = 200_000_000) -> bytes:
    """A small gzip body (about 200 KB) that inflates to ``inflated`` bytes of zeros."""
    global _GZIP_BOMB
    if _GZIP_BOMB is None:
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b"\0" * 1_000_000
        parts = [z.compress(block) for _ in range(inflated // len(block))]
        parts.append(z.flush())
        _GZIP_BOMB = b"".join(parts)
    return _GZIP_BOMB


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "HostileServer"

    def log_message(self, *args):  # keep test output clean
        pass

    # -- plumbing

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/plain",
              headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _close_hard(self):
        # SO_LINGER 0: close() sends a TCP RST, the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_GET(self):
        started = time.time()
        parts = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        record = {"path": self.path, "start": started, "end": None,
                  "headers": {k.lower(): v for k, v in self.headers.items()}}
        self.server.record(record)
        self._record = record
        try:
            self.route(parts.path, q)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            self.server.done(record)

    # -- routes

    def route(self, path: str, q: dict):
        s = self.server
        if path == "/robots.txt":
            if isinstance(s.robots, int):
                return self._send(s.robots, b"")
            if s.robots is None:
                return self._send(404, b"not found")
            return self._send(200, s.robots.encode())
        if path == "/good.xml" or path.startswith("/news/") or path.startswith("/page/"):
            if path == "/good.xml":
                return self._send(200, GOOD_FEED, "application/rss+xml")
            return self._send(200, b"<html><body><p>article</p></body></html>", "text/html")
        if path.startswith("/status/"):
            code = int(path.split("/")[2])
            headers = {"Retry-After": q["retry_after"]} if "retry_after" in q else {}
            if "fail" in q:  # fail the first N requests for this key, then serve the feed
                key = q.get("key", path)
                n = s.bump(key)
                if n > int(q["fail"]):
                    return self._send(200, GOOD_FEED, "application/rss+xml")
            return self._send(code, b"error page", "text/html", headers)
        if path == "/slow":
            time.sleep(float(q.get("s", "0.3")))
            # Out of flight before the answer leaves: the client still holds its slot until
            # it has read it, so the server never counts a request the client has finished.
            s.done(self._record)
            return self._send(200, b"ok")
        if path == "/reset":
            self.rfile.read(0)
            return self._close_hard()
        if path == "/close":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return None
        if path == "/stall":
            time.sleep(float(q.get("s", "5")))
            return self._close_hard()
        if path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            for _ in range(int(q.get("n", "100"))):  # one byte every 0.2 s, for 20 s
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
            self.close_connection = True
            return None
        if path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65000 + b" -->"
            for _ in range(int(q.get("chunks", "1500"))):  # about 100 MB
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return None
        if path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "50000000")
            self.end_headers()
            self.wfile.write(GOOD_FEED)
            self.close_connection = True
            return None
        if path == "/gzip-bomb":
            return self._send(200, gzip_bomb(), "application/rss+xml",
                              {"Content-Encoding": "gzip"})
        if path == "/gzip":
            return self._send(200, gzip.compress(GOOD_FEED), "application/rss+xml",
                              {"Content-Encoding": "gzip"})
        if path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(GOOD_FEED[:300])
            self.wfile.flush()
            return self._close_hard_after_flush()
        if path == "/truncated-gzip":
            body = gzip.compress(GOOD_FEED * 20)[:200]
            return self._send(200, body, "application/rss+xml", {"Content-Encoding": "gzip"})
        if path.startswith("/loop/"):
            n = int(path.split("/")[2])
            return self._send(302, b"", headers={"Location": f"/loop/{(n + 1) % 2}"})
        if path == "/redirect":
            return self._send(int(q.get("code", "302")), b"", headers={"Location": q["to"]})
        if path == "/conditional":
            etag, modified = '"v1"', "Tue, 07 Nov 2017 10:00:00 GMT"
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", headers={"ETag": etag})
            return self._send(200, GOOD_FEED, "application/rss+xml",
                              {"ETag": etag, "Last-Modified": modified})
        if path == "/no-validators":
            return self._send(200, GOOD_FEED, "application/rss+xml")
        if path == "/echo-headers":
            lines = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
            return self._send(200, lines.encode())
        if path.startswith("/case/"):
            case = load_case(CASES_DIR / (path.split("/")[2] + ".yaml"))
            return self._send(200, case["bytes"], case.get("content_type") or "text/xml")
        return self._send(404, b"no such test route")

    def _close_hard_after_flush(self):
        time.sleep(0.05)
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), Handler)
        self.robots: str | int | None = None
        self.log: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> "HostileServer":
        gzip_bomb()  # built once per process, before any client starts its deadline
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        # Clients that hang up mid-exchange are what these tests do on purpose.
        pass

    def record(self, entry: dict) -> None:
        with self._lock:
            self.log.append(entry)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def done(self, entry: dict) -> None:
        with self._lock:
            if entry["end"] is None:
                entry["end"] = time.time()
                self.in_flight -= 1

    def bump(self, key: str) -> int:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def requests(self, prefix: str) -> list[dict]:
        with self._lock:
            return [r for r in self.log if r["path"].startswith(prefix)]

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.max_in_flight = 0


if __name__ == "__main__":  # serve by hand: python tests/fetch/hostile.py [host] [port]
    import sys
    srv = HostileServer(*(sys.argv[1:2] or ["127.0.0.1"]),
                        *([int(sys.argv[2])] if len(sys.argv) > 2 else []))
    print(srv.base, flush=True)
    srv.serve_forever()

"""Headless Chromium driven over the DevTools protocol, for the screenshots, the digest preview
and the browser tests: open a page at a given viewport, measure it, click in it, and save a
PNG sized to the page's content.

Chromium is Debian's package (`apt-get install -y chromium`); ``ensure_chromium`` installs it
when missing and allowed to. The browser runs offline: every background network feature off,
a fresh profile per run, and only loopback pages are opened.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--no-default-browser-check",
         "--remote-allow-origins=*"]


class BrowserError(RuntimeError):
    pass


def find_chromium() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium(*, install: bool = True) -> str:
    """The Chromium binary; installed with apt-get when missing (as root), else an error
    saying how to install it."""
    found = find_chromium()
    if found:
        return found
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        print("Chromium not found: installing Debian's package (apt-get install -y chromium)",
              flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise BrowserError(f"`{' '.join(cmd)}` failed ({proc.returncode}):\n"
                                   f"{(proc.stdout + proc.stderr)[-2000:]}")
        found = find_chromium()
        if found:
            return found
    raise BrowserError("Chromium not found; install it with `apt-get install -y chromium` "
                       "(Debian/Ubuntu, as root)")


class Chromium:
    """One headless browser process with a throw-away profile; ``page()`` opens a tab."""

    def __init__(self, binary: str | None = None, *, timeout_s: float = 60.0):
        self.binary = binary or ensure_chromium()
        self.timeout_s = timeout_s
        self.profile = Path(tempfile.mkdtemp(prefix="pressmon-chromium-"))
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    def __enter__(self) -> "Chromium":
        self.proc = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile}",
             "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace")[-2000:]
                raise BrowserError(f"Chromium exited ({self.proc.returncode}):\n{err}")
            if marker.exists() and marker.read_text().strip():
                self.port = int(marker.read_text().split()[0])
                return self
            time.sleep(0.1)
        self.close()
        raise BrowserError(f"Chromium did not start within {self.timeout_s:.0f} s")

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the browser's own process group
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def page(self) -> "Page":
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank",
                                     method="PUT")
        with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
            target = json.load(resp)
        return Page(target["webSocketDebuggerUrl"], target["id"], self)

    def targets(self) -> list[dict]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list",
                                    timeout=self.timeout_s) as resp:
            return json.load(resp)


class Page:
    """One tab: DevTools commands over its websocket, events kept until waited for."""

    def __init__(self, ws_url: str, target_id: str, browser: Chromium):
        from websockets.sync.client import connect

        self.browser = browser
        self.target_id = target_id
        # entered by hand: the tab's connection lives until close(), not within one block
        self._connection = connect(ws_url, max_size=None, open_timeout=browser.timeout_s)
        self.ws = self._connection.__enter__()
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        self.send("Page.enable")
        self.send("Runtime.enable")

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def send(self, method: str, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.browser.timeout_s
        while True:
            raw = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            msg = json.loads(raw)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, name: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.browser.timeout_s)
        while True:
            for i, ev in enumerate(self.events):
                if ev["method"] == name:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no {name} within the time limit")
            try:
                raw = self.ws.recv(timeout=left)
            except TimeoutError:
                continue
            msg = json.loads(raw)
            if "method" in msg:
                self.events.append(msg)

    def viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        """A window of ``width`` CSS pixels; ``mobile`` honours the page's viewport meta tag
        as a phone does."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def goto(self, url: str, *, settle_s: float = 0.3) -> None:
        self.events.clear()
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")
        time.sleep(settle_s)

    def set_html(self, html: str) -> None:
        """Shows ``html`` as the page's document (an email body, say)."""
        self.goto("about:blank", settle_s=0)
        frame = self.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        self.send("Page.setDocumentContent", frameId=frame, html=html)
        time.sleep(0.3)

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:80]}: "
                               f"{result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def size(self) -> dict:
        """The document's scroll size and the viewport's, in CSS pixels."""
        return self.eval("({scrollWidth: Math.max(document.documentElement.scrollWidth, "
                         "document.body ? document.body.scrollWidth : 0), "
                         "scrollHeight: Math.max(document.documentElement.scrollHeight, "
                         "document.body ? document.body.scrollHeight : 0), "
                         "innerWidth: window.innerWidth, innerHeight: window.innerHeight})")

    def click(self, x: float, y: float) -> None:
        """A real mouse click (it gives the page a user activation, as a person's does)."""
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)

    def content_height(self) -> int:
        """The height of what the page holds (not of the window, when the page is shorter)."""
        return int(self.eval("""(() => {
            const b = document.body;
            if (!b) return 1;
            const st = getComputedStyle(b);
            let bottom = 0;
            for (const el of b.children) {
                bottom = Math.max(bottom, el.getBoundingClientRect().bottom + window.scrollY);
            }
            return Math.ceil(bottom + parseFloat(st.paddingBottom) + parseFloat(st.marginBottom));
        })()""")) or 1

    def screenshot(self, path: Path, *, width: int) -> tuple[int, int]:
        """A PNG of the whole page, ``width`` wide and as tall as its content."""
        height = self.content_height()
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return width, height

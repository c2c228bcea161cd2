"""`make preview`: the sample week's digest rendered by a real browser, saved as a PNG.

Writes the HTML preview of the sample week (2017-W45) from the demo database (running the demo
first when it has not been run), screenshots it in headless Chromium at the given width (the
image as tall as the email, nothing more) and fails when the image is blank or the email is
wider than the window, so the email's layout can be checked by eye. Chromium comes from the OS
packages: `apt-get install -y chromium` (Debian/Ubuntu). Offline: the browser is started with
every background network feature off, and the digest loads nothing remote.
"""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "scripts"))

SAMPLE_WEEK = "2017-W45"
DEMO_DB = ROOT / "data" / "demo" / "press.duckdb"


def screenshot(html: Path, png: Path, width: int, *, mobile: bool = False) -> tuple:
    """The page at ``width`` CSS pixels, captured as tall as its content; the time it took,
    the image's size and the document's own width."""
    from browser import BrowserError, Chromium

    t0 = time.monotonic()
    try:
        with Chromium() as browser:
            page = browser.page()
            page.viewport(width, 800, mobile=mobile)
            page.goto(html.as_uri())
            size = page.size()
            shot = page.screenshot(png, width=width)
            page.close()
    except BrowserError as exc:
        raise SystemExit(f"preview: {exc}")
    return time.monotonic() - t0, shot, size["scrollWidth"]


def read_png(path: Path):
    """Pixels of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes) as numpy."""
    import numpy as np

    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"preview: {path} is not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise SystemExit(f"preview: unexpected PNG format (depth {depth}, colour type "
                         f"{colour}, interlace {interlace})")
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * bpp
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int16)
    prev = np.zeros(stride, dtype=np.int16)
    for y in range(height):
        f, line = rows[y, 0], rows[y, 1:].astype(np.int16)
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 0xFF
        else:  # Sub, Average, Paeth depend on the pixel to the left: one pass per row
            cur = np.zeros(stride, dtype=np.int16)
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                if f == 1:
                    p = a
                elif f == 3:
                    p = (a + b) >> 1
                else:
                    c = prev[x - bpp] if x >= bpp else 0
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (line[x] + p) & 0xFF
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3].astype(np.uint8)


def blank_check(pixels) -> tuple[float, int]:
    """Share of pixels unlike the most common colour, and the number of distinct colours."""
    import numpy as np

    flat = pixels.reshape(-1, 3).astype(np.uint32)
    codes = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    values, counts = np.unique(codes, return_counts=True)
    return 1.0 - counts.max() / codes.size, len(values)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(DEMO_DB),
                    help="database to read (default: the demo's; the demo runs first when "
                         "it is missing)")
    ap.add_argument("--week", default=SAMPLE_WEEK)
    ap.add_argument("--out", help="PNG to write (default: beside the database)")
    ap.add_argument("--width", type=int, default=760,
                    help="window width in CSS pixels (375 for a phone)")
    args = ap.parse_args(argv)

    db = Path(args.db).resolve()
    if not db.exists():
        if db != DEMO_DB:
            raise SystemExit(f"preview: database {db} does not exist")
        print("preview: no demo database yet; running the demo first (scripts/demo.py)")
        subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py")], cwd=ROOT,
                       check=True)

    from pressmon.digest.command import preview
    from pressmon.settings import get_paths

    digest, (subject, html_body, _text) = preview(get_paths(db=str(db)), args.week)
    html = db.parent / f"digest-{digest.week.label}.html"
    html.write_text(html_body, encoding="utf-8")
    png = Path(args.out).resolve() if args.out else html.with_suffix(".png")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    took, (w, h), doc_width = screenshot(html, png, args.width, mobile=args.width < 500)

    pixels = read_png(png)
    ink, colours = blank_check(pixels)
    print(f"digest:  {subject} ({digest.story_count} stories, {digest.article_count} "
          f"articles)")
    print(f"html:    {html}")
    print(f"png:     {png} ({pixels.shape[1]}x{pixels.shape[0]}, {ink:.1%} non-background "
          f"pixels, {colours} colours, document {doc_width} px wide, Chromium {took:.1f} s)")
    if ink < 0.005 or colours < 3:
        print("preview: the screenshot is blank", file=sys.stderr)
        return 1
    if doc_width > args.width:
        print(f"preview: the email is {doc_width} px wide in a {args.width} px window",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The names people read instead of ids: a feed's, an outlet's and a mission's.

A feed is named by its ``title`` in sources.yaml, else by its own channel title (as last
fetched), else by its sources.yaml name. An outlet (the publication behind one or several feeds)
is named by the titles its feeds were given, else by what its feeds' channel titles share:
"La Provence - Marseille" and "La Provence - Économie" make "La Provence"; a single feed's
"Miami Herald - Local" makes "Miami Herald" because that part spells the outlet's id or site;
otherwise the channel title as it is; an outlet without any title keeps its id.

Names are read from a database connection (the snapshot, for readers): ``feed_titles`` and
``sources``; a database from before those tables gives ids, never an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# " - ", " | ", " – ", " — ", " · ", " :: " between an outlet's name and a section's.
SEPARATORS = re.compile(r"\s+(?:[-|–—·]|::)\s+")


@dataclass
class Names:
    """Display names by feed (``sources.yaml`` name), outlet and mission id."""

    feeds: dict[str, str] = field(default_factory=dict)
    outlets: dict[str, str] = field(default_factory=dict)
    missions: dict[str, str] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)  # mission id -> partner, French first

    def feed(self, source: str | None) -> str:
        return self.feeds.get(source or "", source or "")

    def outlet(self, outlet: str | None) -> str:
        return self.outlets.get(outlet or "", outlet or "")

    def mission(self, mission_id: str | None) -> str:
        return self.missions.get(mission_id or "", mission_id or "")


def _key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: "Les Échos" -> "lesechos"."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.lower() if c.isalnum() and not unicodedata.combining(c))


def _site_keys(outlet: str, urls: list[str]) -> list[str]:
    """What an outlet's name would spell: its id and its feeds' host names, without ``www.``
    and the top-level domain ("miamiherald.com" -> "miamiherald")."""
    keys = []
    for raw in [outlet, *(urlsplit(u).hostname or "" for u in urls)]:
        raw = raw.lower()
        if re.fullmatch(r"[\d.]+", raw):  # an IP address spells nothing
            continue
        raw = re.sub(r"^(www|m|amp)\.", "", raw)
        if "." in raw:
            raw = raw.rsplit(".", 1)[0]
        k = _key(raw)
        if len(k) >= 3:
            keys.append(k)
    return keys


def outlet_name(outlet: str, titles: list[str], channel_titles: list[str],
                urls: list[str] = ()) -> str:
    """The name of ``outlet`` from its feeds' configured titles (first choice) or channel
    titles (see the module docstring)."""
    given = [t for t in titles if t]
    if given:
        return _shared(given) or given[0]
    channels = [t for t in channel_titles if t]
    if not channels:
        return outlet
    if len(channels) > 1:
        shared = _shared(channels)
        if shared:
            return shared
    parts = SEPARATORS.split(channels[0])
    if len(parts) > 1:
        keys = _site_keys(outlet, list(urls))
        for part in parts:
            pk = _key(part)
            if pk and any(pk == k or (len(pk) >= 4 and (pk in k or k in pk)) for k in keys):
                return part.strip()
    return channels[0]


def _shared(titles: list[str]) -> str | None:
    """The whole title when all are equal, else a leading or trailing part they all share."""
    if all(t == titles[0] for t in titles):
        return titles[0]
    split = [SEPARATORS.split(t) for t in titles]
    for pick in (0, -1):
        first = split[0][pick].strip()
        if first and all(len(p) > 1 and p[pick].strip() == first for p in split):
            return first
    return None


def read_names(con) -> Names:
    """Every display name the database knows; ids stand in where it knows none."""
    names = Names()
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()}
    if "sources" not in tables:
        return names
    if "feed_titles" in tables:
        rows = con.execute(
            "SELECT s.name, s.outlet, s.url, t.title, t.channel_title FROM sources s "
            "LEFT JOIN feed_titles t ON t.source = s.name ORDER BY s.position").fetchall()
    else:
        rows = [(*r, None, None) for r in con.execute(
            "SELECT name, outlet, url FROM sources ORDER BY position").fetchall()]
    by_outlet: dict[str, list[tuple]] = {}
    for name, outlet, url, title, channel in rows:
        names.feeds[name] = title or channel or name
        by_outlet.setdefault(outlet, []).append((url, title, channel))
    for outlet, feeds in by_outlet.items():
        names.outlets[outlet] = outlet_name(outlet, [f[1] for f in feeds],
                                            [f[2] for f in feeds], [f[0] for f in feeds])
    if "missions" in tables:
        partners_fr = {}
        if "mission_names" in tables:
            partners_fr = dict(con.execute(
                "SELECT mission_id, partner_fr FROM mission_names").fetchall())
        for mid, mname, partner in con.execute(
                "SELECT mission_id, name, partner FROM missions").fetchall():
            names.missions[mid] = mname or mid
            if partners_fr.get(mid) or partner:
                names.partners[mid] = partners_fr.get(mid) or partner
    return names

"""What a mission is called in the press, derived from what staff write in ``missions.yaml``.

Staff write a trip's destination, partner and dates, not a vocabulary; articles rarely use the
partner's official name. From ``partner: Miami-Dade County`` and
``name: Délégation métropolitaine à Miami`` this derives:

- *full names*: the partner as written and its French, English and Spanish forms ("comté de
  Miami-Dade", "condado de Miami-Dade"), plus the optional ``terms``: they name the partner
  itself and count as strong partners for relevance;
- *places*: the distinctive part of the partner once generic words are dropped (County, City,
  Communauté, Ville, Région, Grand, Metropolitan, Àrea, de, of...: "Miami-Dade", and "Miami",
  the first element of a hyphenated name), the destination of the mission's name (the words
  after à/en/au/aux/in/to/a: "Miami"), the optional ``partner_region``: they name the place and
  count as something abroad;
- *acronyms*: the initials of the partner's words ("Communauté métropolitaine de Montréal":
  CMM), matched only in capitals, since a lower-case "amb" is a Catalan word.

Derivation is pure string work, so relevance and mission linking share it without importing
each other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .config import Mission

# Words that say what kind of authority or area the partner is, not which one. Compared
# lower-case without accents.
GENERIC = frozenset("""
    county comte condado comtat city ville ciudad ciutat cite town township borough village
    communaute community comunidad comunitat mancomunidad metropolitan metropolitaine
    metropolitain metropolitana metropolita metropolitano metropole metropolis metropoli
    metropolitaines area aire region regional regio regione district distrito districte
    departement department departamento province provincia state etat estado municipality
    municipalite municipio municipal municipalidad ajuntament ayuntamiento mairie council
    conseil consejo consell government gouvernement gobierno govern authority autorite
    autoridad agglomeration agglomeracio urban urbaine urbain urbano urbana commission comision
    grand grande greater gran great board office commonwealth
""".split())
# Words that join the parts of a name ("Rio de Janeiro", "Ciudad de México").
CONNECTORS = frozenset("""
    de del des du d of la le les l el los las the y et and i di da do dos das e
""".split())
# Where a mission's name says where it goes: "à Miami", "en Floride", "to Montreal", "a Barcelona".
DESTINATION_MARKERS = frozenset("a au aux en in to at".split())
MONTHS = frozenset("""
    janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
    january february march april may june july august september october november december
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
    diciembre
""".split())
# First elements of hyphenated names that do not name the place on their own.
NAME_PREFIXES = frozenset("""
    saint sainte san santa santo sao st ste new nouvelle nueva nuevo fort port mont val bad
    la le les el los las
""".split())

# The partner's kind of authority, and how French, English and Spanish name one of that kind:
# (words that identify the kind, forms with {} for the distinctive part).
KINDS = (
    ({"county", "comte", "condado", "comtat"},
     ("{} County", "comté de {}", "condado de {}")),
    ({"communaute", "community", "comunidad", "comunitat"},
     ("communauté métropolitaine de {}", "{} Metropolitan Community",
      "Comunidad Metropolitana de {}")),
    ({"area", "aire"},
     ("aire métropolitaine de {}", "{} metropolitan area", "área metropolitana de {}",
      "Àrea Metropolitana de {}")),
    ({"metropole", "metropolis", "metropoli"},
     ("Métropole de {}", "{} Metropolis", "Metrópoli de {}")),
    ({"city", "ville", "ciudad", "ciutat"},
     ("ville de {}", "City of {}", "ciudad de {}")),
    ({"region", "regio", "regione"},
     ("région de {}", "{} region", "región de {}")),
)

_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+", re.UNICODE)


def fold(word: str) -> str:
    """Lower case without accents, for comparisons."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class MissionNames:
    full: tuple[str, ...]      # the partner and its forms, and the mission's terms
    places: tuple[str, ...]    # distinctive parts, the destination, the partner region
    acronyms: tuple[str, ...]  # matched in capitals only


def _words(text: str) -> list[str]:
    """Words with their hyphens, elided articles split off: "d'Azur" -> "d", "Azur"."""
    out = []
    for w in _WORD_RE.findall(text or ""):
        m = re.match(r"^([dlDL])['’](.+)$", w)
        out.extend([m.group(1), m.group(2)] if m else [w])
    return out


def _cores(words: list[str]) -> list[str]:
    """The runs of distinctive words, generic words dropped and connectors trimmed."""
    runs, current = [], []
    for w in words:
        if fold(w) in GENERIC:
            runs.append(current)
            current = []
        else:
            current.append(w)
    runs.append(current)
    out = []
    for run in runs:
        while run and fold(run[0]) in CONNECTORS:
            run = run[1:]
        while run and fold(run[-1]) in CONNECTORS:
            run = run[:-1]
        if run and any(len(w) > 1 for w in run):
            out.append(" ".join(run))
    return out


def _first_element(core: str) -> str | None:
    """ "Miami-Dade" -> "Miami": the first part of a one-word hyphenated name, when it can
    stand alone."""
    if " " in core or "-" not in core:
        return None
    first = core.split("-")[0]
    if len(first) < 4 or fold(first) in NAME_PREFIXES or fold(first) in CONNECTORS:
        return None
    return first


def destinations(name: str) -> list[str]:
    """Where a mission's name says it goes: the capitalised words after à/en/au/aux/in/to/a
    ("Délégation métropolitaine à Miami" -> ["Miami"]), generic words dropped."""
    words = _words(name)
    found = []
    for i, w in enumerate(words):
        if fold(w) not in DESTINATION_MARKERS:
            continue
        run: list[str] = []
        for nxt in words[i + 1:]:
            if nxt[:1].isupper() and fold(nxt) not in MONTHS:
                run.append(nxt)
            elif run and fold(nxt) in CONNECTORS:
                run.append(nxt)
            elif not run and fold(nxt) in CONNECTORS | GENERIC:
                run.append(nxt)  # "à la Communauté ...", "in Greater Miami"
            else:
                break
        found.extend(_cores(run))
    return found


def _acronym(words: list[str]) -> str | None:
    letters = []
    for w in words:
        if fold(w) in CONNECTORS:
            continue
        letters.extend(part[0] for part in w.split("-") if part)
    acronym = fold("".join(letters)).upper()
    return acronym if len(acronym) >= 3 and acronym.isalpha() else None


def mission_names(mission: Mission) -> MissionNames:
    """Every way the press names this mission's partner and destination (see the module)."""
    partner = (mission.partner or "").strip()
    words = _words(partner)
    cores = _cores(words)
    full = [partner] if partner else []
    folded = {fold(w) for w in words}
    if len(cores) == 1 and len(words) > 1:
        for kind_words, forms in KINDS:
            if folded & kind_words:
                full.extend(f.format(cores[0]) for f in forms)
                break
    full.extend(t for t in mission.terms if t.strip())
    places = []
    for core in [*cores, *destinations(mission.name or "")]:
        places.append(core)
        first = _first_element(core)
        if first:
            places.append(first)
    if mission.partner_region:
        places.append(mission.partner_region.replace("_", " ").replace("-", " "))
    acronyms = []
    if len(words) >= 3 or sum(len(w.split("-")) for w in words) >= 3:
        acronym = _acronym(words)
        if acronym:
            acronyms.append(acronym)
    acronyms.extend(t for t in mission.terms if re.fullmatch(r"[A-Z]{2,6}", t.strip()))
    return MissionNames(_unique(full), _unique(p for p in places if p not in full), _unique(acronyms))


def _unique(items) -> tuple[str, ...]:
    seen, out = set(), []
    for item in items:
        key = fold(item)
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)

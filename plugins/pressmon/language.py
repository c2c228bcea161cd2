"""Language of an article: langdetect's model, decided exactly, with the page's hints as evidence.

The model is langdetect's: its 55 language profiles (frequencies of 1- to 3-character n-grams)
and its own text normalisation and n-gram extraction. langdetect's ``detect()`` decides by
sampling those n-grams at random (seven seeded trials of up to a thousand draws): on a headline
that is noisy and costs milliseconds. Here every n-gram of the sample is counted once, by a
naive-Bayes sum over the same probabilities with langdetect's smoothing (``ALPHA``), which is
deterministic and cheaper. Two kinds of evidence are added to the n-gram sum:

- **function words** of French, English and Spanish, and of the neighbours they are confused
  with (Catalan, Portuguese, Italian, German, Dutch): on a short text, "els", "não" or "the"
  tell more than the letters around them (``FUNCTION_WORD_WEIGHT`` per word);
- **priors**: the languages a press monitor reads (those eight) are likelier than the other
  47 of the profiles (``KNOWN_PRIOR``), and what the page or the feed declares (the ``lang``
  attribute, the feed's ``<language>``, the outlet's language) adds ``HINT_WEIGHT`` to that
  language. Both are worth a few n-grams: they decide a headline of proper nouns
  ("Cher Xavier Gorce - Boxing Day #16") and never outweigh a clear sentence.

The sample is the title and the first ``BODY_SLICE`` characters of the text (with the summary
when the text is short): the decision does not change with more text and the cost would.

The mix share (bilingual pages, common in Miami outlets) is computed per paragraph with the
same function-word counts; the model is asked again only for a paragraph whose words point away
from the main language, so a quoted sentence in another language does not flip an article.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

import numpy as np
from langdetect.utils.ngram import NGram

from .text import Words

BODY_SLICE = 600        # the decision is the same with 1,500 characters of news prose
SHORT_TEXT = 200        # below this, the summary joins the sample
ALPHA = 0.5             # langdetect's smoothing: an unseen n-gram costs log(ALPHA / 10,000)
BASE_FREQ = 10_000
FUNCTION_WORD_WEIGHT = 4.0
KNOWN_PRIOR = 4.0
HINT_WEIGHT = 4.0
PARAGRAPH_MIN_WORDS = 6

MONITORED = ("fr", "en", "es")

# The most frequent function words (articles, pronouns, prepositions, conjunctions, auxiliaries)
# of each language; a word listed in several languages counts for each of them.
FUNCTION_WORDS = {
    "fr": """le la les un une des du de et est dans pour par sur avec au aux ce cet cette ces qui
        que qu quoi il elle ils elles nous vous je tu on son sa ses leur leurs mon ma mes ton notre
        votre ont a été sont pas plus ne se ou mais comme entre aussi après avant chez lors dont
        depuis être fait très tout tous toute toutes où y en l d n s c j m t était avait sera peut
        faut donc alors encore même bien sans sous contre vers ainsi cela ça ceci lui eux moi toi
        si oui non déjà quand jamais rien chaque selon aujourd hui""",
    "en": """the a an of and is are was were in on for with by to from at this that these those
        which who whom whose it its their they them we us you he him she her has have had been be
        being not more but or as will would shall should can could may might must said also after
        before between than about into over under our your his there here what when where how why
        all any some new just only very out up so if then no yes do does did""",
    "es": """el la los las un una unos unas de del y e o u es en por para con al que se su sus lo
        le les ha han he has hemos fue son está están estaba más pero como entre también tras ante
        desde sobre este esta estos estas ese esa eso esto dijo según muy ya hay ser sin cuando
        donde porque nos mi mis yo tú te me si sí no era había será puede todo todos toda todas
        otro otra así bien nada siempre ahora aquí hasta cada durante después antes""",
    "ca": """el la els les un una uns unes de del dels i o és en per amb al als que es seu seva seus
        seves ho li ha han he hem va van vaig són està estan estava més però com entre també
        després abans des sobre aquest aquesta aquests aquestes aquell aquella això molt ja hi ser
        sense quan on perquè ens em et jo tu pel pels fins l d n s m t era havia serà pot tot tots
        tota totes altre altra així bé res sempre ara aquí cada durant""",
    "pt": """o a os as um uma uns umas de do da dos das e é em no na nos nas num numa por para com
        ao aos à às que se seu sua seus suas lhe lhes foi são está estão estava mais mas como entre
        também após antes desde sobre este esta estes estas esse essa isso isto aquele muito já há
        ser sem quando onde porque não nós eu você vocês ele ela eles elas pelo pela pelos pelas
        era tinha será pode tudo todos toda todas outro outra assim bem nada sempre agora aqui até
        cada durante depois""",
    "it": """il lo la i gli le un uno una di del dello della dei degli delle e ed è in nel nello
        nella nei negli nelle per con col al allo alla ai agli alle che chi si suo sua suoi sue ha
        hanno ho abbiamo fu sono sta stato stata più ma come tra fra anche dopo prima da dal dallo
        dalla dai su sul sulla questo questa questi quello quella molto già c essere senza quando
        dove perché non noi io tu lui lei loro ci mi ti l d era aveva sarà può tutto tutti tutta
        altro altra così bene niente sempre ora qui fino ogni durante""",
    "de": """der die das den dem des ein eine einen einem einer eines und ist sind war waren in im
        auf für mit von vom zu zum zur bei beim aus an am als auch nicht sich es er sie wir ihr ich
        du dass daß wie oder aber nach vor über unter durch noch nur wird werden wurde hat haben
        hatte kann können muss mehr sehr schon bis so dann wenn wo was wer dieser diese dieses kein
        keine man um""",
    "nl": """de het een en is zijn was waren in op voor met van te bij uit aan als ook niet zich hij
        zij ze wij we ik je jij u dat die wat hoe of maar na over onder door nog alleen wordt
        worden werd heeft hebben had er deze dit naar om tot dan wel geen al meer zeer zo kan
        kunnen moet""",
}
_WORDS = Words(r"[^\W\d_]+")

_init_lock = threading.Lock()
_model = None


class _Model:
    """langdetect's profiles as one matrix of log-probabilities (n-gram x language)."""

    def __init__(self) -> None:
        import langdetect

        folder = Path(langdetect.__file__).parent / "profiles"
        profiles = []
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                profiles.append(json.loads(path.read_text(encoding="utf-8")))
        self.langs = [p["name"] for p in profiles]
        index: dict[str, int] = {}
        self.index = index
        # One pass per profile numbers its new n-grams (in profile order, then the profile's
        # own order) and gives the rows of all of them; the arithmetic is done by column.
        columns = []
        for p in profiles:
            freq = p["freq"]
            grams = [g for g in freq if 1 <= len(g) <= 3]
            rows = np.array([index.setdefault(g, len(index)) for g in grams], dtype=np.int64)
            counts = np.fromiter(map(freq.__getitem__, grams), dtype=np.float64, count=len(grams))
            lengths = np.fromiter(map(len, grams), dtype=np.intp, count=len(grams))
            share = counts / np.asarray(p["n_words"], dtype=np.float64)[lengths - 1]
            # The same smoothing as langdetect's update step: log(p + alpha / BASE_FREQ).
            columns.append((rows, np.log(share + ALPHA / BASE_FREQ)))
        floor = np.float32(np.log(ALPHA / BASE_FREQ))
        self.logp = np.full((len(index), len(self.langs)), floor, dtype=np.float32)
        for j, (rows, values) in enumerate(columns):
            self.logp[rows, j] = values
        del profiles, columns
        self.col = {lang: j for j, lang in enumerate(self.langs)}
        self.prior = np.zeros(len(self.langs), dtype=np.float32)
        for lang in FUNCTION_WORDS:
            if lang in self.col:
                self.prior[self.col[lang]] = KNOWN_PRIOR
        self.word_cols: dict[str, list[int]] = {}
        for lang, words in FUNCTION_WORDS.items():
            for w in words.split():
                cols = self.word_cols.setdefault(w, [])
                if self.col[lang] not in cols:  # a word counts once per language
                    cols.append(self.col[lang])
        self._word_rows = _WordRows(self)

    def ngrams(self, text: str) -> list[str]:
        """The n-grams of ``text`` that the profiles know (see :meth:`_all_grams`)."""
        index = self.index
        return [g for g in self._all_grams(text) if g in index]

    def _normalised(self, text: str) -> tuple[list[str], str]:
        """langdetect's cleaning and normalisation of ``text``: the n-grams of its words with
        a run of capitals (acronyms, which follow langdetect's rule one by one), and the
        normalised text with those words blanked."""
        if "http" in text:
            text = _URL_RE.sub(" ", text)
        if "@" in text:
            text = _MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)[:MAX_TEXT]
        if _NON_LATIN_RE.search(text):
            latin = len(_LATIN_RE.findall(text))
            if latin and latin * 2 < len(_NON_LATIN_RE.findall(text)):
                # Mostly another script: langdetect drops the Latin letters (brand names, URLs).
                text = _LATIN_RE.sub("", text)
        norm = text.translate(_NORMALISED)
        out: list[str] = []
        if _CAPITAL_RUN.search(norm):
            def capital(m: re.Match) -> str:
                word = m.group()
                if not any(a.isupper() and b.isupper() for a, b in zip(word, word[1:])):
                    return word
                out.extend(_capital_ngrams(word + (" " if m.end() < len(norm) else "")))
                return " " * len(word)
            norm = _WORD_RUN.sub(capital, norm)
        return out, norm

    def _all_grams(self, text: str) -> list[str]:
        """The n-grams langdetect's Detector extracts from ``text``: the same cleaning,
        normalisation and capital-word rule, computed over the whole string at once (a word's
        n-grams never span a space except at its edges) instead of character by character."""
        out, norm = self._normalised(text)
        s = " " + norm
        out.extend(c for c in s if c != " ")
        out.extend(a + b for a, b in zip(s, s[1:]) if a != " " or b != " ")
        out.extend(a + b + c for a, b, c in zip(s, s[1:], s[2:]) if b != " ")
        return out

    def rows(self, text: str) -> np.ndarray:
        """Matrix rows of the n-grams of ``text``, in the order of :meth:`_all_grams`.

        A word's n-grams depend on the word alone (and on whether a space follows it), and
        :meth:`_all_grams` lists all 1-grams, then all 2-grams, then all 3-grams, each in text
        order: so the rows are each word's rows, looked up once per distinct word, joined in
        that order."""
        capital, norm = self._normalised(text)
        index = self.index
        parts = [np.array([r for r in map(index.get, capital) if r is not None], dtype=np.intp)]
        words = [w for w in norm.split(" ") if w]
        if words:
            entries = list(map(self._word_rows.__getitem__, words))
            if not norm.endswith(" "):
                # The text's last word has no space after it: no n-gram closes it.
                entries[-1] = self._rows_of(words[-1], followed=False)
            for k in range(3):
                parts.extend(map(itemgetter(k), entries))
        return np.concatenate(parts)

    def _rows_of(self, word: str, followed: bool = True) -> tuple[np.ndarray, ...]:
        """The rows of one word's 1-, 2- and 3-grams (the word between spaces)."""
        index = self.index
        padded = " " + word + (" " if followed else "")
        known = lambda grams: np.array([r for r in map(index.get, grams) if r is not None],  # noqa: E731
                                       dtype=np.intp)
        return (known(word),
                known(padded[i:i + 2] for i in range(len(padded) - 1)),
                known(padded[i:i + 3] for i in range(len(padded) - 2)))

    def scores(self, text: str, hint: str | None = None) -> np.ndarray | None:
        """Log-score of every language for ``text``; None when it holds no letters to judge."""
        rows = self.rows(text)
        if not len(rows):
            return None
        # Summed row after row in text order (float32), as langdetect's profiles were added.
        total = self.logp.take(rows, axis=0).sum(axis=0)
        total += self.prior
        # Each function word adds its weight to its languages, word after word, in one call.
        cols = list(chain.from_iterable(filter(None, map(self.word_cols.get,
                                                         _WORDS(text.lower())))))
        if cols:
            np.add.at(total, cols, np.float32(FUNCTION_WORD_WEIGHT))
        if hint and hint in self.col:
            total[self.col[hint]] += HINT_WEIGHT
        return total


MAX_TEXT = 10_000        # langdetect's max_text_length
_URL_RE = re.compile(r"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}")
_MAIL_RE = re.compile(r"[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}")
_LATIN_RE = re.compile(r"[A-z]")
_WORD_RUN = re.compile(r"[^ ]+")
_UPPER = "".join(chr(c) for c in range(0x10000) if chr(c).isupper())
_CAPITAL_RUN = re.compile(f"[{re.escape(_UPPER)}]{{2}}")
_NON_LATIN_RE = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")


class _WordRows(dict):
    """word -> its n-gram rows (see ``_Model.rows``), filled on first use, bounded."""

    def __init__(self, model: _Model) -> None:
        super().__init__()
        self.model = model

    def __missing__(self, word: str) -> tuple[tuple[int, ...], ...]:
        if len(self) >= WORD_CACHE_SIZE:
            self.clear()
        value = self[word] = self.model._rows_of(word)
        return value


WORD_CACHE_SIZE = 20_000   # about 550 bytes a word: 11 MB at most


class _Normalised(dict):
    """str.translate table applying langdetect's per-character normalisation, filled lazily."""

    def __missing__(self, code: int) -> str:
        value = NGram.normalize(chr(code))
        self[code] = value
        return value


_NORMALISED = _Normalised()


def _capital_ngrams(word: str) -> list[str]:
    """langdetect's n-grams of one word holding capitals: inside a run of capitals (an
    acronym) it emits nothing, exactly as ``NGram.add_char`` does."""
    out = []
    grams, capital = " ", False
    for ch in word:
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if not ch.isupper():
            capital = False
        elif last.isupper():
            capital = True
        if capital:
            continue
        for n in (1, 2, 3):
            if len(grams) < n:
                break
            g = grams[-n:]
            if g != " ":
                out.append(g)
    return out


def _detector_factory() -> _Model:
    """Load the profiles once per process (about 0.3 s)."""
    global _model
    if _model is None:
        with _init_lock:
            if _model is None:
                _model = _Model()
    return _model


def identify(text: str, hint: str | None = None) -> tuple[str | None, float]:
    """``(language, probability)`` of a text; ``(None, 0.0)`` when it has nothing to judge."""
    model = _detector_factory()
    total = model.scores(text, hint)
    if total is None:
        return None, 0.0
    best = int(np.argmax(total))
    # Probability of the winner among all languages (softmax of the log-scores).
    shifted = np.exp((total - total[best]).astype(np.float64))
    return model.langs[best], float(1.0 / shifted.sum())


def function_word_profile(text: str) -> dict[str, int]:
    """How many function words of each listed language ``text`` holds."""
    counts = dict.fromkeys(FUNCTION_WORDS, 0)
    sets = _function_word_sets()
    # Counted per distinct function word, then spread over its languages.
    for word, n in Counter(filter(sets.__contains__, _WORDS(text.lower()))).items():
        for lang in sets[word]:
            counts[lang] += n
    return counts


_word_sets: dict[str, tuple[str, ...]] | None = None


def _function_word_sets() -> dict[str, tuple[str, ...]]:
    global _word_sets
    if _word_sets is None:
        out: dict[str, list[str]] = {}
        for lang, words in FUNCTION_WORDS.items():
            for w in words.split():
                out.setdefault(w, []).append(lang)
        _word_sets = {w: tuple(v) for w, v in out.items()}
    return _word_sets


def detect_language(title: str | None, text: str | None, summary: str | None = None,
                    hint: str | None = None) -> tuple[str | None, float, float]:
    """Return ``(language, confidence, mix)`` for an article.

    ``language`` is an ISO 639-1 code (None only when there is nothing to read and no hint),
    ``confidence`` the model's probability for it (0 when the hint alone decided), ``mix`` the
    share of the text's paragraphs written in another language. ``hint`` is what the page or
    the feed declares: evidence weighed with the text, not an override.
    """
    title = (title or "").strip()
    text = (text or "").strip()
    summary = (summary or "").strip()
    hint = (hint or "").strip().lower()[:2] or None

    parts = [title, text[:BODY_SLICE]]
    if len(text) < SHORT_TEXT:
        parts.insert(1, summary)
    sample = "\n\n".join(p for p in parts if p)
    lang, conf = identify(sample, hint) if sample else (None, 0.0)
    if lang is None:
        return hint, 0.0, 0.0
    return lang, round(conf, 4), _mix_share(text, lang)


def _mix_share(text: str, main: str) -> float:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if _has_words(p, PARAGRAPH_MIN_WORDS)]
    if len(paragraphs) < 2:
        return 0.0
    other = 0
    for p in paragraphs:
        prof = function_word_profile(p)
        if max(prof.values()) <= prof.get(main, 0):
            continue  # no language's function words outnumber the main one's
        # The words point away from the main language: the model settles it.
        plang, _ = identify(p[:BODY_SLICE])
        if plang in (main, None):
            continue
        other += 1
    return round(other / len(paragraphs), 3)



def _has_words(text: str, n: int) -> bool:
    """Whether ``text`` holds at least ``n`` words (counting stops there)."""
    return next(islice(_WORDS.regex.finditer(text), n - 1, None), None) is not None

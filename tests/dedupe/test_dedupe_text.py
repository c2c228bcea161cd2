"""Text normalisation, content hashes and MinHash signatures."""

from __future__ import annotations

import os
import subprocess
import sys

from pressmon.dedupe import (EMPTY, NUM_PERM, content_hash, normalize_text, signature, similarity,
                             strip_boilerplate)

TEXT = ("La Métropole Aix-Marseille-Provence a signé lundi à Miami un accord de coopération "
        "avec le comté de Miami-Dade.\n\nL'accord prévoit des échanges entre les deux ports.")


def test_normalize_text_folds_case_accents_typography_and_space():
    """Case, accents, curly quotes, dashes and runs of spaces do not make two texts differ."""
    assert normalize_text("  État   l’Été — «Marseille»\n\n\n\nB ") == 'etat l\'ete - "marseille"\n\nb'


def test_content_hash_same_text_same_hash():
    """Typographic and whitespace variants of one text hash alike; a changed title does not."""
    variant = TEXT.replace("'", "\u2019").replace(" ", "  ").replace("\n\n", "\n  \n")
    assert content_hash("Titre", TEXT) == content_hash("titre ", variant)
    assert content_hash("Titre", TEXT) != content_hash("Autre titre", TEXT)
    assert content_hash(None, TEXT) == content_hash("", TEXT)
    assert len(content_hash(None, "")) == 64


def test_signature_shape_and_identity():
    """128 unsigned 32-bit values; the same text gives the same signature, similarity 1."""
    sig = signature(TEXT)
    assert len(sig) == NUM_PERM and all(0 <= v < 2**32 for v in sig)
    assert similarity(sig, signature(TEXT.upper())) == 1.0
    assert similarity(sig, signature("Un tout autre texte sur le football à Marseille ce soir.")) < 0.1


def test_signature_is_stable_across_processes():
    """Signatures are stored and compared across runs: no salted hash() may leak in."""
    code = "from pressmon.dedupe import signature; import sys; print(signature(sys.argv[1]))"
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.add(subprocess.run([sys.executable, "-c", code, TEXT], env=env, check=True,
                                capture_output=True, text=True).stdout.strip())
    assert outs == {str(signature(TEXT))}


def test_empty_text_signature_never_matches():
    """A text without words has the EMPTY signature, similar to nothing, not even itself."""
    empty = signature("  \n ")
    assert empty == [EMPTY] * NUM_PERM
    assert similarity(empty, signature("...")) == 0.0


def test_short_text_is_one_shingle():
    """A text shorter than a shingle still gets a real signature."""
    assert similarity(signature("Marseille Miami"), signature("marseille  MIAMI")) == 1.0


def test_boilerplate_paragraphs_are_dropped_but_not_long_ones():
    """Newsletter boxes go; a long paragraph that mentions a newsletter is article text."""
    box = "inscrivez-vous a notre newsletter pour recevoir l'essentiel"
    body = "le port de marseille presente son projet"
    assert strip_boilerplate(f"{body}\n\n{box}") == body
    long_para = "newsletter " + " ".join(["mot"] * 200)
    assert strip_boilerplate(f"{body}\n\n{long_para}") == f"{body}\n\n{long_para}"
    assert strip_boilerplate(box) == box

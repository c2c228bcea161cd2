"""pressmon.text.Words: the ASCII fast path finds exactly the words its regex finds."""

import pytest

from pressmon import dedupe, language, relevance
from pressmon.text import Words

SPLITTERS = {"dedupe": dedupe._WORDS, "language": language._WORDS,
             "relevance": relevance._WORDS}


@pytest.mark.parametrize("name", sorted(SPLITTERS))
def test_every_ascii_character_splits_as_the_regex_does(name):
    words = SPLITTERS[name]
    for code in range(128):
        text = f"ab{chr(code)}cd 1{chr(code)}2_x{chr(code)}{chr(code)}y"
        assert text.isascii()
        assert words(text) == words.regex.findall(text), repr(chr(code))


def test_non_ascii_text_takes_the_regex():
    words = Words(r"[^\W\d_]+")
    assert words("l’été, à Marseille: 120 décideurs") == ["l", "été", "à", "Marseille",
                                                         "décideurs"]
    assert words("the mayor's 2017 visit") == ["the", "mayor", "s", "visit"]

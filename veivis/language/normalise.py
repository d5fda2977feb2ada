"""Fold Norwegian free text to one canonical ASCII form.

Text and patterns go through the same `fold`, so "BEVISSTLØS", "bevistløs" and
"bevisstlos" all become "bevistlos" and compare equal. Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Mapping

# Letters NFKD does not decompose; æ/ø/å typed without Norwegian keys become a/o/a.
_NORDIC_LETTERS = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ß": "ss", "œ": "o"})
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|tr|h[1-6])\b[^<>]{0,300}>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]{0,300}>")
# A dot ends a sentence unless it sits between two digits ("40.5 grader").
_SENTENCE_END = re.compile(r"[!?;\n\r\u2026\u2022]|\.(?!\d)|(?<!\d)\.")
_COMBINING_MARK = re.compile(r"[\u0300-\u036f]")
_DECIMAL_MARK = re.compile(r"(?<=\d)[.,](?=\d)")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_REPEATED_LETTER = re.compile(r"([a-z])\1+")
# "ae"/"oe" are how æ/ø are typed on foreign keyboards; fold them like the letters.
# «ae»/«oe» typed for æ/ø — but the word «noe» stays: as «no» it would read as nynorsk «nå»
_DIGRAPH = re.compile(r"\bnoe\b|ae|oe")


def split_sentences(text: str) -> list[str]:
    """Split raw text into sentences; HTML block tags count as line breaks."""
    return [sentence for sentence, _ in split_questions(text)]


def split_questions(text: str) -> list[tuple[str, bool]]:
    """Sentences as split_sentences, each with whether a «?» ended it. One pass."""
    text = _BLOCK_TAG.sub("\n", text)
    parts, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        parts.append((text[start : end.start()], end.group() == "?"))
        start = end.end()
    parts.append((text[start:], False))
    return [(sentence, asked) for sentence, asked in parts if sentence.strip()]


def fold(text: str, typos: Mapping[str, str] | None = None) -> str:
    """Return `text` as lowercase a-z/0-9 words separated by single spaces.

    typos: folded word -> folded replacement (may be several words), applied last.
    """
    text = html.unescape(_ANY_TAG.sub(" ", text))
    text = text.lower().translate(_NORDIC_LETTERS)
    text = _COMBINING_MARK.sub("", unicodedata.normalize("NFKD", text))
    text = _DECIMAL_MARK.sub(" ", text)
    text = _NOT_ALNUM.sub(" ", text)
    # Collapse doubled letters before and after the digraphs: "blaae" and "blåe" -> "bla".
    text = _REPEATED_LETTER.sub(r"\1", text)
    text = _DIGRAPH.sub(lambda m: m.group() if m.group() == "noe" else m.group()[0], text)
    text = _REPEATED_LETTER.sub(r"\1", text)
    words = text.split()
    if typos:
        words = [typos.get(word, word) for word in words]
    return " ".join(words)

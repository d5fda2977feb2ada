"""The entity patterns of resources/patterns/ as a spaCy component, by dictionary lookups.

spaCy's EntityRuler ran one regular expression per pattern word on every token: ~500
regexes, ~5.7 ms of a ~14 ms message (measured 2026-12-03, 1.3 ms with this). Here each
pattern word is spelled out in advance in every way it may be typed, and a pattern's first
word is found by looking the token up (or each of its prefixes, for «word*»); only those
patterns are tried on the next tokens.

Phrase syntax (one phrase per list item, words separated by spaces):
  word    the word; æøå may be typed ae/a/e, oe/o, aa/a/o, a doubled letter once
          («bevisstløs» = «bevistlos»); a single letter stays single («pils» ≠ «pills»)
  word*   any word starting with it (inflections, compounds: abstinens* → abstinensene)
  word?   the word may be missing
  #       a number, in digits or words (to, tre, noen, flere …)
Matches are chosen as the EntityRuler chose them: longest first, then earliest; a match
whose first or last token is taken is dropped.
"""

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

NUMBER_WORDS = (
    "en", "ei", "ett", "én", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni",
    "ti", "elleve", "tolv", "femten", "tjue", "noen", "få", "flere", "et", "par", "mange",
    "halvt",
)  # fmt: skip
_NUMBER = re.compile(r"^(?:\d+([.,]\d+)?|" + "|".join(NUMBER_WORDS) + ")$")
EXACT, PREFIX, NUMBER = "exact", "prefix", "number"
FACTORY = "veivis_entities"
# How a letter may be typed without a Norwegian keyboard.
_LETTER_VARIANTS = {"æ": ("æ", "ae", "a", "e"), "ø": ("ø", "oe", "o"), "å": ("å", "aa", "a", "o")}

Match = Tuple[int, int, int]  # (first token, end token, pattern index)


@dataclass(frozen=True)
class Word:
    kind: str  # EXACT, PREFIX or NUMBER
    forms: Tuple[str, ...] = ()  # every accepted spelling (of the start, for PREFIX)
    optional: bool = False

    def matches(self, token: str) -> bool:
        """token: the lowercased token text."""
        if self.kind == NUMBER:
            return bool(_NUMBER.match(token))
        if self.kind == PREFIX:
            return token.startswith(self.forms)
        return token in self.forms


@dataclass(frozen=True)
class Pattern:
    label: str
    id: str  # the canonical value («kola» → kokain)
    words: Tuple[Word, ...]


def spellings(word: str) -> Tuple[str, ...]:
    """Every spelling of a pattern word that counts as it: each æøå as any of its
    variants, and a doubled letter once or twice."""
    options: List[List[str]] = []
    for run in re.finditer(r"(.)\1*", word.lower()):
        letter, length = run.group(1), len(run.group())
        counts = range(1, max(2, length) + 1) if length > 1 and letter.isalpha() else [length]
        variants = _LETTER_VARIANTS.get(letter, (letter,))
        options.append([variant * n for variant in variants for n in counts])
    return tuple(sorted({"".join(parts) for parts in itertools.product(*options)}))


def parse_word(token: str) -> Word:
    optional = token.endswith("?") and len(token) > 1
    token = token[:-1] if optional else token
    if token == "#":
        return Word(NUMBER, optional=optional)
    if token.endswith("*"):
        return Word(PREFIX, spellings(token[:-1]), optional)
    return Word(EXACT, spellings(token), optional)


def parse_phrase(label: str, canonical: str, phrase: str) -> Pattern:
    return Pattern(label, canonical, tuple(parse_word(t) for t in str(phrase).split()))


class PatternIndex:
    """Patterns indexed by the spellings of their first word."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns = list(patterns)
        self._exact: Dict[str, List[int]] = defaultdict(list)
        self._prefix: Dict[str, List[int]] = defaultdict(list)
        self._anywhere: List[int] = []  # first word a number or optional: tried everywhere
        for index, pattern in enumerate(self.patterns):
            first = pattern.words[0]
            if first.optional or first.kind == NUMBER:
                self._anywhere.append(index)
                continue
            for form in first.forms:
                (self._prefix if first.kind == PREFIX else self._exact)[form].append(index)

    def _candidates(self, token: str) -> Set[int]:
        found = set(self._exact.get(token, ()))
        for end in range(1, len(token) + 1):
            found.update(self._prefix.get(token[:end], ()))
        return found.union(self._anywhere)

    def find(self, tokens: Sequence[str]) -> List[Match]:
        """Every (start, end, pattern) match in the lowercased tokens."""
        matches = set()
        for start, token in enumerate(tokens):
            for index in self._candidates(token):
                for end in _ends(self.patterns[index].words, tokens, start):
                    if end > start:
                        matches.add((start, end, index))
        return sorted(matches)


def _ends(words: Sequence[Word], tokens: Sequence[str], at: int) -> Set[int]:
    """Every token index where `words` can end when they start at token `at`."""
    if not words:
        return {at}
    first, rest = words[0], words[1:]
    ends = _ends(rest, tokens, at) if first.optional else set()
    if at < len(tokens) and first.matches(tokens[at]):
        ends |= _ends(rest, tokens, at + 1)
    return ends


def choose(matches: Iterable[Match], patterns: Sequence[Pattern]) -> List[Match]:
    """The EntityRuler's choice: longest first, then earliest; a match whose first or
    last token is already taken is dropped. Where two patterns match the same tokens, the
    one with fewer «word*» wins, then the first in the files: «smertestillende» is the
    substance (exact), not the symptom «smerte*» (the EntityRuler picked by hash order)."""

    def order(match: Match) -> Tuple[int, int, int, int]:
        start, end, index = match
        prefixes = sum(w.kind == PREFIX for w in patterns[index].words)
        return (start - end, start, prefixes, index)

    chosen: List[Match] = []
    taken: Set[int] = set()
    for start, end, index in sorted(matches, key=order):
        if start not in taken and end - 1 not in taken:
            chosen.append((start, end, index))
            taken.update(range(start, end))
    return chosen


class EntityMatcher:
    """The spaCy component: sets doc.ents (label, and the canonical value as ent_id_)."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.index = PatternIndex(patterns)

    def __call__(self, doc: Doc) -> Doc:
        patterns = self.index.patterns
        spans = [
            Span(doc, start, end, label=patterns[i].label, span_id=patterns[i].id)
            for start, end, i in choose(self.index.find([t.lower_ for t in doc]), patterns)
        ]
        kept = [e for e in doc.ents if not any(e.start < s.end and s.start < e.end for s in spans)]
        doc.ents = kept + spans  # type: ignore[assignment]  # spaCy accepts any span list
        return doc


@Language.factory(FACTORY)
def make_entity_matcher(nlp: Language, name: str, files: Optional[List[str]] = None) -> Any:
    """Reads resources/patterns/ when the pipeline loads: the patterns are data, not part of
    the saved pipeline."""
    from veivis.nlp.patterns import ENTITY_FILES, pattern_phrases

    return EntityMatcher(
        [parse_phrase(*row) for row in pattern_phrases(files or list(ENTITY_FILES))]
    )

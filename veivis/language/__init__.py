"""One Norwegian text layer: folding (normalise.py) and the shared word lists.

Every reader of free text — the red-flag detector, the danger classifier, the entity
negation and the name masking — takes negators, clause breaks, fillers and typo fixes from
resources/patterns/language.yml through `language()`, so the lists cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import FrozenSet, Mapping, Tuple

import yaml

from veivis.language.normalise import fold, split_sentences
from veivis.paths import PATTERNS_DIR

LANGUAGE_FILE = PATTERNS_DIR / "language.yml"


@dataclass(frozen=True)
class Language:
    """The folded word lists of language.yml."""

    negators: FrozenSet[str]
    negation_breakers: Tuple[str, ...]
    negation_lists: FrozenSet[str]
    negation_carriers: FrozenSet[str]
    clause_breaks: Tuple[str, ...]
    fillers: Tuple[str, ...]
    typos: Mapping[str, str]
    replacements: Tuple[Tuple[str, str], ...]  # language.yml's before_folding

    def spell_out(self, text: str) -> str:
        """What folding would lose, as words: meaningful emoji (😂 → haha) and English
        contractions (isn't → is not). Lower-cases the text; fold it afterwards."""
        text = text.lower()
        for symbol, words in self.replacements:
            if symbol in text:
                text = text.replace(symbol, f" {words} ")
        return text


@lru_cache(maxsize=1)
def language() -> Language:
    data = yaml.safe_load(LANGUAGE_FILE.read_text(encoding="utf-8"))
    return Language(
        negators=frozenset(fold(w) for w in data["negators"]),
        negation_breakers=tuple(fold(w) for w in data["negation_breakers"]),
        negation_lists=frozenset(fold(w) for w in data["negation_lists"]),
        negation_carriers=frozenset(fold(w) for w in data["negation_carriers"]),
        clause_breaks=tuple(fold(w) for w in data["clause_breaks"]),
        fillers=tuple(fold(w) for w in data["fillers"]),
        typos={fold(k): fold(v) for k, v in (data.get("typos") or {}).items()},
        replacements=tuple((str(k), str(v)) for k, v in data["before_folding"].items()),
    )


__all__ = ["Language", "language", "fold", "split_sentences"]

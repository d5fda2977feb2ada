"""Turn the readable phrase lists in resources/patterns/*.yml into spaCy EntityRuler patterns.

Phrase syntax, one phrase per list item, words separated by spaces:
  word    the word, tolerant of missing æøå and of single/double letters
  word*   any word starting with it (inflections, compounds: abstinens* → abstinensene)
  word?   the word may be missing
  #       a number, in digits or words (to, tre, noen, flere …)

Tolerance is built into the regex rather than listing every variant, so a maintainer
writes "bevisstløs" once and "bevistlos" matches too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple

import yaml

from veivis.language import fold, language
from veivis.paths import PATTERNS_DIR

PATTERN_DIR = PATTERNS_DIR
ENTITY_FILES = ("substances.yml", "symptoms.yml", "answers.yml")

# Letters people often type without (no Norwegian keyboard) or spell another way.
_LETTER_VARIANTS = {
    "æ": "(?:æ|ae|a|e)",
    "ø": "(?:ø|oe|o)",
    "å": "(?:å|aa|a|o)",
}
NUMBER_WORDS = (
    "en", "ei", "ett", "én", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni",
    "ti", "elleve", "tolv", "femten", "tjue", "noen", "få", "flere", "et", "par", "mange",
    "halvt",
)  # fmt: skip


def tolerant_regex(word: str, prefix: bool = False) -> str:
    """Regex for one word that tolerates æøå spelled as a/o/ae/oe/aa and single/double letters."""
    parts: List[str] = []
    i = 0
    word = word.lower()
    while i < len(word):
        ch = word[i]
        run = 1
        while i + run < len(word) and word[i + run] == ch:
            run += 1
        base = _LETTER_VARIANTS.get(ch, re.escape(ch))
        if ch.isalpha():
            # "ss" and "s" are interchangeable: bevisstløs / bevistløs, kramper / krammper.
            parts.append(f"{base}{{1,{max(2, run)}}}" if run > 1 else base)
        else:
            parts.append(base * run)
        i += run
    return "^" + "".join(parts) + ("" if prefix else "$")


def _token_pattern(token: str) -> Dict[str, Any]:
    optional = token.endswith("?") and len(token) > 1
    if optional:
        token = token[:-1]
    if token == "#":
        pattern: Dict[str, Any] = {
            "LOWER": {"REGEX": r"^(?:\d+([.,]\d+)?|" + "|".join(NUMBER_WORDS) + ")$"}
        }
    elif token.endswith("*"):
        pattern = {"LOWER": {"REGEX": tolerant_regex(token[:-1], prefix=True)}}
    else:
        pattern = {"LOWER": {"REGEX": tolerant_regex(token)}}
    if optional:
        pattern["OP"] = "?"
    return pattern


def phrase_to_pattern(phrase: str) -> List[Dict[str, Any]]:
    return [_token_pattern(t) for t in str(phrase).split()]


@lru_cache(maxsize=None)
def load_pattern_file(name: str) -> Dict[str, Any]:
    with open(PATTERN_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def entity_ruler_patterns(files: Iterable[str] = ENTITY_FILES) -> List[Dict[str, Any]]:
    """All patterns for the ruler; `id` carries the canonical value (kola → kokain)."""
    patterns: List[Dict[str, Any]] = []
    for name in files:
        data = load_pattern_file(name)
        for label, entities in data["labels"].items():
            for canonical, phrases in entities.items():
                for phrase in phrases:
                    patterns.append(
                        {"label": label, "id": canonical, "pattern": phrase_to_pattern(phrase)}
                    )
    return patterns


@lru_cache(maxsize=1)
def substance_groups() -> Dict[str, str]:
    """Canonical substance → group used by triage (cocaine, opioid, alcohol, other).
    Read once: the entity extractor asks for it on every message with a substance."""
    groups = load_pattern_file("substances.yml")["groups"]
    return {name: group for group, names in groups.items() for name in names}


def canonical_values(label: str) -> List[str]:
    for name in ENTITY_FILES:
        labels = load_pattern_file(name)["labels"]
        if label in labels:
            return list(labels[label])
    raise KeyError(label)


@lru_cache(maxsize=None)
def _negation() -> Tuple[FrozenSet[str], FrozenSet[str], FrozenSet[str], int]:
    """(labels, negators, clause breaks, window): labels and window from negation.yml,
    the words from the shared text layer (resources/patterns/language.yml), read once."""
    settings = load_pattern_file("negation.yml")
    lang = language()
    breaks = frozenset(b for b in lang.clause_breaks if " " not in b)
    return frozenset(settings["labels"]), lang.negators, breaks, settings["window"]


def is_negated(doc: Any, ent: Any) -> bool:
    """True when a negator stands shortly before the entity in the same clause:
    "ingen kramper", "bruker ikke kokain". Stops at punctuation and clause breaks ("men")."""
    labels, negators, breaks, window = _negation()
    if ent.label_ not in labels:
        return False
    for token in reversed(doc[max(0, ent.start - window) : ent.start]):
        folded = fold(token.lower_)
        if token.is_punct or folded in breaks:
            return False
        if folded in negators:
            return True
    return False


def extract_entities(doc: Any) -> List[Dict[str, Any]]:
    """Entities with canonical values, without the negated ones (the self-check's view)."""
    return [
        {
            "entity": ent.label_,
            "value": ent.ent_id_ or ent.text.lower(),
            "start": ent.start_char,
            "end": ent.end_char,
            "text": ent.text,
        }
        for ent in doc.ents
        if not is_negated(doc, ent)
    ]


def implied_answers(found: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Self-check answers a message gives without saying them (domain/selfcheck.yml maps
    them): «ingen plager» and nothing else → no timing question (nothing to time);
    substances named and cocaine not among them → «alcohol with cocaine?» is moot."""
    implied = []
    symptoms = [e for e in found if e["entity"] == "symptom"]
    if symptoms and all(e["value"] == "none" for e in symptoms):
        implied.append({**symptoms[0], "entity": "no_symptoms", "value": "none"})
    substances = [e for e in found if e["entity"] == "substance"]
    groups = substance_groups()
    if substances and all(
        groups.get(e["value"]) not in ("cocaine", None) and e["value"] != "annet"
        for e in substances
    ):
        implied.append({**substances[0], "entity": "no_cocaine", "value": "no"})
    return implied

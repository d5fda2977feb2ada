"""The readable phrase lists in resources/patterns/*.yml: entities, their canonical values
and groups, and the negation that drops a denied mention. The phrase syntax and the
matching are in veivis/nlp/matcher.py (the spaCy component built from these lists).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple

import yaml

from veivis.language import fold, language
from veivis.paths import PATTERNS_DIR

PATTERN_DIR = PATTERNS_DIR
ENTITY_FILES = ("substances.yml", "symptoms.yml", "answers.yml")


@lru_cache(maxsize=None)
def load_pattern_file(name: str) -> Dict[str, Any]:
    with open(PATTERN_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def pattern_phrases(files: Iterable[str] = ENTITY_FILES) -> List[Tuple[str, str, str]]:
    """(label, canonical value, phrase) for every phrase: «kola» → (substance, kokain, kola)."""
    return [
        (label, canonical, str(phrase))
        for name in files
        for label, entities in load_pattern_file(name)["labels"].items()
        for canonical, phrases in entities.items()
        for phrase in phrases
    ]


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

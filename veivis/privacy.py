"""Mask what could identify a user before a message is processed, stored or logged.

E-mail addresses, national ID numbers and phone numbers have a fixed shape, so a regex
finds them all. Names have no shape, so they are masked only where the words around them
say "a name comes next" (cues such as «jeg heter», «broren min»). Deterministic rules and
no name dictionary: every decision can be read here, and a list of first names would both
miss most names and mask ordinary words. What no cue announces stays readable.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet, List, Optional, Tuple

from veivis.language import fold, language
from veivis.nlp.patterns import load_pattern_file

NAME_LABEL = "[navn]"

# Order matters: a national ID (11 digits) must be masked before the phone rule sees it.
_PATTERNS = (
    # starts only where a run of address characters starts: linear, not quadratic, on
    # long runs of letters without an @
    ("[e-post]", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[fødselsnummer]", re.compile(r"(?<!\d)\d{6}[\s.-]?\d{5}(?!\d)")),
    ("[telefonnummer]", re.compile(r"(?<![\d+])(?:(?:\+|00)47[\s-]?)?(?:\d[\s-]?){7}\d(?!\d)")),
)


# ---------------------------------------------------------------- names: the cues
# The regexes below are word alternations joined by \s runs, and no two quantifiers can take
# the same character (the parts of «Kari-Anne» need the hyphen between them), so there is
# no catastrophic backtracking: matching stays linear on any input.


def _words(*words: str) -> str:
    """One alternation; æ/ø/å may be typed as ae/a, oe/o, aa/a (no Norwegian keyboard)."""
    spelled = {"æ": "(?:æ|ae|a)", "ø": "(?:ø|oe|o)", "å": "(?:å|aa|a)"}
    return "(?:" + "|".join("".join(spelled.get(c, c) for c in w) for w in words) + ")"


_HETER = _words("heter", "heiter", "het", "heitte")
_PRONOUN = _words("jeg", "eg", "han", "hun", "hu", "hen", "ho", "de", "dem", "dei")
# Relations in the definite form, with the possessive after: «broren min», «sonen vår».
_RELATION_DEF = _words(
    "sønnen", "sonen", "dattera", "datteren", "dottera", "broren", "bror'n", "søstera",
    "søsteren", "systera", "kjæresten", "kjærasten", "mannen", "kona", "konen", "venninna",
    "venninnen", "vennen", "venen", "kompisen", "kameraten", "samboeren", "sambuaren",
    "partneren", "typen", "dama", "gutten", "guten", "jenta", "jenten", "ungen", "barnet",
    "mora", "moren", "faren", "onkelen", "tanta", "tanten", "fetteren", "kusina", "kusinen",
    "bestemora", "bestemoren", "bestefaren", "naboen", "kollegaen", "eksen",
)  # fmt: skip
# Relations in the indefinite form, with the possessive before: «min sønn», «mi dotter».
_RELATION_INDEF = _words(
    "sønn", "son", "datter", "dotter", "bror", "søster", "syster", "kjæreste", "kjærast",
    "mann", "kone", "venn", "venninne", "kompis", "kamerat", "samboer", "sambuar", "partner",
    "mor", "far", "mamma", "pappa", "onkel", "tante", "fetter", "kusine", "bestemor",
    "bestefar", "nabo", "kollega", "ektemann", "ektefelle", "eks", "gutt", "jente", "unge",
)  # fmt: skip
_POSSESSIVE_AFTER = _words(
    "min", "mi", "mitt", "mine", "vår", "vårt", "våre", "hans", "hennes", "hennar", "hens",
    "deres", "sin", "si", "sitt",
)  # fmt: skip
_POSSESSIVE_BEFORE = _words("min", "mi", "mitt", "vår", "vårt", "hans", "hennes", "hennar")
_RELATION = rf"(?:{_RELATION_DEF}\s+{_POSSESSIVE_AFTER}|{_POSSESSIVE_BEFORE}\s+{_RELATION_INDEF})"

# Strong cues: the next word is a name whatever its case (people type in lower case).
_STRONG_CUES = "|".join(
    (
        # «jeg heter», «ho heiter», «broren min heter», «broren min som heter»,
        # «en venn som heter»
        rf"(?:{_PRONOUN}|{_RELATION}(?:\s+som)?|{_RELATION_INDEF}\s+som)\s+{_HETER}",
        # «mitt navn er», «navnet mitt er», «namnet hennar er», «kallenavnet mitt er»
        rf"{_words('mitt')}\s+{_words('navn', 'namn')}\s+er",
        rf"{_words('navnet', 'namnet', 'kallenavnet', 'kallenamnet', 'klengenavnet')}\s+"
        rf"{_words('mitt', 'hans', 'hennes', 'hennar', 'hens', 'vårt')}\s+er",
        r"kall\s+meg",
        # a signature: «hilsen Kari», «mvh Ola», «helsing Åse»
        _words("hilsen", "helsing", "mvh"),
    )
)
# One pass finds both kinds; at the same position a strong cue wins («broren min heter»).
# The weak cue is a relation right before the word, at most a comma between: «broren min
# Per», «kjæresten min, Ali, …» — never across a full stop.
_CUE = re.compile(
    rf"\b(?:(?P<strong>{_STRONG_CUES})\b\s*(?::\s*)?|(?P<weak>{_RELATION})(?:\s*,\s*|\s+))",
    re.IGNORECASE,
)
_LETTERS = r"[^\W\d_]+"  # letters of any alphabet: Ørjan, Åse, José
_WORD = re.compile(rf"{_LETTERS}(?:[-'’]{_LETTERS})*")  # Kari-Anne, O'Neil
_NEXT_WORD = re.compile(rf"[ \t]+({_WORD.pattern})")  # a surname: same line, no punctuation
_MAX_SURNAMES = 2  # «Ola Nordmann», «Anne Marie Hansen»


def _folded(*words: str) -> FrozenSet[str]:
    return frozenset(fold(word) for word in words)


# Words that can stand after a cue without being a name («jeg heter ikke …», «hilsen en
# bekymret mor», «kjæresten min, Han …»), and capitalised names that are not a person's.
_NOT_NAMES = _folded(
    # small words
    "det", "dette", "denne", "den", "de", "dem", "dei",
    "du", "deg", "dere", "noe", "noko", "noen", "nokon", "hva", "kva", "hvem", "kven",
    "hvordan", "korleis", "hvor", "kor", "som", "at", "og", "eller", "men", "så", "da",
    "når", "nå", "no", "her", "der", "jeg", "eg", "meg", "han", "ham", "hun", "henne", "ho",
    "hu", "hen", "vi", "oss", "en", "ei", "et", "ein", "eit", "min", "mi", "mitt", "mine",
    "din", "di", "ditt", "sin", "si", "sitt", "hennes", "hennar", "deres", "vår",
    "vårt", "til", "fra", "frå", "med", "på", "i", "av", "for", "om", "ved", "to", "tre",
    "fire", "er", "var", "blir", "ble", "har", "hadde", "heter", "heiter", "het", "navn",
    "namn",
    # how a worried writer signs («hilsen bekymret mamma») or starts («broren min, Hjelp»)
    "anonym", "ukjent", "hemmelig", "bekymret", "bekymra", "fortvilet", "fortvila",
    "desperat", "sliten", "trist", "lei", "redd", "mor", "far", "mamma", "pappa", "hei",
    "hallo", "hjelp", "takk", "unnskyld", "sorry", "tror", "tenker", "lurer", "vet", "veit",
    # verbs that follow a relation, typed with a capital («vennen min Bruker kokain»)
    "bruker", "røyker", "sniffer", "trenger", "sier", "vil", "kan", "skal", "må", "får",
    "fikk", "gikk", "kom", "ligger",
    # services and sources: capitalised, not people
    "veivis", "nav", "giftinformasjonen", "rusinfo", "blå", "kors", "helsebiblioteket",
    "mestringshusene", "helsenorge", "legevakt", "legevakta", "legevakten", "fastlege",
    "fastlegen", "politi", "politiet", "amk",
)  # fmt: skip
# Skipped after a strong cue, the name comes next: «jeg heter egentlig Kari».
_FILLERS = _folded(
    "egentlig", "eigentleg", "forresten", "visst", "faktisk", "bare", "berre", "jo", "vel",
    "liksom", "altså", "gjerne",
)  # fmt: skip
_MAX_FILLERS = 2


# ---------------------------------------------------------------- names: never these words
# The masked text is what the red-flag guard and the entity ruler read, so a word they know
# must survive. After a strong cue only substance words are kept («de heter oxy»): the slot
# is a name by construction, and keeping every known word would spare names such as Liv and
# Dag. After a weak cue the capitalised word may be a verb typed with a capital («broren
# min Puster ikke»), so every word in the red-flag, substance, symptom and answer lists is
# kept. Short stems («son*», «arm*») count as whole words, or they would spare Sondre and
# Armin.
_SUBSTANCE_FILES = ("substances.yml",)
_ALL_PATTERN_FILES = (
    "language.yml",
    "red_flags.yml",
    "substances.yml",
    "symptoms.yml",
    "answers.yml",
)
_MIN_STEM = 4


@lru_cache(maxsize=None)
def _known_words(files: Tuple[str, ...]) -> Tuple[FrozenSet[str], Tuple[str, ...]]:
    """(whole words, stems) of every phrase in resources/patterns/`files`, folded.

    Keys count too: the red-flag typo keys are words people type ("puser")."""
    whole, stems = set(), set()
    for name in files:
        for phrase in _strings(load_pattern_file(name)):
            if phrase.startswith("re:"):
                continue
            for alternative in phrase.replace("|", " ").split():
                words = fold(alternative.rstrip("*?")).split()
                if not words:
                    continue  # "~", "#"
                whole.update(words)
                if alternative.endswith("*") and len(words[-1]) >= _MIN_STEM:
                    stems.add(words[-1])
    return frozenset(whole), tuple(sorted(stems))


def _strings(node: object) -> List[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return _strings([*node.keys(), *node.values()])
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def _is_known(word: str, files: Tuple[str, ...]) -> bool:
    parts = fold(word).split()
    whole, stems = _known_words(files)
    negators = language().negators  # «jeg heter ikke …»: the shared list, not a copy
    return any(p in _NOT_NAMES or p in negators or p in whole or p.startswith(stems) for p in parts)


def _is_capitalised(word: str) -> bool:
    """«Per», «Kari-Anne»; not «PER» (a shouted word is not a sign of a name)."""
    return word[0].isupper() and not word.isupper()


def _is_name(word: str, strong: bool) -> bool:
    if strong:
        return not _is_known(word, _SUBSTANCE_FILES)
    return _is_capitalised(word) and not _is_known(word, _ALL_PATTERN_FILES)


def _name_span(text: str, start: int, strong: bool) -> Optional[Tuple[int, int]]:
    """Where the name announced by a cue ending at `start` is, or None."""
    word = _WORD.match(text, start)
    span = word.span() if word else None
    for _ in range(_MAX_FILLERS if strong else 0):
        if not span or fold(text[span[0] : span[1]]) not in _FILLERS:
            break
        after = _NEXT_WORD.match(text, span[1])
        span = after.span(1) if after else None
    if not span or not _is_name(text[span[0] : span[1]], strong):
        return None
    end = span[1]
    for _ in range(_MAX_SURNAMES):  # no cue of its own: judged like a weak-cue word
        surname = _NEXT_WORD.match(text, end)
        if not surname or not _is_name(surname.group(1), strong=False):
            break
        end = surname.end()
    return span[0], end


def mask_names(text: str) -> str:
    """Replace the names that a cue announces with [navn]; see the module docstring."""
    parts, done, pos = [], 0, 0
    while True:
        cue = _CUE.search(text, pos)
        if not cue:
            break
        span = _name_span(text, cue.end(), strong=cue.group("strong") is not None)
        if span:
            parts += [text[done : span[0]], NAME_LABEL]
            done = pos = span[1]
        else:
            pos = cue.end()
    return "".join(parts) + text[done:]


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, national ID numbers (fødselsnummer), phone numbers and
    names that a cue announces («jeg heter Kari», «broren min Per»).

    Short service numbers (113, 116 117) stay readable: only 8-digit numbers are phones.
    Substance words are never masked, nor, after a relation, any word of the red-flag,
    symptom or answer lists: the red-flag guard reads the masked text.
    """
    for label, pattern in _PATTERNS:
        text = pattern.sub(label, text)
    return mask_names(text)

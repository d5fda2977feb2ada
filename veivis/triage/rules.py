"""Triage as a pure function: the self-check's answers → one level and the reasons.

Levels, lowest to highest:
  self_help  RUSinfo, information, services for relatives
  gp         see the fastlege soon: henvisning, LAR for opioid dependence, the kommune
  urgent     legevakt 116 117 today; Giftinformasjonen for poisoning questions
  emergency  113 now

Decision table — the level is the HIGHEST row that matches; every row is a unit test
in tests/unit/test_triage.py.

| row                 | when                                                        | level     |
|---------------------|-------------------------------------------------------------|-----------|
| overdose_sign       | any sign of poisoning/overdose or life-threatening          | emergency |
|                     | withdrawal (seizures, psychosis, delirium, cardiac arrest)  |           |
| serious_withdrawal  | any more serious withdrawal sign (high blood pressure,      | urgent    |
|                     | vomiting, anxiety, suicidal thoughts, pain, fast pulse,     |           |
|                     | drowsiness)                                                 |           |
| common_withdrawal   | any common withdrawal sign                                  | gp        |
| symptoms_unknown    | symptoms not known or skipped                               | gp        |
| regular_opioids     | opioids at least weekly, or for months/years                | gp        |
| regular_cocaine     | cocaine at least weekly, or for months/years                | gp        |
| alcohol_and_cocaine | alcohol together with cocaine                               | gp        |
| daily_use           | any substance daily                                         | gp        |
| baseline            | always                                                      | self_help |

Conservative by construction: an unknown or skipped answer counts as the most
worrying answer short of an emergency (unknown substance: could be opioids, cocaine or alcohol;
unknown frequency: daily; unknown duration: years), and mixed answers take the
highest row, so "vet ikke" or contradictory answers never lower the level.
Sources: Mestringshusene (which withdrawal signs are serious; early medical
assessment), Helsebiblioteket (overdose signs, LAR), helsenorge via facts.md (113 for
symptoms of poisoning, Giftinformasjonen without symptoms, legevakt when it cannot wait).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

from veivis.nlp.patterns import substance_groups

LEVELS = ("self_help", "gp", "urgent", "emergency")
UNKNOWN = "unknown"

# Symptom ids come from data/patterns/symptoms.yml; the group ids are the self-check's buttons.
EMERGENCY_SIGNS = frozenset(
    {
        "overdose_signs",
        "unconscious",
        "not_breathing",
        "blue_lips",
        "chest_pain",
        "high_temperature",
        "seizures",
        "cardiac_arrest",
        "psychosis",
        "delirium",
        "confusion",
        "slurred_speech",
    }
)
SERIOUS_WITHDRAWAL = frozenset(
    {
        "serious_withdrawal",
        "high_blood_pressure",
        "vomiting",
        "anxiety",
        "suicidal_thoughts",
        "pain",
        "fast_pulse",
        "drowsiness",
    }
)
COMMON_WITHDRAWAL = frozenset(
    {
        "common_withdrawal",
        "withdrawal",
        "restlessness",
        "irritability",
        "chills",
        "shaking",
        "sleep_problems",
        "craving",
        "sweating",
        "muscle_pain",
        "stomach_cramps",
        "diarrhea",
    }
)
NO_SYMPTOMS = frozenset({"none"})
KNOWN_SYMPTOMS = EMERGENCY_SIGNS | SERIOUS_WITHDRAWAL | COMMON_WITHDRAWAL | NO_SYMPTOMS

REGULAR_FREQUENCIES = frozenset({"daily", "weekly", UNKNOWN})
LONG_DURATIONS = frozenset({"months", "years", UNKNOWN})

# Who to contact at each level (ids in data/contacts.yml), most relevant first.
CONTACTS_BY_LEVEL: Dict[str, Tuple[str, ...]] = {
    "emergency": ("nodtelefon",),
    "urgent": ("legevakt", "giftinformasjonen", "nodtelefon"),
    "gp": ("fastlege", "legevakt", "rusinfo"),
    "self_help": ("rusinfo", "fastlege"),
}


@dataclass(frozen=True)
class Answers:
    """What the user said; None or "unknown" where not known, skipped or not asked."""

    subject: Optional[str] = None  # "self" | "other"
    substances: FrozenSet[str] = frozenset()  # canonical names (data/patterns/substances.yml)
    alcohol_with_cocaine: Optional[str] = None  # "yes" | "no" | "unknown"
    frequency: Optional[str] = None  # "daily" | "weekly" | "monthly" | "rarely" | "unknown"
    duration: Optional[str] = None  # "days" | "weeks" | "months" | "years" | "unknown"
    symptoms: FrozenSet[str] = frozenset()  # symptom ids, "none" or "unknown"


@dataclass(frozen=True)
class Outcome:
    level: str
    reasons: Tuple[str, ...]  # row names of the table above, highest level first
    contacts: Tuple[str, ...] = field(default=())


def contacts_for(level: str, suicide: bool = False, for_other: bool = False) -> Tuple[str, ...]:
    ids = list(CONTACTS_BY_LEVEL[level])
    if suicide:
        ids.append("hjelpetelefonen")
    if for_other and level != "emergency":
        ids.append("parorendetelefonen")
    return tuple(ids)


def decide(answers: Answers) -> Outcome:
    groups = _groups(answers.substances)
    frequency = answers.frequency or UNKNOWN
    duration = answers.duration or UNKNOWN
    regular = frequency in REGULAR_FREQUENCIES or duration in LONG_DURATIONS
    symptoms = answers.symptoms or frozenset({UNKNOWN})
    unknown_symptoms = bool(symptoms - KNOWN_SYMPTOMS)  # "unknown", skipped, or unrecognised

    rows: List[Tuple[str, str]] = [
        ("overdose_sign", "emergency") if symptoms & EMERGENCY_SIGNS else None,
        ("serious_withdrawal", "urgent") if symptoms & SERIOUS_WITHDRAWAL else None,
        ("common_withdrawal", "gp") if symptoms & COMMON_WITHDRAWAL else None,
        ("symptoms_unknown", "gp") if unknown_symptoms else None,
        ("regular_opioids", "gp") if "opioid" in groups and regular else None,
        ("regular_cocaine", "gp") if "cocaine" in groups and regular else None,
        ("alcohol_and_cocaine", "gp") if _alcohol_and_cocaine(answers, groups) else None,
        ("daily_use", "gp") if frequency in ("daily", UNKNOWN) and groups else None,
        ("baseline", "self_help"),
    ]
    matched = [r for r in rows if r is not None]
    level = max((lvl for _, lvl in matched), key=LEVELS.index)
    reasons = tuple(
        name
        for name, lvl in sorted(matched, key=lambda r: -LEVELS.index(r[1]))
        if name != "baseline"
    )
    contacts = contacts_for(
        level, suicide="suicidal_thoughts" in symptoms, for_other=answers.subject == "other"
    )
    return Outcome(level=level, reasons=reasons or ("baseline",), contacts=contacts)


def _groups(substances: FrozenSet[str]) -> FrozenSet[str]:
    """Substance families; an unknown substance could be any of the riskiest ones."""
    known = substance_groups()
    groups = {known.get(s, UNKNOWN) for s in substances} or {UNKNOWN}
    if UNKNOWN in groups:
        groups |= {"opioid", "cocaine", "alcohol"}
    return frozenset(groups - {UNKNOWN})


def _alcohol_and_cocaine(answers: Answers, groups: FrozenSet[str]) -> bool:
    said_together = answers.alcohol_with_cocaine in ("yes", UNKNOWN)
    uses_both = {"alcohol", "cocaine"} <= groups and answers.alcohol_with_cocaine != "no"
    return ("cocaine" in groups and said_together) or uses_both

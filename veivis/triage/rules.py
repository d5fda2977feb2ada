"""Triage as a pure function: the self-check's answers → one level and the reasons.

Levels, lowest to highest:
  self_help  RUSinfo, information, services for relatives
  gp         see the fastlege soon: henvisning, LAR for opioid dependence, the kommune
  urgent     legevakt 116 117 today; Giftinformasjonen for poisoning questions
  emergency  113 now

Decision table — the level is the HIGHEST row that matches; every row is a unit test
in tests/unit/test_triage.py.

«Now» below means the symptoms come while using or just after (timing "using"), «after
stopping» that they come after stopping or cutting down ("stopped"); an unknown timing
counts as both (the higher row wins).

| row                   | when                                     | level     | source  |
|-----------------------|------------------------------------------|-----------|---------|
| overdose_sign         | a sign of poisoning/overdose or          | emergency | 001, F1 |
|                       | life-threatening withdrawal (seizures,   |           |         |
|                       | psychosis, delirium, chest pain …)       |           |         |
| depressant_effect_now | opioids, alcohol, benzodiazepines or GHB | emergency | 001, F2 |
|                       | now, and very drowsy                     |           |         |
| stimulant_effect_now  | cocaine, amphetamine or MDMA now, and a  | urgent    | 000, F3 |
|                       | racing heart, high blood pressure,       |           |         |
|                       | strong agitation, anxiety or paranoia    |           |         |
| serious_symptoms_now  | a more serious sign now (vomiting, pain, | urgent    | F4      |
|                       | fast pulse, anxiety, drowsiness …)       |           |         |
| serious_withdrawal    | the same signs after stopping            | urgent    | 002     |
| symptoms_while_using  | a common sign now (sweating, shaking …)  | gp        | 000,001 |
| common_withdrawal     | a common withdrawal sign after stopping  | gp        | 002     |
| symptoms_unknown      | symptoms not known or skipped            | gp        | 002     |
| regular_opioids       | opioids at least weekly, or for          | gp        | 001     |
|                       | months/years                             |           |         |
| regular_cocaine       | cocaine at least weekly, or for          | gp        | 000     |
|                       | months/years                             |           |         |
| alcohol_and_cocaine   | alcohol together with cocaine            | gp        | 000, F5 |
| long_use_stop_risk    | alcohol or benzodiazepines daily for     | gp        | F6      |
|                       | months or years: do not stop abruptly    |           |         |
| daily_use             | any substance daily                      | gp        | 000,001 |
| baseline              | always                                   | self_help | —       |

Sources: 000 Blå Kors on cocaine, 001 Helsebiblioteket on opioids, 002 Mestringshusene on
withdrawal (../shared/seeds); facts.md sections F1 «Opioid overdose» and «Cocaine /
stimulant poisoning», F2 «Benzodiazepines and sleeping pills», F3 «Cocaine / stimulant
poisoning», F4 «Numbers» (legevakt when it cannot wait), F5 «Alcohol + cocaine», F6
«Alcohol withdrawal» and «Benzodiazepines and sleeping pills».

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

# Symptom ids come from resources/patterns/symptoms.yml; the group ids are the self-check's buttons.
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
        "tiredness",
    }
)
# Effects of the drug itself, when they come while using or just after (seed 000: cocaine
# raises pulse and blood pressure; facts «Cocaine / stimulant poisoning»: agitation, fast
# pulse; seed 001 and facts «Benzodiazepines»: drowsiness from depressants).
STIMULANT_SIGNS = frozenset(
    {"fast_pulse", "high_blood_pressure", "restlessness", "anxiety", "psychosis"}
)
DEPRESSANT_SIGNS = frozenset({"drowsiness"})
STIMULANTS = frozenset({"kokain", "amfetamin", "mdma"})
DEPRESSANTS = frozenset({"alkohol", "benzodiazepiner", "ghb"})  # + every opioid
STOP_RISK = frozenset({"alkohol", "benzodiazepiner"})  # withdrawal seizures, delirium
TIMINGS = ("using", "stopped", UNKNOWN)
NO_SYMPTOMS = frozenset({"none"})
KNOWN_SYMPTOMS = EMERGENCY_SIGNS | SERIOUS_WITHDRAWAL | COMMON_WITHDRAWAL | NO_SYMPTOMS

REGULAR_FREQUENCIES = frozenset({"daily", "weekly", UNKNOWN})
LONG_DURATIONS = frozenset({"months", "years", UNKNOWN})

# Who to contact at each level (ids in resources/contacts.yml), most relevant first.
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
    substances: FrozenSet[str] = frozenset()  # canonical names (resources/patterns/substances.yml)
    alcohol_with_cocaine: Optional[str] = None  # "yes" | "no" | "unknown"
    frequency: Optional[str] = None  # "daily" | "weekly" | "monthly" | "rarely" | "unknown"
    duration: Optional[str] = None  # "days" | "weeks" | "months" | "years" | "unknown"
    symptoms: FrozenSet[str] = frozenset()  # symptom ids, "none" or "unknown"
    timing: Optional[str] = None  # "using" | "stopped" | "unknown": when the symptoms come


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

    timing = answers.timing if answers.timing in TIMINGS else UNKNOWN
    now = timing in ("using", UNKNOWN)
    after_stopping = timing in ("stopped", UNKNOWN)
    named = answers.substances or frozenset({UNKNOWN})
    known = substance_groups()
    stimulant = bool(named & STIMULANTS) or UNKNOWN in named
    depressant = (
        bool(named & DEPRESSANTS)
        or any(known.get(s) == "opioid" for s in named)
        or UNKNOWN in named
    )
    stop_risk = bool(named & STOP_RISK) or UNKNOWN in named
    long_daily = frequency in ("daily", UNKNOWN) and duration in ("months", "years", UNKNOWN)

    # paranoia right after stimulants is the drug's effect: urgent, not emergency (F3)
    only_stimulants = bool(answers.substances) and answers.substances <= STIMULANTS
    alarm = EMERGENCY_SIGNS - ({"psychosis"} if timing == "using" and only_stimulants else set())
    rows: List[Optional[Tuple[str, str]]] = [
        ("overdose_sign", "emergency") if symptoms & alarm else None,
        ("depressant_effect_now", "emergency")
        if now and depressant and symptoms & DEPRESSANT_SIGNS
        else None,
        ("stimulant_effect_now", "urgent")
        if now and stimulant and symptoms & STIMULANT_SIGNS
        else None,
        ("serious_symptoms_now", "urgent") if now and symptoms & SERIOUS_WITHDRAWAL else None,
        ("serious_withdrawal", "urgent")
        if after_stopping and symptoms & SERIOUS_WITHDRAWAL
        else None,
        ("symptoms_while_using", "gp") if now and symptoms & COMMON_WITHDRAWAL else None,
        ("common_withdrawal", "gp") if after_stopping and symptoms & COMMON_WITHDRAWAL else None,
        ("symptoms_unknown", "gp") if unknown_symptoms else None,
        ("regular_opioids", "gp") if "opioid" in groups and regular else None,
        ("regular_cocaine", "gp") if "cocaine" in groups and regular else None,
        ("alcohol_and_cocaine", "gp") if _alcohol_and_cocaine(answers, groups) else None,
        ("long_use_stop_risk", "gp") if stop_risk and long_daily else None,
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

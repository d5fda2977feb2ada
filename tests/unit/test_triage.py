"""The triage decision table, one test per row, plus the properties it promises."""

import itertools

import pytest

from veivis.nlp.patterns import canonical_values
from veivis.triage import LEVELS, Answers, decide
from veivis.triage.rules import (
    EMERGENCY_SIGNS,
    KNOWN_SYMPTOMS,
    SERIOUS_WITHDRAWAL,
)

CALM = dict(  # occasional cannabis, no symptoms: the mildest complete answer set
    subject="self",
    substances=frozenset({"cannabis"}),
    alcohol_with_cocaine=None,
    frequency="rarely",
    duration="weeks",
    symptoms=frozenset({"none"}),
)


def answers(**changes):
    return Answers(**{**CALM, **changes})


TABLE = [
    # (row, answers, level)
    ("overdose_sign", answers(symptoms=frozenset({"not_breathing"})), "emergency"),
    ("overdose_sign", answers(symptoms=frozenset({"seizures"})), "emergency"),
    ("overdose_sign", answers(symptoms=frozenset({"overdose_signs"})), "emergency"),
    ("overdose_sign", answers(symptoms=frozenset({"psychosis"})), "emergency"),
    ("serious_withdrawal", answers(symptoms=frozenset({"vomiting"})), "urgent"),
    ("serious_withdrawal", answers(symptoms=frozenset({"suicidal_thoughts"})), "urgent"),
    ("serious_withdrawal", answers(symptoms=frozenset({"high_blood_pressure"})), "urgent"),
    ("serious_withdrawal", answers(symptoms=frozenset({"serious_withdrawal"})), "urgent"),
    ("common_withdrawal", answers(symptoms=frozenset({"shaking"})), "gp"),
    ("common_withdrawal", answers(symptoms=frozenset({"common_withdrawal"})), "gp"),
    ("symptoms_unknown", answers(symptoms=frozenset({"unknown"})), "gp"),
    ("symptoms_unknown", answers(symptoms=frozenset()), "gp"),
    ("regular_opioids", answers(substances=frozenset({"heroin"}), frequency="weekly"), "gp"),
    ("regular_opioids", answers(substances=frozenset({"metadon"}), duration="years"), "gp"),
    ("regular_cocaine", answers(substances=frozenset({"kokain"}), frequency="daily"), "gp"),
    ("regular_cocaine", answers(substances=frozenset({"kokain"}), duration="months"), "gp"),
    (
        "alcohol_and_cocaine",
        answers(substances=frozenset({"kokain"}), alcohol_with_cocaine="yes"),
        "gp",
    ),
    (
        "alcohol_and_cocaine",
        answers(substances=frozenset({"kokain", "alkohol"}), alcohol_with_cocaine=None),
        "gp",
    ),
    ("daily_use", answers(frequency="daily"), "gp"),
    # intoxication (now) and withdrawal (after stopping) apart
    (
        "stimulant_effect_now",  # issue 15: racing heart after cocaine and alcohol is the drug now
        answers(
            substances=frozenset({"kokain", "alkohol"}),
            timing="using",
            symptoms=frozenset({"fast_pulse", "sweating"}),
        ),
        "urgent",
    ),
    (
        "stimulant_effect_now",
        answers(
            substances=frozenset({"amfetamin"}), timing="using", symptoms=frozenset({"psychosis"})
        ),
        "urgent",
    ),
    (
        "overdose_sign",  # paranoia after stopping: the withdrawal emergency of seed 002
        answers(
            substances=frozenset({"amfetamin"}), timing="stopped", symptoms=frozenset({"psychosis"})
        ),
        "emergency",
    ),
    (
        "stimulant_effect_now",
        answers(
            substances=frozenset({"mdma"}), timing="unknown", symptoms=frozenset({"restlessness"})
        ),
        "urgent",
    ),
    (
        "overdose_sign",
        answers(
            substances=frozenset({"kokain"}), timing="using", symptoms=frozenset({"chest_pain"})
        ),
        "emergency",
    ),
    (
        "depressant_effect_now",
        answers(
            substances=frozenset({"benzodiazepiner", "alkohol"}),
            timing="using",
            symptoms=frozenset({"drowsiness"}),
        ),
        "emergency",
    ),
    (
        "depressant_effect_now",
        answers(substances=frozenset({"heroin"}), timing=None, symptoms=frozenset({"drowsiness"})),
        "emergency",
    ),
    (
        "serious_symptoms_now",
        answers(substances=frozenset({"heroin"}), timing="using", symptoms=frozenset({"vomiting"})),
        "urgent",
    ),
    (
        "serious_withdrawal",
        answers(
            substances=frozenset({"heroin"}), timing="stopped", symptoms=frozenset({"drowsiness"})
        ),
        "urgent",
    ),
    (
        "symptoms_while_using",
        answers(substances=frozenset({"kokain"}), timing="using", symptoms=frozenset({"sweating"})),
        "gp",
    ),
    (
        "common_withdrawal",
        answers(
            substances=frozenset({"heroin"}),
            timing="stopped",
            symptoms=frozenset({"sweating", "sleep_problems"}),
        ),
        "gp",
    ),
    (
        "long_use_stop_risk",
        answers(substances=frozenset({"alkohol"}), frequency="daily", duration="years"),
        "gp",
    ),
    (
        "long_use_stop_risk",
        answers(substances=frozenset({"benzodiazepiner"}), frequency="daily", duration="months"),
        "gp",
    ),
    ("baseline", answers(), "self_help"),
    ("baseline", answers(substances=frozenset({"kokain"}), alcohol_with_cocaine="no"), "self_help"),
]


@pytest.mark.parametrize("row,given,level", TABLE, ids=[f"{r[0]}-{i}" for i, r in enumerate(TABLE)])
def test_decision_table(row, given, level):
    outcome = decide(given)
    assert outcome.level == level
    assert row in outcome.reasons


def test_every_row_of_the_table_is_tested():
    import veivis.triage.rules as rules

    documented = {
        line.split("|")[1].strip()
        for line in rules.__doc__.splitlines()
        if line.startswith("| ") and line.split("|")[1].strip() not in ("row", "")
    }
    assert documented == {row for row, _, _ in TABLE}


def test_every_pattern_symptom_has_a_severity():
    assert set(canonical_values("symptom")) <= KNOWN_SYMPTOMS


def test_serious_withdrawal_never_ends_below_urgent():
    for symptom in SERIOUS_WITHDRAWAL | EMERGENCY_SIGNS:
        for base in _answer_space():
            outcome = decide(_replace(base, symptoms=base.symptoms | {symptom}))
            assert LEVELS.index(outcome.level) >= LEVELS.index("urgent"), (symptom, base)


FIELDS = {
    "substances": [
        frozenset({"cannabis"}),
        frozenset({"kokain"}),
        frozenset({"heroin"}),
        frozenset({"kokain", "alkohol"}),
        frozenset({"unknown"}),
    ],
    "alcohol_with_cocaine": [None, "no", "yes", "unknown"],
    "frequency": ["rarely", "monthly", "weekly", "daily", "unknown"],
    "duration": ["days", "weeks", "months", "years", "unknown"],
    "symptoms": [
        frozenset({"none"}),
        frozenset({"shaking"}),
        frozenset({"vomiting"}),
        frozenset({"seizures"}),
        frozenset({"fast_pulse"}),
        frozenset({"drowsiness"}),
        frozenset({"unknown"}),
    ],
}
TIMINGS = ["using", "stopped", "unknown", None]


def _replace(a, **changes):
    return Answers(**{**a.__dict__, **changes})


def _answer_space():
    keys = list(FIELDS)
    for values in itertools.product(*(FIELDS[k] for k in keys)):
        yield Answers(subject="self", **dict(zip(keys, values)))


@pytest.mark.parametrize("field", list(FIELDS))
def test_unknown_is_never_milder_than_the_mildest_answer(field):
    """«Vet ikke» must not score lower than the calmest answer it could stand for."""
    unknown = frozenset({"unknown"}) if field in ("substances", "symptoms") else "unknown"
    mildest = FIELDS[field][0]
    for base in _answer_space():
        known = LEVELS.index(decide(_replace(base, **{field: mildest})).level)
        not_known = LEVELS.index(decide(_replace(base, **{field: unknown})).level)
        assert not_known >= known, (field, base)


@pytest.mark.parametrize("field", ["substances", "symptoms"])
def test_adding_unknown_to_an_answer_never_lowers_the_level(field):
    for base in _answer_space():
        mixed = _replace(base, **{field: getattr(base, field) | {"unknown"}})
        assert LEVELS.index(decide(mixed).level) >= LEVELS.index(decide(base).level), base


def test_mixed_symptoms_take_the_highest():
    for a, b in itertools.combinations(sorted(KNOWN_SYMPTOMS), 2):
        mixed = decide(answers(symptoms=frozenset({a, b}))).level
        single = max(
            (decide(answers(symptoms=frozenset({s}))).level for s in (a, b)), key=LEVELS.index
        )
        assert mixed == single, (a, b)


def test_contacts_follow_the_level_and_who_it_concerns():
    assert decide(answers(symptoms=frozenset({"seizures"}))).contacts[0] == "nodtelefon"
    assert decide(answers(symptoms=frozenset({"vomiting"}))).contacts[0] == "legevakt"
    assert "giftinformasjonen" in decide(answers(symptoms=frozenset({"vomiting"}))).contacts
    assert "hjelpetelefonen" in decide(answers(symptoms=frozenset({"suicidal_thoughts"}))).contacts
    assert "parorendetelefonen" in decide(answers(subject="other")).contacts
    assert "parorendetelefonen" not in decide(answers()).contacts
    assert decide(answers()).contacts[0] == "rusinfo"


def test_an_unknown_timing_is_never_milder_than_either_reading():
    """«Vet ikke» about when the symptoms come: as serious as now or after stopping."""
    for base in _answer_space():
        levels = {t: LEVELS.index(decide(_replace(base, timing=t)).level) for t in TIMINGS}
        assert levels["unknown"] >= max(levels["using"], levels["stopped"]), base
        assert levels[None] == levels["unknown"], base


def test_serious_signs_are_urgent_whenever_they_come():
    for symptom in SERIOUS_WITHDRAWAL:
        for timing in TIMINGS:
            outcome = decide(answers(symptoms=frozenset({symptom}), timing=timing))
            assert LEVELS.index(outcome.level) >= LEVELS.index("urgent"), (symptom, timing)

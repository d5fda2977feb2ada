"""The danger decision (veivis/danger/decision.py) and the guard's intent
(veivis/danger/replies.py), row by row: the tables in their docstrings."""

import pytest

from veivis.danger import decision
from veivis.danger.decision import Assessment, decide
from veivis.danger.replies import danger_intent, guarded_intent, urgent_kind

CALM = {"none": 0.98, "urgent": 0.01, "emergency": 0.01}
UNSURE_URGENT = {"none": 0.3, "urgent": 0.5, "emergency": 0.2}
SURE_EMERGENCY = {"none": 0.02, "urgent": 0.03, "emergency": 0.95}
LIKELY_EMERGENCY = {"none": 0.2, "urgent": 0.2, "emergency": 0.6}

DECISIONS = [
    # rules level, model probabilities, expected level, expected suicide flag
    ("emergency", CALM, "emergency", False),  # the rules alone are enough
    ("suicide", CALM, "emergency", True),
    ("urgent", CALM, "urgent", False),
    ("urgent", SURE_EMERGENCY, "emergency", False),  # safety wins upward
    ("near_miss", LIKELY_EMERGENCY, "none", False),  # a named near miss needs a sure model
    ("near_miss", SURE_EMERGENCY, "emergency", False),
    ("none", CALM, "none", False),
    ("none", LIKELY_EMERGENCY, "emergency", False),  # the model alone can escalate
    ("none", UNSURE_URGENT, "urgent", False),
]


@pytest.mark.parametrize("rules,probabilities,level,suicide", DECISIONS)
def test_decision_table(rules, probabilities, level, suicide):
    found = decide(rules, ("some_category",), probabilities, "negated")
    assert (found.level, found.suicide) == (level, suicide)


def test_thresholds_are_ordered_as_the_docstring_says():
    assert decision.EMERGENCY_THRESHOLD <= decision.EMERGENCY_OVER_NEAR_MISS
    assert decision.URGENT_THRESHOLD <= decision.URGENT_OVER_NEAR_MISS
    assert 0 < decision.URGENT_THRESHOLD < 1 and 0 < decision.EMERGENCY_THRESHOLD < 1


def test_every_reason_is_named():
    found = decide("none", (), LIKELY_EMERGENCY)
    assert any(r.startswith("model:") for r in found.reasons)
    found = decide("urgent", ("too_many_tablets",), CALM)
    assert found.reasons == ("rule:too_many_tablets",)


RANKING = ["emergency", "info_overdose_signs", "greet"]
EMERGENCY = Assessment("emergency", False, ("rule:not_breathing",))
SUICIDE = Assessment("emergency", True, ("rule:suicide_risk",))
URGENT = Assessment("urgent", False, ("rule:child_swallowed",))
NEAR_MISS = Assessment("none", False, ("near miss: question about signs",))
NOTHING = Assessment()

INTENTS = [
    (EMERGENCY, "greet", RANKING, "emergency"),  # danger wins over the model
    (EMERGENCY, "nlu_fallback", RANKING, "emergency"),  # low confidence
    (EMERGENCY, "out_of_scope", RANKING, "emergency"),
    (SUICIDE, "info_relatives", RANKING, "emergency_suicide"),
    (URGENT, "privacy", RANKING, "urgent"),
    (NEAR_MISS, "emergency", RANKING, "info_overdose_signs"),  # question about signs
    (NEAR_MISS, "emergency", ["emergency", "emergency_suicide"], "nlu_fallback"),
    (NEAR_MISS, "info_overdose_signs", RANKING, "info_overdose_signs"),
    (NOTHING, "emergency", RANKING, "nlu_fallback"),  # the intent model alone never decides
    (NOTHING, "urgent", ["urgent", "info_overdose_signs"], "info_overdose_signs"),
    (NOTHING, "greet", RANKING, "greet"),
    (NOTHING, None, [], "nlu_fallback"),
]


@pytest.mark.parametrize("assessment,ml_intent,ranking,expected", INTENTS)
def test_guard_table(assessment, ml_intent, ranking, expected):
    assert guarded_intent(assessment, ml_intent, ranking)[0] == expected


@pytest.mark.parametrize(
    "reasons,kind",
    [
        (("rule:child_swallowed",), "child"),
        (("rule:too_many_tablets", "rule:opioid_mix"), "poisoning"),
        (("rule:serious_withdrawal",), "withdrawal"),
        (("rule:stimulant_poisoning",), "stimulant"),
        (("model:0.10/0.70",), "general"),
    ],
)
def test_urgent_kind_follows_the_first_named_rule(reasons, kind):
    assert urgent_kind(Assessment("urgent", False, reasons)) == kind


def test_no_danger_no_intent():
    assert danger_intent(NOTHING) is None
    assert danger_intent(NEAR_MISS) is None

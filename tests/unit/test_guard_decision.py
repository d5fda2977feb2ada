"""The guard's final word on the intent (veivis/redflags/guard.py), row by row."""

import pytest

from veivis.redflags.guard import guarded_intent

RANKING = ["emergency", "info_overdose_signs", "greet"]

TABLE = [
    # detector level, ML intent, ranking, expected intent
    ("emergency", "greet", RANKING, "emergency"),  # rules win over the model
    ("emergency", "nlu_fallback", RANKING, "emergency"),  # low confidence
    ("emergency", "out_of_scope", RANKING, "emergency"),  # out of scope
    ("suicide", "emergency", RANKING, "emergency_suicide"),
    ("suicide", "info_relatives", RANKING, "emergency_suicide"),
    ("near_miss", "emergency", RANKING, "info_overdose_signs"),  # question about signs
    ("near_miss", "emergency", ["emergency", "emergency_suicide"], "nlu_fallback"),
    ("near_miss", "info_overdose_signs", RANKING, "info_overdose_signs"),
    ("none", "emergency", RANKING, "nlu_fallback"),  # the model alone never decides
    ("none", "emergency_suicide", RANKING, "nlu_fallback"),
    ("none", "greet", RANKING, "greet"),
    ("none", None, [], "nlu_fallback"),
]


@pytest.mark.parametrize("level,ml_intent,ranking,expected", TABLE)
def test_guard_table(level, ml_intent, ranking, expected):
    assert guarded_intent(level, ml_intent, ranking)[0] == expected

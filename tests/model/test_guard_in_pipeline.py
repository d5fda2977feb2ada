"""The guard fires where the model alone would not: low confidence, out of scope,
a red flag hidden in the second sentence of a long message (issue: red flags always win)."""

from pathlib import Path

import pytest
import yaml

FALLBACK_THRESHOLD = next(
    c["threshold"]
    for c in yaml.safe_load((Path(__file__).resolve().parents[2] / "config.yml").read_text())[
        "pipeline"
    ]
    if c["name"] == "FallbackClassifier"
)

CASES = [
    # (text, what the model alone must NOT have said: the condition we test)
    ("Hva blir været i morgen? Forresten, kompisen min puster ikke.", "out_of_scope_first"),
    ("lol hahaha 🙃 ok ok ... HAN ER BEVISSTLOS", "noise"),
    (
        "Jeg har lurt lenge på hvordan jeg skal fortelle familien min at jeg har brukt "
        "kokain i helgene det siste året, og at det har gått utover jobben. "
        "Akkurat nå har jeg vondt i brystet og hjertet hamrer.",
        "long_message",
    ),
]


@pytest.mark.parametrize("text,condition", CASES, ids=[c for _, c in CASES])
def test_red_flag_wins_whatever_the_model_said(parser, text, condition):
    parsed = parser.parse(text)
    assert parsed["intent"]["name"] == "emergency"
    assert parsed["red_flag"]["level"] == "emergency"


def test_the_guard_overrides_an_out_of_scope_or_unsure_model(parser):
    """At least one of the cases above was not an emergency for the model itself —
    otherwise this file would not test the guard."""
    overridden = [
        parser.parse(text)["red_flag"]
        for text, _ in CASES
        if parser.parse(text)["red_flag"]["model_intent"] != "emergency"
        or parser.parse(text)["red_flag"]["model_confidence"] < FALLBACK_THRESHOLD
    ]
    assert overridden, "every case was already an emergency for the model: pick harder ones"


def test_a_question_about_signs_gets_information_not_the_protocol(parser):
    parsed = parser.parse("hva er tegn på overdose?")
    assert parsed["intent"]["name"] not in ("emergency", "emergency_suicide")
    assert parsed["red_flag"]["level"] in ("near_miss", "none")

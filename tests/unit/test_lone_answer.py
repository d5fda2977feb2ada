"""actions/lone_answer.py: what a lone answer outside the self-check gets."""

import pytest

from actions.lone_answer import WITHOUT_QUESTION, responses_for
from veivis.understanding.retrieval import unconditional_rules

RULES = dict(unconditional_rules())

# substances named → the answer intent whose responses are sent (None: no open question)
CASES = [
    (["kokain"], "ask_about_cocaine"),
    (["alkohol"], "info_alcohol"),
    (["mdma"], "info_mdma"),
    (["cannabis"], "info_cannabis"),
    (["heroin"], "info_opioids_what"),
    (["kokain", "alkohol"], "info_alcohol_cocaine"),
    ([], None),  # «hver uke», «noen år»
]


@pytest.mark.parametrize("substances,intent", CASES)
def test_a_lone_substance_gets_its_answer(substances, intent):
    expected = (
        [a for a in RULES[intent] if a.startswith("utter_")] if intent else [WITHOUT_QUESTION]
    )
    assert responses_for(substances, RULES) == expected


def test_every_response_sent_is_in_the_domain():
    from veivis.understanding.buttons import domain_responses

    known = domain_responses()
    for substances, _ in CASES:
        for response in responses_for(substances, RULES):
            assert response in known, response

"""Typing a button's title gets the click's answer, for every button in domain/ (issue 13).

The title goes through the trained pipeline (classifier, answer finder, danger guard); it
must end with the payload's intent and entities. A title used by several buttons is left
to the classifier, so each such button's payload must be what the classifier reads.
"""

from __future__ import annotations

import pytest

from veivis.understanding.buttons import domain_buttons, parse_payload

BUTTONS = sorted(set(domain_buttons()))


@pytest.mark.parametrize(
    "response, title, payload", BUTTONS, ids=[f"{r}:{t}" for r, t, _ in BUTTONS]
)
def test_typed_title_means_the_click(parser, response, title, payload):
    from veivis.danger import assess
    from veivis.danger.replies import danger_intent

    click = parse_payload(payload)
    parsed = parser.parse(title)
    # Safety first: a title that itself names danger now («… eller tanker om selvmord»)
    # typed gets the danger answer, as any message saying so does.
    expected = danger_intent(assess(title)) or click.intent
    assert parsed["intent"]["name"] == expected, (title, parsed["intent"])
    if expected != click.intent:
        return
    found = {(e["entity"], str(e["value"])) for e in parsed["entities"]}
    assert set(click.entities) <= found, (title, parsed["entities"])


def test_every_button_is_in_the_table():
    assert len(BUTTONS) > 50

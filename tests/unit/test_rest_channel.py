"""The REST channel's own reading of a message, before Rasa (veivis/channels/rest.py)."""

import asyncio

import pytest

from veivis.channels.rest import assess_off_loop
from veivis.danger.replies import danger_intent


def level(text: str):
    return danger_intent(asyncio.run(assess_off_loop(text)))


@pytest.mark.parametrize(
    "payload",
    ['/inform{"symptom": "serious_withdrawal"}', "/dont_know", "/info_overdose_signs", "/skip"],
)
def test_a_button_payload_is_not_read_as_free_text(payload):
    assert level(payload) is None


@pytest.mark.parametrize(
    "payload, intent",
    [
        ("/emergency", "emergency"),
        ("/emergency_suicide", "emergency_suicide"),
        ("/urgent", "urgent"),
    ],
)
def test_a_danger_payload_is_danger_by_the_click(payload, intent):
    assert level(payload) == intent


def test_text_that_only_looks_like_a_payload_is_still_read():
    assert level("/ han puster ikke") == "emergency"
    assert level("han puster ikke") == "emergency"

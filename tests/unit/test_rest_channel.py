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


def test_client_metadata_does_not_reach_rasa():
    """It would be stored with the conversation; Rasa's get_metadata hook gives none."""
    from types import SimpleNamespace

    from veivis.channels.rest import VeivisRestInput

    class Store:
        async def keys(self):
            return []

        async def retrieve(self, sender):
            return None

    handed_to_rasa = []

    async def on_new_message(message):
        handed_to_rasa.append(message)
        await message.output_channel.send_text_message(message.recipient_id, "svar")

    blueprint = VeivisRestInput().blueprint(on_new_message)
    receive = next(r.handler for r in blueprint._future_routes if r.uri == "/webhook")
    body = {"sender": "meta", "message": "hei", "metadata": {"email": "kari@example.no"}}
    request = SimpleNamespace(
        json=body,
        ip="203.0.113.9",
        headers=SimpleNamespace(getall=lambda name, default: default),
        app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=Store()))),
    )
    response = asyncio.run(receive(request))
    assert response.status == 200 and [m.text for m in handed_to_rasa] == ["hei"]
    assert handed_to_rasa[0].metadata is None

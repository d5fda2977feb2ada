"""Rasa's REST channel (same URL and JSON), hardened for a public chat widget.

POST /webhooks/rest/webhook {"sender": "...", "message": "..."}
  → [{"recipient_id": ..., "text"|"buttons"|"custom": ...}, ...]

What it adds to rasa.core.channels.rest.RestInput, and why:
- malformed JSON or a missing sender gets a 400 with a JSON error, not a stack trace;
- a sender over the rate limit gets a 429 (a red flag still gets the emergency answer);
- empty and over-long messages get a friendly Norwegian reply without reaching the
  model; an over-long message that contains a red flag still gets the emergency reply;
- phone numbers, national ID numbers, e-mail addresses and names that a cue announces
  («jeg heter Kari», «broren min Per») are masked before Rasa sees the text, so they are
  never stored (veivis.privacy);
- the chat widget is served at / on the same origin (widget_routes.py);
- client metadata is dropped (it would be stored with the conversation);
- a turn that produced no reply (e.g. the action server is down) gets a clear message
  instead of silence, and if Rasa failed on a red flag, the emergency answer
  (last_resort.py); errors are logged without the user's text.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from veivis.channels.last_resort import emergency_replies, warm_up
from veivis.channels.rate_limit import RateLimiter
from veivis.channels.widget_routes import WidgetBlueprint
from veivis.danger import assess
from veivis.danger.replies import danger_intent, urgent_kind
from veivis.privacy import mask_personal_data

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128

REPLY_EMPTY = (
    "Jeg fikk en tom melding. Skriv gjerne hva du lurer på, eller trykk på en av knappene."
)
REPLY_TOO_LONG = (
    f"Meldingen din er for lang for meg (over {MAX_MESSAGE_CHARS} tegn). "
    "Kan du skrive det kortere? Er noen i fare nå, ring 113."
)
REPLY_NO_ANSWER = (
    "Beklager, jeg klarte ikke å svare ordentlig akkurat nå. Prøv igjen om litt. "
    "Er noen i fare nå, ring 113."
)
ERROR_TOO_MANY = (
    "For mange meldinger på kort tid. Vent litt og prøv igjen. Er noen i fare, ring 113."
)
ERROR_BAD_JSON = 'Forespørselen må være JSON: {"sender": "...", "message": "..."}.'
ERROR_BAD_SENDER = "Feltet «sender» mangler eller er ugyldig."
ERROR_BAD_MESSAGE = "Feltet «message» mangler eller er ikke tekst."


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _reply(sender: str, text: str) -> HTTPResponse:
    return response.json([{"recipient_id": sender, "text": text}])


def red_flag_intent(text: str) -> Optional[str]:
    """The danger intent (emergency, emergency_suicide, urgent) of the raw text, or None.

    For the paths where the message does not reach Rasa's NLU (and its guard)."""
    return danger_intent(assess(text))


def danger_replies(text: str, sender: str) -> Optional[List[Dict[str, Any]]]:
    """The emergency or urgent answer for `text`, as the rules would give it, or None."""
    assessment = assess(text)
    intent = danger_intent(assessment)
    if not intent:
        return None
    return emergency_replies(intent, sender, urgent_kind(assessment))


def prepare_text(text: str) -> Optional[str]:
    """The text Rasa should see, or None when the message is too long to process.

    A message over the cap is not read by the model, but a red flag anywhere in it
    still gets the emergency answer, as the intent payload the rules respond to.
    """
    if len(text) <= MAX_MESSAGE_CHARS:
        return mask_personal_data(text)
    intent = red_flag_intent(text)
    return "/" + intent if intent else None


class VeivisRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        warm_up()
        limiter = RateLimiter()
        # WidgetBlueprint also serves the chat page at / (veivis/channels/widget_routes.py)
        webhook = WidgetBlueprint("veivis_rest", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = _json_body(request)
            if not isinstance(body, dict):
                return _error(400, ERROR_BAD_JSON)
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return _error(400, ERROR_BAD_SENDER)
            if not isinstance(text, str):
                return _error(400, ERROR_BAD_MESSAGE)
            if not text.strip():
                return _reply(sender, REPLY_EMPTY)
            if not limiter.allow(sender):
                replies = danger_replies(text, sender)  # never rate-limit danger
                if replies:
                    return response.json(replies)
                return _error(429, ERROR_TOO_MANY)
            prepared = prepare_text(text)
            if prepared is None:
                return _reply(sender, REPLY_TOO_LONG)
            messages, failed = await _handle(on_new_message, sender, prepared, self.name())
            if failed and not messages:
                # Rasa could not answer: danger still gets the emergency or urgent
                # answer; anything else a clear message.
                replies = danger_replies(text, sender)
                if replies:
                    return response.json(replies)
            return response.json(messages or [{"recipient_id": sender, "text": REPLY_NO_ANSWER}])

        return webhook


def _json_body(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # sanic raises on malformed JSON and invalid UTF-8
        return None


async def _handle(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, text: str, channel: str
) -> Tuple[List[Dict[str, Any]], bool]:
    """The bot's messages, and whether handling failed."""
    collector = CollectingOutputChannel()
    try:
        await on_new_message(UserMessage(text, collector, sender, input_channel=channel))
    except Exception as e:  # keep serving; never log the user's text
        logger.error("Message handling failed: %s", type(e).__name__)
        return collector.messages, True
    return collector.messages, False

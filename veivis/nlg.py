"""Response generation with help numbers filled in from resources/contacts.yml.

Enabled in endpoints.yml (nlg: type: veivis.nlg.ContactsNLG). It runs inside Rasa,
not on the action server, so the emergency replies keep their numbers when the
action server is down. Responses are rendered once at start-up; a placeholder that
does not resolve stops the start-up instead of reaching a user. Only «open now» is
filled when the answer is sent.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from veivis import payloads
from veivis.contacts import fill_placeholders, triage_message
from veivis.danger.replies import DANGER_INTENTS
from veivis.triage import contacts_for
from veivis.understanding.buttons import title_for
from veivis.understanding.retrieval import last_response_of_rule


def render(value: Any) -> Any:
    """Fill placeholders in texts and expand triage payloads, recursively."""
    if isinstance(value, str):
        return fill_placeholders(value, keep_live=True)
    if isinstance(value, list):
        return [render(v) for v in value]
    if isinstance(value, dict):
        if payloads.TRIAGE in value:
            return _triage_payload(value)
        return {k: _literal_braces(v) if k == "payload" else render(v) for k, v in value.items()}
    return value


def _literal_braces(payload: str) -> str:
    # A payload like /inform{"symptom": "none"} carries JSON; Rasa's slot interpolation
    # would read {…} as a slot name, fail, and log the conversation's slot values.
    # Doubled braces are rendered back to single ones by Rasa.
    return payload.replace("{", "{{").replace("}", "}}")


def _triage_payload(custom: Dict[str, Any]) -> Dict[str, Any]:
    """A domain response's {"triage": level, …} → the full triage message: the level's
    texts and its contacts (given by id, or chosen for the level)."""
    level = custom[payloads.TRIAGE]
    ids = custom.get(payloads.CONTACTS) or contacts_for(
        level, suicide=bool(custom.get("suicide")), for_other=bool(custom.get("for_other"))
    )
    return triage_message(level, ids)


def render_responses(responses: Dict[str, List[Dict[str, Any]]]) -> Dict[str, List[Dict]]:
    return {name: [render(variant) for variant in variants] for name, variants in responses.items()}


class ContactsNLG(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    # Rasa's Agent assigns `nlg.responses = domain.responses` after loading a model
    # (rasa/core/agent.py, load_model), so rendering happens on every assignment
    # (a Rasa internal: veivis/rasa_internals.py).
    @property
    def responses(self) -> Dict[str, List[Dict[str, Any]]]:
        return self._rendered

    @responses.setter
    def responses(self, responses: Dict[str, List[Dict[str, Any]]]) -> None:
        self._rendered = render_responses(responses)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if message is not None and "[[" in (message.get("text") or ""):
            message = dict(message, text=fill_placeholders(message["text"]))  # «open now»
        if message is not None and utter_action == DID_YOU_MEAN_RESPONSE:
            message = dict(message)
            message["buttons"] = suggestion_buttons(tracker) + list(message.get("buttons") or [])
        elif message is not None and utter_action == _last_response_of_answer(tracker):
            others = _parse_data(tracker).get(ALSO_KEY) or []
            if others:
                message = dict(message)
                message["text"] = f"{message.get('text') or ''}\n\n{ALSO_TEXT}".strip()
                message["buttons"] = [_button(i) for i in others] + list(
                    message.get("buttons") or []
                )
        return message


# «Mente du …?» (veivis/nlu/answer_finder.py): one button per candidate answer.
DID_YOU_MEAN_RESPONSE = "utter_did_you_mean"
SUGGESTIONS_KEY = "veivis_suggestions"  # the parse-data key answer_finder.py sets


ALSO_KEY = "veivis_also"  # a long message's other questions (answer_finder.py)
ALSO_TEXT = "Du spurte også om:"


def _parse_data(tracker: DialogueStateTracker) -> Dict[str, Any]:
    return (tracker.latest_message.parse_data if tracker.latest_message else None) or {}


def _button(intent: str) -> Dict[str, str]:
    return {"title": title_for(intent), "payload": f"/{intent}"}


def suggestion_buttons(tracker: DialogueStateTracker) -> List[Dict[str, str]]:
    return [_button(intent) for intent in _parse_data(tracker).get(SUGGESTIONS_KEY) or []]


def _last_response_of_answer(tracker: DialogueStateTracker) -> Optional[str]:
    """The last response the rule for this turn's intent sends (the «also» buttons go there)."""
    intent = (_parse_data(tracker).get("intent") or {}).get("name")
    if not intent or intent in DANGER_INTENTS:
        return None  # nothing else beside 113 and first aid
    return last_response_of_rule(intent)

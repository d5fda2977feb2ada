"""The self-check form's validation: the order of its questions, an answer not understood
twice, corrections, and what the first message may fill.

Rasa fills the slots from the mappings in domain/selfcheck.yml; this action decides what
those mappings cannot see (the decisions are the pure functions at the top, with a table of
tests in tests/unit/test_selfcheck_form.py):

- an answer not understood gets the hint and the question again once; the second time the
  question is noted as «vet ikke» and the check goes on (issue 15);
- a relative's check that may be acute («han er ruset nå») asks about the state first;
- «nei vent, det var heroin» at a later question replaces the substances;
- symptoms said in the message that starts the check are kept, but «ingen …» there is not
  an answer (it was «ingen vet at jeg drikker», not «ingen plager»);
- what the person said about the same person's use just before the check is not asked again.

Rasa calls this action on every turn of the form. When the action server is down or late,
the validation counts as none (veivis/rasa_patches.py): the form asks its questions
without these extras, and danger is answered as always.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.selfcheck_answers import UNCLEAR_SLOT as UNCLEAR
from veivis.language import fold
from veivis.nlp.patterns import substance_groups
from veivis.understanding.topics import describes_use

HINT = "utter_selfcheck_not_understood"
NOTED_UNKNOWN = "utter_selfcheck_noted_unknown"
CORRECTED = "utter_selfcheck_corrected"
# Danger and «avbryt» are never answers: the form must reject them so that the rules
# answer (113, legevakt) — nothing may be filled from such a message, not even in passing.
DANGER_INTENTS = frozenset({"emergency", "emergency_suicide", "urgent"})
NOT_ANSWERS = DANGER_INTENTS | {"stop"}
# Intents the form's rules answer with the hint: an answer the form could not use.
UNCLEAR_INTENTS = frozenset(
    {"nlu_fallback", "did_you_mean", "out_of_scope", "inform", "affirm", "deny"}
)
LIST_SLOTS = frozenset({"substances", "symptoms"})
# The phase of a run: right after the person wrote, after the hint, or back after
# something else (an answer to a question asked in the middle of the check).
ANSWER, AFTER_HINT, RESUMED = "answer", "after_hint", "resumed"
SYMPTOM = "symptom"  # the entity
START_INTENTS = frozenset({"start_selfcheck", "start_selfcheck_other"})
# Where the look-back for earlier answers stops: an outcome, «avbryt», an earlier check.
CHECK_BOUNDARIES = frozenset(
    {"action_selfcheck_outcome", "action_selfcheck_forget", "action_deactivate_loop"}
)
# A relative who may be in a bad state now: how they are comes first.
ACUTE_ORDER = ("subject", "symptoms", "timing", "substances", "frequency", "duration")


def unknown(slot: str) -> Any:
    return ["unknown"] if slot in LIST_SLOTS else "unknown"


def question_order(domain_order: Sequence[str], subject: Optional[str], acute: bool) -> List[str]:
    if subject != "other" or not acute:
        return list(domain_order)
    first = [s for s in ACUTE_ORDER if s in domain_order]
    return first + [s for s in domain_order if s not in first]


def unclear_step(
    phase: str, requested: Optional[str], filled: Iterable[str], intent: str, unclear: Optional[str]
) -> Optional[Dict[str, Any]]:
    """Slot updates for an answer that may not have been understood, or None when the
    form should reject it (Rasa then lets the rules give the hint and ask again)."""
    filled = set(filled)
    if not requested:
        return {}
    if requested in filled:
        return {UNCLEAR: None} if unclear else {}
    if phase == AFTER_HINT:
        return {UNCLEAR: requested}
    if phase == RESUMED or filled or intent not in UNCLEAR_INTENTS:
        return {}
    if unclear == requested:  # the second answer in a row it did not understand
        return {requested: unknown(requested), UNCLEAR: None}
    return None


def corrected_substances(
    entities: Sequence[Mapping[str, Any]],
    requested: Optional[str],
    intent: str = "inform",
    set_now: Mapping[str, Any] = {},
    together: Optional[str] = None,
    text: str = "",
    current: Sequence[str] = (),
) -> Optional[Dict[str, Any]]:
    """«nei vent, det var heroin, ikke kokain» at any later question: the substances named
    (the negated one is dropped by the entity extractor) take the place of the one the
    message names as wrong — «kokain og alkohol» → «heroin og alkohol» — or, when it names
    none of the earlier ones («jeg mente heroin»), of all of them. «Together» follows, and
    what its «nei» filled from the intent alone is undone."""
    if requested == "substances":
        return None  # the slot's own mapping reads it
    names = {e["entity"] for e in entities}
    cue = "correction" in names or CORRECTION_TEXT.search(text)
    if not cue or "substance" not in names:
        return None
    named = [e["value"] for e in entities if e["entity"] == "substance"]
    earlier = [v for v in current if v != "unknown"]
    wrong = [
        v for v in earlier if v not in named and re.search(rf"\b{re.escape(fold(v))}", fold(text))
    ]
    kept = [v for v in earlier if v not in wrong] if wrong else []
    values = list(dict.fromkeys(kept + named))
    update: Dict[str, Any] = {"substances": values}
    if not any(substance_groups().get(v) == "cocaine" for v in values):
        update["alcohol_with_cocaine"] = "no"
    elif together == "no":  # cocaine now among them: «samtidig?» must be asked after all
        update["alcohol_with_cocaine"] = None
    if (
        requested is not None
        and intent in ("deny", "affirm")
        and requested in set_now
        and requested not in update
    ):
        update[requested] = None
        if requested == "symptoms" and set_now.get("timing") == "none":
            update["timing"] = None
    return update


# A correction said the plain way, beside the cue words of resources/patterns/answers.yml:
# «nei, det var heroin …» opening the message, or «ikke kokain, men heroin».
CORRECTION_TEXT = re.compile(
    r"^\W*(?:nei|neida|nope)\W+(?:vent\W+)?(?:det|d)\s+(?:var|er|va|e)\b"
    r"|\b(?:ikke|ikkje)\s+\w+\W+men\b",
    re.IGNORECASE,
)


# What a message before the check may fill: entity → slot (symptoms are not read there:
# «i går kastet han opp» is not a symptom now).
EARLIER = {
    "substance": "substances",
    "frequency": "frequency",
    "duration": "duration",
    "together": "alcohol_with_cocaine",
    "no_cocaine": "alcohol_with_cocaine",
}


def earlier_answers(
    messages: Sequence[Mapping[str, Any]], slots: Mapping[str, Any], subject: Optional[str] = None
) -> Dict[str, Any]:
    """Answers from the person's messages before the check started («jeg tok MDMA en gang
    på festival» → «Hva bruker du?» is not asked), for the slots still empty; only from
    messages that tell of the same person's use (not «kjæresten min drikker» before a check
    for oneself), not questions («hva er fentanyl», «hva skjer hvis jeg tar …»).
    `messages` are the newest first, each with its text and entities."""
    update: Dict[str, Any] = {}
    for message in messages:
        if not describes_use(message.get("text") or "", subject):
            continue
        for entity in message.get("entities") or []:
            slot = EARLIER.get(entity.get("entity"))
            if not slot or slots.get(slot) is not None or slot in update and slot != "substances":
                continue
            if slot == "substances":
                update.setdefault(slot, [])
                if entity["value"] not in update[slot]:
                    update[slot].append(entity["value"])
            else:
                update[slot] = entity["value"]
        if "substances" in update:
            break  # the newest message that names substances says which
    return update


def first_message_symptoms(said_now: Iterable[str]) -> Optional[List[str]]:
    """Symptoms the message that starts the check names; «ingen» there is no answer
    («ingen vet at jeg drikker» is not «ingen plager»)."""
    kept = [v for v in dict.fromkeys(said_now) if v not in ("none", "unknown")]
    return kept or None


class ValidateSelfcheckForm(FormValidationAction):
    def name(self) -> str:
        return "validate_selfcheck_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        return question_order(domain_slots, tracker.get_slot("subject"), _acute(tracker))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name", "")
        if intent in NOT_ANSWERS and _phase(tracker) == ANSWER:
            return []
        if (latest.get("red_flag") or {}).get("model_intent") in DANGER_INTENTS:
            # the model read danger the red-flag rules could not confirm: never «vet ikke» and
            # on — Rasa rejects it and the hint («er noen i fare nå, ring 113») is given
            intent = "unconfirmed_danger"
        events = await super().run(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        set_now = tracker.slots_to_validate()
        filled = {s for s, v in {**set_now, **_slot_events(events)}.items() if v is not None}
        filled -= {"requested_slot"}
        phase = _phase(tracker)

        update: Dict[str, Any] = {}
        if requested is None:  # the form starts: what the start message and those before say
            if intent in START_INTENTS and tracker.get_slot("symptoms") is None:
                found = latest.get("entities") or []
                named = first_message_symptoms(
                    e["value"] for e in found if e["entity"] == "symptom"
                )
                if named:
                    update["symptoms"] = named
            before = [
                {"text": e.get("text"), "entities": (e.get("parse_data") or {}).get("entities")}
                for e in _user_events_since(tracker, CHECK_BOUNDARIES)[1:4]
            ]
            slots = {**tracker.slots, **_slot_events(events)}
            update.update(earlier_answers(before, slots, tracker.get_slot("subject")))
        if phase == ANSWER:
            together = tracker.get_slot("alcohol_with_cocaine")
            found = latest.get("entities") or []
            text = latest.get("text") or ""
            current = tracker.get_slot("substances") or []
            correction = corrected_substances(
                found, requested, intent, set_now, together, text, current
            )
            if correction:
                dispatcher.utter_message(response=CORRECTED)
                update.update(correction)
                undone = {slot for slot, value in correction.items() if value is None}
                filled = (filled | set(correction)) - undone
        step = unclear_step(phase, requested, filled, intent, tracker.get_slot(UNCLEAR))
        if step is None:
            return events  # nothing validated: Rasa rejects, the rules give the hint
        if requested and step.get(requested) is not None:
            dispatcher.utter_message(response=NOTED_UNKNOWN)
        update.update(step)
        events = events + [SlotSet(slot, value) for slot, value in update.items()]
        return await self._next_question(events, dispatcher, tracker, domain)

    async def _next_question(
        self,
        events: List[EventType],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[EventType]:
        """The sdk picks the next question before our updates: pick it again after them
        (only when the order is ours; in the domain's order Rasa picks it itself)."""
        if not any(e.get("name") == "requested_slot" for e in events):
            return events
        slots = {**tracker.slots, **_slot_events(events)}
        order = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((s for s in order if slots.get(s) is None), None)
        kept = [e for e in events if e.get("name") != "requested_slot"]
        return kept + [SlotSet("requested_slot", missing)]


def _slot_events(events: Iterable[EventType]) -> Dict[str, Any]:
    return {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}


def _user_events_since(tracker: Tracker, boundaries: Iterable[str]) -> List[Dict[str, Any]]:
    """The person's messages, newest first, back to the last of the actions `boundaries`."""
    stop = set(boundaries)
    messages: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in stop:
            break
        if event.get("event") == "user":
            messages.append(event)
    return messages


def _acute(tracker: Tracker) -> bool:
    for event in _user_events_since(
        tracker, ("action_selfcheck_outcome", "action_selfcheck_forget")
    )[:4]:
        entities = (event.get("parse_data") or {}).get("entities") or []
        if any(
            e.get("entity") == "now" or (e.get("entity") == "timing" and e.get("value") == "using")
            for e in entities
        ):
            return True
    return False


def _phase(tracker: Tracker) -> str:
    since: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        since.append(event)
    if any(e.get("event") == "action" and e.get("name") == HINT for e in since):
        return AFTER_HINT
    return RESUMED if any(e.get("event") == "bot" for e in since) else ANSWER

"""The end of the self-check: summary, triage outcome, advice, and the triage message;
and forgetting the answers when the check is left with «avbryt»."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.selfcheck_answers import FORM_SLOTS, UNCLEAR_SLOT, answers_from_slots, summary_text
from veivis import payloads
from veivis.contacts import triage_message
from veivis.triage import decide

# Extra advice for some of triage's reasons (responses in domain/selfcheck.yml).
ADVICE_BY_REASON = {
    "regular_opioids": "utter_advice_lar",
    "alcohol_and_cocaine": "utter_advice_cocaethylene",
    "long_use_stop_risk": "utter_advice_do_not_stop_abruptly",
}


class ActionSelfcheckOutcome(Action):
    def name(self) -> str:
        return "action_selfcheck_outcome"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        answers = answers_from_slots(tracker.slots)
        outcome = decide(answers)

        dispatcher.utter_message(response=f"utter_outcome_{outcome.level}")
        dispatcher.utter_message(json_message=triage_message(outcome.level, outcome.contacts))
        if outcome.level == "emergency":
            dispatcher.utter_message(response="utter_emergency_first_aid")
        # The mark lets the widget offer «Lagre oppsummering»; other channels show the text.
        dispatcher.utter_message(
            text=summary_text(answers, outcome), json_message={payloads.SUMMARY: True}
        )
        for reason in outcome.reasons:
            if reason in ADVICE_BY_REASON:
                dispatcher.utter_message(response=ADVICE_BY_REASON[reason])
        if answers.subject == "other":
            dispatcher.utter_message(response="utter_advice_relatives")
        dispatcher.utter_message(response="utter_outcome_more")
        return forget_answers()


def forget_answers() -> List[Dict[str, Any]]:
    """A new self-check starts from scratch."""
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, UNCLEAR_SLOT)]


class ActionSelfcheckForget(Action):
    """After «avbryt»: the answers are forgotten, so starting again starts from scratch.
    (If the action server is down they stay, and a new check goes on where this one was.)"""

    def name(self) -> str:
        return "action_selfcheck_forget"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        return forget_answers()

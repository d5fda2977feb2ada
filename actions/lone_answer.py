"""A lone answer when no question is open: «kokain», «alkohol», «subutex?» typed on their
own outside the self-check get that substance's answer; «hver uke», «noen år» get
utter_answer_without_question (which offers the check). Inside the self-check the same
words are answers to its question, so this is a dialogue decision, not an NLU one."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from veivis.understanding import topics
from veivis.understanding.retrieval import unconditional_rules

WITHOUT_QUESTION = "utter_answer_without_question"


def responses_for(substances: Iterable[str], rules: Mapping[str, Sequence[str]]) -> List[str]:
    """The responses to send: the substance's own answer (as «hva er X?» would get it),
    or the reply that says no question is open."""
    intent = topics.answer_for_frame("what", substances)
    answer = [a for a in rules.get(intent or "", ()) if a.startswith("utter_")]
    return answer or [WITHOUT_QUESTION]


class ActionLoneAnswer(Action):
    def __init__(self) -> None:
        self.rules = dict(unconditional_rules())

    def name(self) -> str:
        return "action_lone_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        entities = tracker.latest_message.get("entities") or []
        substances = [e["value"] for e in entities if e.get("entity") == "substance"]
        for response in responses_for(substances, self.rules):
            dispatcher.utter_message(response=response)
        return []

"""After the intent classifier: typed button titles, topic words, and «Mente du …?».

Runs after the FallbackClassifier and before the red-flag guard (danger still overrides):
1. a message that is exactly a button's title gets the button's intent and entities;
2. when the classifier is unsure (nlu_fallback, or out_of_scope / low confidence while a
   known substance is named), a substance + question frame picks the answer from the
   table in veivis/understanding/topics.py;
3. else BM25 over the answers (veivis/understanding/retrieval.py): a clear winner is
   answered; out-of-scope examples matching best give `out_of_scope`; else
   up to three candidates become the intent `did_you_mean`, with the
   candidates in the parse data (SUGGESTIONS_KEY), which ContactsNLG turns into buttons.
   Before that: a worried relative who asks to go through the person's use gets the
   self-check about them, and «worry» about one's own use the self-check for oneself
   (topics.selfcheck_for);
4. a long message's other questions (veivis/understanding/also.py) go under ALSO_KEY;
   ContactsNLG offers them as buttons under the answer («Du spurte også om …»).
What the classifier said is kept under UNDERSTOOD_KEY, for tests and evaluation.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from veivis.nlg import ALSO_KEY, SUGGESTIONS_KEY
from veivis.understanding import also, buttons, retrieval, topics

DID_YOU_MEAN = "did_you_mean"
UNDERSTOOD_KEY = "veivis_understood"
BUTTON_TITLE = "button title"
UNSURE = 0.5  # below this (or the fallback), the classifier's guess is checked
# Intents that are fine to keep even when unsure: short answers and conversation basics.
KEEP = frozenset({"affirm", "deny", "dont_know", "skip", "stop", "inform", "greet", "thanks",
                  "goodbye", "restart"})  # fmt: skip


def _set_intent(message: Message, intent: str, confidence: float, how: str) -> None:
    before = message.get(INTENT) or {}
    message.set(INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}, True)
    message.set(UNDERSTOOD_KEY, {"how": how, "classifier": before.get(INTENT_NAME_KEY)}, True)


def understand(message: Message) -> None:
    text = message.get(TEXT) or ""
    if text.startswith("/"):
        return  # a payload already says what it means
    click = buttons.click_for_text(text)
    if click:
        _set_intent(message, click.intent, 1.0, BUTTON_TITLE)
        entities = [
            {"entity": name, "value": value, "start": 0, "end": len(text),
             "extractor": "AnswerFinder"}
            for name, value in click.entities
        ]  # fmt: skip
        kept = [e for e in message.get(ENTITIES, []) if e["entity"] not in dict(click.entities)]
        message.set(ENTITIES, kept + entities, True)
        return
    predicted = message.get(INTENT) or {}
    name = predicted.get(INTENT_NAME_KEY)
    confidence = float(predicted.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    substances = [e["value"] for e in message.get(ENTITIES, []) if e["entity"] == "substance"]
    unsure = name == "nlu_fallback" or (
        name not in KEEP and confidence < UNSURE and (substances or name == "out_of_scope")
    )
    someone_else = any(
        e["entity"] == "subject" and e["value"] == "other" for e in message.get(ENTITIES, [])
    )
    if topics.refusal_without_drug(name, text, substances):
        _set_intent(message, retrieval.OUT_OF_SCOPE, confidence, "refusal without a drug")
        return
    check = topics.selfcheck_for(name, text, someone_else)
    if check:  # «kan vi gå gjennom drikkinga til far?» / «jeg drikker hver kveld, er jeg …?»
        _set_intent(message, check, max(confidence, UNSURE), "self-check asked for")
        return
    if not unsure:
        _offer_other_topics(message, name, text)
        return
    intent = topics.answer_for(text, substances)
    if intent:
        _set_intent(message, intent, max(confidence, UNSURE), "topic table")
        _offer_other_topics(message, intent, text)
        return
    found = retrieval.search(text)
    if found.winner:
        _set_intent(message, found.winner, max(confidence, UNSURE), "search")
        _offer_other_topics(message, found.winner, text)
        return
    if found.out_of_scope and name == "nlu_fallback":
        # «Det kan jeg dessverre ikke hjelpe med …» names what Veivis can do; inside the
        # self-check it is an unclear answer (data/rules/selfcheck.yml)
        _set_intent(message, retrieval.OUT_OF_SCOPE, confidence, "search: out of scope")
        return
    candidates = found.candidates()
    if candidates and name == "nlu_fallback":
        _set_intent(message, DID_YOU_MEAN, confidence, "search: candidates")
        message.set(SUGGESTIONS_KEY, candidates, True)


def _offer_other_topics(message: Message, main: str | None, text: str) -> None:
    others = also.other_topics(text, main, message.get(ENTITIES, []))
    if others:
        message.set(ALSO_KEY, others, True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerFinder(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AnswerFinder:
        retrieval.answer_index()  # built at load time, not with the first message
        buttons.unambiguous_titles()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            understand(message)
        return messages

"""Last component of the NLU pipeline: danger overrides whatever the intent model said.

Runs the danger assessment (veivis/danger: rules over concepts + a learned classifier)
after the intent classifier and the FallbackClassifier, so it also fires on low-confidence
and out-of-scope messages. Emergency and urgent answers are domain responses and rules
only, so they need no action server.
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
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from veivis.danger import assess
from veivis.danger.replies import DANGER_INTENTS, URGENT_INTENT, guarded_intent, kind_entity
from veivis.nlu.answer_finder import BUTTON_TITLE, UNDERSTOOD_KEY

RED_FLAG_KEY = "red_flag"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagGuard(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagGuard:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._guard(message)
        return messages

    @staticmethod
    def _guard(message: Message) -> None:
        text = message.get(TEXT) or ""
        assessment = assess(text)
        predicted = message.get(INTENT) or {}
        ranking = [i.get(INTENT_NAME_KEY) for i in message.get(INTENT_RANKING_KEY) or []]
        intent, reason = guarded_intent(assessment, predicted.get(INTENT_NAME_KEY), ranking)
        if predicted.get(INTENT_NAME_KEY) in DANGER_INTENTS and _is_typed_button(message):
            # «Noen er i fare nå» typed is the button clicked: the user says so
            intent, reason = predicted[INTENT_NAME_KEY], "typed button title"
        if intent == URGENT_INTENT:
            message.set(ENTITIES, [*message.get(ENTITIES, []), kind_entity(assessment)], True)
        # What the model said is kept beside the decision, for tests and evaluation.
        message.set(
            RED_FLAG_KEY,
            {
                "level": assessment.level,
                "suicide": assessment.suicide,
                "categories": list(assessment.reasons),
                "reason": reason,
                "model_intent": predicted.get(INTENT_NAME_KEY),
                "model_confidence": predicted.get(PREDICTED_CONFIDENCE_KEY),
            },
            add_to_output=True,
        )
        if intent != predicted.get(INTENT_NAME_KEY):
            decided = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, decided, add_to_output=True)
            others = [
                i for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != intent
            ]
            message.set(INTENT_RANKING_KEY, [decided] + others, add_to_output=True)


def _is_typed_button(message: Message) -> bool:
    return (message.get(UNDERSTOOD_KEY) or {}).get("how") == BUTTON_TITLE

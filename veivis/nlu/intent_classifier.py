"""Rasa's LogisticRegressionClassifier, made fast enough to run on every message.

Same model, same training, same predictions (tests/unit/test_intent_classifier.py);
three things measured with py-spy and changed:
- sklearn scores a message as X @ coef_.T. coef_ is stored row-major (intents × n-grams),
  so its transpose is not C-contiguous and scipy copied the whole matrix (54 × ~30,000)
  for every message: 2.2 ms. Stored column-major: 0.01 ms.
- Rasa builds X from `get_sparse_features()`, which deep-copies and joins the token-level
  (sequence) features too, only to throw them away: X needs the sentence features only.
- the ranking is a sort of all intents as dicts; here an argsort of the probabilities.
The Rasa internals this relies on (_create_X, clf) are listed in veivis/rasa_internals.py.
"""

from __future__ import annotations

from typing import Any, List

import numpy as np
import scipy.sparse as sp
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NgramIntentClassifier(LogisticRegressionClassifier):
    def _lay_out_for_prediction(self) -> None:
        if hasattr(self, "clf") and hasattr(self.clf, "coef_"):
            self.clf.coef_ = np.asfortranarray(self.clf.coef_)

    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        self._lay_out_for_prediction()
        return resource

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> NgramIntentClassifier:
        component = super().load(*args, **kwargs)
        component._lay_out_for_prediction()
        return component

    def _create_X(self, messages: List[Message]) -> sp.csr_matrix:
        rows = []
        for message in messages:
            if message.get_dense_features(TEXT)[1] is not None:
                return super()._create_X(messages)  # not in our pipeline; Rasa's way
            sentence = [
                f.features
                for f in message.features
                if f.attribute == TEXT and f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE
            ]
            rows.append(sp.hstack(sentence, format="csr"))
        return sp.vstack(rows, format="csr")

    def process(self, messages: List[Message]) -> List[Message]:
        probabilities = self.clf.predict_proba(self._create_X(messages))
        intents = self.clf.classes_
        length = self.config[RANKING_LENGTH]
        for message, row in zip(messages, probabilities):
            order = np.argsort(-row, kind="stable")  # ties keep class order, as Rasa's sort
            if length > 0:
                order = order[:length]
            ranking = [{"name": intents[i], "confidence": row[i]} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

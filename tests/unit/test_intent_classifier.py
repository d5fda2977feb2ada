"""veivis.nlu.intent_classifier against Rasa's LogisticRegressionClassifier: the faster
feature joining, weight layout and ranking change no number and no prediction."""

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from sklearn.linear_model import LogisticRegression

from veivis.nlu.intent_classifier import NgramIntentClassifier

WORDS, CHARS = 300, 700  # feature sizes of the two CountVectorsFeaturizers


def message(seed: int) -> Message:
    """A message as the two featurizers leave it: sequence + sentence features each."""
    rng = np.random.default_rng(seed)
    m = Message(data={TEXT: f"melding {seed}"})
    tokens = int(rng.integers(1, 8))
    for origin, size in (("words", WORDS), ("chars", CHARS)):
        seq = sp.random(tokens, size, density=0.05, format="coo", random_state=seed)
        m.add_features(Features(seq, FEATURE_TYPE_SEQUENCE, TEXT, origin))
        m.add_features(
            Features(sp.coo_matrix(seq.sum(axis=0)), FEATURE_TYPE_SENTENCE, TEXT, origin)
        )
    return m


def components(clf, ranking_length=10):
    ours = object.__new__(NgramIntentClassifier)
    rasas = object.__new__(LogisticRegressionClassifier)
    for c in (ours, rasas):
        c.clf, c.config = clf, {"ranking_length": ranking_length}
    return ours, rasas


@pytest.fixture(scope="module")
def fitted():
    train = [message(i) for i in range(200)]
    y = [f"intent_{i % 12}" for i in range(200)]
    _, rasas = components(None)
    return LogisticRegression(max_iter=300).fit(rasas._create_X(train), y)


def test_same_feature_matrix_as_rasa():
    msgs = [message(1000 + i) for i in range(20)]
    ours, rasas = components(None)
    a, b = ours._create_X(msgs), rasas._create_X(msgs)
    assert a.shape == b.shape == (20, WORDS + CHARS)
    assert (a != b).nnz == 0


@pytest.mark.parametrize("ranking_length", [10, 0, 3])
def test_same_intent_and_ranking_as_rasa(fitted, ranking_length):
    ours, rasas = components(fitted, ranking_length)
    ours._lay_out_for_prediction()
    assert fitted.coef_.T.flags.c_contiguous  # the layout that avoids the copy
    for seed in range(2000, 2030):
        a, b = message(seed), message(seed)
        ours.process([a])
        rasas.process([b])
        assert a.get("intent")["name"] == b.get("intent")["name"]
        assert [r["name"] for r in a.get("intent_ranking")] == [
            r["name"] for r in b.get("intent_ranking")
        ]
        np.testing.assert_allclose(
            [r["confidence"] for r in a.get("intent_ranking")],
            [r["confidence"] for r in b.get("intent_ranking")],
            rtol=1e-12,
        )


def test_an_untrained_component_is_left_alone():
    component = object.__new__(NgramIntentClassifier)
    component._lay_out_for_prediction()  # no clf yet (Rasa's load() found no model)
    component.clf = LogisticRegression()
    component._lay_out_for_prediction()  # not fitted: no coef_
    assert not hasattr(component.clf, "coef_")

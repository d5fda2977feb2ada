"""veivis.nlu.intent_classifier: the faster weight layout changes no prediction."""

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from veivis.nlu.intent_classifier import NgramIntentClassifier


def test_column_major_weights_give_the_same_probabilities():
    rng = np.random.default_rng(0)
    X = sp.random(300, 2000, density=0.01, format="csr", random_state=1)
    y = rng.integers(0, 12, size=300)
    clf = LogisticRegression(max_iter=300).fit(X, y)
    unseen = sp.random(50, 2000, density=0.01, format="csr", random_state=2)
    before = clf.predict_proba(unseen)
    assert not clf.coef_.T.flags.c_contiguous  # what made every prediction copy it

    component = object.__new__(NgramIntentClassifier)
    component.clf = clf
    component._lay_out_for_prediction()

    assert clf.coef_.T.flags.c_contiguous
    np.testing.assert_allclose(clf.predict_proba(unseen), before, rtol=1e-12)
    assert (clf.predict(unseen) == before.argmax(axis=1)).all()


def test_an_untrained_component_is_left_alone():
    component = object.__new__(NgramIntentClassifier)
    component._lay_out_for_prediction()  # no clf yet (Rasa's load() found no model)
    component.clf = LogisticRegression()
    component._lay_out_for_prediction()  # not fitted: no coef_
    assert not hasattr(component.clf, "coef_")

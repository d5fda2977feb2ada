"""The danger classifier's one-message fast path gives sklearn's own probabilities."""

import numpy as np

from veivis.danger.classifier import LABELS, load_classifier, training_data


def test_fast_path_equals_the_pipeline_over_the_corpus():
    classifier = load_classifier()
    texts = [t for t, _ in training_data()][::7] + ["", "🙂", "x" * 3000, "HJELP!!!"]
    fast = np.array([[classifier.probabilities(t)[k] for k in LABELS] for t in texts])
    slow = np.array([[p[k] for k in LABELS] for p in classifier.probabilities_many(texts)])
    assert np.allclose(fast, slow, atol=1e-9)
    assert np.allclose(fast.sum(axis=1), 1.0)

"""Intent accuracy on the held-out Norwegian test set (tests/nlu/test_nlu.yml).

Runs the whole trained pipeline, red-flag guard included, as Rasa does in production.
Prints accuracy, a per-intent report and every miss; fails below 95 %.
"""

from collections import Counter
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

TEST_SET = Path(__file__).resolve().parents[1] / "nlu" / "test_nlu.yml"
TARGET = 0.95


def test_intent_accuracy_on_held_out_paraphrases(parser):
    examples = [
        (m.get("text"), m.get("intent")) for m in load_data(str(TEST_SET)).training_examples
    ]
    predicted = [(text, gold, parser.intent(text)) for text, gold in examples]
    misses = [(t, g, p) for t, g, p in predicted if g != p]
    accuracy = 1 - len(misses) / len(predicted)

    gold_counts = Counter(g for _, g, _ in predicted)
    wrong_by_gold = Counter(g for _, g, _ in misses)
    print(f"\nNLU test set: {len(predicted)} examples, {len(gold_counts)} intents")
    print(f"Intent accuracy: {accuracy:.1%} (target {TARGET:.0%})")
    for intent, n in sorted(gold_counts.items()):
        if wrong_by_gold[intent]:
            print(f"  {intent:28s} recall {1 - wrong_by_gold[intent] / n:.0%} of {n}")
    for text, gold, pred in misses:
        print(f"  MISS {gold} → {pred}: {text!r}")
    assert accuracy >= TARGET

"""Danger assessment quality: cross-validation on the training corpus, threshold tuning,
and figures on regression tables (blind sets) without a running server.

  python -m bench.danger_report                 # cross-validation (5-fold and by persona)
  python -m bench.danger_report --tune          # + the thresholds grid (corpus only)
  python -m bench.danger_report --cases FILE    # a run.py-style cases file, offline

Figures: emergency recall, urgent-or-higher recall, and false alarms on «none» rows
(counted twice: as emergency, and as urgent or higher).
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

from veivis.danger import decision
from veivis.danger.classifier import (
    corpus_files,
    fit,
    load_corpus_file,
    load_nlu_examples,
    prepare,
)
from veivis.redflags import detect


@dataclass
class Figures:
    emergency: Tuple[int, int]  # (found, of)
    urgent_or_more: Tuple[int, int]
    false_emergency: Tuple[int, int]
    false_urgent: Tuple[int, int]

    def line(self) -> str:
        def pct(pair: Tuple[int, int]) -> str:
            return f"{pair[0]}/{pair[1]} = {pair[0] / max(pair[1], 1):.1%}"

        return (
            f"emergency recall {pct(self.emergency)}; urgent-or-higher recall "
            f"{pct(self.urgent_or_more)}; false alarms: emergency {pct(self.false_emergency)}, "
            f"urgent or higher {pct(self.false_urgent)}"
        )


def figures(expected: Sequence[str], got: Sequence[str]) -> Figures:
    """expected: emergency | urgent | none per row; got: the assessed level."""
    rank = {"none": 0, "urgent": 1, "emergency": 2}
    pairs = list(zip(expected, got))
    emerg = [g for e, g in pairs if e == "emergency"]
    urgent = [g for e, g in pairs if e in ("emergency", "urgent")]
    calm = [g for e, g in pairs if e == "none"]
    return Figures(
        (sum(g == "emergency" for g in emerg), len(emerg)),
        (sum(rank[g] >= 1 for g in urgent), len(urgent)),
        (sum(g == "emergency" for g in calm), len(calm)),
        (sum(rank[g] >= 1 for g in calm), len(calm)),
    )


def _levels(rules: Sequence, probs: Sequence[Mapping[str, float]]) -> List[str]:
    return [decide_row(r, p) for r, p in zip(rules, probs)]


def decide_row(detection, p: Mapping[str, float]) -> str:
    return decision.decide(detection.level, detection.categories, p, detection.reason).level


def out_of_fold(texts: List[str], labels: List[str], groups: List[str] | None) -> List[Dict]:
    """Out-of-fold probabilities for the corpus rows (NLU examples always train)."""
    nlu = load_nlu_examples()
    probs: List[Dict] = [{} for _ in texts]
    if groups is None:
        folds = StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels)
    else:
        names = sorted(set(groups))
        folds = (
            (
                np.array([i for i, g in enumerate(groups) if g != name]),
                np.array([i for i, g in enumerate(groups) if g == name]),
            )
            for name in names
        )
    for train_idx, test_idx in folds:
        model = fit([(texts[i], labels[i]) for i in train_idx] + nlu)
        rows = model.predict_proba([prepare(texts[i]) for i in test_idx])
        classes = list(model.classes_)
        for i, row in zip(test_idx, rows):
            probs[i] = {c: float(row[classes.index(c)]) for c in classes}
    return probs


def corpus_with_groups() -> Tuple[List[str], List[str], List[str]]:
    texts, labels, groups = [], [], []
    for path in corpus_files():
        for text, label in load_corpus_file(path):
            texts.append(text)
            labels.append(label)
            groups.append(path.stem)
    return texts, labels, groups


def cases_file(path: Path) -> Tuple[List[str], List[str]]:
    """run.py-style cases: the last message of each case, and its expected level."""
    mapping = {"emergency": "emergency", "urgent+": "urgent", "calm": "none"}
    texts, expected = [], []
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
        if case["expect"] in mapping:
            texts.append(str(case["msgs"][-1]))
            expected.append(mapping[case["expect"]])
    return texts, expected


def tune(rules: Sequence, probs: Sequence[Mapping[str, float]], labels: Sequence[str]) -> None:
    """Print the grid: recall and false alarms for each threshold combination."""
    grid = [0.3, 0.4, 0.5, 0.6, 0.7]
    rows = []
    for e, u in itertools.product(grid, grid):
        decision.EMERGENCY_THRESHOLD, decision.URGENT_THRESHOLD = e, u
        f = figures(labels, _levels(rules, probs))
        rows.append((e, u, f))
    for e, u, f in rows:
        print(f"  E≥{e} U≥{u}: {f.line()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--cases", type=Path, action="append", default=[])
    args = parser.parse_args()
    if args.cases:
        from veivis.danger import assess

        for path in args.cases:
            texts, expected = cases_file(path)
            got = [assess(t).level for t in texts]
            print(f"{path.name}: {figures(expected, got).line()}")
        return
    texts, labels, groups = corpus_with_groups()
    rules = [detect(t) for t in texts]
    print(f"corpus: {len(texts)} messages from {len(set(groups))} writers")
    print(f"rules alone: {figures(labels, [_rule_level(r) for r in rules]).line()}")
    for name, g in (("5-fold", None), ("leave one writer out", groups)):
        probs = out_of_fold(texts, labels, g)
        print(f"{name}, rules + model: {figures(labels, _levels(rules, probs)).line()}")
        if args.tune:
            tune(rules, probs, labels)


def _rule_level(detection) -> str:
    if detection.level in ("emergency", "suicide"):
        return "emergency"
    return "urgent" if detection.level == "urgent" else "none"


if __name__ == "__main__":
    main()

"""How the two layers' readings become one danger level: a pure function, row by row a test.

Inputs: the rule-based detector's level (veivis/redflags: emergency, suicide, urgent,
near_miss, none) and the learned classifier's probabilities (veivis/danger/classifier.py).
Safety wins where they disagree, except that an explicit near miss the rules can name
(a negation, a past event, a general question, a joke, a harmless cause) needs the model
to be very sure before it escalates.

| rules say            | model says                              | level     |
|----------------------|-----------------------------------------|-----------|
| emergency / suicide  | anything                                | emergency |
| urgent               | P(emergency) ≥ EMERGENCY_OVER_RULES     | emergency |
| urgent               | otherwise                               | urgent    |
| near miss            | P(emergency) ≥ EMERGENCY_OVER_NEAR_MISS | emergency |
| near miss            | P(urgent+) ≥ URGENT_OVER_NEAR_MISS      | urgent    |
| near miss / none     | otherwise (below)                       | none      |
| none                 | P(emergency) ≥ EMERGENCY                | emergency |
| none                 | P(urgent) + P(emergency) ≥ URGENT       | urgent    |

The thresholds were chosen by cross-validation on the training corpus only
(`python -m bench.danger_report --tune`, 2026-12-01; leave-one-writer-out at these values:
emergency recall 95.5 %, urgent-or-higher 96.9 %, false alarms 12.2 % / 16.5 % on the
corpus' deliberately hard near misses); the blind sets never saw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Tuple

EMERGENCY = "emergency"
URGENT = "urgent"
NONE = "none"
LEVELS = (NONE, URGENT, EMERGENCY)

EMERGENCY_THRESHOLD = 0.5
URGENT_THRESHOLD = 0.6
EMERGENCY_OVER_RULES = 0.7
EMERGENCY_OVER_NEAR_MISS = 0.9
URGENT_OVER_NEAR_MISS = 0.95


@dataclass(frozen=True)
class Assessment:
    """One message's danger: level, whether suicide risk is part of it, and why."""

    level: str = NONE
    suicide: bool = False
    reasons: Tuple[str, ...] = ()


def decide(
    rule_level: str,
    rule_categories: Tuple[str, ...],
    probabilities: Mapping[str, float],
    rule_reason: str = "",
) -> Assessment:
    """Combine the detector's reading and the classifier's probabilities."""
    p_emergency = probabilities.get(EMERGENCY, 0.0)
    p_urgent_or_more = p_emergency + probabilities.get(URGENT, 0.0)
    rules = tuple(f"rule:{name}" for name in rule_categories)
    model = f"model:{p_emergency:.2f}/{p_urgent_or_more:.2f}"
    if rule_level in ("emergency", "suicide"):
        return Assessment(EMERGENCY, rule_level == "suicide", rules)
    if rule_level == URGENT:
        if p_emergency >= EMERGENCY_OVER_RULES:
            return Assessment(EMERGENCY, False, rules + (model,))
        return Assessment(URGENT, False, rules)
    if rule_level == "near_miss":
        near = (f"near miss: {rule_reason}",)
        if p_emergency >= EMERGENCY_OVER_NEAR_MISS:
            return Assessment(EMERGENCY, False, near + (model,))
        if p_urgent_or_more >= URGENT_OVER_NEAR_MISS:
            return Assessment(URGENT, False, near + (model,))
        return Assessment(NONE, False, near)
    if p_emergency >= EMERGENCY_THRESHOLD:
        return Assessment(EMERGENCY, False, (model,))
    if p_urgent_or_more >= URGENT_THRESHOLD:
        return Assessment(URGENT, False, (model,))
    return Assessment(NONE, False, ())

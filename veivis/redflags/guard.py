"""The guard's final word on the intent: a pure function, so every case is a unit test.

The rule-based detector decides emergencies. The ML model may add recall — an
`emergency` prediction the detector did not confirm becomes the fallback, whose reply
always says «ring 113» and offers a one-tap emergency button — but it never
starts the emergency protocol alone.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

EMERGENCY = "emergency"
EMERGENCY_SUICIDE = "emergency_suicide"
EMERGENCY_INTENTS = (EMERGENCY, EMERGENCY_SUICIDE)
FALLBACK = "nlu_fallback"


def guarded_intent(
    detection_level: str, ml_intent: Optional[str], ranking: Sequence[str] = ()
) -> Tuple[str, str]:
    """Return (intent, reason) given the detector's level and the ML intent ranking.

    detection_level: "emergency" | "suicide" | "near_miss" | "none" (veivis.redflags.detect)
    ranking: intent names, best first, as the ML model ranked them.
    """
    if detection_level == "suicide":
        return EMERGENCY_SUICIDE, "red flag: suicide risk"
    if detection_level == "emergency":
        return EMERGENCY, "red flag"
    if ml_intent not in EMERGENCY_INTENTS:
        return ml_intent or FALLBACK, ""
    if detection_level == "near_miss":
        # A question about signs, a negation or a past event: answer with the best
        # non-emergency reading (usually the information about signs).
        return _best_non_emergency(ranking), "near miss: model said emergency, rules did not"
    return FALLBACK, "model said emergency, rules found no red flag"


def _best_non_emergency(ranking: Sequence[str]) -> str:
    candidates: List[str] = [i for i in ranking if i not in EMERGENCY_INTENTS and i != FALLBACK]
    return candidates[0] if candidates else FALLBACK

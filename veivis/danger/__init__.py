"""The danger assessment run on every message: emergency (113, incl. suicide risk now),
urgent (legevakt / Giftinformasjonen) or none, with the reasons.

Two layers: the rule-based detector over concepts (veivis/redflags) and a learned
classifier of its own (classifier.py); decision.py combines them. Pure and fast (well
under a millisecond per message), with no I/O after start-up, so the channel can run it
before anything that can be slow or fail.
"""

from __future__ import annotations

from functools import lru_cache

from veivis.danger.classifier import load_classifier
from veivis.danger.decision import EMERGENCY, NONE, URGENT, Assessment, decide
from veivis.redflags import detect

# The classifier learned from chat messages of up to a few hundred characters; past the
# channel's cap (2,000) only the rules read the text («bla » × 25,000 is not an emergency).
MAX_MODEL_CHARS = 2000
NO_OPINION = {NONE: 1.0, URGENT: 0.0, EMERGENCY: 0.0}


def assess(text: str) -> Assessment:
    """The danger in one message.

    The channel assesses the message first and the NLU guard again on the same text
    (masked only if it had personal data): the last few results are kept, for texts the
    model reads (≤ MAX_MODEL_CHARS), so a message costs one assessment, not two."""
    if len(text) <= MAX_MODEL_CHARS:
        return _assess_cached(text)
    return _assess(text)


@lru_cache(maxsize=64)
def _assess_cached(text: str) -> Assessment:
    return _assess(text)


def _assess(text: str) -> Assessment:
    detection = detect(text)
    if len(text) > MAX_MODEL_CHARS:
        probabilities = NO_OPINION
    else:
        probabilities = load_classifier().probabilities(text)
    return decide(detection.level, detection.categories, probabilities, detection.reason)


__all__ = ["Assessment", "assess", "EMERGENCY", "URGENT", "NONE"]

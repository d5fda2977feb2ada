"""The emergency and urgent answers when a message does not reach Rasa, or Rasa fails.

Danger must get «Ring 113» even when other parts are down. Rasa already survives a
locked or unreachable tracker store (it falls back to memory); this covers what it does
not catch — any exception out of message handling. Then the channel answers danger
with the same responses the danger rules use — the sequence is read from
data/rules/emergency.yml, the texts from domain/, the numbers from resources/contacts.yml, the
card's heading and lead from resources/triage_levels.yml (render_responses, as the NLG) — so
this path cannot drift from the normal one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa.shared.core.domain import Domain

from veivis.danger import assess
from veivis.danger.replies import GENERAL, RULE_FOR_INTENT
from veivis.nlg import render_responses

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def _responses() -> Dict[str, List[Dict[str, Any]]]:
    return render_responses(Domain.load(str(ROOT / "domain")).responses)


@lru_cache(maxsize=None)
def _rule_actions(rule_name: str) -> List[str]:
    rules = yaml.safe_load((ROOT / "data" / "rules" / "emergency.yml").read_text("utf-8"))
    rule = next(r for r in rules["rules"] if r["rule"] == rule_name)
    return [step["action"] for step in rule["steps"] if "action" in step]


def _variant(action: str, kind: str) -> Dict[str, Any]:
    """The response variation the rules would pick (the urgent advice depends on its kind)."""
    variants = _responses()[action]
    for variant in variants:
        if any(c.get("value") == kind for c in variant.get("condition") or []):
            return variant
    return next((v for v in variants if not v.get("condition")), variants[0])


def emergency_replies(intent: str, recipient_id: str, kind: str = GENERAL) -> List[Dict[str, Any]]:
    """REST messages for a danger intent, as the rules would send them."""
    messages = []
    for action in _rule_actions(RULE_FOR_INTENT[intent]):
        variant = _variant(action, kind)
        message: Dict[str, Any] = {"recipient_id": recipient_id}
        if "text" in variant:
            message["text"] = variant["text"]
        if "custom" in variant:
            message["custom"] = variant["custom"]
        messages.append(message)
    return messages


def warm_up() -> None:
    """Load everything at start-up, not in the middle of an emergency."""
    assess("warm-up")  # the detector's patterns and the danger classifier
    for intent in RULE_FOR_INTENT:
        emergency_replies(intent, "")

"""The emergency vocabulary in one place: danger level → intent → rule → reply.

Used by the NLU guard (veivis/nlu/red_flag_guard.py), the REST channel's paths that
bypass NLU (too long, rate-limited, Rasa failed: veivis/channels/last_resort.py) and the
tests. The rules in data/rules/emergency.yml answer these intents with domain responses
only (domain/emergency.yml, domain/urgent.yml), so no action server is needed; the triage
payloads in those responses are expanded by the NLG from resources/contacts.yml and
resources/triage_levels.yml.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from veivis.danger.decision import EMERGENCY, URGENT, Assessment

EMERGENCY_INTENT = "emergency"
SUICIDE_INTENT = "emergency_suicide"
URGENT_INTENT = "urgent"
DANGER_INTENTS = (EMERGENCY_INTENT, SUICIDE_INTENT, URGENT_INTENT)
FALLBACK = "nlu_fallback"

# The urgent reply depends on what kind of urgent it is: the guard adds this entity, the
# slot of the same name selects the response variation (domain/urgent.yml).
KIND_ENTITY = "danger_kind"
GENERAL = "general"
KIND_BY_CATEGORY = {
    "child_swallowed": "child",
    "too_many_tablets": "poisoning",
    "opioid_mix": "poisoning",
    "depressant_mix": "poisoning",
    "ghb_mix": "poisoning",
    "confused_after_intake": "poisoning",
    "took_too_much": "poisoning",
    "withdrawal_seizure": "withdrawal",
    "abrupt_stop_drinking": "withdrawal",
    "withdrawal_shaking": "withdrawal",
    "serious_withdrawal": "withdrawal",
    "cannot_keep_fluids": "withdrawal",
    "very_high_blood_pressure": "withdrawal",
    "seeing_things_now": "withdrawal",
    "stimulant_poisoning": "stimulant",
    "suicidal_thoughts": "thoughts",
    "infected_injection_site": GENERAL,
}
KINDS = (GENERAL, "child", "poisoning", "withdrawal", "stimulant", "thoughts")

# Rule names in data/rules/emergency.yml, per intent (the last-resort path replays them).
RULE_FOR_INTENT = {
    EMERGENCY_INTENT: "emergency",
    SUICIDE_INTENT: "suicide risk",
    URGENT_INTENT: "urgent",
}


def danger_intent(assessment: Assessment) -> Optional[str]:
    """The intent the danger level answers with, or None when there is no danger."""
    if assessment.level == EMERGENCY:
        # suicide is set only when no medical emergency fired: then 113 + 116 123
        return SUICIDE_INTENT if assessment.suicide else EMERGENCY_INTENT
    if assessment.level == URGENT:
        return URGENT_INTENT
    return None


def urgent_kind(assessment: Assessment) -> str:
    for reason in assessment.reasons:
        kind = KIND_BY_CATEGORY.get(reason.removeprefix("rule:"))
        if kind:
            return kind
    return GENERAL


def guarded_intent(
    assessment: Assessment, ml_intent: Optional[str], ranking: Sequence[str] = ()
) -> Tuple[str, str]:
    """(intent, reason): the danger assessment's final word on the intent.

    Danger wins over any prediction. A model `emergency` intent that the assessment does
    not confirm becomes the fallback, whose reply always says «ring 113» and offers a
    one-tap emergency button; after an explicit near miss, and for an unconfirmed
    `urgent`, the best other intent.
    """
    intent = danger_intent(assessment)
    if intent:
        return intent, "; ".join(assessment.reasons) or assessment.level
    if ml_intent not in DANGER_INTENTS:
        return ml_intent or FALLBACK, ""
    if ml_intent == URGENT_INTENT or any(r.startswith("near miss") for r in assessment.reasons):
        # an unconfirmed «urgent» or a named near miss: the best reading that is not danger
        others: List[str] = [i for i in ranking if i not in DANGER_INTENTS and i != FALLBACK]
        return (others[0] if others else FALLBACK), "near miss: model intent not confirmed"
    return FALLBACK, "model intent not confirmed by the danger assessment"


def kind_entity(assessment: Assessment) -> Dict[str, object]:
    return {"entity": KIND_ENTITY, "value": urgent_kind(assessment), "extractor": "RedFlagGuard"}

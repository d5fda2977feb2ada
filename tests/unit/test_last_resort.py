"""The channel's last-resort emergency answer is the rules' answer, not a copy."""

import pytest
import yaml

from veivis.channels.last_resort import ROOT, emergency_replies
from veivis.contacts import load_contacts, load_levels


def rule_actions(name):
    rules = yaml.safe_load((ROOT / "data" / "rules" / "emergency.yml").read_text("utf-8"))["rules"]
    return [
        s["action"] for s in next(r for r in rules if r["rule"] == name)["steps"] if "action" in s
    ]


@pytest.mark.parametrize(
    "intent,rule", [("emergency", "emergency"), ("emergency_suicide", "suicide risk")]
)
def test_last_resort_sends_what_the_rule_sends(intent, rule):
    replies = emergency_replies(intent, "someone")
    assert len(replies) == len(rule_actions(rule))
    assert load_contacts()["nodtelefon"]["phone"] in replies[0]["text"]
    triage = [r["custom"] for r in replies if "custom" in r]
    assert triage and triage[0]["triage"] == "emergency" and triage[0]["contacts"]
    # the card's texts too, so the widget shows «Ring 113 nå» when Rasa failed
    assert triage[0]["heading"] == load_levels()["emergency"]["heading"]
    assert triage[0]["lead"] == load_levels()["emergency"]["lead"]
    assert all(r["recipient_id"] == "someone" for r in replies)


def test_suicide_last_resort_names_someone_to_talk_to():
    text = " ".join(r.get("text", "") for r in emergency_replies("emergency_suicide", "x"))
    assert load_contacts()["hjelpetelefonen"]["phone"] in text


@pytest.mark.parametrize(
    "kind,contact", [("child", "giftinformasjonen"), ("withdrawal", "legevakt")]
)
def test_urgent_last_resort_picks_the_variation_of_its_kind(kind, contact):
    replies = emergency_replies("urgent", "x", kind)
    assert len(replies) == len(rule_actions("urgent"))
    text = " ".join(r.get("text", "") for r in replies)
    assert load_contacts()[contact]["phone"] in text
    assert load_contacts()["nodtelefon"]["phone"] in text  # what to watch for: ring 113
    triage = [r["custom"] for r in replies if "custom" in r]
    assert triage and triage[0]["triage"] == "urgent"


def test_every_urgent_kind_has_its_own_advice_and_slot_value():
    """The kinds are written in veivis/danger/replies.py and domain/urgent.yml: one list."""
    from veivis.danger.replies import GENERAL, KIND_BY_CATEGORY, KINDS

    domain = yaml.safe_load((ROOT / "domain" / "urgent.yml").read_text("utf-8"))
    assert domain["slots"]["danger_kind"]["values"] == list(KINDS)
    assert set(KIND_BY_CATEGORY.values()) | {GENERAL} == set(KINDS)
    conditioned = {
        c["value"]
        for v in domain["responses"]["utter_urgent_advice"]
        for c in v.get("condition", [])
    }
    assert conditioned == set(KINDS) - {GENERAL}


def test_every_urgent_category_of_the_detector_has_a_kind():
    from veivis.danger.replies import KIND_BY_CATEGORY
    from veivis.redflags import load_patterns

    urgent = {c.name for c in load_patterns().categories if c.level == "urgent"}
    assert urgent == set(KIND_BY_CATEGORY)

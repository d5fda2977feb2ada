"""The self-check outcome action against offline trackers (no Rasa, no server)."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.selfcheck_answers import FORM_SLOTS, SYMPTOMS, UNCLEAR_SLOT
from actions.selfcheck_outcome import ActionSelfcheckForget, ActionSelfcheckOutcome
from veivis import payloads
from veivis.contacts import load_contacts, load_levels
from veivis.nlp.patterns import canonical_values
from veivis.triage.rules import KNOWN_SYMPTOMS


def tracker(**slots):
    return Tracker(
        sender_id="test",
        slots={name: slots.get(name) for name in FORM_SLOTS},
        latest_message={"intent": {"name": "inform"}, "entities": [], "text": ""},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="selfcheck_form",
    )


def run(**slots):
    dispatcher = CollectingDispatcher()
    events = ActionSelfcheckOutcome().run(dispatcher, tracker(**slots), {})
    responses = [m["response"] for m in dispatcher.messages if m.get("response")]
    triage = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    return responses, triage, texts, events


def phones(triage):
    return [c["phone"] for c in triage[0]["contacts"]]


def test_overdose_signs_give_113_and_first_aid():
    responses, triage, _, _ = run(
        subject="self", substances=["heroin"], frequency="daily", duration="years",
        symptoms=["not_breathing"],
    )  # fmt: skip
    assert responses[0] == "utter_outcome_emergency"
    assert "utter_emergency_first_aid" in responses
    assert triage[0]["triage"] == "emergency"
    assert load_contacts()["nodtelefon"]["phone"] in phones(triage)


def test_regular_opioid_use_points_to_the_gp_and_lar():
    responses, triage, _, _ = run(
        subject="self", substances=["heroin"], frequency="weekly", duration="years",
        symptoms=["none"],
    )  # fmt: skip
    assert triage[0]["triage"] == "gp"
    assert "utter_outcome_gp" in responses and "utter_advice_lar" in responses


def test_alcohol_with_cocaine_explains_cocaethylene():
    responses, triage, _, _ = run(
        subject="self", substances=["kokain", "alkohol"], alcohol_with_cocaine="yes",
        frequency="monthly", duration="months", symptoms=["none"],
    )  # fmt: skip
    assert "utter_advice_cocaethylene" in responses
    assert triage[0]["triage"] == "gp"


def test_serious_withdrawal_sends_to_the_legevakt_today():
    _, triage, _, _ = run(
        subject="self", substances=["metadon"], frequency="daily", duration="years",
        symptoms=["vomiting", "shaking"],
    )  # fmt: skip
    assert triage[0]["triage"] == "urgent"
    assert phones(triage)[0] == load_contacts()["legevakt"]["phone"]


def test_someone_else_gets_advice_for_relatives():
    responses, triage, _, _ = run(
        subject="other", substances=["kokain"], frequency="weekly", duration="months",
        symptoms=["unknown"], alcohol_with_cocaine="unknown",
    )  # fmt: skip
    assert "utter_advice_relatives" in responses
    assert load_contacts()["parorendetelefonen"]["phone"] in phones(triage)


def test_all_unknown_is_not_treated_as_all_clear():
    _, triage, texts, _ = run()
    assert triage[0]["triage"] != "self_help"
    assert "vet ikke" in texts[0]


def test_summary_repeats_what_the_user_said():
    _, _, texts, _ = run(
        subject="self", substances=["kokain"], frequency="daily", duration="weeks",
        symptoms=["shaking"],
    )  # fmt: skip
    summary = texts[0]
    assert "kokain" in summary
    assert SYMPTOMS["shaking"] in summary


def test_the_summary_is_sent_marked_for_the_widget_with_the_level_advice():
    dispatcher = CollectingDispatcher()
    ActionSelfcheckOutcome().run(
        dispatcher, tracker(subject="self", substances=["metadon"], frequency="daily",
                            duration="years", symptoms=["vomiting", "shaking"]), {}
    )  # fmt: skip
    marked = [m for m in dispatcher.messages if m.get("custom") == {payloads.SUMMARY: True}]
    assert len(marked) == 1
    assert marked[0]["text"].startswith("**Oppsummering av sjekken**")
    assert f"Råd: **{load_levels()['urgent']['advice']}**" in marked[0]["text"]


def test_no_symptoms_together_with_a_symptom_counts_the_symptom():
    _, triage, _, _ = run(
        subject="self", substances=["cannabis"], frequency="rarely", duration="weeks",
        symptoms=["none", "seizures"],
    )  # fmt: skip
    assert triage[0]["triage"] == "emergency"


def test_avbryt_forgets_the_answers():
    events = ActionSelfcheckForget().run(
        CollectingDispatcher(), tracker(subject="self", substances=["kokain"]), {}
    )
    assert events == [SlotSet(s, None) for s in (*FORM_SLOTS, UNCLEAR_SLOT)]


def test_a_new_self_check_starts_from_scratch():
    _, _, _, events = run(subject="self", substances=["kokain"])
    assert {e["name"] for e in events if e["event"] == "slot"} == {*FORM_SLOTS, UNCLEAR_SLOT}
    assert all(e["value"] is None for e in events) and events == [
        SlotSet(s, None) for s in (*FORM_SLOTS, UNCLEAR_SLOT)
    ]


@pytest.mark.parametrize("symptom", sorted(set(canonical_values("symptom")) | KNOWN_SYMPTOMS))
def test_every_symptom_has_a_norwegian_label(symptom):
    assert symptom in SYMPTOMS

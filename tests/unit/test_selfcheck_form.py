"""The self-check form's validation: its decisions as tables, then the action on trackers."""

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.selfcheck_answers import FORM_SLOTS, UNCLEAR_SLOT
from actions.selfcheck_form import (
    AFTER_HINT,
    ANSWER,
    HINT,
    RESUMED,
    ValidateSelfcheckForm,
    corrected_substances,
    earlier_answers,
    first_message_symptoms,
    question_order,
    unclear_step,
)
from tests.conftest import ROOT

DOMAIN_ORDER = yaml.safe_load((ROOT / "domain" / "selfcheck.yml").read_text("utf-8"))["forms"][
    "selfcheck_form"
]["required_slots"]

# phase, requested, filled this turn, intent, unclear before → slot updates (None: reject)
UNCLEAR_CASES = [
    (ANSWER, "frequency", {"frequency"}, "inform", None, {}),
    (ANSWER, "frequency", {"frequency"}, "inform", "frequency", {UNCLEAR_SLOT: None}),
    (ANSWER, "frequency", set(), "nlu_fallback", None, None),  # first time: hint, ask again
    (ANSWER, "frequency", set(), "out_of_scope", None, None),  # «hva blir været?» as well
    (
        ANSWER,
        "frequency",
        set(),
        "nlu_fallback",
        "frequency",
        {"frequency": "unknown", UNCLEAR_SLOT: None},
    ),
    (
        ANSWER,
        "symptoms",
        set(),
        "inform",
        "symptoms",
        {"symptoms": ["unknown"], UNCLEAR_SLOT: None},
    ),
    (
        ANSWER,
        "substances",
        set(),
        "affirm",
        "substances",
        {"substances": ["unknown"], UNCLEAR_SLOT: None},
    ),
    (ANSWER, "subject", set(), "deny", "subject", {"subject": "unknown", UNCLEAR_SLOT: None}),
    # unclear before, but for another question: this is the first time for this one
    (ANSWER, "duration", set(), "nlu_fallback", "frequency", None),
    # another answer filled: no judgement, the question is asked again
    (ANSWER, "frequency", {"duration"}, "inform", "frequency", {}),
    # a question, a greeting, a stop: not an answer the form could not use
    (ANSWER, "frequency", set(), "info_lar", "frequency", {}),
    (ANSWER, "frequency", set(), "stop", "frequency", {}),
    (AFTER_HINT, "frequency", set(), "nlu_fallback", None, {UNCLEAR_SLOT: "frequency"}),
    (RESUMED, "frequency", set(), "info_lar", None, {}),
    (ANSWER, None, set(), "start_selfcheck", None, {}),  # activation
]


@pytest.mark.parametrize("phase,requested,filled,intent,unclear,expected", UNCLEAR_CASES)
def test_an_answer_not_understood_twice_is_noted_as_unknown(
    phase, requested, filled, intent, unclear, expected
):
    assert unclear_step(phase, requested, filled, intent, unclear) == expected


def entities(*pairs):
    return [{"entity": e, "value": v} for e, v in pairs]


CORRECTION_CASES = [
    # «nei, det var heroin, ikke kokain» at the frequency question (kokain is negated: dropped)
    (entities(("correction", "yes"), ("substance", "heroin"), ("no_cocaine", "no")), "frequency",
     {"substances": ["heroin"], "alcohol_with_cocaine": "no"}),
    (entities(("correction", "yes"), ("substance", "kokain"), ("substance", "alkohol")), "symptoms",
     {"substances": ["kokain", "alkohol"]}),
    (entities(("substance", "heroin")), "frequency", None),  # no cue: «han tar heroin også»
    (entities(("correction", "yes")), "frequency", None),  # «feil» alone: nothing to replace
    (entities(("correction", "yes"), ("substance", "heroin")), "substances", None),  # own mapping
]  # fmt: skip


@pytest.mark.parametrize("found,requested,expected", CORRECTION_CASES)
def test_a_correction_replaces_the_substances(found, requested, expected):
    assert corrected_substances(found, requested) == expected


def test_a_correction_to_cocaine_asks_about_together_after_all():
    found = entities(("correction", "yes"), ("substance", "kokain"), ("substance", "alkohol"))
    # «together» was «no» because only heroin was named: now it must be asked
    update = corrected_substances(found, "frequency", "inform", {}, together="no")
    assert update == {"substances": ["kokain", "alkohol"], "alcohol_with_cocaine": None}
    # «nei vent, det var heroin» at the «samtidig?» question: the «no» is the correction's own
    found = entities(("correction", "yes"), ("substance", "heroin"), ("no_cocaine", "no"))
    update = corrected_substances(
        found, "alcohol_with_cocaine", "deny", {"alcohol_with_cocaine": "no"}
    )
    assert update["alcohol_with_cocaine"] == "no"


def test_a_correction_replaces_the_substance_it_names_as_wrong():
    found = entities(("substance", "heroin"), ("no_cocaine", "no"))
    text = "nei, det var heroin, ikke kokain"
    update = corrected_substances(
        found, "frequency", "inform", {}, None, text, ["kokain", "alkohol"]
    )
    assert update["substances"] == ["alkohol", "heroin"] and update["alcohol_with_cocaine"] == "no"
    # none of the earlier ones named: all of them are replaced
    update = corrected_substances(
        entities(("correction", "yes"), ("substance", "heroin")), "frequency", "inform", {},
        None, "nei vent, jeg mente heroin", ["kokain", "alkohol"],
    )  # fmt: skip
    assert update["substances"] == ["heroin"]
    # cocaine kept: «together» is not «no»
    update = corrected_substances(
        entities(("substance", "heroin"), ("no_cocaine", "no")), "frequency", "inform", {},
        None, "nei, det var heroin, ikke alkohol", ["kokain", "alkohol"],
    )  # fmt: skip
    assert update["substances"] == ["kokain", "heroin"] and "alcohol_with_cocaine" not in update


@pytest.mark.parametrize(
    "text,corrected",
    [
        ("nei, det var heroin, ikke kokain", True),  # the issue's own example
        ("Nei det er heroin han tar", True),
        ("ikke kokain, men heroin", True),
        ("i helgene, egentlig mest øl", False),  # everyday words are no correction
        ("det var heroin i starten", False),
        ("nei, han tar heroin også", False),
        ("jeg drikker ikke mye, bare øl", False),  # «ikke …, bare» limits, it does not correct
    ],
)
def test_a_correction_said_the_plain_way(text, corrected):
    found = entities(("substance", "heroin"))
    update = corrected_substances(found, "frequency", "inform", {}, None, text)
    assert (update is not None) is corrected


def test_the_nei_of_a_correction_answers_nothing():
    found = entities(("correction", "yes"), ("substance", "heroin"), ("no_cocaine", "no"))
    # «nei vent, det var heroin» at the symptoms question: «nei» filled «ingen plager»
    update = corrected_substances(
        found, "symptoms", "deny", {"symptoms": ["none"], "timing": "none"}
    )
    assert update == {
        "substances": ["heroin"], "alcohol_with_cocaine": "no", "symptoms": None, "timing": None
    }  # fmt: skip
    # a timing said this turn in words stays
    update = corrected_substances(
        found, "symptoms", "deny", {"symptoms": ["none"], "timing": "stopped"}
    )
    assert "timing" not in update and update["symptoms"] is None
    # an answer in words beside the correction («heroin, hver dag») is kept
    update = corrected_substances(found, "frequency", "inform", {"frequency": "daily"})
    assert "frequency" not in update


@pytest.mark.parametrize(
    "said_now,expected",
    [
        (["sweating", "shaking"], ["sweating", "shaking"]),
        (["none"], None),  # «ingen vet at jeg drikker»
        (["none", "sweating"], ["sweating"]),
        (["unknown"], None),
        ([], None),
    ],
)
def test_first_message_symptoms_keep_symptoms_not_ingen(said_now, expected):
    assert first_message_symptoms(said_now) == expected


def said(text, *pairs):
    return {"text": text, "entities": entities(*pairs)}


EARLIER_CASES = [
    # told of use before asking for the check: not asked again
    ([said("jeg tok MDMA en gang på festival", ("substance", "mdma"), ("frequency", "rarely"))],
     {}, {"substances": ["mdma"], "frequency": "rarely"}),
    # a question about a substance is not an answer about one's use
    ([said("hva er fentanyl", ("substance", "fentanyl"))], {}, {}),
    # what the start message (or an answer) already filled stays
    ([said("han drikker hver helg", ("substance", "alkohol"), ("frequency", "weekly"))],
     {"frequency": "daily"}, {"substances": ["alkohol"]}),
    # the newest message naming substances says which (newest first)
    ([said("nå tar han mest heroin", ("substance", "heroin")),
      said("han røykte hasj før", ("substance", "hasj"))], {}, {"substances": ["heroin"]}),
    ([said("jeg drikker og tar kokain samtidig", ("substance", "alkohol"), ("substance", "kokain"),
           ("together", "yes"))],
     {}, {"substances": ["alkohol", "kokain"], "alcohol_with_cocaine": "yes"}),
]  # fmt: skip


@pytest.mark.parametrize("messages,slots,expected", EARLIER_CASES)
def test_what_was_said_before_the_check_is_not_asked_again(messages, slots, expected):
    assert earlier_answers(messages, slots) == expected


@pytest.mark.parametrize(
    "message,subject,expected",
    [
        # someone else's use before a check for oneself: «Hva bruker du?» is still asked
        (said("kjæresten min drikker hver dag", ("substance", "alkohol"), ("frequency", "daily")),
         "self", {}),
        (said("kjæresten min drikker hver dag", ("substance", "alkohol"), ("frequency", "daily")),
         "other", {"substances": ["alkohol"], "frequency": "daily"}),
        (said("jeg drikker hver dag", ("substance", "alkohol")), "other", {}),
        # questions and suppositions tell of no use
        (said("hva skjer hvis jeg tar kokain og alkohol samtidig", ("substance", "kokain"),
              ("together", "yes")), "self", {}),
        (said("tar han GHB?", ("substance", "ghb")), "other", {}),
    ],
)  # fmt: skip
def test_earlier_answers_are_about_the_same_person_and_not_questions(message, subject, expected):
    assert earlier_answers([message], {}, subject) == expected


def test_a_relative_who_may_be_in_a_bad_state_now_is_asked_about_the_state_first():
    acute = question_order(DOMAIN_ORDER, "other", acute=True)
    assert acute[:3] == ["subject", "symptoms", "timing"]
    assert sorted(acute) == sorted(DOMAIN_ORDER)  # nothing dropped, nothing added
    assert question_order(DOMAIN_ORDER, "other", acute=False) == DOMAIN_ORDER
    assert question_order(DOMAIN_ORDER, "self", acute=True) == DOMAIN_ORDER


# The action itself, on trackers as Rasa sends them (the form's temporary tracker).
def user(text="", intent="inform", entities_=()):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}, "entities": list(entities_)},
    }


def action(name):
    return {"event": "action", "name": name}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def run(events, requested, latest, **slots):
    values = {name: None for name in (*FORM_SLOTS, UNCLEAR_SLOT)}
    values.update(slots, requested_slot=requested)
    tracker = Tracker(
        sender_id="test",
        slots=values,
        latest_message=latest["parse_data"] | {"text": latest["text"]},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "selfcheck_form"},
        latest_action_name="selfcheck_form",
    )
    domain = {"forms": {"selfcheck_form": {"required_slots": DOMAIN_ORDER}}, "slots": {}}
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateSelfcheckForm().run(dispatcher, tracker, domain))
    said = [m.get("response") for m in dispatcher.messages]
    return {e["name"]: e["value"] for e in result if e.get("event") == "slot"}, said


def test_the_action_notes_unknown_the_second_time_and_says_so():
    latest = user("hmm tja", "nlu_fallback")
    events = [user("/start_selfcheck", "start_selfcheck"), latest, action("selfcheck_form")]
    slots, said = run(events, "frequency", latest, subject="self", selfcheck_unclear="frequency")
    assert slots["frequency"] == "unknown" and slots[UNCLEAR_SLOT] is None
    assert said == ["utter_selfcheck_noted_unknown"]

    # the first time: nothing validated (Rasa rejects and the rules give the hint) …
    slots, said = run(events, "frequency", latest, subject="self")
    assert "frequency" not in slots and said == []
    # … and after the hint, the question is remembered as not understood
    after_hint = [
        *events[:2],
        action(HINT),
        {"event": "bot", "text": "…"},
        action("selfcheck_form"),
    ]
    slots, _ = run(after_hint, "frequency", latest, subject="self")
    assert slots == {UNCLEAR_SLOT: "frequency"}


def test_the_action_applies_a_correction_and_asks_the_same_question_again():
    found = entities(("correction", "yes"), ("substance", "heroin"), ("no_cocaine", "no"))
    latest = user("nei, det var heroin, ikke kokain", "inform", found)
    events = [user("/start_selfcheck", "start_selfcheck"), latest, action("selfcheck_form")]
    slots, said = run(events, "frequency", latest, subject="self", substances=["kokain"])
    assert slots["substances"] == ["heroin"] and slots["alcohol_with_cocaine"] == "no"
    assert "frequency" not in slots
    assert said == ["utter_selfcheck_corrected"]


def test_the_action_asks_a_relative_about_the_state_first_when_a_message_says_now():
    said_now = user(
        "broren min er helt borte nå", "worried_about_someone", entities(("now", "yes"))
    )
    events = [said_now, action("utter_info_relatives"), user("/start_selfcheck_other",
              "start_selfcheck_other"), action("selfcheck_form")]  # fmt: skip
    slots, _ = run(events, None, events[2], subject="other")
    assert slots["requested_slot"] == "symptoms"
    # an earlier check's messages do not count
    earlier = [said_now, action("action_selfcheck_outcome"), *events[1:]]
    slots, _ = run(earlier, None, events[2], subject="other")
    assert "requested_slot" not in slots  # the domain order: Rasa asks the substances next


@pytest.mark.parametrize("intent", ["emergency", "emergency_suicide", "urgent", "stop"])
def test_danger_and_stop_are_never_answers(intent):
    """Nothing filled (not a symptom in passing, not a correction): the form rejects the
    message and the rules answer it with 113 or the urgent advice."""
    found = entities(("symptom", "not_breathing"), ("correction", "yes"), ("substance", "heroin"))
    latest = user("nei vent, han puster ikke, han tok heroin", intent, found)
    events = [user("/start_selfcheck", "start_selfcheck"), latest, action("selfcheck_form")]
    slots, said = run(events, "frequency", latest, subject="self", selfcheck_unclear="frequency")
    assert slots == {} and said == []


def test_a_second_unclear_answer_the_model_read_as_danger_gets_the_hint_not_vet_ikke():
    """«hun er rar i blikket»: the model said emergency, the red-flag rules did not confirm
    it (nlu_fallback). It must not be noted as «vet ikke» and passed over: Rasa rejects it
    and the hint, with 113, is given."""
    latest = user("hun er rar i blikket", "nlu_fallback")
    latest["parse_data"]["red_flag"] = {"model_intent": "emergency", "level": "none"}
    events = [
        user("/start_selfcheck_other", "start_selfcheck_other"),
        latest,
        action("selfcheck_form"),
    ]
    slots, said = run(events, "frequency", latest, subject="other", selfcheck_unclear="frequency")
    assert "frequency" not in slots and said == []


def test_the_start_message_symptoms_are_read_by_the_action_not_ingen():
    found = entities(("symptom", "sweating"), ("symptom", "none"))
    latest = user("jeg vil ta sjekken, ingen vet det, men jeg svetter", "start_selfcheck", found)
    slots, _ = run([latest, action("selfcheck_form")], None, latest, subject="self")
    assert slots["symptoms"] == ["sweating"]
    latest = user("jeg vil ta sjekken, ingen vet at jeg drikker", "start_selfcheck",
                  entities(("symptom", "none")))  # fmt: skip
    slots, _ = run([latest, action("selfcheck_form")], None, latest, subject="self")
    assert "symptoms" not in slots

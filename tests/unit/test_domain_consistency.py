"""The domain hangs together: every response is used, every button leads somewhere,
every intent is trained, tested and answered, and no phone number is typed by hand."""

import json
import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data

from veivis.contacts import PLACEHOLDER, fill_placeholders, load_contacts
from veivis.nlg import render_responses

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_INTENTS = {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"}
# Responses Rasa itself or our action uses by name.
USED_BY_RASA = {"utter_default", "utter_restart"}
ACTION_FILES = list((ROOT / "actions").glob("*.py"))


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture(scope="module")
def rule_and_story_steps():
    steps = []
    for path in list((ROOT / "data" / "rules").glob("*.yml")) + list(
        (ROOT / "data" / "stories").glob("*.yml")
    ):
        data = yaml.safe_load(path.read_text()) or {}
        for block in (data.get("rules") or []) + (data.get("stories") or []):
            steps += block.get("steps", [])
    return steps


def _payload_intent(payload):
    match = re.match(r"^/(\w+)(\{.*\})?$", payload)
    assert match, f"button payload is not /intent or /intent{{json}}: {payload}"
    if match.group(2):
        json.loads(match.group(2))
    return match.group(1)


def test_every_response_is_used(domain, rule_and_story_steps):
    in_rules = {s["action"] for s in rule_and_story_steps if "action" in s}
    action_code = "\n".join(p.read_text() for p in ACTION_FILES)
    form_questions = {f"utter_ask_{s}" for f in domain.forms.values() for s in f["required_slots"]}
    unused = [
        name
        for name in domain.responses
        if name not in in_rules | USED_BY_RASA | form_questions
        and name not in action_code
        and not any(name.startswith(p) and p in action_code for p in ("utter_outcome_",))
    ]
    assert unused == []


def test_every_rule_action_exists(domain, rule_and_story_steps):
    known = set(domain.action_names_or_texts)
    missing = {s["action"] for s in rule_and_story_steps if "action" in s} - known
    assert missing == set()


def test_every_button_payload_is_a_known_intent(domain):
    intents = set(domain.intents)
    for name, variants in domain.responses.items():
        for variant in variants:
            for button in variant.get("buttons", []):
                assert _payload_intent(button["payload"]) in intents, (name, button)


def test_every_intent_is_trained_tested_and_answered(domain, rule_and_story_steps):
    trained = load_data(str(ROOT / "data" / "nlu")).intents
    tested = load_data(str(ROOT / "tests" / "nlu")).intents  # test_nlu.yml + test_nlu_written.yml
    answered = {s["intent"] for s in rule_and_story_steps if "intent" in s}
    own = set(domain.intents) - BUILTIN_INTENTS | {"out_of_scope", "restart"}
    # set by veivis/nlu/answer_finder.py, never predicted by the classifier
    from veivis.nlu.answer_finder import DID_YOU_MEAN

    assert own - trained == {DID_YOU_MEAN}
    assert own - tested == {DID_YOU_MEAN}
    # restart is answered by Rasa's default action_restart (utter_restart)
    assert own - answered - {"restart"} == set()


def test_no_phone_number_is_written_outside_contacts(domain):
    numbers = {c["phone"] for c in load_contacts().values() if c["phone"]}
    digits = {re.sub(r"\D", "", n) for n in numbers}
    for name, variants in domain.responses.items():
        text = json.dumps(variants, ensure_ascii=False)
        for n in digits:
            assert not re.search(r"(?<!\d)" + r"\s?".join(n) + r"(?!\d|\.no)", text), (name, n)


def test_every_placeholder_resolves(domain):
    rendered = json.dumps(render_responses(domain.responses), ensure_ascii=False)
    assert not PLACEHOLDER.search(fill_placeholders(rendered))  # incl. those filled when sent


def test_emergency_replies_say_113(domain):
    rendered = render_responses(domain.responses)
    for name in ("utter_emergency_call", "utter_suicide_call", "utter_outcome_emergency"):
        assert all("113" in v["text"] for v in rendered[name]), name


def test_every_information_answer_names_its_source(domain, rule_and_story_steps):
    last_actions = {}
    # one rules file per content topic, named as its domain file (domain/content/<topic>.yml)
    for topic in sorted((ROOT / "domain" / "content").glob("*.yml")):
        path = ROOT / "data" / "rules" / topic.name
        for rule in yaml.safe_load(path.read_text())["rules"]:
            actions = [s["action"] for s in rule["steps"] if "action" in s]
            last_actions[rule["steps"][0]["intent"]] = actions[-1]
    assert last_actions
    for intent, response in last_actions.items():
        assert "Kilde:" in domain.responses[response][0]["text"], intent


def test_no_braces_in_texts(domain):
    """{…} in a text is a Rasa slot placeholder; we use none (numbers come from [[…]])."""
    for name, variants in domain.responses.items():
        for variant in variants:
            assert "{" not in variant.get("text", "") and "}" not in variant.get("text", ""), name


def test_button_payloads_reach_the_user_unchanged(domain):
    """Rasa renders the NLG's doubled braces back to the payload written in the domain."""
    import asyncio

    from rasa.shared.core.trackers import DialogueStateTracker

    from veivis.nlg import ContactsNLG

    nlg = ContactsNLG(domain=domain)
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    generated = asyncio.run(nlg.generate("utter_ask_symptoms", tracker, "rest"))
    written = [b["payload"] for b in domain.responses["utter_ask_symptoms"][-1]["buttons"]]
    assert [b["payload"] for b in generated["buttons"]] == written


def _normalised(text):
    return re.sub(r"[^\w ]", "", text.lower()).strip()


def test_training_examples_are_unique_and_the_test_set_is_held_out():
    train = [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).training_examples]
    test = [m.get("text") for m in load_data(str(ROOT / "tests" / "nlu")).training_examples]
    seen = [_normalised(t) for t in train]
    assert len(seen) == len(set(seen)), "an example is repeated in data/nlu"
    assert [t for t in test if _normalised(t) in set(seen)] == []

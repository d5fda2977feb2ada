"""veivis.rasa_patches: each patch still fits the Rasa code it replaces, and behaves the same."""

import jsonschema
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

from veivis import rasa_patches

REPLIES = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "triage", "value": "gp"}],
        "responses": [{"response": "utter_outcome_gp"}, {"text": "hei"}],
    },  # fmt: skip
    {"events": [{"event": "followup", "name": "action_listen"}]},
    {
        "events": [
            {"event": "active_loop", "name": "selfcheck_form"},
            {"event": "slot", "name": "requested_slot", "value": None, "timestamp": 1.5},
            {"event": "action_execution_rejected", "name": "selfcheck_form"},
            {"event": "reset_slots"},
            {"event": "restart"},
            {"event": "bot", "text": "hei", "data": {"buttons": []}, "metadata": {}},
        ],
        "responses": [{"text": "hei", "buttons": [{"title": "Ja", "payload": "/affirm"}]}],
    },  # fmt: skip
    {"events": [{"event": "slot", "name": 3}]},  # a name that is no string
    {"events": [{"event": "active_loop", "name": 3}]},
    {"events": [{"name": "action_listen"}]},  # no event kind
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["not an object"]},
    "not an object",
]


def rasa_says(reply) -> bool:
    try:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


@pytest.mark.parametrize("reply", REPLIES)
def test_action_reply_check_agrees_with_rasas(reply):
    action = RemoteAction("action_selfcheck_outcome", None)
    if rasa_says(reply):
        assert rasa_patches._validate_action_result(action, reply) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Action server response"):
            rasa_patches._validate_action_result(action, reply)


def test_both_kinds_of_reply_are_in_the_table():
    assert {rasa_says(r) for r in REPLIES} == {True, False}


def test_patches_apply_to_the_code_they_replace(monkeypatch):
    import rasa.telemetry

    sentry_setup = rasa.telemetry.initialize_error_reporting
    monkeypatch.setattr(rasa.telemetry, "initialize_error_reporting", sentry_setup)
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.domain import Domain

    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
    monkeypatch.setattr(Domain, "is_empty", Domain.is_empty)
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    from rasa.core.actions.forms import FormAction
    from rasa.core.policies.rule_policy import RulePolicy

    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RulePolicy._get_possible_keys)
    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    monkeypatch.setattr(
        FormAction, "_create_unique_entity_mappings", FormAction._create_unique_entity_mappings
    )
    # what the graph patch relies on, as Rasa 3.6 has it
    for name in ("_build_dask_graph", "_add_inputs_to_graph"):
        assert callable(getattr(DaskGraphRunner, name))
    rasa_patches.apply_all()
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result
    assert rasa.telemetry.initialize_error_reporting is not sentry_setup
    assert DaskGraphRunner.run is rasa_patches._run_graph
    assert Domain.is_empty is rasa_patches._is_empty
    assert RemoteAction.run is rasa_patches._bounded_remote_run
    assert RulePolicy._get_possible_keys is rasa_patches._possible_keys
    assert RemoteAction._action_call_format is rasa_patches._call_format_without_responses
    assert FormAction._create_unique_entity_mappings is rasa_patches._unique_entity_mappings
    assert rasa_patches.not_applied() == []


def test_domain_emptiness_is_still_right():
    from rasa.shared.core.domain import Domain

    rasa_patches.domain_emptiness_once()
    assert Domain.empty().is_empty()
    assert not Domain.from_dict({"intents": ["hei"]}).is_empty()


def test_loading_the_classifier_does_not_silence_info_logs():
    import logging

    rasa_patches.log_level_kept()
    root = logging.getLogger()
    before = root.level
    try:
        root.setLevel(logging.INFO)  # what Rasa's logging set-up does after the patches
        import skops.io  # noqa: F401  what loading the intent classifier imports

        assert root.level == logging.INFO
    finally:
        root.setLevel(before)


def test_a_frozen_action_server_call_ends_with_rasas_own_error(monkeypatch):
    """Rasa's processor catches the RasaException and goes on; it would wait 5 minutes."""
    import asyncio
    import inspect

    from rasa.shared.exceptions import RasaException

    from veivis import timeouts

    rasa_patches.bounded_action_calls()
    original = rasa_patches._original_remote_run
    # the wrapper passes Rasa's arguments on unchanged
    assert list(inspect.signature(original).parameters) == [
        "self", "output_channel", "nlg", "tracker", "domain"
    ]  # fmt: skip
    never = asyncio.Event()

    async def frozen(self, *args, **kwargs):
        await never.wait()

    async def quick(self, *args, **kwargs):
        return ["events"]

    monkeypatch.setattr(timeouts, "ACTION_TIMEOUT_S", 0.05)
    action = RemoteAction("action_selfcheck_outcome", None)
    monkeypatch.setattr(rasa_patches, "_original_remote_run", frozen)
    with pytest.raises(RasaException, match="did not answer"):
        asyncio.run(rasa_patches._bounded_remote_run(action, None, None, None, None))
    monkeypatch.setattr(rasa_patches, "_original_remote_run", quick)
    assert asyncio.run(rasa_patches._bounded_remote_run(action, None, None, None, None)) == [
        "events"
    ]


@pytest.mark.parametrize("fault", ["frozen", "unreachable"])
def test_a_failed_form_validation_is_no_validation(monkeypatch, fault):
    """The self-check's validation failing must not stop the form: no events, as for a
    form without one. Any other action still raises (the processor reports it)."""
    import asyncio

    from rasa.shared.exceptions import RasaException

    from veivis import timeouts

    rasa_patches.bounded_action_calls()

    async def failing(self, *args, **kwargs):
        if fault == "frozen":
            await asyncio.Event().wait()
        raise RasaException("Failed to execute custom action.")

    monkeypatch.setattr(timeouts, "ACTION_TIMEOUT_S", 0.05)
    monkeypatch.setattr(rasa_patches, "_original_remote_run", failing)
    validation = RemoteAction("validate_selfcheck_form", None)
    assert asyncio.run(rasa_patches._bounded_remote_run(validation, None, None, None, None)) == []
    outcome = RemoteAction("action_selfcheck_outcome", None)
    with pytest.raises(RasaException):
        asyncio.run(rasa_patches._bounded_remote_run(outcome, None, None, None, None))

    async def answered_with_an_error(self, *args, **kwargs):
        from aiohttp import ClientResponseError

        raise RasaException("Failed to execute custom action") from ClientResponseError(
            None, (), status=500
        )

    monkeypatch.setattr(rasa_patches, "_original_remote_run", answered_with_an_error)
    with pytest.raises(RasaException):  # a crash in the action is a fault to see, not «none»
        asyncio.run(rasa_patches._bounded_remote_run(validation, None, None, None, None))

    async def rejecting(self, *args, **kwargs):
        raise ActionExecutionRejection(self.name())

    monkeypatch.setattr(rasa_patches, "_original_remote_run", rejecting)
    with pytest.raises(ActionExecutionRejection):  # the action's answer, not a fault
        asyncio.run(rasa_patches._bounded_remote_run(validation, None, None, None, None))


def test_no_user_text_reaches_a_structured_log_line(monkeypatch, caplog):
    """With the patch, Rasa's own structlog set-up redacts the text even at debug level."""
    import json
    import logging

    import rasa.utils.log_utils
    import structlog

    monkeypatch.setattr(rasa.utils.log_utils, "_anonymizer", rasa.utils.log_utils._anonymizer)
    rasa_patches.no_text_in_logs()
    root_level = logging.getLogger().level
    structlog_config = structlog.get_config()
    rasa.utils.log_utils.configure_structlog(logging.DEBUG)  # not a tty here: JSON lines
    try:
        with caplog.at_level(logging.DEBUG):
            structlog.get_logger().debug(
                "processor.message.parse",
                parse_data_text="han puster ikke, Kari Nordmann 12345678",
                parse_data_intent={"name": "emergency"},
            )
        line = json.loads(caplog.records[-1].getMessage())
    finally:
        structlog.configure(**structlog_config)  # as before: later tests log as they did
        logging.getLogger().setLevel(root_level)
    assert line["event"] == "processor.message.parse"
    assert line["parse_data_text"] == rasa_patches.REMOVED
    assert line["parse_data_intent"] == {"name": "emergency"}
    assert "Kari" not in caplog.text


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    from veivis.paths import DOMAIN_DIR

    return Domain.load(str(DOMAIN_DIR))


def test_unique_entity_mappings_are_rasas(domain, monkeypatch):
    from rasa.core.actions.forms import FormAction

    monkeypatch.setattr(
        FormAction, "_create_unique_entity_mappings", FormAction._create_unique_entity_mappings
    )
    rasa_patches.unique_entity_mappings_once()
    original = rasa_patches._original_unique_mappings
    assert domain.form_names  # the self-check
    for form in domain.form_names:
        rasa_says = original(FormAction(form, None), domain)
        assert rasa_says  # the self-check has mappings unique to one slot
        for _ in range(2):  # the first answer, then the remembered one
            assert FormAction(form, None)._create_unique_entity_mappings(domain) == rasa_says
        # a caller that changes its set does not change the remembered one
        FormAction(form, None)._create_unique_entity_mappings(domain).clear()
        assert FormAction(form, None)._create_unique_entity_mappings(domain) == rasa_says


def test_actions_get_every_part_of_the_domain_they_read(domain, monkeypatch):
    """The action server is sent the domain without its response texts: every key that
    rasa_sdk or actions/ reads from the domain is still in it, with Rasa's value."""
    import re
    from pathlib import Path

    import rasa_sdk
    from rasa.shared.core.trackers import DialogueStateTracker

    from veivis.paths import ROOT

    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    rasa_patches.action_calls_without_responses()
    action = RemoteAction("validate_selfcheck_form", None)  # no endpoint: the whole domain
    tracker = DialogueStateTracker("patch-test", domain.slots)
    sent = action._action_call_format(tracker, domain)
    rasa_sends = rasa_patches._original_call_format(action, tracker, domain)
    assert set(sent) == set(rasa_sends)
    assert sent["tracker"] == rasa_sends["tracker"]
    read = set()
    sources = [*Path(rasa_sdk.__file__).parent.rglob("*.py"), *(ROOT / "actions").rglob("*.py")]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        read |= set(re.findall(r"domain(?:\.get\(|\[)\s*[\"'](\w+)[\"']", text))
        # any other way of reading the domain would escape this check
        assert not re.search(r"domain(?:\.get\(|\[)\s*[^\"'\s]", text), source
    assert read == {"slots", "forms"}  # what rasa_sdk 3.6.2 reads
    assert "responses" in rasa_sends["domain"] and "responses" not in sent["domain"]
    for key in read:
        assert sent["domain"][key] == rasa_sends["domain"][key]


def test_rule_lookup_finds_rasas_rules_for_any_rule_shape(monkeypatch):
    """Synthetic rules of every shape the index treats apart (no previous action, an action
    text, «should not be set», slots and loops, several turns) against random
    conversations: the same set as Rasa's _get_possible_keys. The trained model's rules
    are checked the same way in tests/model/test_rasa_patches_agree.py."""
    import json
    import random

    from rasa.core.policies.rule_policy import RulePolicy

    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RulePolicy._get_possible_keys)
    rasa_patches.indexed_rule_lookup()
    listen = {"action_name": "action_listen"}
    rules = [
        [{}],
        [{"user": {"intent": "greet"}}],
        [{"prev_action": listen, "user": {"intent": "greet"}}],
        [{"prev_action": listen, "user": {"intent": "bye"}}],
        [{"prev_action": listen}],
        [{"prev_action": {"action_text": "hei"}}],
        [{"prev_action": {"action_name": "should_not_be_set"}}],
        [{"prev_action": listen, "user": {"intent": "should_not_be_set"}}],
        [{"prev_action": {"action_name": "utter_greet"}, "user": {"intent": "greet"}}],
        [{"prev_action": listen, "user": {"intent": "greet"}, "slots": {"x": [1.0]}}],
        [{"prev_action": listen, "slots": {"x": "should_not_be_set"}}],
        [{"prev_action": {"action_name": "form"}, "active_loop": {"name": "form"}}],
        [{}, {"prev_action": listen, "user": {"intent": "greet"}}],
        [
            {"prev_action": listen, "user": {"intent": "greet"}},
            {"prev_action": {"action_name": "utter_greet"}, "user": {"intent": "greet"}},
        ],
    ]
    lookup = {json.dumps(rule, sort_keys=True): f"action_{i}" for i, rule in enumerate(rules)}
    policy = RulePolicy.__new__(RulePolicy)  # the lookup needs no trained policy
    actions = [
        listen,
        {"action_name": "utter_greet"},
        {"action_name": "form"},
        {"action_text": "hei"},
    ]
    users = [{"intent": "greet"}, {"intent": "bye"}, {"text": "hei"}, {}]
    slots = [{"x": (1.0,)}, {"x": (0.0,)}, {}]
    loops = [{"name": "form"}, {}]
    rng = random.Random(17)

    def state():
        parts = {
            "prev_action": rng.choice(actions),
            "user": rng.choice(users),
            "slots": rng.choice(slots),
            "active_loop": rng.choice(loops),
        }
        return {k: v for k, v in parts.items() if v and rng.random() > 0.1}

    found = set()
    for _ in range(3000):
        states = [state() for _ in range(rng.randint(0, 4))]
        if states and rng.random() < 0.3:
            states[0] = {}  # a conversation start
        rasas = rasa_patches._original_possible_keys(policy, lookup, states)
        assert rasa_patches._possible_keys(policy, lookup, states) == rasas, states
        found |= rasas
    assert found == set(lookup)  # every rule matched some conversation


SMALL_DOMAIN = """
version: "3.1"
intents: [greet, inform, affirm, deny]
entities: [substance]
slots:
  subject:  # featurized, with an initial value: omit_unset_slots changes the states
    type: categorical
    values: [self, other]
    initial_value: self
    mappings: [{type: from_intent, intent: affirm, value: self}]
  substances:
    type: list
    mappings: [{type: from_entity, entity: substance}]
forms:
  selfcheck_form:
    required_slots: [subject, substances]
responses:
  utter_greet: [{text: hei}]
"""


@pytest.mark.parametrize("which", ["project", "small"])
def test_tracker_states_are_rasas_as_a_conversation_grows(domain, monkeypatch, which):
    """The kept replay gives Domain.states_for_tracker_history's states after every event
    of random conversations that also restart, undo turns, reject and fold a form's loop,
    start sessions and set list slots; and the same again when asked twice, also after
    the caller edited the states it got."""
    import random

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        BotUttered,
        Restarted,
        SessionStarted,
        SlotSet,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    monkeypatch.setattr(Domain, "states_for_tracker_history", Domain.states_for_tracker_history)
    rasa_patches.incremental_tracker_states()
    rasa_states = rasa_patches._original_states
    if which == "small":
        domain = Domain.from_yaml(SMALL_DOMAIN)
    form = domain.form_names[0]
    intents = ["greet", "inform", "affirm", "deny"]
    rng = random.Random(3)

    def user():
        entities = [{"entity": "substance", "value": "kokain"}] if rng.random() < 0.3 else []
        return UserUttered("hei", {"name": rng.choice(intents), "confidence": 1.0}, entities)

    makers = [
        lambda: ActionExecuted("action_listen"),
        user,
        lambda: ActionExecuted("utter_greet"),
        lambda: BotUttered("hei"),
        lambda: SlotSet("subject", rng.choice(["self", "other", None])),
        lambda: SlotSet("substances", rng.choice([["kokain"], ["alkohol", "kokain"], []])),
        lambda: ActiveLoop(form),
        lambda: ActionExecuted(form),
        lambda: ActiveLoop(None),
        lambda: ActionExecutionRejected(form),
        lambda: UserUtteranceReverted(),
        lambda: ActionReverted(),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]
    weights = [6, 6, 3, 3, 2, 2, 2, 4, 1, 1, 1, 1, 0.3, 0.3]
    compared = 0
    omitted_differs = False
    for conversation in range(40):
        tracker = DialogueStateTracker(f"states-{conversation}", domain.slots)
        for _ in range(rng.randint(5, 60)):
            tracker.update(rng.choices(makers, weights)[0]())
            if rng.random() < 0.7:
                omit = rng.random() < 0.2
                expected = rasa_states(domain, tracker, omit)
                omitted_differs |= expected != rasa_states(domain, tracker, not omit)
                for _ in range(rng.choice([1, 2])):
                    states = domain.states_for_tracker_history(tracker, omit)
                    assert states == expected
                    compared += 1
                    for state in states:  # as the featurizer edits its copy
                        state.get("user", {}).clear()
    assert compared > 1000
    assert omitted_differs == (which == "small")

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
    # what the graph patch relies on, as Rasa 3.6 has it
    for name in ("_build_dask_graph", "_add_inputs_to_graph"):
        assert callable(getattr(DaskGraphRunner, name))
    rasa_patches.apply_all()
    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result
    assert rasa.telemetry.initialize_error_reporting is not sentry_setup
    assert DaskGraphRunner.run is rasa_patches._run_graph
    assert Domain.is_empty is rasa_patches._is_empty
    assert RemoteAction.run is rasa_patches._bounded_remote_run


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

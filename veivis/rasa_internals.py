"""Every place Veivis depends on a Rasa internal, and the guard that stops a start when one moved.

INTERNALS lists each dependence on a private Rasa API or undocumented behaviour: where
Veivis uses it, why, the Rasa source it relies on and the test that checks it still holds.
RECORDED (by module; flat: FINGERPRINTS) holds a hash of each of those pieces of Rasa source
as it was when its rows were last checked, with RASA_VERSION. Code elsewhere may still
override e.g. `_create_X`: it is listed here.

At start-up `guard()` (run by veivis.rasa_cli before Rasa, so by every Rasa command of the
Makefile and by veivis.serve) compares the installed Rasa with what is recorded and
refuses to run, exit code 1, naming what changed and which rows to re-check.

Without the patches (veivis/rasa_patches.py) the server refuses to start: Rasa creates
every channel in credentials.yml with `from_credentials` before its server starts, and
every Veivis server start goes through the REST channel (the widget and the chat API live
there), so VeivisRestInput.from_credentials calls `require_patches()`. A plain `rasa run`
stops there with a RasaException, which Rasa prints as one clear line. Not a pipeline
component: in-process uses of the model (tests, bench/ reports) load the pipeline without
the channel and must still work. `rasa shell` (Rasa's own cmdline channel) is not refused.

The fingerprints are of the source files on disk, found without importing Rasa, so they
are Rasa's code even after the patches replaced it; the check takes ~0.2 s.

On a Rasa upgrade: `python -m veivis.rasa_internals` names what changed; re-check each named
row (read the new Rasa source, run its test), then `python -m veivis.rasa_internals
--fingerprints` prints the new RECORDED to paste here, and set RASA_VERSION.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa.shared.exceptions import RasaException

RASA_VERSION = "3.6.21"


@dataclass(frozen=True)
class Internal:
    name: str
    used_in: str  # the Veivis module.function (or class) that depends on it
    relies_on: Tuple[str, ...]  # qualified names of the Rasa (or Sanic) source relied on
    why: str  # and, where one might expect it, why no public hook does it
    test: str  # the test that fails if it stops holding (path::function)


_PATCHES_TEST = "tests/unit/test_rasa_patches.py::"

INTERNALS: Tuple[Internal, ...] = (
    Internal(
        "no error reports",
        "veivis.rasa_patches.no_error_reports",
        ("rasa.telemetry.initialize_error_reporting", "rasa.__main__.main"),
        "Replaced: Rasa's CLI starts Sentry reporting even with telemetry off; nothing may "
        "leave the machine. No setting turns it off.",
        _PATCHES_TEST + "test_patches_apply_to_the_code_they_replace",
    ),
    Internal(
        "action reply check",
        "veivis.rasa_patches.fast_action_response_check",
        (
            "rasa.core.actions.action.RemoteAction._validate_action_result",
            "rasa.core.actions.action.RemoteAction.action_response_format_spec",
        ),
        "Replaced: Rasa re-validates its own schema on every action call (33 ms); the "
        "schema is compiled once (fastjsonschema), jsonschema only for a rejected reply.",
        _PATCHES_TEST + "test_action_reply_check_agrees_with_rasas",
    ),
    Internal(
        "indexed rule lookup",
        "veivis.rasa_patches.indexed_rule_lookup",
        (
            "rasa.core.policies.rule_policy.RulePolicy._get_possible_keys",
            "rasa.core.policies.rule_policy.RulePolicy._is_rule_applicable",
            "rasa.core.policies.rule_policy.RulePolicy._does_rule_match_state",
            "rasa.core.policies.rule_policy.RulePolicy._rule_key_to_state",
            "rasa.core.policies.rule_policy.RulePolicy._find_action_from_rules",
        ),
        "Replaced: every rule key is tested against the conversation for every prediction "
        "(a quarter of a message's CPU); relies on a rule's last state being tested first, "
        "and on what _does_rule_match_state requires of an action name and an intent.",
        "tests/model/test_rasa_patches_agree.py::test_rule_lookup_agrees_with_rasas",
    ),
    Internal(
        "action calls without responses",
        "veivis.rasa_patches.action_calls_without_responses",
        (
            "rasa.core.actions.action.RemoteAction._action_call_format",
            "rasa_sdk.executor.ActionExecutor.run",
            "rasa_sdk.forms.ValidationAction.global_slots",
            "rasa_sdk.forms.FormValidationAction.domain_slots",
        ),
        "Wrapped: Rasa sends the whole domain (80 KB of JSON, 90 % response texts) with "
        "every action call; rasa_sdk reads only its slots and forms. The public "
        "enable_selective_domain drops the whole domain, which the form validation needs.",
        _PATCHES_TEST + "test_actions_get_every_part_of_the_domain_they_read",
    ),
    Internal(
        "incremental tracker states",
        "veivis.rasa_patches.incremental_tracker_states",
        (
            "rasa.shared.core.domain.Domain.states_for_tracker_history",
            "rasa.shared.core.domain.Domain.get_active_state",
            "rasa.shared.core.trackers.DialogueStateTracker.generate_all_prior_trackers",
            "rasa.shared.core.trackers.DialogueStateTracker.applied_events",
            "rasa.shared.core.trackers.DialogueStateTracker.init_copy",
            "rasa.core.featurizers.tracker_featurizers.MaxHistoryTrackerFeaturizer.prediction_states",
        ),
        "Replaced (for rule data): every prediction replays the whole conversation into a "
        "fresh tracker (~20 % of a message); relies on a state depending only on the "
        "replayed tracker, and on the featurizer editing states only in their second level.",
        _PATCHES_TEST + "test_tracker_states_are_rasas_as_a_conversation_grows",
    ),
    Internal(
        "unique entity mappings once",
        "veivis.rasa_patches.unique_entity_mappings_once",
        (
            "rasa.core.actions.forms.FormAction._create_unique_entity_mappings",
            "rasa.core.actions.forms.FormAction.entity_mapping_is_unique",
            "rasa.core.actions.action.ActionExtractSlots._fails_unique_entity_mapping_check",
        ),
        "Replaced: slot extraction builds a new form action per mapping and message, which "
        "recomputes a set that depends only on the domain and the form (4 % of a message).",
        _PATCHES_TEST + "test_unique_entity_mappings_are_rasas",
    ),
    Internal(
        "bounded action calls",
        "veivis.rasa_patches.bounded_action_calls",
        (
            "rasa.core.actions.action.RemoteAction.run",
            "rasa.core.processor.MessageProcessor._run_action",
            "rasa.core.actions.forms.FormAction.validate_slots",
            "rasa.core.actions.forms.FormAction.activate",
        ),
        "Wrapped: Rasa waits 5 min for the action server, with no setting. Relies on the "
        "processor logging a RasaException and going on, and on forms calling "
        "validate_<form> and taking no events as no validation.",
        _PATCHES_TEST + "test_a_failed_form_validation_is_no_validation",
    ),
    Internal(
        "graph planned once",
        "veivis.rasa_patches.graph_plan_once",
        (
            "rasa.engine.runner.dask.DaskGraphRunner.run",
            "rasa.engine.runner.dask.DaskGraphRunner.__init__",
            "rasa.engine.runner.dask.DaskGraphRunner._build_dask_graph",
            "rasa.engine.runner.dask.DaskGraphRunner._add_inputs_to_graph",
            "rasa.engine.graph.GraphSchema.minimal_graph_schema",
        ),
        "Replaced: the runner re-plans the graph and formats every input on each call "
        "(~20 % of the CPU); uses the runner's private graph building and _graph_schema.",
        "tests/model/test_rasa_patches_agree.py::"
        "test_same_parses_and_replies_with_and_without_the_patches",
    ),
    Internal(
        "domain emptiness once",
        "veivis.rasa_patches.domain_emptiness_once",
        ("rasa.shared.core.domain.Domain.is_empty",),
        "Replaced: serialises the whole domain on every message; a loaded domain does not change.",
        _PATCHES_TEST + "test_domain_emptiness_is_still_right",
    ),
    Internal(
        "no text in logs",
        "veivis.rasa_patches.no_text_in_logs",
        ("rasa.utils.log_utils._anonymizer", "rasa.utils.log_utils.configure_structlog"),
        "Replaced: Rasa's structured log events carry the message text (debug level) and "
        "its own redaction asks a plug-in only Rasa Pro provides; the public hook "
        "(get_anonymization_pipeline) would also re-read the tracker on every message.",
        _PATCHES_TEST + "test_no_user_text_reaches_a_structured_log_line",
    ),
    Internal(
        "log level kept",
        "veivis.rasa_patches.log_level_kept",
        ("rasa.__main__.main",),
        "Relies on Rasa's CLI configuring logging after our import of skops.io, whose "
        "numpy.distutils import would otherwise set the root logger to WARNING.",
        _PATCHES_TEST + "test_loading_the_classifier_does_not_silence_info_logs",
    ),
    Internal(
        "patches required",
        "veivis.channels.rest.VeivisRestInput.from_credentials",
        (
            "rasa.core.run._create_single_channel",
            "rasa.core.run.serve_application",
            "rasa.__main__.main",
        ),
        "The refusal without the patches: Rasa creates each credentials.yml channel with "
        "from_credentials before the server starts, and prints a RasaException as one line.",
        "tests/unit/test_rasa_internals.py::test_the_channel_refuses_to_start_without_the_patches",
    ),
    Internal(
        "widget at /",
        "veivis.channels.widget_routes.serve_widget",
        (
            "rasa.server.add_root_route",
            "rasa.core.run._create_app_without_api",
            "rasa.core.run.configure_app",
            "rasa.core.channels.channel.register",
            "sanic.blueprints.Blueprint.register",
            "sanic_routing.route.Route.__init__",
        ),
        "Replaces the handler of Rasa's «Hello from Rasa» route at /: Rasa has no hook for "
        "routes outside /webhooks/<channel>/ (server_listeners is not reachable from the "
        "CLI). Relies on the channel's blueprint being registered on the app, after the root "
        "route, before the server starts.",
        "tests/unit/test_rasa_internals.py::test_the_widget_takes_rasas_root_route",
    ),
    Internal(
        "the agent from the app",
        "veivis.channels.rest.VeivisRestInput.blueprint",
        ("rasa.core.run.load_agent_on_start", "rasa.core.channels.channel.register"),
        "The channel reads request.app.ctx.agent (its tracker and lock store) to count and "
        "delete conversations: a channel is only given on_new_message. Rasa's own channels "
        "do the same (twilio_voice).",
        "tests/server/test_privacy_and_security.py::"
        "test_delete_removes_the_conversation_from_the_database",
    ),
    Internal(
        "intent classifier internals",
        "veivis.nlu.intent_classifier.NgramIntentClassifier",
        (
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier.__init__",
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier._create_X",
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier.process",
            "rasa.nlu.classifiers.logistic_regression_classifier"
            ".LogisticRegressionClassifier.train",
            "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier.load",
        ),
        "Overrides the private _create_X, re-lays self.clf.coef_ and reimplements process: "
        "Rasa's way copies the weights and the token features on every message.",
        "tests/unit/test_intent_classifier.py::test_same_intent_and_ranking_as_rasa",
    ),
    Internal(
        "NLG responses reassigned",
        "veivis.nlg.ContactsNLG.responses",
        (
            "rasa.core.agent.Agent.load_model",
            "rasa.core.nlg.response.TemplatedNaturalLanguageGenerator.__init__",
            "rasa.core.nlg.response.TemplatedNaturalLanguageGenerator._random_response_for",
        ),
        "Rendering happens when `responses` is assigned: Rasa's NLG keeps and reads them in "
        "that attribute, and the agent assigns the domain's after loading a model.",
        "tests/unit/test_contacts_and_nlg.py::"
        "test_nlg_fills_numbers_even_when_rasa_reassigns_the_responses",
    ),
    Internal(
        "doubled braces in payloads",
        "veivis.nlg._literal_braces",
        ("rasa.core.nlg.interpolator.interpolate_text",),
        "Rasa reads {…} in a payload as a slot; doubled braces come back as single ones.",
        "tests/unit/test_domain_consistency.py::test_button_payloads_reach_the_user_unchanged",
    ),
    Internal(
        "lock store writes tickets one by one",
        "veivis.lock_store.AtomicRedisLockStore",
        ("rasa.core.lock_store.LockStore", "rasa.core.agent.Agent.handle_message"),
        "save_lock raises: every LockStore method that writes a whole queue back is "
        "overridden (the race this store exists to avoid). lock() may yield no lock: the "
        "agent does not use what it yields.",
        "tests/unit/test_rasa_internals.py::test_no_lock_store_method_writes_a_whole_queue",
    ),
    Internal(
        "the cached live tracker",
        "veivis.tracker_store.SQLiteTrackerStore.retrieve",
        (
            "rasa.core.processor.MessageProcessor.handle_message",
            "rasa.core.processor.MessageProcessor.run_anonymization_pipeline",
            "rasa.core.processor.MessageProcessor._run_prediction_loop",
            "rasa.core.processor.MessageProcessor.save_tracker",
            "rasa.core.tracker_store.TrackerStore.stream_events",
            "rasa.core.tracker_store.SQLTrackerStore.__init__",
            "rasa.core.tracker_store.SQLTrackerStore.SQLEvent",
            "rasa.core.tracker_store.SQLTrackerStore._event_query",
            "rasa.core.tracker_store.SQLTrackerStore.save",
        ),
        "Hands out the tracker object Rasa changed in the last turn, not a copy: Rasa saves "
        "it once per turn, ends a finished turn with action_listen, and only a plugin's "
        "anonymization pipeline (none in Rasa OSS) compares it with the stored one. Same "
        "table (Rasa's store creates it) and latest-session rows as Rasa's SQL store.",
        "tests/unit/test_tracker_store.py::test_reuses_its_own_tracker_and_appends_only_new_events",
    ),
    Internal(
        "Rasa's SQL store off the loop",
        "veivis.tracker_store.OffLoopSQLTrackerStore",
        (
            "rasa.core.tracker_store.SQLTrackerStore.retrieve",
            "rasa.core.tracker_store.SQLTrackerStore.retrieve_full_tracker",
            "rasa.core.tracker_store.SQLTrackerStore._retrieve",
            "rasa.core.tracker_store.SQLTrackerStore.save",
            "rasa.core.tracker_store.SQLTrackerStore.keys",
        ),
        "Runs Rasa's async methods to completion in worker threads: they never await I/O "
        "(SQLAlchemy is synchronous inside them).",
        "tests/unit/test_rasa_internals.py::test_rasas_sql_store_runs_in_a_worker_thread",
    ),
    Internal(
        "the store inside the fail-safe wrapper",
        "veivis.tracker_store.delete_conversation",
        (
            "rasa.core.tracker_store.FailSafeTrackerStore.__init__",
            "rasa.core.tracker_store.InMemoryTrackerStore.__init__",
            "rasa.core.agent.Agent._create_tracker_store",
        ),
        "Rasa wraps the configured store in a FailSafeTrackerStore; deleting and counting "
        "need the store inside (_tracker_store: no public accessor; the fallback through "
        "the public fallback_tracker_store) and InMemoryTrackerStore.store.",
        "tests/unit/test_tracker_store.py::"
        "test_stored_conversations_are_counted_through_rasas_fail_safe_wrapper",
    ),
    Internal(
        "spaCy doc from SpacyNLP",
        "veivis.nlu.pattern_entities.PatternEntityExtractor.process",
        ("rasa.nlu.utils.spacy_utils.SpacyNLP.process", "rasa.nlu.constants.SPACY_DOCS"),
        "Reads the spaCy doc SpacyNLP stored on the message instead of parsing again (if it "
        "is missing, the text is parsed: slower, same entities).",
        "tests/model/test_guard_in_pipeline.py::test_red_flag_wins_whatever_the_model_said",
    ),
)

# sha256 (first 16 hex digits) of each relied-on piece of source, by module, as checked for
# Rasa 3.6.21. Printed by `python -m veivis.rasa_internals --fingerprints`.
RECORDED: Dict[str, Dict[str, str]] = {
    "rasa.__main__": {
        "main": "403bf08bf4dc191b",
    },
    "rasa.core.actions.action": {
        "ActionExtractSlots._fails_unique_entity_mapping_check": "5fef955cf6b9f761",
        "RemoteAction._action_call_format": "6557a1d270046304",
        "RemoteAction._validate_action_result": "7714afb4250b7f8b",
        "RemoteAction.action_response_format_spec": "eb462ff683e7aeab",
        "RemoteAction.run": "3ba8c67f78cdce96",
    },
    "rasa.core.actions.forms": {
        "FormAction._create_unique_entity_mappings": "21f35f486ad7cd75",
        "FormAction.activate": "c1134dc312e3f13f",
        "FormAction.entity_mapping_is_unique": "cb2967fe4678356b",
        "FormAction.validate_slots": "f1c2eadd46821796",
    },
    "rasa.core.agent": {
        "Agent._create_tracker_store": "d1b5e620d09918ac",
        "Agent.handle_message": "89ebe50cfcb4853f",
        "Agent.load_model": "1588f626206a0518",
    },
    "rasa.core.channels.channel": {
        "register": "2c5ba237af1c5886",
    },
    "rasa.core.featurizers.tracker_featurizers": {
        "MaxHistoryTrackerFeaturizer.prediction_states": "1da2d0951c938122",
    },
    "rasa.core.lock_store": {
        "LockStore": "f8282092bd9d40cb",
    },
    "rasa.core.nlg.interpolator": {
        "interpolate_text": "6d050b92c62795a8",
    },
    "rasa.core.nlg.response": {
        "TemplatedNaturalLanguageGenerator.__init__": "72af888d4412be50",
        "TemplatedNaturalLanguageGenerator._random_response_for": "3f882c8e841f42d3",
    },
    "rasa.core.policies.rule_policy": {
        "RulePolicy._does_rule_match_state": "e3bf858e00a2b80a",
        "RulePolicy._find_action_from_rules": "e1f07bb4965a6d1e",
        "RulePolicy._get_possible_keys": "38ac454ec4957f07",
        "RulePolicy._is_rule_applicable": "6bb76c5716bfcbe7",
        "RulePolicy._rule_key_to_state": "64b156ca5b17edde",
    },
    "rasa.core.processor": {
        "MessageProcessor._run_action": "35b8b65326587fad",
        "MessageProcessor._run_prediction_loop": "a38ccde567ca2fe6",
        "MessageProcessor.handle_message": "5a34634928f391d7",
        "MessageProcessor.run_anonymization_pipeline": "8f34acda4e16773d",
        "MessageProcessor.save_tracker": "eee3725f0bcf4ec7",
    },
    "rasa.core.run": {
        "_create_app_without_api": "157de5d2059267d7",
        "_create_single_channel": "d4bd57caf7388c25",
        "configure_app": "0b28ea3f4b4ae50b",
        "load_agent_on_start": "315d39a25c4a44b0",
        "serve_application": "e7c243a958951255",
    },
    "rasa.core.tracker_store": {
        "FailSafeTrackerStore.__init__": "424934d524da55e7",
        "InMemoryTrackerStore.__init__": "e96e60112d42ac1c",
        "SQLTrackerStore.SQLEvent": "b53d96b853109b3a",
        "SQLTrackerStore.__init__": "8038560682dec80d",
        "SQLTrackerStore._event_query": "e21b119189c26761",
        "SQLTrackerStore._retrieve": "f249ce2dc6e5bf12",
        "SQLTrackerStore.keys": "4bdd39762da30e5f",
        "SQLTrackerStore.retrieve": "a733e1a2d93b562f",
        "SQLTrackerStore.retrieve_full_tracker": "926759a982e950af",
        "SQLTrackerStore.save": "ad2b5ed7174f78fb",
        "TrackerStore.stream_events": "7b87a3169ed49dc2",
    },
    "rasa.engine.graph": {
        "GraphSchema.minimal_graph_schema": "48ff1aae025f17a8",
    },
    "rasa.engine.runner.dask": {
        "DaskGraphRunner.__init__": "2ec2cee0a29d19f1",
        "DaskGraphRunner._add_inputs_to_graph": "94649a6b9e78b419",
        "DaskGraphRunner._build_dask_graph": "7d55331aa3a2614a",
        "DaskGraphRunner.run": "339dab5dfe1aeb08",
    },
    "rasa.nlu.classifiers.logistic_regression_classifier": {
        "LogisticRegressionClassifier.__init__": "009dde93ba834fdf",
        "LogisticRegressionClassifier._create_X": "1e36a2501956bd65",
        "LogisticRegressionClassifier.load": "6a0c7758c62090bd",
        "LogisticRegressionClassifier.process": "e07e2e5edab2ad6b",
        "LogisticRegressionClassifier.train": "c10b8a4068862a07",
    },
    "rasa.nlu.constants": {
        "SPACY_DOCS": "70a6649d8701124d",
    },
    "rasa.nlu.utils.spacy_utils": {
        "SpacyNLP.process": "197aca74d807781f",
    },
    "rasa.server": {
        "add_root_route": "b79584211e8d8b9c",
    },
    "rasa.shared.core.domain": {
        "Domain.get_active_state": "71d637a1b0ce92c1",
        "Domain.is_empty": "f3fc99131bbda1f2",
        "Domain.states_for_tracker_history": "704ae4e336e36772",
    },
    "rasa.shared.core.trackers": {
        "DialogueStateTracker.applied_events": "16374cc8f8022041",
        "DialogueStateTracker.generate_all_prior_trackers": "02b66c9e64e874b3",
        "DialogueStateTracker.init_copy": "cb9485b2743c28ac",
    },
    "rasa.telemetry": {
        "initialize_error_reporting": "a6117389e604b853",
    },
    "rasa.utils.log_utils": {
        "_anonymizer": "9e202278c624458c",
        "configure_structlog": "adbf22a14c77a21e",
    },
    "rasa_sdk.executor": {
        "ActionExecutor.run": "cd365ec868ae4e0c",
    },
    "rasa_sdk.forms": {
        "FormValidationAction.domain_slots": "23cf39506f4699bc",
        "ValidationAction.global_slots": "9a3a101d22fdf900",
    },
    "sanic.blueprints": {
        "Blueprint.register": "486220ceda1626d0",
    },
    "sanic_routing.route": {
        "Route.__init__": "13f27bdab156d0bc",
    },
}
FINGERPRINTS: Dict[str, str] = {
    f"{module}.{name}": value for module, names in RECORDED.items() for name, value in names.items()
}


# ---------------------------------------------------------------------- fingerprints


def _module_file(parts: List[str]) -> Tuple[Path, List[str]]:
    """The source file of the longest module prefix of `parts`, and the rest (attributes).

    Found on disk, without importing: the guard runs before Rasa, and Rasa's patched
    functions are not their source."""
    spec = importlib.util.find_spec(parts[0])
    if spec is None or spec.origin is None:
        raise LookupError(f"package {parts[0]} is not installed")
    path = Path(spec.origin).parent if spec.submodule_search_locations else Path(spec.origin)
    for i, part in enumerate(parts[1:], start=1):
        if path.is_file():
            return path, parts[i:]
        if (path / part / "__init__.py").is_file():
            path = path / part
        elif (path / f"{part}.py").is_file():
            path = path / f"{part}.py"
        else:
            return path / "__init__.py", parts[i:]
    return (path / "__init__.py" if path.is_dir() else path), []


@lru_cache(maxsize=None)
def _parsed(path: Path) -> Tuple[List[str], ast.Module]:
    text = path.read_text(encoding="utf-8")
    return text.splitlines(), ast.parse(text)


def _defined(body: List[ast.stmt], name: str) -> List[ast.stmt]:
    """The statements of `body` that define `name` (a property's getter and setter: both)."""
    found: List[ast.stmt] = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                found.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(node)
    return found


def _module_name(qualified_name: str) -> str:
    """The module part of `qualified_name` (rasa.core.agent of rasa.core.agent.Agent.load)."""
    parts = qualified_name.split(".")
    try:
        _, attributes = _module_file(parts)
    except LookupError:
        return ".".join(parts[:-1])
    return ".".join(parts[: len(parts) - len(attributes)])


def source_of(qualified_name: str) -> Optional[str]:
    """The source text that defines `qualified_name` in the installed package, or None."""
    try:
        path, attributes = _module_file(qualified_name.split("."))
        lines, module = _parsed(path)
    except (LookupError, OSError, SyntaxError):
        return None
    if not attributes:
        return "\n".join(lines)
    scope: Sequence[ast.AST] = [module]
    defined: List[ast.stmt] = []
    for attribute in attributes:
        body = [s for n in scope for s in getattr(n, "body", [])]
        defined = _defined(body, attribute)
        if not defined:
            return None
        scope = defined
    pieces = []
    for node in defined:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        pieces.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n".join(pieces)


def fingerprint(qualified_name: str) -> Optional[str]:
    source = source_of(qualified_name)
    if source is None:
        return None
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def relied_on() -> List[str]:
    return sorted({name for row in INTERNALS for name in row.relies_on})


def current_fingerprints() -> Dict[str, Optional[str]]:
    return {name: fingerprint(name) for name in relied_on()}


# ---------------------------------------------------------------------- the guard


def drift(
    rows: Tuple[Internal, ...],
    recorded: Mapping[str, str],
    current: Callable[[str], Optional[str]],
    version: Tuple[str, str],
) -> List[str]:
    """What no longer matches, one line each; [] when the installed Rasa is the one the
    rows were checked against. `version` is (recorded, installed)."""
    problems = []
    if version[0] != version[1]:
        problems.append(
            f"Rasa {version[1]} is installed; the list was checked against {version[0]}"
        )
    for name in sorted({n for row in rows for n in row.relies_on}):
        now = current(name)
        if now == recorded.get(name):
            continue
        what = "is gone" if now is None else "changed"
        if name not in recorded:
            what = "has no recorded fingerprint"
        users = ", ".join(f"{row.name} ({row.used_in})" for row in rows if name in row.relies_on)
        problems.append(f"{name} {what}: re-check {users}")
    return problems


def installed_rasa() -> str:
    return importlib.metadata.version("rasa")


def guard() -> None:
    """Stop (exit code 1) unless the installed Rasa is the one INTERNALS was checked against."""
    problems = drift(INTERNALS, FINGERPRINTS, fingerprint, (RASA_VERSION, installed_rasa()))
    if problems:
        raise SystemExit(
            "Veivis does not start: the Rasa code it depends on is not the code its patches "
            "and overrides were written for (veivis/rasa_internals.py).\n  "
            + "\n  ".join(problems)
            + "\nRe-check each named row (its Rasa source and its test), then record the new "
            "state: python -m veivis.rasa_internals --fingerprints"
        )


class PatchesMissing(RasaException):
    """A RasaException: Rasa's CLI prints it as one line and exits with code 1."""


def require_patches() -> None:
    """Refuse to serve without Veivis' patches: plain `rasa run` instead of veivis.rasa_cli."""
    from veivis import rasa_patches

    missing = rasa_patches.not_applied()
    if missing:
        raise PatchesMissing(
            "Veivis must be started with `make run` or `python -m veivis.rasa_cli run …`, "
            f"not plain `rasa`: its patches to Rasa are not applied ({', '.join(missing)}); "
            "without them nothing stops error reports to Sentry and a frozen action server "
            "holds every message for minutes."
        )


def main(argv: List[str]) -> int:
    if "--fingerprints" in argv:
        by_module: Dict[str, Dict[str, Optional[str]]] = {}
        for name, value in current_fingerprints().items():
            module = _module_name(name)
            by_module.setdefault(module, {})[name[len(module) + 1 :]] = value
        print(f'RASA_VERSION = "{installed_rasa()}"')
        print("RECORDED: Dict[str, Dict[str, str]] = {")
        for module, names in by_module.items():
            print(f'    "{module}": {{')
            for name, value in names.items():
                print(f'        "{name}": "{value}",')
            print("    },")
        print("}")
        return 0
    problems = drift(INTERNALS, FINGERPRINTS, fingerprint, (RASA_VERSION, installed_rasa()))
    for row in INTERNALS:
        print(f"{row.name}: {row.used_in}\n  {row.why}\n  test: {row.test}")
    print(
        "\n".join(problems)
        or f"\nAll {len(relied_on())} relied-on pieces match Rasa {RASA_VERSION}."
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

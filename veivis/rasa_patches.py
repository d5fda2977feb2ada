"""Small, named changes to Rasa 3.6 behaviour, applied by veivis.rasa_cli before Rasa runs.

Each one is a fix for something measured or a privacy rule; each is a row of
veivis/rasa_internals.py (what it relies on, its fingerprint, its test), and without them
the server refuses to start (not_applied(), checked by the REST channel).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)


def no_error_reports() -> None:
    """Rasa 3.6 sends uncaught exceptions to Sentry with a key bundled in the package, even
    when telemetry is disabled (rasa/__main__.py calls initialize_error_reporting()
    unconditionally). Veivis must not send anything off the machine."""
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = _no_error_reporting


def _no_error_reporting() -> None:
    """What Rasa's initialize_error_reporting does here: nothing."""


@lru_cache(maxsize=None)
def _action_response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


@lru_cache(maxsize=None)
def _compiled_action_response_check() -> Any:
    import fastjsonschema
    from rasa.core.actions.action import RemoteAction

    return fastjsonschema.compile(RemoteAction.action_response_format_spec())


def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    import fastjsonschema
    from jsonschema.exceptions import best_match

    try:
        _compiled_action_response_check()(result)
        return True
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema finds the error Rasa would report
    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid."
        )
        raise error
    return True


def fast_action_response_check() -> None:
    """Rasa validates every action server reply with jsonschema.validate(), which first
    re-checks Rasa's own constant schema against the JSON Schema meta-schema: 33 ms per
    action call here (profiled), 17 % of all of Veivis' CPU time. A validator built once
    still walks every event through a oneOf of all event kinds (~1 ms a call, 7 % of a
    message); the schema compiled to Python code by fastjsonschema checks a reply in a
    few hundredths of that. Only a reply it rejects goes through jsonschema, for the
    same error message Rasa gives."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result


def _plan(self: Any, targets: Tuple[str, ...]) -> Tuple[Dict[str, Any], List[str]]:
    """The dask graph of the nodes `targets` need, and an order to run them in."""
    plans = self.__dict__.setdefault("_veivis_plans", {})
    if targets not in plans:
        graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(list(targets)))
        order: List[str] = []

        def visit(name: str) -> None:
            if name in order or name not in graph:
                return  # done, or an input given at run time
            for dependency in graph[name][1:]:
                visit(dependency)
            order.append(name)

        for name in graph:
            visit(name)
        plans[targets] = (graph, order)
    return plans[targets]


def _run_graph(self: Any, inputs: Optional[Dict[str, Any]] = None, targets: Any = None) -> Any:
    from rasa.engine.exceptions import GraphRunError

    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    graph, order = _plan(self, run_targets)
    run_graph = dict(graph)
    if inputs:
        self._add_inputs_to_graph(inputs, run_graph)  # Rasa's checks; adds (name, value)
    # What dask's synchronous scheduler does with this graph: a node gets the outputs of
    # the nodes it needs, or the bare name of one that is not in the graph.
    done: Dict[str, Any] = {name: run_graph[name] for name in run_graph if name not in graph}
    try:
        for name in order:
            node, *needs = graph[name]
            done[name] = node(*(done.get(n, n) for n in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(done[t] for t in run_targets)


def graph_plan_once() -> None:
    """Rasa's DaskGraphRunner.run() works out which nodes its targets need on every call,
    by a recursion without memory that walks shared dependencies again and again, formats
    all inputs (the tracker too) into a debug message even when debug is off, and hands
    the graph to dask's scheduler: ~20 % of Veivis' CPU (profiled), 2–4 graph runs per
    message. The graph is fixed once the model is loaded: each target set's plan and run
    order are worked out once, and the nodes are called in that order, one by one, as
    dask's synchronous scheduler would (Rasa uses no parallelism here)."""
    global _original_run
    from rasa.engine.runner.dask import DaskGraphRunner

    if _original_run is None:
        _original_run = DaskGraphRunner.run
    DaskGraphRunner.run = _run_graph


_original_run: Any = None


def _is_empty(self: Any) -> bool:
    if "_veivis_is_empty" not in self.__dict__:
        self.__dict__["_veivis_is_empty"] = _original_is_empty(self)
    return self.__dict__["_veivis_is_empty"]


_original_is_empty: Any = None


def domain_emptiness_once() -> None:
    """Rasa checks `domain.is_empty()` for every message by serialising the whole domain
    and a new empty one and comparing them. The loaded domain does not change."""
    global _original_is_empty
    from rasa.shared.core.domain import Domain

    if _original_is_empty is None:
        _original_is_empty = Domain.is_empty
    Domain.is_empty = _is_empty


def log_level_kept() -> None:
    """Loading the intent classifier imports skops.io, which imports numpy.distutils, whose
    setuptools log shim sets the ROOT logger to WARNING: after the model loaded, Rasa logged
    nothing below WARNING, not even «Rasa server is up and running». Imported here, before
    Rasa configures logging, the side effect happens first and Rasa's settings win."""
    import skops.io  # noqa: F401


_original_remote_run: Any = None


async def _bounded_remote_run(self: Any, *args: Any, **kwargs: Any) -> Any:
    import asyncio

    from aiohttp import ClientResponseError
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    from veivis.timeouts import ACTION_TIMEOUT_S

    try:
        return await asyncio.wait_for(
            _original_remote_run(self, *args, **kwargs), timeout=ACTION_TIMEOUT_S
        )
    except asyncio.TimeoutError:
        logger.error("Action server did not answer %s within %.1f s", self.name(), ACTION_TIMEOUT_S)
        if self.name().startswith(VALIDATION_PREFIX):
            return []
        raise RasaException(f"Action server did not answer {self.name()} in time") from None
    except ActionExecutionRejection:
        raise  # the action's own answer, not a fault
    except RasaException as error:
        # Only an unreachable server is «no validation»; an error the server answered (a
        # crash, an action it does not know) is a fault to see, and Rasa reports it.
        answered, name = isinstance(error.__cause__, ClientResponseError), self.name()
        if name.startswith(VALIDATION_PREFIX) and not answered:
            logger.error(
                "Action server unreachable for %s: the form goes on without it", self.name()
            )
            return []
        raise


VALIDATION_PREFIX = "validate_"  # Rasa's name for a form's validation action


def bounded_action_calls() -> None:
    """Rasa waits up to 5 minutes (DEFAULT_REQUEST_TIMEOUT) for the action server, holding
    the conversation's lock: a frozen action server made the next message, an emergency
    too, wait half a minute (measured). Each call now ends after VEIVIS_ACTION_TIMEOUT_S
    with the RasaException Rasa raises for an unreachable server, which its processor
    already handles (it logs, and the turn goes on without the action's events).

    A form's validation action that cannot be reached or is late returns no events instead
    — what Rasa does for a form without one — so the self-check still asks its questions
    (without the extras of actions/selfcheck_form.py) while the action server is down. An
    error the action server answered (a crash, an unknown action) is still raised."""
    global _original_remote_run
    from rasa.core.actions.action import RemoteAction

    if _original_remote_run is None:
        _original_remote_run = RemoteAction.run
    RemoteAction.run = _bounded_remote_run


def _rule_index(self: Any, lookup: Dict[str, str]) -> Dict[Tuple[Any, Any], List[str]]:
    """The rule keys of `lookup` by what their LAST state requires of the conversation's
    current one: the previous action's name and the user's intent (ANY where the rule
    does not require one). Built once per lookup (training pops keys: then again)."""
    from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
    from rasa.shared.nlu.constants import ACTION_NAME, INTENT

    indexes = self.__dict__.setdefault("_veivis_rule_index", {})  # id(lookup) → (len, index)
    if indexes.get(id(lookup), (None,))[0] != len(lookup):
        index: Dict[Tuple[Any, Any], List[str]] = {}
        for key in lookup:
            last = self._rule_key_to_state(key)[-1]
            action = (last.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
            intent = (last.get(USER) or {}).get(INTENT)
            # A rule whose last state has a previous action NAME matches only a state with
            # that name and, if it names one, that intent (_does_rule_match_state). Any
            # other rule (no previous action: then Rasa checks nothing else of a state
            # without one; an action text; «should not be set») is checked in full.
            if not action or action == SHOULD_NOT_BE_SET:
                action = intent = _ANY
            elif not intent or intent == SHOULD_NOT_BE_SET:
                intent = _ANY
            index.setdefault((action, intent), []).append(key)
        indexes[id(lookup)] = (len(lookup), index)
    return indexes[id(lookup)][1]


_ANY = object()


def _possible_keys(self: Any, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Any:
    """RulePolicy._get_possible_keys: the same set, without testing every rule key."""
    from rasa.shared.core.constants import PREVIOUS_ACTION, USER
    from rasa.shared.nlu.constants import ACTION_NAME, INTENT

    if not states:
        return set(lookup)
    current = states[-1]
    action = (current.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    intent = (current.get(USER) or {}).get(INTENT)
    index = _rule_index(self, lookup)
    possible = set()
    for bucket in {(action, intent), (action, _ANY), (_ANY, _ANY)}:
        for key in index.get(bucket, ()):
            rule_length = len(self._rule_key_to_state(key))
            # Rasa's loop: state i (from the end) against the rule's state i; past the
            # rule's own length every state is applicable.
            if all(
                self._is_rule_applicable(key, i, state)
                for i, state in zip(range(rule_length), reversed(states))
            ):
                possible.add(key)
    return possible


_original_possible_keys: Any = None


def indexed_rule_lookup() -> None:
    """RulePolicy tests every one of its ~270 rule keys against the conversation for every
    prediction, 2–4 predictions a message: a quarter of Veivis' CPU per message
    (profiled). Nearly every key already fails on its last state — a different previous
    action or intent than the conversation's now — so the keys are indexed by those two
    once, and only the keys that can match are tested, with Rasa's own test."""
    global _original_possible_keys
    from rasa.core.policies.rule_policy import RulePolicy

    if _original_possible_keys is None:
        _original_possible_keys = RulePolicy._get_possible_keys
    RulePolicy._get_possible_keys = _possible_keys


_original_call_format: Any = None
_domains_for_actions: Dict[int, Tuple[Any, Dict[str, Any]]] = {}


def _call_format_without_responses(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
    result = _original_call_format(self, tracker, domain)
    if "domain" in result:
        if id(domain) not in _domains_for_actions:  # the domain is kept: its id stays its own
            slim = {k: v for k, v in result["domain"].items() if k != RESPONSES_KEY}
            _domains_for_actions[id(domain)] = (domain, slim)
        result["domain"] = _domains_for_actions[id(domain)][1]
    return result


RESPONSES_KEY = "responses"  # the domain's texts: ~90 % of its 80 KB as JSON


def action_calls_without_responses() -> None:
    """Rasa sends the whole domain with every action server call: 80 KB of JSON to write,
    send and read for each call, 2 calls a message on average, ~90 % of it the bot's
    response texts. The action server (rasa_sdk) reads only the domain's slots and forms,
    and actions/ never reads the responses (checked by a test), so they are left out.
    Rasa's own `enable_selective_domain` would leave out the whole domain, but the
    self-check's validation action needs its forms and slots."""
    global _original_call_format
    from rasa.core.actions.action import RemoteAction

    if _original_call_format is None:
        _original_call_format = RemoteAction._action_call_format
    RemoteAction._action_call_format = _call_format_without_responses


_unique_mappings: Dict[Tuple[int, str], Tuple[Any, Any]] = {}
_original_unique_mappings: Any = None


def _unique_entity_mappings(self: Any, domain: Any) -> Any:
    key = (id(domain), self.name())
    if key not in _unique_mappings:  # the domain is kept: its id stays its own
        _unique_mappings[key] = (domain, frozenset(_original_unique_mappings(self, domain)))
    return set(_unique_mappings[key][1])


def unique_entity_mappings_once() -> None:
    """For every user message Rasa's slot extraction builds a new FormAction per slot
    mapping and asks it which entity mappings are unique to one slot: a JSON dump of
    every mapping of the form, each time (~4 % of a message, profiled). The answer
    depends only on the domain and the form."""
    global _original_unique_mappings
    from rasa.core.actions.forms import FormAction

    if _original_unique_mappings is None:
        _original_unique_mappings = FormAction._create_unique_entity_mappings
    FormAction._create_unique_entity_mappings = _unique_entity_mappings


# The last trackers' replays: id(tracker) → (tracker, domain, omit_unset_slots, applied
# events, replayed tracker, states before each ActionExecuted). The entry holds the tracker
# and domain, so neither id is reused while it is here.
_replays: OrderedDict[int, Tuple[Any, Any, bool, List[Any], Any, List[Any]]] = OrderedDict()
REPLAYS_KEPT = 64  # conversations in progress at once; each entry a few tens of KB
_original_states: Any = None


def _states_for_tracker_history(
    self: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[Dict[str, Any]]:
    from rasa.shared.core.events import ActionExecuted

    if ignore_rule_only_turns:  # what ML policies ask for: states depend on earlier ones
        return _original_states(self, tracker, omit_unset_slots, True, rule_only_data)
    applied = tracker.applied_events()
    entry = _replays.pop(id(tracker), None)
    if (
        entry is not None
        and entry[1] is self
        and entry[2] == omit_unset_slots
        and len(entry[3]) <= len(applied)
        and all(old is new for old, new in zip(entry[3], applied))
    ):
        _, _, _, done, replay, before_actions = entry  # the same history, maybe longer
    else:  # new, or the history was rewritten (a restart, an undo, a form's loop)
        done, replay, before_actions = [], tracker.init_copy(), []
    # Domain.states_for_tracker_history over tracker.generate_all_prior_trackers(): a
    # state before each ActionExecuted, then the state after the last event.
    for event in applied[len(done) :]:
        if isinstance(event, ActionExecuted):
            before_actions.append(
                self._clean_state(self.get_active_state(replay, omit_unset_slots))
            )
        replay.update(event)
    _replays[id(tracker)] = (tracker, self, omit_unset_slots, applied, replay, before_actions)
    while len(_replays) > REPLAYS_KEPT:
        _replays.popitem(last=False)
    last = self._clean_state(self.get_active_state(replay, omit_unset_slots))
    # copies: the featurizer deletes a state's user text or intent in place
    return [{part: dict(sub) for part, sub in state.items()} for state in before_actions] + [last]


def incremental_tracker_states() -> None:
    """RulePolicy turns the whole conversation into states for every prediction, 2–4
    predictions a message, by replaying every event into a fresh tracker (~20 % of a
    message, profiled). Each conversation's replay is kept: when the history only grew,
    only the new events are replayed. A history that changed otherwise (a restart, an
    undone turn, a form's loop folding its turns) is replayed in full, as Rasa does."""
    global _original_states
    from rasa.shared.core.domain import Domain

    if _original_states is None:
        _original_states = Domain.states_for_tracker_history
    Domain.states_for_tracker_history = _states_for_tracker_history


# The event keys that carry what a user wrote (or values built from it) in Rasa 3.6's
# structured log events: rasa/utils/log_utils.py _anonymizer's list.
MESSAGE_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message",
})  # fmt: skip
REMOVED = "[removed]"


def _redact(_: Any, __: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    """Rasa's first log processor, in place of its _anonymizer (which asks a plug-in that
    only Rasa Pro has): what a user wrote never reaches a log line, whatever the level
    («processor.message.parse» carries the text at debug)."""
    for key in MESSAGE_KEYS.intersection(event_dict):
        event_dict[key] = REMOVED
    return event_dict


def no_text_in_logs() -> None:
    """Applied before Rasa's CLI calls configure_structlog, which reads _anonymizer then."""
    import rasa.utils.log_utils

    rasa.utils.log_utils._anonymizer = _redact


def in_process_logs(level: int = logging.WARNING) -> None:
    """For code that loads a model without Rasa's CLI (tests, bench reports): structlog set
    up as in the server, redacted and at `level`. Unconfigured, structlog prints every
    event, «processor.message.parse» with its text included."""
    import rasa.utils.log_utils

    no_text_in_logs()
    rasa.utils.log_utils.configure_structlog(level)


def _in_place() -> Dict[str, bool]:
    """For each patch that replaces a Rasa function: is the replacement where Rasa calls it?"""
    import rasa.telemetry
    import rasa.utils.log_utils
    from rasa.core.actions.action import RemoteAction
    from rasa.core.actions.forms import FormAction
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.domain import Domain

    return {
        "no_text_in_logs": rasa.utils.log_utils._anonymizer is _redact,
        "no_error_reports": rasa.telemetry.initialize_error_reporting is _no_error_reporting,
        "fast_action_response_check": (
            RemoteAction._validate_action_result is _validate_action_result
        ),
        "bounded_action_calls": RemoteAction.run is _bounded_remote_run,
        "graph_plan_once": DaskGraphRunner.run is _run_graph,
        "domain_emptiness_once": Domain.is_empty is _is_empty,
        "indexed_rule_lookup": RulePolicy._get_possible_keys is _possible_keys,
        "action_calls_without_responses": (
            RemoteAction._action_call_format is _call_format_without_responses
        ),
        "unique_entity_mappings_once": (
            FormAction._create_unique_entity_mappings is _unique_entity_mappings
        ),
        "incremental_tracker_states": (
            Domain.states_for_tracker_history is _states_for_tracker_history
        ),
    }


def not_applied() -> List[str]:
    """The patches that are not in place (all of them under a plain `rasa run`)."""
    return [name for name, applied in _in_place().items() if not applied]


def apply_all() -> None:
    log_level_kept()
    no_text_in_logs()
    no_error_reports()
    fast_action_response_check()
    bounded_action_calls()
    graph_plan_once()
    domain_emptiness_once()
    indexed_rule_lookup()
    action_calls_without_responses()
    unique_entity_mappings_once()
    incremental_tracker_states()

"""Small, named changes to Rasa 3.6 behaviour, applied by veivis.rasa_cli before Rasa runs.

Each one is a fix for something measured or a privacy rule; each is a row of
veivis/rasa_internals.py (what it relies on, its fingerprint, its test), and without them
the server refuses to start (not_applied(), checked by the REST channel).
"""

from __future__ import annotations

import logging
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


def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match

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
    action call here (profiled), 17 % of all of Veivis' CPU time. The same check of the
    reply against a validator built once costs under 1 ms."""
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

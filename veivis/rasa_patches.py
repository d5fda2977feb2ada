"""Small, named changes to Rasa 3.6 behaviour, applied by veivis.rasa_cli before Rasa runs.

Each one is a fix for something measured or a privacy rule; each has a test in
tests/unit/test_rasa_patches.py that fails if a Rasa upgrade moves the patched code.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict


def no_error_reports() -> None:
    """Rasa 3.6 sends uncaught exceptions to Sentry with a key bundled in the package, even
    when telemetry is disabled (rasa/__main__.py calls initialize_error_reporting()
    unconditionally). Veivis must not send anything off the machine."""
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = lambda: None


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

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]


def apply_all() -> None:
    no_error_reports()
    fast_action_response_check()

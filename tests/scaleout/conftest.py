"""The scale-out stack as a module-scoped fixture (tests/scaleout/harness.py starts it)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.scaleout import harness


@pytest.fixture(scope="module")
def stack() -> Iterator[harness.Stack]:
    with harness.running_stack() as s:
        yield s


@pytest.fixture(scope="module", autouse=True)
def _terminal(request):
    """harness.report prints past pytest's capture while a module runs."""
    harness.TERMINAL.append(request.config.pluginmanager.getplugin("capturemanager"))
    yield
    harness.TERMINAL.clear()

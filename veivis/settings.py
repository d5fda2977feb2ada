"""Numbers from the environment (VEIVIS_…), read one way for every setting: a value that
is not a number, or not above zero, falls back to the default — a typo in a setting must
neither stop the server nor switch a limit or a timeout off."""

from __future__ import annotations

import os


def number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def count(name: str, default: int, zero_allowed: bool = False) -> int:
    """A whole number; `zero_allowed` where 0 has a meaning of its own (e.g. «no ceiling»)."""
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 or (zero_allowed and value == 0) else default

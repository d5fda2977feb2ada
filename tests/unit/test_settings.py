"""Numbers from the environment (veivis/settings.py): a bad value falls back to the default."""

import pytest

from veivis import settings


@pytest.mark.parametrize(
    "raw, expected",
    [(None, 2.0), ("0.5", 0.5), ("3", 3.0), ("0", 2.0), ("-1", 2.0), ("fem", 2.0), ("", 2.0)],
)
def test_number(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("VEIVIS_TEST_SETTING", raising=False)
    else:
        monkeypatch.setenv("VEIVIS_TEST_SETTING", raw)
    assert settings.number("VEIVIS_TEST_SETTING", 2.0) == expected


@pytest.mark.parametrize(
    "raw, zero_allowed, expected",
    [
        (None, False, 20),
        ("7", False, 7),
        ("0", False, 20),
        ("0", True, 0),  # e.g. VEIVIS_MAX_CONVERSATIONS=0: no ceiling
        ("-3", True, 20),
        ("2.5", False, 20),  # not a whole number
        ("tjue", False, 20),
    ],
)
def test_count(monkeypatch, raw, zero_allowed, expected):
    if raw is None:
        monkeypatch.delenv("VEIVIS_TEST_SETTING", raising=False)
    else:
        monkeypatch.setenv("VEIVIS_TEST_SETTING", raw)
    assert settings.count("VEIVIS_TEST_SETTING", 20, zero_allowed) == expected

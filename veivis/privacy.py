"""Mask what could identify a user before a message is processed, stored or logged."""

from __future__ import annotations

import re

# Order matters: a national ID (11 digits) must be masked before the phone rule sees it.
_PATTERNS = (
    ("[e-post]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[fødselsnummer]", re.compile(r"(?<!\d)\d{6}[\s.-]?\d{5}(?!\d)")),
    ("[telefonnummer]", re.compile(r"(?<![\d+])(?:(?:\+|00)47[\s-]?)?(?:\d[\s-]?){7}\d(?!\d)")),
)


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, national ID numbers (fødselsnummer) and phone numbers.

    Short service numbers (113, 116 117) stay readable: only 8-digit numbers are phones.
    """
    for label, pattern in _PATTERNS:
        text = pattern.sub(label, text)
    return text

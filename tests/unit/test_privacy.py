"""Personal data typed into the chat is masked before it is processed or stored."""

import pytest

from veivis.privacy import mask_personal_data

CASES = [
    ("fødselsnummeret mitt er 01019912345", "01019912345"),
    ("fnr 010199 12345", "010199 12345"),
    ("ring meg på 98765432", "98765432"),
    ("nummeret er 987 65 432", "987 65 432"),
    ("+47 98765432", "98765432"),
    ("0047 98 76 54 32", "98 76 54 32"),
    ("mail: ola.nordmann@example.no", "ola.nordmann@example.no"),
]


@pytest.mark.parametrize("text,secret", CASES)
def test_personal_data_is_masked(text, secret):
    masked = mask_personal_data(text)
    assert secret not in masked
    assert "[" in masked


@pytest.mark.parametrize(
    "text",
    ["ring 113", "legevakt 116 117", "jeg er 19 år", "i 2 år", "kl 23 i går", "4 ganger i uka"],
)
def test_service_numbers_and_small_numbers_stay(text):
    assert mask_personal_data(text) == text

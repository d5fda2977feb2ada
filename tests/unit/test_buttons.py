"""veivis.understanding.buttons: payloads, unambiguous titles, and a title for every answer."""

import pytest

from veivis.understanding import buttons
from veivis.understanding.buttons import Click, click_for_text, parse_payload, title_for


@pytest.mark.parametrize(
    "payload, click",
    [
        ("/help", Click("help")),
        ('/inform{"substance": "kokain"}', Click("inform", (("substance", "kokain"),))),
        ("hei", None),
    ],
)
def test_payloads(payload, click):
    assert parse_payload(payload) == click


def test_a_title_matches_folded_and_without_punctuation():
    title, payload = next((t, p) for _, t, p in buttons.domain_buttons() if p == "/info_naloxone")
    assert click_for_text(title.upper().rstrip("?") + " ?!") == parse_payload(payload)


def test_a_title_with_two_meanings_is_left_to_the_classifier(monkeypatch):
    monkeypatch.setattr(
        buttons,
        "domain_buttons",
        lambda directory=None: [
            ("a", "Ja", "/affirm"),
            ("b", "Ja", "/help"),
            ("c", "Nei", "/deny"),
        ],
    )
    buttons.unambiguous_titles.cache_clear()
    try:
        assert click_for_text("ja") is None
        assert click_for_text("nei") == Click("deny")
    finally:
        buttons.unambiguous_titles.cache_clear()


def test_every_answer_the_search_can_offer_has_a_button_title():
    from veivis.understanding.retrieval import OUT_OF_SCOPE, answer_index

    for intent in set(answer_index().intents) - {OUT_OF_SCOPE}:  # never offered
        assert title_for(intent).strip(), intent


@pytest.mark.parametrize(
    "text",
    ["hvordan skifter jeg til vinterdekk på bilen", "kan du anbefale en god pizzaoppskrift"],
)
def test_what_matches_the_out_of_scope_examples_best_is_never_offered(text):
    from veivis.understanding.retrieval import OUT_OF_SCOPE, search

    found = search(text)
    assert found.ranked and found.ranked[0][0] == OUT_OF_SCOPE
    assert found.out_of_scope and found.winner is None and found.candidates() == []


def test_out_of_scope_examples_do_not_crowd_out_an_answer():
    from veivis.understanding.retrieval import OUT_OF_SCOPE, search

    found = search("hvor lenge varer abstinensene etter heroin")
    assert not found.out_of_scope
    assert OUT_OF_SCOPE not in found.candidates()
    assert found.candidates()

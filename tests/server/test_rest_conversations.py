"""Veivis over REST, started exactly as `make run` starts it, talking Norwegian."""

import uuid

from tests.conftest import Chat, texts, triage_of
from veivis.contacts import load_contacts
from veivis.triage import Answers, decide

EMERGENCY_PHONE = load_contacts()["nodtelefon"]["phone"]


def chat(servers):
    return Chat(servers.webhook, f"test-{uuid.uuid4()}")


def payloads(replies):
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def test_greeting_says_what_veivis_is_and_offers_the_way_forward(servers):
    replies = chat(servers).send("hei")
    text = texts(replies)
    assert "Veivis" in text
    assert EMERGENCY_PHONE in text  # danger → 113, filled in from resources/contacts.yml
    assert "diagnose" in text and "anonym" in text
    assert "/start_selfcheck" in payloads(replies)


def test_an_information_question_gets_an_answer_with_its_source(servers):
    replies = chat(servers).send("hva er LAR-behandling?")
    assert len(replies) >= 2
    assert "Kilde:" in replies[-1].get("text", "")


def test_emergency_gets_113_first_and_the_triage_message(servers):
    replies = chat(servers).send("hjelp!! kompisen min puster ikke")
    assert EMERGENCY_PHONE in replies[0]["text"]
    triage = triage_of(replies)
    assert triage and triage[0]["triage"] == "emergency"
    assert EMERGENCY_PHONE in [c["phone"] for c in triage[0]["contacts"]]


def test_self_check_by_buttons_ends_with_the_triage_outcome(servers):
    c = chat(servers)
    assert '/inform{"substance": "kokain"}' in payloads(c.send("/start_selfcheck"))
    c.send('/inform{"substance": "kokain"}')
    c.send('/inform{"frequency": "weekly"}')
    c.send('/inform{"duration": "months"}')
    c.send('/inform{"symptom": "none", "timing": "none"}')  # the «Ingen plager» button
    replies = c.send("/affirm")
    expected = decide(
        Answers(subject="self", substances=frozenset({"kokain"}), alcohol_with_cocaine="yes",
                frequency="weekly", duration="months", symptoms=frozenset({"none"}))
    )  # fmt: skip
    assert [t["triage"] for t in triage_of(replies)] == [expected.level]
    assert "Oppsummering" in texts(replies)


def test_self_check_by_typing_for_someone_else(servers):
    c = chat(servers)
    first = c.send("jeg er bekymret for broren min")
    # the relatives' answer first, with the check about the person as a button
    assert load_contacts()["parorendetelefonen"]["phone"] in texts(first)
    assert "/start_selfcheck_other" in payloads(first)
    c.send("Sjekk bruken til den jeg er bekymret for")  # the button's title, typed
    c.send("han bruker heroin")
    c.send("hver dag tror jeg")
    c.send("i flere år")
    c.send("han skjelver og sover dårlig")
    # when the symptoms come; «alcohol with cocaine?» is not asked: only heroin was named
    replies = c.send("etter at han sluttet")
    triage = triage_of(replies)
    assert triage and triage[0]["triage"] == "gp"
    phones = [x["phone"] for x in triage[0]["contacts"]]
    assert load_contacts()["parorendetelefonen"]["phone"] in phones  # help for relatives


def test_emergency_inside_the_self_check_wins_and_leaves_the_form(servers):
    c = chat(servers)
    c.send("/start_selfcheck")
    c.send("kokain")
    replies = c.send("vent, han har fått kramper og svarer ikke")
    assert EMERGENCY_PHONE in replies[0]["text"]
    assert triage_of(replies)[0]["triage"] == "emergency"
    after = c.send("hei")  # the form is left: a greeting is a greeting again
    assert "Veivis" in texts(after)


def test_self_check_answered_no_and_dont_know_in_words(servers):
    """«vet ikke» and «nei» typed as answers are stored as such, not as nested lists."""
    c = chat(servers)
    c.send("jeg vil ta en sjekk av meg selv")
    c.send("vet ikke")  # substances
    c.send("sjelden")
    c.send("noen uker")
    c.send("nei")  # symptoms: none
    replies = c.send("nei")  # alcohol with cocaine
    expected = decide(
        Answers(subject="self", substances=frozenset({"unknown"}), alcohol_with_cocaine="no",
                frequency="rarely", duration="weeks", symptoms=frozenset({"none"}))
    )  # fmt: skip
    assert [t["triage"] for t in triage_of(replies)] == [expected.level]
    summary = texts(replies)
    assert "[" not in summary.split("Oppsummering")[1]  # no "['none']" in what the user reads

"""Help numbers come from resources/contacts.yml and reach replies through the NLG."""

import pytest

from veivis import payloads
from veivis.contacts import (
    CONTACTS_FILE,
    contact_cards,
    fill_placeholders,
    load_contacts,
    load_levels,
    triage_message,
)
from veivis.nlg import render
from veivis.triage import LEVELS, contacts_for
from veivis.understanding.buttons import ROOT

REQUIRED_FIELDS = {"name", "phone", "for", "hours", "url", "source", "checked", "confidence"}


def test_every_contact_has_every_field():
    for contact_id, contact in load_contacts().items():
        assert set(contact) >= REQUIRED_FIELDS, contact_id


FACTS = CONTACTS_FILE.parents[2] / "shared" / "facts.md"


@pytest.mark.skipif(not FACTS.exists(), reason="../shared/facts.md is not beside the repo")
def test_every_number_is_one_of_the_checked_facts():
    facts = FACTS.read_text(encoding="utf-8")
    for contact_id, contact in load_contacts().items():
        if contact["phone"]:
            assert f"| {contact['phone']} " in facts or f"{contact['phone']} (" in facts, contact_id


def test_placeholders_are_filled_from_the_file():
    contacts = load_contacts()
    text = fill_placeholders("Ring [[legevakt.phone]] eller [[nodtelefon.phone]].")
    assert contacts["legevakt"]["phone"] in text and contacts["nodtelefon"]["phone"] in text
    assert "[[" not in text


def test_an_unknown_placeholder_fails_loudly():
    with pytest.raises(KeyError):
        fill_placeholders("[[finnes_ikke.phone]]")


@pytest.mark.parametrize("level", LEVELS)
def test_triage_payload_follows_the_reply_contract(level):
    payload = render({"triage": level})
    assert set(payload) == {"triage", "heading", "badge", "lead", "contacts"}
    assert payload["triage"] == level
    texts = load_levels()[level]
    assert [payload[k] for k in ("heading", "badge", "lead")] == [
        texts["heading"],
        texts["badge"],
        texts["lead"],
    ]
    assert payload["contacts"] == contact_cards(contacts_for(level))
    for card in payload["contacts"]:
        assert set(card) == {"name", "phone", "url"}


def test_each_level_reads_differently():
    """Heading and badge tell the levels apart without colour (the widget shows both)."""
    for key in ("heading", "badge", "lead"):
        assert len({texts[key] for texts in load_levels().values()}) == len(LEVELS), key


def test_the_emergency_card_says_113_in_its_heading():
    assert load_contacts()["nodtelefon"]["phone"] in load_levels()["emergency"]["heading"]


def levels_yaml(texts: str, levels=LEVELS) -> str:
    return "levels:\n" + "".join(f"  {level}: {{{texts}}}\n" for level in levels)


@pytest.mark.parametrize(
    "yaml_text,error",
    [
        (levels_yaml("heading: a, badge: b, lead: c, advice: d", ["emergency"]), "levels"),
        (levels_yaml("heading: a, badge: b, lead: c"), "advice"),
        (levels_yaml("heading: a, badge: '', lead: c, advice: d"), "badge"),
    ],
)
def test_a_level_file_missing_a_level_or_a_text_fails_loudly(tmp_path, yaml_text, error):
    path = tmp_path / "triage_levels.yml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_levels.__wrapped__(path)


def test_the_payload_keys_are_the_ones_the_widget_reads():
    """widget/js/payload.js names the same keys (KEY); a rename on one side only breaks here."""
    script = (ROOT / "widget" / "js" / "payload.js").read_text(encoding="utf-8")
    for key in (payloads.TRIAGE, payloads.HEADING, payloads.BADGE, payloads.LEAD,
                payloads.CONTACTS, payloads.SUMMARY):  # fmt: skip
        assert f'{key}: "{key}"' in script, key


def test_suicide_payload_adds_someone_to_talk_to():
    payload = render({"triage": "emergency", "suicide": True})
    phones = [c["phone"] for c in payload["contacts"]]
    assert load_contacts()["hjelpetelefonen"]["phone"] in phones
    assert load_contacts()["nodtelefon"]["phone"] in phones


def test_triage_message_lists_the_given_contacts():
    message = triage_message("urgent", ["legevakt"])
    texts = load_levels()["urgent"]
    assert message == {
        "triage": "urgent",
        "heading": texts["heading"],
        "badge": texts["badge"],
        "lead": texts["lead"],
        "contacts": contact_cards(["legevakt"]),
    }


def test_nlg_fills_numbers_even_when_rasa_reassigns_the_responses():
    from rasa.shared.core.domain import Domain

    from veivis.nlg import ContactsNLG

    raw = {"utter_x": [{"text": "Ring [[nodtelefon.phone]]"}]}
    nlg = ContactsNLG(domain=Domain.from_dict({"responses": raw}))
    nlg.responses = raw  # what rasa.core.agent.Agent.load_model does
    phone = load_contacts()["nodtelefon"]["phone"]
    assert nlg.responses["utter_x"][0]["text"] == f"Ring {phone}"


def test_also_and_did_you_mean_buttons_come_from_the_parse_data():
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from veivis.nlg import ALSO_KEY, ALSO_TEXT, SUGGESTIONS_KEY, ContactsNLG
    from veivis.understanding.retrieval import last_response_of_rule

    domain = Domain.load(str(ROOT / "domain"))
    nlg = ContactsNLG(domain=domain)

    def reply(action, parse):
        tracker = DialogueStateTracker.from_events("s", [UserUttered("x", parse_data=parse)])
        return asyncio.run(nlg.generate(action, tracker, "rest"))

    lar = {"intent": {"name": "info_lar"}, ALSO_KEY: ["info_detox"]}
    last = last_response_of_rule("info_lar")
    message = reply(last, lar)
    assert ALSO_TEXT in message["text"] and message["buttons"][0]["payload"] == "/info_detox"
    plain = reply(last, {"intent": {"name": "info_lar"}})
    assert ALSO_TEXT not in plain["text"]
    assert "/info_detox" not in [b["payload"] for b in plain.get("buttons") or []]
    danger = {"intent": {"name": "emergency"}, ALSO_KEY: ["info_detox"]}
    assert ALSO_TEXT not in (reply("utter_emergency_reassure", danger)["text"])
    asked = {"intent": {"name": "did_you_mean"}, SUGGESTIONS_KEY: ["info_lar", "info_detox"]}
    sent = [b["payload"] for b in reply("utter_did_you_mean", asked)["buttons"]]
    assert sent[:2] == ["/info_lar", "/info_detox"] and sent[-1] == "/help"


def test_open_now_is_filled_when_the_answer_is_sent():
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from veivis.contacts import open_now
    from veivis.nlg import ContactsNLG

    nlg = ContactsNLG(domain=Domain.load(str(ROOT / "domain")))
    stored = nlg.responses["utter_talk_to_human_1"][0]["text"]
    assert "[[rusinfo.open_now]]" in stored  # kept live at start-up, not frozen
    tracker = DialogueStateTracker.from_events("s", [UserUttered("x")])
    text = asyncio.run(nlg.generate("utter_talk_to_human_1", tracker, "rest"))["text"]
    assert "[[" not in text
    assert open_now("rusinfo") in text  # the same minute: the same sentence

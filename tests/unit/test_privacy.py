"""Personal data typed into the chat is masked before it is processed or stored."""

import re
from pathlib import Path

import pytest
import yaml

from veivis.privacy import NAME_LABEL, mask_personal_data
from veivis.redflags import detect

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


# ---------------------------------------------------------------- names
# text, the name words that must be gone, what must still be there
NAMES = [
    # strong cues: the next word is a name, whatever its case
    ("jeg heter Ola Nordmann", "Ola Nordmann", "jeg heter"),
    ("jeg heter kari og er 17 år", "kari", "og er 17 år"),
    ("Jeg heter Kari-Anne", "Kari-Anne", "Jeg heter"),
    ("jeg heter Ørjan", "Ørjan", "jeg heter"),
    ("JEG HETER KARI", "KARI", "JEG HETER"),
    ("jeg het Per før jeg byttet navn", "Per", "før jeg byttet navn"),
    ("han heter Jonas og tar kokain", "Jonas", "og tar kokain"),
    ("hun heter Liv", "Liv", "hun heter"),
    ("hen heter Alex", "Alex", "hen heter"),
    ("hu heter Nora", "Nora", "hu heter"),
    ("sønnen min heter Emil og er 16", "Emil", "og er 16"),
    ("dattera vår heter Emma Marie, hun tok piller", "Emma Marie", "hun tok piller"),
    ("kjæresten min heter sondre", "sondre", "kjæresten min heter"),
    ("min sønn heter Jonas", "Jonas", "min sønn heter"),
    ("broren min som heter Per", "Per", "broren min som heter"),
    ("jeg har en venn som heter Ali", "Ali", "jeg har en venn som heter"),
    ("mitt navn er Sara", "Sara", "mitt navn er"),
    ("navnet mitt er: kari", "kari", "navnet mitt er:"),
    ("navnet hennes er Ingrid", "Ingrid", "navnet hennes er"),
    ("kall meg Kim", "Kim", "kall meg"),
    ("kallenavnet mitt er Tuppen", "Tuppen", "kallenavnet mitt er"),
    ("jeg heter egentlig Sonja", "Sonja", "jeg heter egentlig"),
    ("takk for hjelpen! hilsen Kari", "Kari", "takk for hjelpen! hilsen"),
    ("Mvh\nOla Nordmann", "Ola Nordmann", "Mvh"),
    # nynorsk
    ("eg heiter Åse", "Åse", "eg heiter"),
    ("namnet mitt er Sigrid", "Sigrid", "namnet mitt er"),
    ("ho heiter Ingeborg", "Ingeborg", "ho heiter"),
    ("sonen vår heiter Eirik", "Eirik", "sonen vår heiter"),
    ("helsing Åse", "Åse", "helsing"),
    # weak cues: a relation, then a capitalised word
    ("broren min Per drikker hver helg", "Per", "drikker hver helg"),
    ("kjæresten min, Ali, tar kokain", "Ali", "tar kokain"),
    ("min sønn Jonas har begynt med hasj", "Jonas", "har begynt med hasj"),
    ("sønnen vår Emil", "Emil", "sønnen vår"),
    ("Jeg er redd for mora mi Kari Hansen", "Kari Hansen", "Jeg er redd for mora mi"),
    ("venninna mi Ida røyker hasj", "Ida", "røyker hasj"),
    ("broren min Hans tar kokain", "Hans", "tar kokain"),
    # more than one
    ("jeg heter Ola og broren min Per tar kokain", "Ola Per", "tar kokain"),
    # with the other masks
    ("jeg heter Ola, ring 98765432", "Ola 98765432", "[telefonnummer]"),
]


def _left(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


@pytest.mark.parametrize("text,gone,kept", NAMES, ids=[t for t, _, _ in NAMES])
def test_names_after_a_cue_are_masked(text, gone, kept):
    masked = mask_personal_data(text)
    assert NAME_LABEL in masked
    for name in gone.split():
        assert not _left(name, masked), masked
    assert kept in masked, masked


# Common first names that are not also ordinary words. After a weak cue («broren min …»)
# every word of the pattern files counts as ordinary, so a name in a word list goes
# unmasked: «hans|hennes» in red_flags.yml once spared «broren min Hans». (Liv, Dag and
# Odd are ordinary words too; the strong cues mask them.)
COMMON_FIRST_NAMES = [
    "Hans",
    "Per",
    "Ole",
    "Kari",
    "Anne",
    "Nils",
    "Lars",
    "Jon",
    "Ida",
    "Eva",
    "Emma",
    "Nora",
    "Jonas",
    "Mari",
    "Ingrid",
    "Sofie",
    "Tor",
    "Erik",
    "Knut",
    "Sondre",
    "Armin",
    "Jan",
    "Bjørn",
    "Geir",
    "Morten",
    "Silje",
    "Hanne",
    "Kristin",
    "Marius",
    "Henrik",
    "Magnus",
    "Thea",
    "Sara",
    "Amir",
    "Ali",
    "Fatima",
    "Mohammed",
    "Jakob",
    "Emil",
    "Oskar",
    "Filip",
    "Aksel",
    "Maja",
    "Ella",
    "Vilde",
    "Tuva",
    "Ahmed",
    "Omar",
    "Tone",
    "Elin",
    "Randi",
    "Frode",
    "Svein",
    "Arne",
    "Trond",
    "Rune",
    "Kjell",
]


@pytest.mark.parametrize("name", COMMON_FIRST_NAMES)
def test_no_word_list_spares_a_common_first_name(name):
    masked = mask_personal_data(f"broren min {name} tar kokain")
    assert name not in masked and NAME_LABEL in masked


def test_the_whole_name_becomes_one_label():
    assert mask_personal_data("jeg heter Ola Nordmann") == "jeg heter [navn]"
    assert mask_personal_data("kjæresten min, Ali, tar kokain") == (
        "kjæresten min, [navn], tar kokain"
    )


# The false-positive guard: none of these may change.
NOT_NAMES = [
    "jeg heter ikke noe",
    "jeg heter egentlig ikke det",
    "hva heter du?",
    "hva heter det?",
    "jeg vet ikke hva han heter",
    "han heter noe sånt som",
    "navnet mitt er ikke viktig",
    "kall meg hva du vil",
    "det heter naloxon",
    "de heter oxy",  # a substance after a strong cue stays
    "pillene heter oxycontin",
    "hilsen en bekymret mor",
    "hilsen fra meg",
    "kokain",
    "Kokain er farlig",
    "Jeg er redd for broren min",
    "Jeg er redd for broren min. Han tar kokain",  # a full stop ends the cue
    "kjæresten min, han tar kokain",
    "kjæresten min, Han tar kokain",
    "min sønn er 17",
    "sønnen min i Bergen",
    "BROREN MIN PUSTER IKKE",  # shouting is not a capitalised name
    "vennen min Puster ikke",  # a red-flag word typed with a capital
    "broren min Tar kokain",
    "Ring 113",
    "Blå Kors",
    "Jeg har snakket med RUSinfo og NAV",
    "broren min NAV-saken",
    "Giftinformasjonen sa at det var greit",
    "jeg bor i Oslo",
    "Hei",
    "Han puster ikke",
    "Mamma drikker hver dag",
    "Nå er hun bevisstløs",
    "Veivis, lagrer du det jeg skriver?",
]


@pytest.mark.parametrize("text", NOT_NAMES)
def test_words_that_are_not_names_stay(text):
    assert mask_personal_data(text) == text


def test_a_name_without_a_cue_is_not_guessed():
    # Deliberate: no name dictionary. A name that starts a sentence, or stands without a
    # cue, stays; the bot asks users not to write names.
    assert mask_personal_data("Per tar kokain") == "Per tar kokain"
    assert mask_personal_data("jeg er bekymret for Per") == "jeg er bekymret for Per"


def test_the_privacy_answer_promises_no_more_than_the_code_does():
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain"))
    said = " ".join(v["text"] for v in domain.responses["utter_privacy"])
    assert "telefonnumre, fødselsnumre og e-postadresser" in said.lower()
    assert "etter «jeg heter»" in said and "ikke alltid" in said  # names: only with a cue
    assert NAME_LABEL in mask_personal_data("jeg heter Kari")


# ---------------------------------------------------------------- red flags survive
RED_FLAGS = [
    ("broren min Per puster ikke", "Per", "broren min [navn] puster ikke"),
    ("hun heter Kari og er bevisstløs", "Kari", "og er bevisstløs"),
    ("jeg heter Ola og jeg vil ta livet mitt", "Ola", "og jeg vil ta livet mitt"),
    ("min sønn Jonas har kramper etter heroin", "Jonas", "har kramper etter heroin"),
    ("kjæresten min, Ali, har blå lepper", "Ali", ", har blå lepper"),
    ("ho heiter Liv og pustar ikkje", "Liv", "og pustar ikkje"),
]


@pytest.mark.parametrize("text,name,kept", RED_FLAGS)
def test_red_flag_words_survive_the_name_mask(text, name, kept):
    masked = mask_personal_data(text)
    assert not _left(name, masked) and kept in masked, masked
    assert detect(masked).level == detect(text).level != "none"


RED_FLAG_ROWS = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "red_flag_cases.yml").read_text("utf-8")
)["cases"]


def test_masking_never_changes_what_the_red_flag_detector_says():
    """The guard reads the masked text: every row of the red-flag table, also behind a
    relation cue with its first word capitalised, is judged the same after masking."""
    changed = []
    for row in RED_FLAG_ROWS:
        text = row["text"]
        for variant in (
            text,
            "broren min " + text[:1].upper() + text[1:],
            "kjæresten min, " + text[:1].upper() + text[1:],
            "hun heter Kari og " + text,
        ):
            masked = mask_personal_data(variant)
            if detect(masked).level != detect(variant).level:
                changed.append(variant)
            assert mask_personal_data(masked) == masked, variant
    assert not changed


# ---------------------------------------------------------------- robustness
@pytest.mark.parametrize(
    "text",
    [t for t, _, _ in NAMES + RED_FLAGS] + NOT_NAMES + [t for t, _ in CASES],
)
def test_masking_twice_is_masking_once(text):
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


def test_empty_and_blank_text():
    assert mask_personal_data("") == ""
    assert mask_personal_data("  \n ") == "  \n "


ADVERSARIAL = [
    "jeg heter " * 200,
    "jeg heter egentlig " * 105,
    "broren min " * 180,
    "broren min ," * 165,
    "broren min" + " " * 1990,
    "jeg heter Kari" + "-Anne" * 397,
    "min sønn " + "Per " * 497,
    "navnet mitt er" + " :" * 993,
    ("hilsen Kari Nordmann broren min, Ali, " * 60)[:2000],
    "a" * 2000,
    "1" * 2000,
    "a@" * 1000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: t[:20])
def test_long_adversarial_texts_finish(text):
    # No timing assert: a catastrophic backtrack would hang here, not fail.
    masked = mask_personal_data(text)
    assert mask_personal_data(masked) == masked

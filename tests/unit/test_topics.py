"""veivis.understanding.topics: substance group + question frame → answer, row by row."""

import pytest

from veivis.understanding import topics
from veivis.understanding.topics import SUBSTANCE_ANSWERS, TABLE, answer_for, frame_of, group_of

# (message, substances the entity extractor found, expected answer or None)
ROWS = [
    ("hva er fentanyl", ["fentanyl"], "info_opioids_what"),
    ("kva er eigentleg heroin for noko", ["heroin"], "info_opioids_what"),
    ("er kokain farlig", ["kokain"], "info_cocaine_harms"),
    ("er det skadelig å ta kola og drikke samtidig", ["kokain", "alkohol"], "info_alcohol_cocaine"),
    ("blir man fort avhengig av koks?", ["kokain"], "info_cocaine_addictive"),
    ("hvor lenge varer abstinensene etter heroin", ["heroin"], "info_opioid_withdrawal"),
    ("går toleransen ned om man tar en pause fra heroinen", ["heroin"], "info_opioid_dependence"),
    ("finnes det behandling for de som bruker oxy", ["oksykodon"], "info_opioid_treatment"),
    ("behandling for kokain?", ["kokain"], "info_cocaine_treatment"),
    ("hvordan er abstinensene", [], "info_withdrawal_symptoms"),
    ("hvor får jeg behandling", [], "info_referral"),
    ("hvordan slutter man med oxycontin?", ["oksykodon"], "info_opioid_treatment"),
    ("er det normalt å svette om natta etter at jeg har slutta?", [], "info_withdrawal_symptoms"),
    ("er det fentanyl i heroinen som selges nå?", ["fentanyl", "heroin"], "info_street_drugs"),
    ("pillene kan være tilsatt nitazener, hva betyr det?", [], "info_street_drugs"),
    ("han sluttet i jobben i fjor", [], None),
    ("får han abstinenser etter at han slutta i jobben?", [], "info_withdrawal_symptoms"),
    ("er kokain tilsatt noe farlig?", ["kokain"], "info_cocaine_harms"),
    ("er det tilsatt sukker i brusen?", [], None),
    # substances beyond the sources: one answer each, whatever the frame
    ("hva er hasj", ["cannabis"], "info_cannabis"),
    ("er det farlig å slutte med sobril brått", ["benzodiazepiner"], "info_benzodiazepines"),
    ("abstinens etter alkohol", ["alkohol"], "info_alcohol"),
    ("kva er ghb", ["ghb"], "info_ghb"),
    ("er ketamin farlig", ["ketamin"], "info_ketamine"),
    ("hasj og speed, er det farlig", ["cannabis", "amfetamin"], None),  # two: not one answer
    ("er det farlig å ta heroin og benzo", ["heroin", "benzodiazepiner"], "info_opioid_harms"),
    # no frame: not this table's call
    ("kokain", ["kokain"], None),
    ("hasj", ["cannabis"], None),
    ("jeg bruker heroin hver dag", ["heroin"], None),
]


@pytest.mark.parametrize("text, substances, expected", ROWS)
def test_rows(text, substances, expected):
    assert answer_for(text, substances) == expected


def test_withdrawal_wins_over_the_substance_in_general():
    assert frame_of("hva er abstinenser etter kokain") == "withdrawal"


def test_groups():
    assert group_of(["kokain", "alkohol"]) == "both"
    assert group_of(["heroin", "alkohol"]) == "opioid"
    assert group_of([]) == "none"
    assert group_of(["cannabis"]) == "other"


def test_every_answer_in_the_table_is_an_intent_of_the_domain():
    import yaml

    from veivis.understanding.buttons import ROOT

    intents = set()
    for path in (ROOT / "domain").rglob("*.yml"):
        intents |= set((yaml.safe_load(path.read_text("utf-8")) or {}).get("intents") or [])
    assert set(TABLE.values()) | set(SUBSTANCE_ANSWERS.values()) <= intents


# (intent the classifier gave, message, someone else named, expected)
SELFCHECK_ROWS = [
    (
        "worried_about_someone",
        "kan vi gå gjennom bruken til faren min?",
        True,
        "start_selfcheck_other",
    ),
    (
        "info_relatives",
        "kan du sjekke om kjæresten min drikker for mye",
        True,
        "start_selfcheck_other",
    ),
    ("worried_about_someone", "jeg er bekymret for sønnen min", True, None),
    ("info_relatives", "hvordan snakker jeg med broren min om at han drikker", True, None),
    (
        "worried_about_someone",
        "er bekymret, jeg drikker en flaske vin hver kveld",
        False,
        "start_selfcheck",
    ),
    ("worried_about_someone", "æ e bekymra, æ tar kokain kvar helg", False, "start_selfcheck"),
    ("worried_about_someone", "det gjelder ikke meg, men en jeg kjenner", False, None),
    ("info_lar", "kan jeg sjekke om jeg får LAR", False, None),  # only the relatives' answers
    ("worried_about_someone", "jeg sjekket telefonen hans og fant meldinger om dop", True, None),
]


@pytest.mark.parametrize("intent, text, someone_else, expected", SELFCHECK_ROWS)
def test_selfcheck_asked_for(intent, text, someone_else, expected):
    from veivis.understanding.topics import selfcheck_for

    assert selfcheck_for(intent, text, someone_else) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("jeg tok MDMA en gang på festival i sommer", True),
        ("sønnen min røyker hasj hver dag", True),
        ("dattera mi på 16 har røykt hasj en gang", True),
        ("nå tar han mest heroin", True),  # the verb second
        ("eg drikk kvar helg", True),
        ("hva er fentanyl", False),
        ("er det farlig å blande kokain og alkohol", False),
        ("hvordan bruker man nalokson", False),
        ("kan man bli avhengig av oxy", False),
        ("tar han GHB?", False),  # a question
        ("hva skjer hvis jeg tar kokain og alkohol samtidig", False),  # a supposition
        ("Kan du sjekke bruken min? Eg drikk vin i helgane", True),  # a question, then telling
        ("lillesøstra mi røyker weed noen ganger, er det noe å bekymre seg for?", True),
        ("er det farlig, tar han GHB?", False),  # the asking clause is the last
    ],
)
def test_describes_use_tells_use_from_questions_about_a_substance(text, expected):
    assert topics.describes_use(text) is expected


@pytest.mark.parametrize(
    "text,who,expected",
    [
        ("kjæresten min drikker hver dag", "self", False),
        ("kjæresten min drikker hver dag", "other", True),
        ("jeg drikker hver dag", "other", False),
        ("i helgene drikker jeg mye", "self", True),
        ("nå tar han mest heroin", "self", False),
    ],
)
def test_describes_use_of_the_person_the_check_is_about(text, who, expected):
    assert topics.describes_use(text, who) is expected


@pytest.mark.parametrize(
    "intent,text,substances,expected",
    [
        ("ask_where_to_buy", "hvor kan jeg kjøpe billige vinterdekk i Harstad?", [], True),
        ("ask_dosage", "kor mye koste en ny påhengsmotor", [], True),
        ("ask_dosage", "hvor mye må jeg ta for å bli høy", [], False),
        ("ask_where_to_buy", "hvor får jeg tak i dop i Bodø", [], False),
        ("ask_where_to_buy", "hvor kjøper man kola", ["kokain"], False),
        ("ask_dosage", "hvor mange piller er trygt", [], False),
        ("info_referral", "hvor kan jeg kjøpe billige vinterdekk", [], False),
    ],
)
def test_refusals_need_a_drug(intent, text, substances, expected):
    assert topics.refusal_without_drug(intent, text, substances) is expected

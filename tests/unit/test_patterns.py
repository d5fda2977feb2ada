"""The Norwegian spaCy pipeline's entity patterns: a table of inputs and expected entities.

Built from resources/patterns/*.yml exactly as `make nlp` builds it (spacy.blank("nb") + ruler).
"""

import pytest

from veivis.nlp import matcher
from veivis.nlp.build import build_pipeline
from veivis.nlp.patterns import extract_entities, substance_groups


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline("blank:nb")


def entities(nlp, text):
    return {(e["entity"], e["value"]) for e in extract_entities(nlp(text))}


TABLE = [
    # substances: canonical names, slang, inflection, typos, compounds
    ("jeg har brukt kokain", {("substance", "kokain")}),
    ("kokainen tar over livet mitt", {("substance", "kokain")}),
    ("kokainbruken min er ute av kontroll", {("substance", "kokain")}),
    ("litt kola på fest", {("substance", "kokain"), ("frequency", "rarely")}),
    ("vi tok snø hele helgen", {("substance", "kokain"), ("frequency", "weekly")}),
    ("tar c i helgene", {("substance", "kokain"), ("frequency", "weekly")}),
    ("kokian", {("substance", "kokain")}),
    ("heroin", {("substance", "heroin")}),
    ("han røyker heroinen", {("subject", "other"), ("substance", "heroin")}),
    ("fentanylplaster", {("substance", "fentanyl")}),
    ("morfin", {("substance", "morfin")}),
    ("går på metadon", {("substance", "metadon")}),
    ("subutex", {("substance", "buprenorfin")}),
    ("buprenorfin", {("substance", "buprenorfin")}),
    ("oxy og oksykodon", {("substance", "oksykodon")}),
    ("paralgin forte", {("substance", "kodein")}),
    ("kodein", {("substance", "kodein")}),
    ("tramadol", {("substance", "tramadol")}),
    # substances beyond the seeds (issue 14): one canonical name each
    ("ketamin", {("substance", "ketamin")}),
    ("bruker imovane", {("substance", "benzodiazepiner")}),
    ("stilnoct", {("substance", "benzodiazepiner")}),
    ("xanor", {("substance", "benzodiazepiner")}),
    ("sovepiller", {("substance", "benzodiazepiner")}),
    ("gbl", {("substance", "ghb")}),
    ("alkohol og kokain sammen", {("substance", "alkohol"), ("substance", "kokain")}),
    ("KOKAIN", {("substance", "kokain")}),
    ("hasj", {("substance", "cannabis")}),
    # symptoms: inflection, typos, missing æøå, nynorsk
    ("abstinens", {("symptom", "withdrawal")}),
    ("abstinensen er verst om kvelden", {("symptom", "withdrawal")}),
    ("abstinenser", {("symptom", "withdrawal")}),
    ("abstinenesene", {("symptom", "withdrawal")}),
    ("skjelving og frysninger", {("symptom", "shaking"), ("symptom", "chills")}),
    ("jeg sover dårlig", {("symptom", "sleep_problems")}),
    ("jeg sover darlig", {("symptom", "sleep_problems")}),
    ("eg får ikkje sove", {("symptom", "sleep_problems")}),
    ("kaster opp", {("symptom", "vomiting")}),
    ("kastar opp", {("symptom", "vomiting")}),
    ("hoyt blodtrykk", {("symptom", "high_blood_pressure")}),
    ("kramper", {("symptom", "seizures")}),
    ("muskelkramper", {("symptom", "muscle_pain")}),
    ("magekramper", {("symptom", "stomach_cramps")}),
    ("bevisstløs", {("symptom", "unconscious")}),
    ("bevistlos", {("symptom", "unconscious")}),
    ("medvitslaus", {("symptom", "unconscious")}),
    ("ingen symptomer", {("symptom", "none")}),
    # self-check answers
    ("hver dag", {("frequency", "daily")}),
    ("kvar dag", {("frequency", "daily")}),
    ("3 ganger i uka", {("frequency", "weekly")}),
    ("av og til", {("frequency", "rarely")}),
    ("i to år", {("duration", "years")}),
    ("noen uker", {("duration", "weeks")}),
    ("6 måneder", {("duration", "months")}),
    ("6 maneder", {("duration", "months")}),
    ("meg selv", {("subject", "self")}),
    ("kjæresten min", {("subject", "other")}),
    ("sønnen min", {("subject", "other")}),
    # negation: what the user does NOT have is not recorded
    ("ingen", {("symptom", "none")}),
    ("ingen kramper", {("symptom", "none")}),
    ("har ikke kramper, men skjelver", {("symptom", "shaking")}),
    (
        "ingen kramper og han kaster opp",
        {("symptom", "none"), ("subject", "other"), ("symptom", "vomiting")},
    ),
    ("han bruker ikke kokain", {("subject", "other")}),
    ("ikkje noko oppkast", set()),
    (
        "han har ikke sovet på tre dager og har kramper",
        {("subject", "other"), ("duration", "days"), ("symptom", "seizures")},
    ),
    # nothing to find
    ("hei, hva kan du hjelpe med?", set()),
    ("morgen", set()),
]


@pytest.mark.parametrize("text,expected", TABLE, ids=[t for t, _ in TABLE])
def test_entity_table(nlp, text, expected):
    assert entities(nlp, text) == expected


def test_entity_values_are_canonical_substances(nlp):
    groups = substance_groups()
    for ent in nlp("kola, subutex, oxy, paralgin forte, sprit, benzo").ents:
        assert ent.ent_id_ in groups


@pytest.mark.parametrize(
    "word,typed",
    [("bevisstløs", "bevistlos"), ("søvn", "sovn"), ("blå", "blaa"), ("ære", "aere"),
     ("ære", "ere"), ("på", "po"), ("kramper", "kramper")],
)  # fmt: skip
def test_a_pattern_word_accepts_common_misspellings(word, typed):
    assert matcher.parse_word(word).matches(typed)


@pytest.mark.parametrize(
    "word,typed",
    [("pils", "pills"), ("far", "får"), ("kola", "kolaen"), ("benzo", "benzoene")],
)
def test_a_single_letter_stays_single_and_a_word_is_not_a_prefix(word, typed):
    assert not matcher.parse_word(word).matches(typed)


def test_a_star_word_is_a_prefix():
    assert matcher.parse_word("kola*").matches("kolaen")
    assert matcher.parse_word("benzo*").matches("benzoene")


def test_same_tokens_go_to_the_pattern_with_fewer_prefixes_then_the_first():
    words = ["avhengig", "av", "smertestillende"]
    patterns = [
        matcher.parse_phrase("symptom", "pain", "smerte*"),
        matcher.parse_phrase("substance", "opioider", "smertestillende"),
        matcher.parse_phrase("substance", "other", "smertestillende"),
    ]
    found = matcher.PatternIndex(patterns).find(words)
    assert matcher.choose(found, patterns) == [(2, 3, 1)]


def test_the_longest_match_wins_and_overlaps_are_dropped():
    words = ["paralgin", "forte", "og", "sprit"]
    patterns = [
        matcher.parse_phrase("substance", "kodein", "paralgin*"),
        matcher.parse_phrase("substance", "kodein", "paralgin forte"),
        matcher.parse_phrase("substance", "alkohol", "sprit*"),
    ]
    found = matcher.PatternIndex(patterns).find(words)
    assert matcher.choose(found, patterns) == [(0, 2, 1), (3, 4, 2)]


def test_numbers_and_optional_words():
    words = ["i", "tre", "måneder"]
    patterns = [matcher.parse_phrase("duration", "months", "i? # måneder")]
    found = matcher.PatternIndex(patterns).find(words)
    assert matcher.choose(found, patterns) == [(0, 3, 0)]


@pytest.mark.parametrize(
    "text, implied",
    [
        ("ingen plager", {("no_symptoms", "none")}),
        ("ingen plager, men jeg svetter", set()),  # a symptom: the timing is asked
        ("bare hasj og øl", {("no_cocaine", "no")}),
        ("kokain og øl", set()),
        ("annet", set()),  # «something else» could be cocaine
        ("hver helg", set()),
    ],
)
def test_implied_answers(nlp, text, implied):
    from veivis.nlp.patterns import implied_answers

    found = extract_entities(nlp(text))
    assert {(e["entity"], e["value"]) for e in implied_answers(found)} == implied

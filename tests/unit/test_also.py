"""Long messages: the other questions a message asks, besides the main one."""

from veivis.understanding.also import MIN_CHARS, other_topics

LONG = (
    "Sønnen min på 19 har brukt kokain i helgene det siste året, og han har begynt å "
    "drikke mye samtidig. Jeg har snakket med ham, men han ler det bort. Hvor farlig er "
    "det å blande kokain og alkohol? Og finnes det behandling for kokain?"
)


def _substances(text, *names):
    """Entities as the extractor gives them: each substance at every place it is named."""
    found = []
    for name in names:
        start = text.find(name)
        while start >= 0:
            found.append({"entity": "substance", "value": name, "start": start})
            start = text.find(name, start + 1)
    return found


def test_a_second_question_is_offered_beside_the_main_answer():
    others = other_topics(LONG, "info_alcohol_cocaine", _substances(LONG, "kokain", "alkohol"))
    assert others and "info_alcohol_cocaine" not in others
    assert "info_cocaine_treatment" in others


def test_the_main_answer_is_not_offered_again():
    entities = _substances(LONG, "kokain")
    assert "info_alcohol_cocaine" not in other_topics(LONG, "info_alcohol_cocaine", entities)


def test_short_or_single_sentence_messages_ask_one_thing():
    assert other_topics("hva er LAR? og hva er metadon?", "info_lar", []) == []
    assert len("hva er LAR? og hva er metadon?") < MIN_CHARS
    assert other_topics("x" * 300, None, []) == []

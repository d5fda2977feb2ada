"""Long messages: the other topics a message asks about, besides its main question.

The intent classifier reads the whole message and answers the main question. Each
question sentence («…?», or one with a question frame) is then looked up on its own —
the topic table first, then a clear search winner — and up to two other answers are
offered as buttons under the answer («Du spurte også om …»; ContactsNLG adds them).
"""

from __future__ import annotations

from typing import Any, List, Mapping, Sequence

from veivis.language.normalise import split_questions
from veivis.understanding import retrieval, topics

MIN_CHARS = 120  # shorter messages ask one thing
MAX_OTHERS = 2


def other_topics(
    text: str, main_intent: str | None, entities: Sequence[Mapping[str, Any]]
) -> List[str]:
    """Answers the message also asks for, other than `main_intent` (at most MAX_OTHERS).

    `entities`: the message's entities with character offsets; each sentence is read with
    the substances named in it."""
    if len(text) < MIN_CHARS:
        return []
    parts = split_questions(text)
    if len(parts) < 2:
        return []
    found: List[str] = []
    position = 0
    for sentence, asked in parts:
        start = text.find(sentence, position)
        end = start + len(sentence)
        position = max(position, end)
        if not asked and topics.frame_of(sentence) is None:
            continue  # background, not a question
        substances = [
            str(e["value"])
            for e in entities
            if e.get("entity") == "substance" and start <= int(e.get("start", -1)) < end
        ]
        intent = topics.answer_for(sentence, substances) or retrieval.search(sentence).winner
        if intent and intent != main_intent and intent not in found:
            found.append(intent)
    return found[:MAX_OTHERS]

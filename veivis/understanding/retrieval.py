"""«Mente du …?»: BM25 over the bot's own answers and their example questions.

When the intent classifier is unsure, the message is searched among the training
examples of every answer intent (data/nlu) and the texts of the answers themselves
(domain/, through the rules that send them). Text goes through the shared text layer
(fold: no æøå, case or doubled letters) and the Snowball Norwegian stemmer (PyStemmer),
so «behandlingen», «behandling» and «behandlinga» meet, and bokmål and nynorsk mostly
do. Scores are summed per intent over its best few hits: one clear winner is answered,
otherwise up to three candidates are offered as buttons. The out-of-scope examples are
indexed too, as a competitor that is never offered: when they match best («vinterdekk»,
«banan og diabetes»), nothing is suggested, and the message gets the out-of-scope answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import bm25s
import Stemmer
import yaml
from bm25s.stopwords import STOPWORDS_NORWEGIAN

from veivis.language import fold
from veivis.nlu.examples import intent_examples
from veivis.understanding.buttons import domain_responses

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "data" / "rules"

# Intents that are answers someone may have meant. Not: conversation basics, the
# self-check's answers, danger (decided elsewhere, always first) and refusals.
NOT_ANSWERS = frozenset(
    {
        "greet", "goodbye", "thanks", "affirm", "deny", "dont_know", "skip", "stop",
        "inform", "restart", "out_of_scope", "nlu_fallback", "did_you_mean", "emergency",
        "emergency_suicide", "urgent", "ask_where_to_buy", "ask_dosage", "ask_hide_use",
    }
)  # fmt: skip
HITS_PER_INTENT = 3  # an intent's score: the sum of its best hits
CLEAR_SCORE = 6.0  # a winner needs at least this …
CLEAR_RATIO = 1.6  # … and this many times the runner-up's score
SUGGEST_SCORE = 2.0  # a candidate worth a button
OUT_OF_SCOPE = "out_of_scope"
# … and out of scope only when its examples beat the best answer by this much: measured
# on the read understanding sets (2026-12-02), 1.2 keeps 55 of 63 out-of-scope questions
# and leaves 2 in-scope ones (1.0: 11)
OUT_OF_SCOPE_RATIO = 1.2


@dataclass(frozen=True)
class Found:
    """The search result: the intents in order of score."""

    ranked: Tuple[Tuple[str, float], ...]

    @property
    def out_of_scope(self) -> bool:
        """The out-of-scope examples match best: not a question Veivis has an answer to."""
        if not self.ranked or self.ranked[0][0] != OUT_OF_SCOPE:
            return False
        second = self.ranked[1][1] if len(self.ranked) > 1 else 0.0
        return self.ranked[0][1] >= OUT_OF_SCOPE_RATIO * second

    @property
    def winner(self) -> str | None:
        answers = [(i, score) for i, score in self.ranked if i != OUT_OF_SCOPE]
        if not answers or self.out_of_scope or answers[0][1] < CLEAR_SCORE:
            return None
        # the out-of-scope examples count as a runner-up: a clear winner beats them too
        others = [score for intent, score in self.ranked if intent != answers[0][0]]
        second = others[0] if others else 0.0
        return answers[0][0] if answers[0][1] >= CLEAR_RATIO * second else None

    def candidates(self, n: int = 3) -> List[str]:
        if self.out_of_scope:
            return []
        answers = [(i, score) for i, score in self.ranked if i != OUT_OF_SCOPE]
        return [intent for intent, score in answers[:n] if score >= SUGGEST_SCORE]


def _examples() -> List[Tuple[str, str]]:
    """(intent, example) of the answer intents, and of out_of_scope (the competitor)."""
    return [
        (intent, text)
        for intent, text in intent_examples()
        if intent not in NOT_ANSWERS or intent == OUT_OF_SCOPE
    ]


def unconditional_rules() -> List[Tuple[str, List[str]]]:
    """(intent, actions) of every rule with one intent and no condition (data/rules)."""
    found = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            steps = rule.get("steps") or []
            intents = [s["intent"] for s in steps if "intent" in s]
            if len(intents) == 1 and not rule.get("condition"):
                found.append((intents[0], [s["action"] for s in steps if "action" in s]))
    return found


def _answer_texts() -> List[Tuple[str, str]]:
    """(intent, text of a response its rule sends)."""
    responses = domain_responses()
    return [
        (intent, str(variant["text"]))
        for intent, actions in unconditional_rules()
        if intent not in NOT_ANSWERS
        for action in actions
        for variant in responses.get(action, [])
        if variant.get("text")
    ]


class AnswerIndex:
    def __init__(self, documents: Sequence[Tuple[str, str]]) -> None:
        self.stemmer = Stemmer.Stemmer("norwegian")
        self.stopwords = sorted({fold(w) for w in STOPWORDS_NORWEGIAN})
        self.intents = [intent for intent, _ in documents]
        self.bm25 = bm25s.BM25()
        self.bm25.index(self._tokens([text for _, text in documents]), show_progress=False)

    def _tokens(self, texts: Sequence[str]):
        return bm25s.tokenize(
            [fold(t) for t in texts],
            stopwords=self.stopwords,
            stemmer=self.stemmer,
            show_progress=False,
        )

    def search(self, text: str) -> Found:
        query = self._tokens([text])
        if not query.vocab:  # nothing left after stopwords
            return Found(())
        k = min(50, len(self.intents))
        docs, scores = self.bm25.retrieve(query, k=k, show_progress=False)
        per_intent: Dict[str, List[float]] = {}
        for doc, score in zip(docs[0], scores[0]):
            if score > 0:
                per_intent.setdefault(self.intents[int(doc)], []).append(float(score))
        ranked = sorted(
            ((i, sum(sorted(s, reverse=True)[:HITS_PER_INTENT])) for i, s in per_intent.items()),
            key=lambda pair: -pair[1],
        )
        return Found(tuple(ranked))


@lru_cache(maxsize=1)
def answer_index() -> AnswerIndex:
    return AnswerIndex(_examples() + _answer_texts())


def search(text: str) -> Found:
    return answer_index().search(text)


@lru_cache(maxsize=1)
def _last_responses() -> Dict[str, str]:
    """Intent → the last response its (unconditional) rule sends."""
    last: Dict[str, str] = {}
    for intent, actions in unconditional_rules():
        responses = [a for a in actions if a.startswith("utter_")]
        if responses:
            last.setdefault(intent, responses[-1])
    return last


def last_response_of_rule(intent: str) -> str | None:
    return _last_responses().get(intent)

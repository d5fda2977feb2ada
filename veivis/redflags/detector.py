"""Deterministic red-flag detector: is someone in danger right now?

The text is split into clauses and folded (veivis/language). In each clause every category
phrase that matches is checked for a near miss: an excluded context ("magekramper"),
a negation ("ingen kramper"), a past event ("for to år siden"), a generic question
("hva er tegn på …") or a joke ("haha"). A match that is none of these fires. When in
doubt it fires: a false alarm costs a message, a miss can cost a life.

Phrases are built from concepts (`@wake`, `@face`, `@opioid`: word groups with their
inflections, nynorsk and dialect forms), so one phrase covers many wordings. A category
with `all_of` fires when every group of concepts is found, live, close together in the
message (within `combination_window` words): «barnebarnet har spist tablettene mine» = a
child + an intake — not «two children at home» three sentences after «he drinks».

Levels: emergency (113), suicide (113 + 116 123), urgent (legevakt / Giftinformasjonen).
All words live in resources/patterns/red_flags.yml and language.yml; this module holds only
the logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import yaml

from veivis.language import Language, fold, language
from veivis.language.normalise import split_questions
from veivis.paths import PATTERNS_DIR

PATTERNS_PATH = PATTERNS_DIR / "red_flags.yml"

EMERGENCY = "emergency"
SUICIDE = "suicide"
URGENT = "urgent"
NEAR_MISS = "near_miss"
NONE = "none"

_GAP = r"(?:[a-z0-9]+ ){0,3}"  # "~" in a phrase: up to three words of anything
_NEVER = re.compile(r"[^\s\S]")
_LOOKBACK_CHARS = 120  # enough for the negation window, bounded for 100 KB inputs


@dataclass(frozen=True)
class Detection:
    """What the detector found. `category` is the one reported; `categories` all that fired.

    level "suicide" only when suicide_risk is the only emergency category that fired; if a
    medical one fires too, level is "emergency" (113 first) and categories include
    suicide_risk. level "urgent" only when nothing but urgent categories fired.
    """

    level: str = NONE
    category: str | None = None
    categories: tuple[str, ...] = ()
    reason: str = ""

    @property
    def is_emergency(self) -> bool:
        return self.level in (EMERGENCY, SUICIDE)


@dataclass(frozen=True)
class _Category:
    name: str
    level: str
    self_negative: re.Pattern[str]  # phrases that carry their own negation: "puster ikke"
    plain: re.Pattern[str]  # all other phrases: these can be negated
    exclude: re.Pattern[str]
    # all_of: every group must be found live in the message; a group is a _Category itself
    groups: tuple[_Category, ...] = ()
    # «she is fine now» ends a past episode of an emergency sign, but not an intake: a
    # poisoning may show only hours later (facts.md), so urgent categories and the groups
    # of a combination are never «over and handled»
    can_be_over: bool = True
    # a harmless cause named anywhere in the message («blå i leppene av kulde»)
    harmless: re.Pattern[str] = _NEVER
    window: int | None = None  # all_of: this category's own combination window, in words
    can_be_past: bool = True  # False for a premise group: «sluttet for ei uke sia»
    # a sign that, named beside a substance in a few words and nothing else, is a topic
    # to read about («cannabis og psykose»), not a situation
    can_be_topic: bool = False


@dataclass(frozen=True)
class Patterns:
    """The compiled contents of red_flags.yml."""

    categories: tuple[_Category, ...]
    typos: Mapping[str, str]
    negators: frozenset[str]
    negation_window: int
    combination_window: int  # an urgent all_of category's groups lie within this many words
    alarm_combination_window: int  # the same for emergency and suicide combinations
    negation_lists: frozenset[str]
    negation_carriers: frozenset[str]
    negation_breakers: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    question_frames: re.Pattern[str]
    unknowing: re.Pattern[str]
    asking_phrases: re.Pattern[str]
    implicit_subject: re.Pattern[str]  # a clause opening «har tatt 2 …»: the asker did it
    concrete_people: re.Pattern[str]
    askers: frozenset[str]  # the asker's own words: not who a match names after it
    present_markers: re.Pattern[str]
    present_exceptions: re.Pattern[str]  # «boka jeg leser nå»: the reading is now, not the sign
    happening_now: re.Pattern[str]
    not_joking: re.Pattern[str]
    history: re.Pattern[str]
    recent: re.Pattern[str]
    jokes: re.Pattern[str]
    unreal: re.Pattern[str]
    just_asking: re.Pattern[str]
    conditional: re.Pattern[str]
    resolved: re.Pattern[str]
    others: re.Pattern[str]  # words naming someone other than the asker
    serious: re.Pattern[str]  # a clause that opens with it is not joking («seriøst»)
    later: re.Pattern[str]  # a worry about some day, not now: «redd for at han skal …»
    topic_words: int = 0  # a message this short naming a substance and a sign is a topic
    polite: re.Pattern[str] = _NEVER  # words not counted in a topic's length («forklar»)
    topic_substance: re.Pattern[str] = _NEVER
    urgency: re.Pattern[str] = _NEVER  # words that make a short message a cry for help


# ---------------------------------------------------------------- compiling phrases


# A regular expression ending in a space (before any lookaheads) can never end a phrase.
_ENDS_IN_SPACE = re.compile(r" (?:\(\?[=!][^()]*\))*$")
# A literal word in a regular expression: letters not right after a backslash (\b, \s)
# or a group's «?» (?:, ?!), and not one letter of a class ([a-z]).
_REGEX_WORD = re.compile(r"(?<![\\?a-z])[a-zæøå]{2,}(?![a-z])")


def _folded_regex(regex: str) -> str:
    """`regex` as written, if every literal word in it is already folded. The text is folded
    before matching, so a word folding changes («does» → «dos», «hadde» → «hade») can never
    match: such a pattern silently did nothing, and this stops the build instead."""
    if _ENDS_IN_SPACE.search(regex):
        # a phrase must end at a word's end: «do (?!not )» can never match; «do(?= (?!not ))»
        raise ValueError(f"regular expression ends in a space (put it in a lookahead): {regex}")
    unfolded = [w for w in _REGEX_WORD.findall(regex) if fold(w) != w]
    if unfolded:
        fixes = ", ".join(f"{w} → {fold(w)}" for w in unfolded)
        raise ValueError(f"regular expression with words that are not folded ({fixes}): {regex}")
    return regex


@dataclass(frozen=True)
class _Compiler:
    """Turns phrases into regexes, knowing the concepts and the language's fillers."""

    concepts: Mapping[str, str]  # name -> regex alternation (already compiled phrases)
    filler: str  # optional filler word after a phrase word: "(?:fortsatt |nesten )?"

    def word(self, word: str) -> str:
        if "re:" in word or '"' in word:
            raise ValueError(f"a regular expression must be a whole item, not a word: {word!r}")
        if word.startswith("@"):
            if word[1:] not in self.concepts:
                raise ValueError(f"unknown concept {word!r}")
            return self.concepts[word[1:]]
        alternatives = []
        for alternative in word.split("|"):
            folded = fold(alternative.rstrip("*"))
            if not folded:
                raise ValueError(f"empty alternative in pattern word {word!r}")
            ending = "[a-z0-9]*" if alternative.endswith("*") else ""
            alternatives.append(re.escape(folded) + ending)
        return "(?:" + "|".join(alternatives) + ")"

    def phrase(self, phrase: str) -> str:
        if phrase.startswith("re:"):
            return _folded_regex(phrase[3:].strip())
        words = phrase.split()
        if not words or words[0] == "~" or words[-1] == "~":
            raise ValueError(f"bad phrase {phrase!r}")
        parts: list[str] = []
        gap = False
        for word in words:
            if word == "~":
                gap = True
                continue
            if parts:
                parts.append(" " + (_GAP if gap else self.filler))
            parts.append(self.word(word))
            gap = False
        return "".join(parts)

    def alternation(self, phrases: Sequence[str]) -> str:
        for p in phrases:
            if not isinstance(p, (str, int, float)):  # a YAML alias inside a list nests a list
                raise ValueError(f"bad phrase {p!r}: a list inside a list of phrases")
        bodies = sorted((self.phrase(str(p)) for p in phrases), key=len, reverse=True)
        return "(?:" + "|".join(bodies) + ")"

    def compile(self, phrases: Sequence[str]) -> re.Pattern[str]:
        if not phrases:
            return _NEVER
        return re.compile(r"(?<![a-z0-9])" + self.alternation(phrases) + r"(?![a-z0-9])")


def _phrase_words(phrase: str, concepts: Mapping[str, Sequence[str]]) -> set[str]:
    if phrase.startswith("re:"):
        return set()
    words: set[str] = set()
    for word in phrase.split():
        if word.startswith("@"):
            for inner in concepts.get(word[1:], ()):
                words |= _phrase_words(str(inner), concepts)
            continue
        words |= {fold(alt.rstrip("*")) for alt in word.split("|")}
    return words


def _compiler(data: Mapping[str, Any], lang: Language) -> tuple[_Compiler, dict[str, list[str]]]:
    """Concepts may use concepts defined above them in the file."""
    filler = "(?:(?:" + "|".join(re.escape(w) for w in lang.fillers) + ") )?"
    concepts = data.get("concepts") or {}
    raw = {name: [str(p) for p in phrases] for name, phrases in concepts.items()}
    compiled: dict[str, str] = {}
    compiler = _Compiler(compiled, filler)
    for name, phrases in raw.items():
        compiled[name] = compiler.alternation(phrases)  # sees the concepts above it only
    return compiler, raw


def _category(
    name: str,
    spec: Mapping[str, Any],
    compiler: _Compiler,
    raw: Mapping[str, Sequence[str]],
    negators: frozenset[str],
    in_combination: bool = False,
    premises: frozenset[str] = frozenset(),
    topics: frozenset[str] = frozenset(),
) -> _Category:
    level = spec.get("level", EMERGENCY)
    phrases = [str(p) for p in spec.get("phrases") or []]
    self_negative = [p for p in phrases if _phrase_words(p, raw) & negators]
    plain = [p for p in phrases if p not in self_negative]
    groups = tuple(
        _category(
            f"{name}[{i}]",
            {
                "phrases": [f"@{c}" for c in group],
                "exclude": spec.get("exclude"),
                "harmless": spec.get("harmless"),
                "topic": name in topics,
                "level": level,
                "premise": set(group) <= premises,
            },
            compiler,
            raw,
            negators,
            in_combination=True,
        )
        for i, group in enumerate(spec.get("all_of") or [])
    )
    return _Category(
        can_be_over=level != URGENT
        and not groups
        and not in_combination
        and spec.get("can_be_over", True),
        name=name,
        level=level,
        self_negative=compiler.compile(self_negative),
        plain=compiler.compile(plain),
        exclude=compiler.compile(spec.get("exclude") or []),
        harmless=compiler.compile(spec.get("harmless") or []) if spec.get("harmless") else _NEVER,
        groups=groups,
        window=int(spec["within"]) if "within" in spec else None,
        can_be_past=not spec.get("premise", False),
        can_be_topic=name in topics or bool(spec.get("topic")),
    )


def build_patterns(data: Mapping[str, Any], lang: Language | None = None) -> Patterns:
    """Compile the parsed YAML (a dict) into Patterns, with the shared language lists."""
    lang = lang or language()
    compiler, raw = _compiler(data, lang)
    negators = lang.negators
    settings = data.get("settings", {})
    premises = frozenset(settings.get("premise_concepts") or [])
    topic_query = settings.get("topic_query", {})
    topics = frozenset(topic_query.get("categories") or [])
    categories = [
        _category(name, spec, compiler, raw, negators, premises=premises, topics=topics)
        for name, spec in data["categories"].items()
    ]
    people = data.get("concrete_people", [])
    plain = _Compiler(compiler.concepts, "")  # context lists: exact phrases, no fillers
    return Patterns(
        categories=tuple(categories),
        typos=lang.typos,
        negators=negators,
        negation_window=int(data.get("settings", {}).get("negation_window", 3)),
        combination_window=int(data.get("settings", {}).get("combination_window", 10**6)),
        alarm_combination_window=int(
            data.get("settings", {}).get("alarm_combination_window", 10**6)
        ),
        negation_lists=lang.negation_lists,
        negation_carriers=lang.negation_carriers,
        negation_breakers=plain.compile([*lang.negation_breakers, *people]),
        clause_breaks=plain.compile(list(lang.clause_breaks)),
        question_frames=plain.compile(data.get("question_frames", [])),
        unknowing=plain.compile(data.get("unknowing", [])),
        asking_phrases=plain.compile(data.get("asking_phrases", [])),
        implicit_subject=plain.compile(data.get("implicit_subject", [])),
        concrete_people=plain.compile(people),
        askers=frozenset(fold(str(w)) for w in data.get("askers", [])),
        present_markers=plain.compile(data.get("present_markers", [])),
        present_exceptions=plain.compile(data.get("present_exceptions", [])),
        later=plain.compile(data.get("later", [])),
        happening_now=plain.compile(data.get("happening_now", [])),
        not_joking=plain.compile(data.get("not_joking", [])),
        history=plain.compile(data.get("history", [])),
        recent=plain.compile(data.get("recent", [])),
        jokes=plain.compile(data.get("jokes", [])),
        unreal=plain.compile(data.get("unreal", [])),
        just_asking=plain.compile(data.get("just_asking", [])),
        conditional=plain.compile(data.get("conditional", [])),
        resolved=plain.compile(data.get("resolved", [])),
        others=plain.compile(data.get("others", [])),
        serious=plain.compile(data.get("serious", [])),
        topic_words=int(topic_query.get("max_words", 0)),
        topic_substance=compiler.compile(["@substance"]) if "substance" in raw else _NEVER,
        urgency=plain.compile(topic_query.get("not_with") or []),
        polite=plain.compile(topic_query.get("polite") or []),
    )


def load_patterns(path: Path | str | None = None) -> Patterns:
    """Patterns from `path`, or the project's red_flags.yml (loaded once and cached)."""
    if path is None:
        return _default_patterns()
    return build_patterns(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _default_patterns() -> Patterns:
    return build_patterns(yaml.safe_load(PATTERNS_PATH.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- judging one clause

# How many words before a match may name who it happens to («broren min har nå …»).
_SUBJECT_WORDS = 5
_SUBJECT_WORDS_AFTER = 3  # … and after it, in a question («gir HLR til broren min, hvor lenge»)


@dataclass
class _Clause:
    """One folded clause, with the context facts computed only when needed."""

    text: str
    patterns: Patterns
    joking: bool = False  # the sentence laughs or says it is a joke
    answered_no: bool = False  # «brystsmerter?» followed by «nei.»
    unreal: bool = False  # the message tells a dream, a film or a course
    just_asking: bool = False  # the message asks just to know («lurer på», «i tilfelle»)
    topic_query: bool = False  # the message is a topic typed as in a search engine
    resolved: bool = False  # this clause or a later one says it is over and handled
    message: str = ""  # the whole folded message
    sentence: int = 0  # which sentence of the message the clause is in
    sentence_text: str = ""  # the whole folded sentence (a question spans its commas)
    sentences: tuple[str, ...] = ()  # every folded sentence of the message
    _excluded: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @cached_property
    def is_past(self) -> bool:
        p = self.patterns
        return bool(p.history.search(self.text)) and not (p.recent.search(self.text) or self.is_now)

    @cached_property
    def is_now(self) -> bool:
        # «nå» that dates the recovery does not date the sign: «hadde hjerneslag for fem år
        # siden og er helt i form nå» (a denied recovery, «er ikke våken nå», stays)
        p = self.patterns
        text = p.present_exceptions.sub(" ", self.text)
        for match in reversed(list(p.resolved.finditer(text))):
            if not _is_negated(text, match, p):
                before, after = text[: match.start()].split(), text[match.end() :].split()
                if before and p.present_markers.fullmatch(before[-1]):
                    before.pop()  # «nå er han fin»
                if after and p.present_markers.fullmatch(after[0]):
                    after.pop(0)  # «er fin nå»
                text = " ".join(before + after)
        return bool(p.present_markers.search(text))

    @cached_property
    def is_later(self) -> bool:
        """The clause worries about some day, not now: «jeg er redd for at han skal ta en
        overdose når han kommer ut», «hvis hun en dag slutter å puste»."""
        return bool(self.patterns.later.search(self.text)) and not self.is_now

    @cached_property
    def _asks_generally(self) -> bool:
        p = self.patterns
        sentence = p.unknowing.sub(" ", self.sentence_text or self.text)
        if not p.question_frames.search(sentence) or p.present_markers.search(sentence):
            return False
        return not p.happening_now.search(self.message)  # «… ? DET SKJER NÅ»

    def is_generic_question(self, start: int, end: int) -> bool:
        """A question about signs or facts, nothing happening now, and no one in particular
        just before the match: the asker («så vi vet hva vi skal se etter») is not the one
        it happens to («hvordan ser man at noen har tatt overdose»); «hvordan vet jeg om
        han har tatt overdose» names him."""
        if not self._asks_generally:
            return False
        p = self.patterns
        if p.implicit_subject.match(self.text):  # match() anchors at the clause's start
            return False
        near = self._near(start, end, after=_SUBJECT_WORDS_AFTER)
        return not p.concrete_people.search(p.asking_phrases.sub(" ", near))

    @cached_property
    def _without_asking(self) -> str:
        """The clause with the asker's own phrases blanked, same length (offsets hold): five
        words back from «overdose» in «lurer jeg på hvilke kjennetegn en overdose har» would
        cut «lurer» off and leave «jeg»."""
        return self.patterns.asking_phrases.sub(lambda m: " " * len(m.group()), self.text)

    def _near(self, start: int, end: int, after: int = 0) -> str:
        """The match and the few words before it that may name who it happens to, and
        `after` words after it that are not the asker («gir HLR til broren min»)."""
        before = " ".join(self._without_asking[:start].split()[-_SUBJECT_WORDS:])
        later = [w for w in self.text[end:].split()[:after] if w not in self.patterns.askers]
        return " ".join([before, self.text[start:end], *later])

    def is_hypothetical(self, start: int, end: int) -> bool:
        """Is the match at text[start:end] not happening for real? A dream or a film in the
        message; or asking just to know, where this clause says «hvis» or the match has no
        one in particular just before it («… til en som er bevisstløs»). «Han puster ikke,
        lurer på hva jeg gjør» is a person now, whatever the rest of the message asks."""
        if self.unreal:
            return True
        if not self.just_asking:
            return False
        p = self.patterns
        if p.conditional.search(self.text):
            return True
        return not p.concrete_people.search(p.asking_phrases.sub(" ", self._near(start, end)))

    def excluded_spans(self, category: _Category) -> list[tuple[int, int]]:
        if category.name not in self._excluded:
            spans = [m.span() for m in category.exclude.finditer(self.text)]
            self._excluded[category.name] = spans
        return self._excluded[category.name]


def _is_negated(text: str, match: re.Match[str], p: Patterns) -> bool:
    """True if a negator is inside the match or shortly before it, with nothing in between
    that starts a new thought ("jeg vet ikke, han har kramper" is not negated)."""
    if any(word in p.negators for word in match.group().split()):
        return True
    start = match.start()
    before = text[max(0, start - _LOOKBACK_CHARS) : start].split()
    if start > _LOOKBACK_CHARS and before:
        before = before[1:]  # the first word may be cut in half
    # A list carries the negation on: «aldri hatt brystsmerter eller kramper», so each
    # list word («eller», «verken») gives the window another negation_window words.
    reach = p.negation_window
    for index in range(len(before) - 1, -1, -1):
        if len(before) - index > reach:
            return False
        word = before[index]
        if word in p.negators:
            after = before[index + 1 :]
            if after in (["lenger"], ["lengre"], ["mer"], ["meir"]):
                return True  # «ikke lenger bevisstløs»: the breaker is the negation's own
            # the «om»/«på» right after a carrier («tankar om») is not a breaker
            kept = [
                w for k, w in enumerate(after) if k == 0 or after[k - 1] not in p.negation_carriers
            ]
            return not p.negation_breakers.search(" ".join(kept))
        if word in p.negation_lists or word in p.negation_carriers:
            # +1: the negator may stand before the verbs of the first item («aldri har hatt
            # krampar eller brystsmerter»)
            reach = len(before) - index + p.negation_window + 1
    return False


def _near_miss_reason(
    clause: _Clause, category: _Category, match: re.Match[str], can_be_negated: bool
) -> str:
    """Why this match is not an emergency, or "" if it is one."""
    start, end = match.span()
    if any(s < end and start < e for s, e in clause.excluded_spans(category)):
        return "ordinary symptom or other context"
    if can_be_negated and _is_negated(clause.text, match, clause.patterns):
        return "negated"
    if clause.is_past and category.can_be_past:
        return "past event"
    if clause.is_generic_question(start, end):
        return "question about signs"
    if category.can_be_topic and clause.topic_query:
        return "a topic, not a situation"
    if category.level == SUICIDE:
        return ""
    if clause.joking:
        return "joke"
    if clause.answered_no:
        return "negated"
    if _names_harmless_cause(clause, category) and not clause.is_now:
        return "harmless cause"
    if clause.is_later:
        return "a worry about later"
    if clause.is_hypothetical(start, end) and not clause.is_now:
        return "not real (a dream, a film, a hypothetical question)"
    if clause.resolved and category.can_be_over and not clause.is_now:
        return "over and handled"
    return ""


def _names_harmless_cause(clause: _Clause, category: _Category) -> bool:
    """A harmless cause named anywhere in the message, not denied («ikke halsbrann») in its
    own sentence: «Ingen alkohol. Søvnapné?» does not deny the apnoea."""
    return any(
        not _is_negated(sentence, m, clause.patterns)
        for sentence in clause.sentences or (clause.message,)
        for m in category.harmless.finditer(sentence)
    )


def _judge_message(
    clauses: Sequence[_Clause], category: _Category, groups_seen: dict[tuple, tuple]
) -> str | None:
    """The empty string if the category fires in the message, else a near-miss reason, or
    None if it is absent. An all_of category needs every group live, in one sentence or
    within the combination window (words, counted across clauses).

    groups_seen: live positions of groups already judged in this message — many
    combinations share a group (@intake), and each is judged once."""
    if category.groups:
        found = []
        for group in category.groups:
            key = (
                group.level,
                group.plain.pattern,
                group.self_negative.pattern,
                group.exclude.pattern,
            )
            if key not in groups_seen:
                # past the chat's length the whole text counts as one span (safety first,
                # and the first live match is enough: bounded work on 100-KB inputs)
                groups_seen[key] = _live_positions(clauses, group, first_only=_long(clauses))
            found.append(groups_seen[key])
        if any(not positions and reason is None for positions, reason in found):
            return None  # a group is absent: the combination is not there at all
        if all(positions for positions, _ in found):
            p = clauses[0].patterns
            default = (
                p.combination_window if category.level == URGENT else p.alarm_combination_window
            )
            window = category.window or default
            if _long(clauses) or _within(window, [positions for positions, _ in found]):
                return ""
            return None  # all there, but far apart: not one situation
        return next(reason for positions, reason in found if not positions and reason)
    positions, reason = _live_positions(clauses, category, first_only=True)
    return "" if positions else reason


_LONG_WORDS = 600  # more than any chat message (the channel's cap is 2,000 characters)


def _long(clauses: Sequence[_Clause]) -> bool:
    return sum(clause.text.count(" ") + 1 for clause in clauses) > _LONG_WORDS


def _live_positions(
    clauses: Sequence[_Clause], category: _Category, first_only: bool = False
) -> tuple:
    """(word positions of the category's live matches in the message, a near-miss reason)."""
    positions: list[tuple[int, int]] = []
    reason = None
    offset = 0
    for clause in clauses:
        for pattern, can_be_negated in ((category.self_negative, False), (category.plain, True)):
            for match in pattern.finditer(clause.text):
                why = _near_miss_reason(clause, category, match, can_be_negated)
                if why:
                    reason = reason or why
                else:
                    word = offset + clause.text.count(" ", 0, match.start())
                    positions.append((word, clause.sentence))
                    if first_only:
                        return positions, reason
        offset += len(clause.text.split())
    return positions, reason


def _within(window: int, groups: Sequence[Sequence[tuple[int, int]]]) -> bool:
    """One live match of every group in the same sentence, or inside a span of `window`
    words across sentences («Sønnen min er 2. Han har spist tablettene mine.»)."""
    sentences = [{sentence for _, sentence in positions} for positions in groups]
    if set.intersection(*sentences):
        return True
    # a sliding window over the sorted matches: linear in their number
    tagged = sorted((word, g) for g, positions in enumerate(groups) for word, _ in positions)
    counts = [0] * len(groups)
    missing = len(groups)
    left = 0
    for word, g in tagged:
        counts[g] += 1
        missing -= counts[g] == 1
        while missing == 0:
            if word - tagged[left][0] <= window:
                return True
            counts[tagged[left][1]] -= 1
            missing += counts[tagged[left][1]] == 0
            left += 1
    return False


def _is_topic_query(message: str, p: Patterns) -> bool:
    """The whole message is a few words naming a substance and a sign, no one, no time and
    no cry for help: «cannabis og psykose», «ecstasy og overoppheting»."""
    return (
        0 < len(p.polite.sub(" ", message).split()) <= p.topic_words
        and bool(p.topic_substance.search(message))
        and not p.concrete_people.search(message)
        and not p.present_markers.search(message)
        and not p.urgency.search(message)
    )


def _clauses(text: str, p: Patterns) -> Iterator[_Clause]:
    parts = split_questions(language().spell_out(text))
    sentences = [fold(sentence, p.typos) for sentence, _ in parts]
    message = " ".join(sentences)
    unreal = bool(p.unreal.search(message))
    just_asking = bool(p.just_asking.search(message))
    topic_query = _is_topic_query(message, p)
    found = []
    for index, folded in enumerate(sentences):
        # «lol nei dette er ikke spøk»: a denied joke is no joke
        jokes = [_is_negated(folded, m, p) for m in p.jokes.finditer(folded)]
        joking = bool(jokes) and not any(jokes) and not p.not_joking.search(folded)
        following = sentences[index + 1] if index + 1 < len(sentences) else ""
        answered_no = parts[index][1] and following in _ANSWERS_NO
        serious = False  # «haha, men seriøst: jeg har tatt 9 paracet»: serious from here
        for piece in _COMMA.split(parts[index][0]):
            for clause in _split_at_breaks(fold(piece, p.typos), p):
                if clause.strip():
                    serious = serious or bool(p.serious.match(clause.strip()))
                    found.append((clause.strip(), joking and not serious, answered_no, index))
    # «Over and handled» counts for what came before it: «han var grå i går, men nå er
    # han fin» — not «han sa han var ok, men så falt han om».
    # The asker's own recovery («jeg er fin», «I'm fine») says nothing about someone else:
    # «han puster ikke, jeg er fin» is an emergency.
    resolved_from_here = [False] * (len(found) + 1)
    self_resolved_from_here = [False] * (len(found) + 1)
    for index in range(len(found) - 1, -1, -1):
        clause = found[index][0]
        live = [m for m in p.resolved.finditer(clause) if not _is_negated(clause, m, p)]
        mine = [_is_about_asker(clause, m) for m in live]  # «han er ikke våken»: the opposite
        resolved_from_here[index] = resolved_from_here[index + 1] or not all(mine)  # another's
        self_resolved_from_here[index] = self_resolved_from_here[index + 1] or any(mine)
    for index, (clause, joking, answered_no, sentence) in enumerate(found):
        resolved = resolved_from_here[index] or (
            self_resolved_from_here[index] and not p.others.search(clause)
        )
        yield _Clause(
            clause,
            p,
            joking,
            answered_no,
            unreal,
            just_asking,
            topic_query,
            resolved,
            message,
            sentence,
            sentences[sentence],
            tuple(sentences),
        )


def _split_at_breaks(text: str, p: Patterns) -> list[str]:
    """Clauses at «men», «og nå» …; a break's «nå» stays with the clause it opens: «han var i
    isbadet og nå rister han» — the shaking is now."""
    clauses, start, keep = [], 0, ""
    for match in p.clause_breaks.finditer(text):
        clauses.append(keep + text[start : match.start()])
        start = match.end()
        now = [w for w in match.group().split() if p.present_markers.fullmatch(w)]
        keep = " ".join(now) + " " if now else ""
    clauses.append(keep + text[start:])
    return clauses


_ASKER_SUBJECTS = frozenset({"jeg", "eg", "je", "im"})


def _is_about_asker(clause: str, match: re.Match[str]) -> bool:
    """Does this «over and handled» match tell of the asker: «jeg er fin», «I'm fine»?"""
    words = match.group().split()
    before = clause[: match.start()].split()[-1:]
    return (
        bool(set(words[:2]) & _ASKER_SUBJECTS)
        or bool(set(before) & _ASKER_SUBJECTS)
        or match.group().startswith(("i m ", "i am "))
    )


# A comma or a dash between words ends a clause: «for to år siden fikk han ikke puste, nå er
# han rusfri» — the «nå» of the second clause does not make the first one present. Not a
# decimal comma («2,5 mg»).
_COMMA = re.compile(r"(?<!\d),|,(?!\d)|\s[–—-]\s")

_ANSWERS_NO = frozenset({"nei", "nope", "no", "ikke", "ikkje", "nix", "neida"})


def _as_text(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray)):
        return bytes(text).decode("utf-8", errors="replace")
    return "" if text is None else str(text)


# ---------------------------------------------------------------- public entry point


def detect(text: str, patterns: Patterns | None = None) -> Detection:
    """Classify a user message: emergency, suicide, urgent, near_miss or none."""
    p = patterns or load_patterns()
    clauses = list(_clauses(_as_text(text), p))
    fired: list[_Category] = []
    near_miss: tuple[str, str] | None = None
    groups_seen: dict[tuple, tuple] = {}
    for category in p.categories:
        verdict = _judge_message(clauses, category, groups_seen)
        if verdict == "":
            fired.append(category)
        elif verdict and near_miss is None:
            near_miss = (category.name, verdict)

    names = tuple(c.name for c in fired)
    medical = [c.name for c in fired if c.level == EMERGENCY]
    if medical:
        return Detection(EMERGENCY, medical[0], names)
    suicide = [c.name for c in fired if c.level == SUICIDE]
    if suicide:
        return Detection(SUICIDE, suicide[0], names)
    if fired:
        return Detection(URGENT, names[0], names)
    if near_miss:
        return Detection(NEAR_MISS, near_miss[0], (), near_miss[1])
    return Detection(NONE)

"""The conversations the load generator plays, one list of turns each.

A turn is (message, expect):
  expect None          any non-empty reply
  expect "113"         that text in the first reply (the emergency answer starts with it)
  expect "triage:X"    a custom {"triage": X} message among the replies
  expect "triage"      any triage custom message
  expect "any"         a reply is not required (nothing is checked)

Veivis conversations are how people write (Norwegian, typos, buttons and free text), and
cover the self-check by buttons and by typing, information questions, privacy, a refusal
and emergencies (also inside the self-check). About a third of Veivis' messages are
button payloads ("/intent{...}"): Rasa parses those with a regex, without the NLU model.
The stock conversations follow the stories of `rasa init` (happy and sad paths, bot
challenge, goodbye) so every turn has a defined reply.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

Turn = Tuple[str, Optional[str]]
Conversation = Tuple[str, List[Turn]]

VEIVIS: List[Conversation] = [
    (
        "selfcheck_buttons",
        [
            ("hei", None),
            ("/start_selfcheck", None),
            ('/inform{"substance": "kokain"}', None),
            ('/inform{"frequency": "weekly"}', None),
            ('/inform{"duration": "months"}', None),
            ('/inform{"symptom": "none", "timing": "none"}', None),
            ("/affirm", "triage"),
            ("takk for hjelpen", None),
        ],
    ),
    (
        "selfcheck_text_other",
        [
            ("jeg er bekymret for broren min", None),
            ("Sjekk bruken til den jeg er bekymret for", None),
            ("han bruker heroin", None),
            ("hver dag tror jeg", None),
            ("i flere år", None),
            ("han skjelver og sover dårlig", None),
            ("etter at han sluttet", "triage:gp"),
            ("hva er LAR-behandling?", None),
            ("ha det", None),
        ],
    ),
    (
        "info_questions",
        [
            ("hallo", None),
            ("hva er LAR-behandling?", None),
            ("er kokain veldig avhengighetsskapende?", None),
            ("er det farlig å blande alkohol med kokain", None),
            ("hva er abstinenser egentlig", None),
            ("hvem kan jeg ringe for å snakke med noen?", None),
            ("tusen takk", None),
        ],
    ),
    (
        "emergency",
        [
            ("hjelp!! kompisen min puster ikke", "113"),
            ("han har tatt heroin tror jeg", None),
            ("hva gjør jeg nå", None),
        ],
    ),
    (
        "emergency_in_selfcheck",
        [
            ("/start_selfcheck", None),
            ("kokain", None),
            ("vent, han har fått kramper og svarer ikke", "113"),
            ("hei", None),
        ],
    ),
    (
        "privacy_refusal_help",
        [
            ("er dette anonymt?", None),
            ("hvor kan jeg kjøpe kola", None),
            ("hvordan får jeg henvisning fra fastlegen", None),
            ("hva er nalokson", None),
            ("ha det bra", None),
        ],
    ),
    (
        "selfcheck_dont_know",
        [
            ("er jeg avhengig?", None),
            ("opioider og alkohol", None),
            ("vet ikke", None),
            ("noen uker", None),
            # vomiting is a more serious sign (seed 002) whether it comes while using or
            # after stopping: the check gives its urgent outcome at once (issue 15) instead
            # of asking about timing first. Sweating and stomach cramps alone are common
            # withdrawal signs (seed 001), which the check asks the timing of.
            ("jeg kaster opp og svetter", "triage"),
            ("nei", None),
        ],
    ),
]

STOCK: List[Conversation] = [
    ("happy", [("hi", None), ("I am great", None), ("bye", None)]),
    ("sad_helped", [("hello", None), ("I am sad", None), ("yes", None), ("goodbye", None)]),
    ("sad_not_helped", [("hey there", None), ("very unhappy", None), ("no", None)]),
    ("bot_challenge", [("are you a bot?", None), ("good morning", None), ("perfect", None)]),
    ("happy_2", [("good evening", None), ("extremely good", None), ("see you later", None)]),
]

# The stock bot's replies after «good morning» following a bot challenge are what its
# stories make of it; every turn above is on a trained story or rule path.


# veivis.channels.rest.REPLY_NO_ANSWER (not imported: that would load Rasa into the client)
NO_ANSWER_PREFIX = "Beklager, jeg klarte ikke å svare ordentlig akkurat nå."


def is_payload(message: str) -> bool:
    return message.startswith("/")


def check_reply(replies, expect: Optional[str]) -> Optional[str]:
    """None when the replies meet the expectation, else a short reason ("empty", ...)."""
    if expect == "any":
        return None
    if not isinstance(replies, list) or not replies:
        return "empty"
    if any((r.get("text") or "").startswith(NO_ANSWER_PREFIX) for r in replies):
        return "no_answer"  # Veivis' channel says this when a turn produced nothing
    if expect is None:
        return None
    if expect == "113":
        first = replies[0].get("text") or ""
        return None if "113" in first else "no_113"
    if expect.startswith("triage"):
        levels = [
            r["custom"]["triage"]
            for r in replies
            if isinstance(r.get("custom"), dict) and "triage" in r["custom"]
        ]
        if not levels:
            return "no_triage"
        want = expect.partition(":")[2]
        return None if not want or want in levels else "wrong_triage"
    return None

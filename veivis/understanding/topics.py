"""A substance or topic word plus a question frame → the answer: a table, like triage.

Used when the intent classifier is unsure («hva er fentanyl», «er kokain farlig»,
«abstinens etter heroin hvor lenge»). Frames and substance groups are words in the
shared text layer; the substance comes from the entity extractor's canonical values and
its group (resources/patterns/substances.yml).
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Tuple

from veivis.language import fold
from veivis.nlp.patterns import substance_groups

# Frames in the order they win: «hvor lenge varer abstinensene etter heroin» is about
# withdrawal, not about heroin in general. Regular expressions over folded text.
FRAMES: Tuple[Tuple[str, str], ...] = (
    # «… etter at man har slutta»: what comes after stopping is withdrawal
    (
        "withdrawal",
        r"abstinen\w*|withdrawal|nedtrap\w*|trap\w* ned|avrus\w*"
        r"|eter at (?:[a-z]+ ){0,2}(?:har |hade )?slut\w*(?! i (?:job|skole|skule)\w*)"  # folded
        r"|eter a ha slut\w*",
    ),
    (
        "treatment",
        r"behandl\w*|treatment|rehab\w*|slut\w* (?:[a-z]+ )?med|kome meg ut|bli kvit\w*"
        r"|hjelp til a slute",
    ),
    # what street drugs are cut with: «fentanyl i heroin», «tilsatt nitazener»
    (
        "street",
        r"(?:fentanyl|fenta|nitazen\w*|karfentanil) i (?:heroin|kokain|pil|tablet|dop)\w*"
        r"|tilsat\w* (?:[a-z]+ )?(?:fentanyl|fenta|nitazen|stof)\w*|laced|cut with",
    ),
    ("tolerance", r"toleranse\w*|tolerance"),
    ("dependence", r"avhengi\w*|hekta|addict\w*|craving|suget|sug\w*"),
    ("harms", r"farl[ei]g\w*|skadel\w*|skade\w*|helse\w*|dangerous|harm\w*"),
    ("what", r"hva er|kva er|ka e|ka er|hva betyr|kva betyr|what is|what are|fortel om|hva slags"),
)
FRAME_PATTERNS = tuple(
    (name, re.compile(rf"(?<![a-z0-9])(?:{p})(?![a-z0-9])")) for name, p in FRAMES
)

# (substance group, frame) → intent. «both» = alcohol and cocaine in one message.
TABLE: Dict[Tuple[str, str], str] = {
    ("both", "harms"): "info_alcohol_cocaine",
    ("both", "what"): "info_alcohol_cocaine",
    ("both", "dependence"): "info_alcohol_cocaine",
    ("cocaine", "what"): "ask_about_cocaine",
    ("cocaine", "harms"): "info_cocaine_harms",
    ("cocaine", "dependence"): "info_cocaine_addictive",
    ("cocaine", "tolerance"): "info_cocaine_addiction",
    ("cocaine", "treatment"): "info_cocaine_treatment",
    ("cocaine", "withdrawal"): "info_withdrawal_symptoms",
    ("opioid", "what"): "info_opioids_what",
    ("opioid", "harms"): "info_opioid_harms",
    ("opioid", "dependence"): "info_opioid_dependence",
    ("opioid", "tolerance"): "info_opioid_dependence",
    ("opioid", "treatment"): "info_opioid_treatment",
    ("opioid", "withdrawal"): "info_opioid_withdrawal",
    ("opioid", "street"): "info_street_drugs",
    ("cocaine", "street"): "info_cocaine_harms",
    ("both", "street"): "info_alcohol_cocaine",
    ("none", "street"): "info_street_drugs",
    ("none", "withdrawal"): "info_withdrawal_symptoms",
    ("none", "treatment"): "info_referral",
}

# Substances beyond the three sources have one answer each, whatever the frame
# (the danger, stopping after long use, what Veivis does not cover, where to ask).
SUBSTANCE_ANSWERS: Dict[str, str] = {
    "cannabis": "info_cannabis",
    "benzodiazepiner": "info_benzodiazepines",
    "ghb": "info_ghb",
    "amfetamin": "info_amphetamine",
    "mdma": "info_mdma",
    "ketamin": "info_ketamine",
    "alkohol": "info_alcohol",
}


def frame_of(text: str) -> Optional[str]:
    folded = fold(text)
    return next((name for name, pattern in FRAME_PATTERNS if pattern.search(folded)), None)


def group_of(substances: Iterable[str]) -> str:
    groups = {substance_groups().get(s, "other") for s in substances}
    if {"cocaine", "alcohol"} <= groups:
        return "both"
    for group in ("opioid", "cocaine"):
        if group in groups:
            return group
    return "other" if groups - {"alcohol"} else ("alcohol" if groups else "none")


def answer_for(text: str, substances: Iterable[str]) -> Optional[str]:
    """The answer intent for a substance/topic word plus a question frame, or None."""
    frame = frame_of(text)
    return None if frame is None else answer_for_frame(frame, substances)


def answer_for_frame(frame: str, substances: Iterable[str]) -> Optional[str]:
    """The answer intent for the substances asked about in this frame («what», «harms» …)."""
    substances = set(substances)
    group = group_of(substances)
    if group in ("other", "alcohol"):
        own = {SUBSTANCE_ANSWERS[s] for s in substances if s in SUBSTANCE_ANSWERS}
        if len(own) == 1:  # one substance we have an answer for
            return own.pop()
    return TABLE.get((group, frame))


# The self-check, asked for about someone or oneself. A worried relative gets the
# relatives' answer first — unless they ask to go through the person's use, and a
# message with no one else in it that tells of one's own use is about oneself.
CHECK_FRAME = (
    re.compile(  # «sjekke bruken», «ta sjekken», «gå gjennom drikkinga» — not «sjekket telefonen»
        r"(?<![a-z])(?:sjeke?|sjek|ta sjeken|ta testen|teste|test|kartlegge|vurdere)"
        r" (?:[a-z]+ ){0,3}(?:bruk|drik|rus|forbruk|sjeken|testen)[a-z]*"
        r"|(?<![a-z])(?:ga|gar) gjenom (?:[a-z]+ ){0,3}(?:bruk|drik|rus|forbruk)[a-z]*"
        r"|(?<![a-z])ta (?:den |en )?(?:sjeken|testen)(?![a-z])"
    )
)
USE_VERB = (  # folded: present and past («jeg prøvde kokain», «han drakk»)
    r"(?:driker|drik|drakk|drak|bruker|brukar|brukte|tar|tek|tok|royker|roykjer|roykte|snifer"
    r"|roykt|sniffa|snifet|snorter|snorta|provde|prove|har provd|har tat|har brukt|har drukket"
    r"|drinking|use|using|used|take|took|smoke|smoked)"
)
OWN_USE = re.compile(rf"(?<![a-z])(?:jeg|eg|e|a|i) (?:[a-z0-9]+ ){{0,2}}?{USE_VERB}(?![a-z])")
# Which message about one's own use starts the check instead of the relatives' answer: the
# present only (session 5's list) — «jeg har brukt paralgin …, kan jeg ha blitt avhengig?»
# is a question to answer, not a request for the check.
OWN_USE_NOW = re.compile(
    r"(?<![a-z])(?:jeg|eg|e|a|i) (?:[a-z]+ ){0,2}?(?:driker|drik|bruker|brukar|tar|tek|royker"
    r"|roykjer|snifer|snorter|sniffa|drinking|use|using|take|smoke)(?![a-z])"
)
OTHER_USE = re.compile(
    rf"(?<![a-z])(?:han|hun|ho|hen|he|she|min|mi|mitt|mine|vi) (?:[a-z0-9]+ ){{0,3}}?"
    rf"{USE_VERB}(?![a-z])"
)
RELATIVES_ANSWER = frozenset({"worried_about_someone", "info_relatives"})


# Norwegian puts the verb second: «nå tar han», «i helgene drikker jeg».
INVERTED_OWN = re.compile(rf"(?<![a-z]){USE_VERB} (?:jeg|eg)(?![a-z])")
INVERTED_OTHER = re.compile(rf"(?<![a-z]){USE_VERB} (?:han|hun|ho|hen|vi)(?![a-z])")


HYPOTHETICAL = re.compile(r"(?<![a-z])(?:hvis|viss|dersom|om jeg|om eg|if)(?![a-z])")


def describes_use(text: str, who: Optional[str] = None) -> bool:
    """The message tells of use — one's own (`who` "self"), someone else's ("other"), or
    either — «jeg tok MDMA en gang», «sønnen min røyker hasj hver dag»; not in a question or a
    supposition («hva er fentanyl», «tar han GHB?», «hva skjer hvis jeg tar kokain»). A
    question may follow the telling: «søstera mi røyker weed, er det farlig?» tells of use."""
    return any(_tells_use(fold(clause), who) for clause in _telling_clauses(text))


def _telling_clauses(text: str) -> List[str]:
    """The clauses that state something: in a sentence ending with «?», all but the last."""
    clauses: List[str] = []
    for sentence in re.findall(r"[^.!?\n]+[.!?]*", text):
        parts = [p for p in re.split(r"[,;:]", sentence) if p.strip()]
        clauses += parts[:-1] if sentence.rstrip().endswith("?") else parts
    return clauses


def _tells_use(folded: str, who: Optional[str]) -> bool:
    if HYPOTHETICAL.search(folded):
        return False
    own = bool(OWN_USE.search(folded) or INVERTED_OWN.search(folded))
    other = bool(OTHER_USE.search(folded) or INVERTED_OTHER.search(folded))
    return own if who == "self" else other if who == "other" else own or other


def selfcheck_for(intent: str | None, text: str, someone_else_named: bool) -> str | None:
    """start_selfcheck_other / start_selfcheck instead of the relatives' answer, or None."""
    if intent not in RELATIVES_ANSWER:
        return None
    folded = fold(text)
    if someone_else_named:
        return "start_selfcheck_other" if CHECK_FRAME.search(folded) else None
    return "start_selfcheck" if OWN_USE_NOW.search(folded) else None


# The refusals to help buy or dose need a drug in the message: «kor mye koste en ny
# påhengsmotor» and «hvor kan jeg kjøpe vinterdekk» are out of scope, not a refusal.
REFUSALS = frozenset({"ask_where_to_buy", "ask_dosage"})
DRUG_WORDS = re.compile(
    r"(?<![a-z])(?:rus\w*|dop\w*|stof\w*|narko\w*|hoy|high|pil\w*|tablet\w*|medisin\w*"
    r"|gram|dealer\w*|langer\w*|dose\w*|brett\w*|noe a ta|noko a ta|noe sterkt|fix|fiks)(?![a-z])"
)


def refusal_without_drug(intent: str | None, text: str, substances: Iterable[str]) -> bool:
    """A buy or dose refusal for a message that names no drug at all."""
    return intent in REFUSALS and not list(substances) and not DRUG_WORDS.search(fold(text))

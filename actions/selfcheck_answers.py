"""From the self-check's slots to triage answers and a readable summary (pure functions)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping

from veivis.contacts import load_levels
from veivis.triage import Answers, Outcome

FORM_SLOTS = (
    "subject", "substances", "alcohol_with_cocaine", "frequency", "duration", "timing", "symptoms"
)  # fmt: skip
UNCLEAR_SLOT = "selfcheck_unclear"  # the question whose last answer was not understood

SUBJECT = {"self": "deg selv", "other": "noen andre"}  # "unknown": vet ikke
FREQUENCY = {
    "daily": "hver dag",
    "weekly": "hver uke",
    "monthly": "noen ganger i måneden",
    "rarely": "sjeldnere",
}
DURATION = {
    "days": "noen dager",
    "weeks": "noen uker",
    "months": "noen måneder",
    "years": "ett år eller mer",
}
YES_NO = {"yes": "ja", "no": "nei"}
TIMING = {
    "using": "mens det brukes eller rett etter",
    "stopped": "etter å ha sluttet eller trappet ned",
}
SYMPTOMS = {
    "none": "ingen plager",
    "common_withdrawal": "vanlige abstinensplager",
    "serious_withdrawal": "mer alvorlige abstinensplager",
    "overdose_signs": "tegn på overdose",
    "withdrawal": "abstinenser",
    "restlessness": "uro",
    "irritability": "irritasjon",
    "chills": "frysninger",
    "shaking": "skjelving",
    "sleep_problems": "søvnproblemer",
    "craving": "sug etter rusmiddelet",
    "sweating": "svetting",
    "muscle_pain": "muskelsmerter eller -kramper",
    "stomach_cramps": "magekramper",
    "diarrhea": "diaré",
    "fast_pulse": "rask puls",
    "high_blood_pressure": "høyt blodtrykk",
    "vomiting": "kvalme eller oppkast",
    "seizures": "kramper",
    "anxiety": "angst",
    "suicidal_thoughts": "tanker om selvmord",
    "pain": "smerter",
    "psychosis": "psykose (ser eller hører ting)",
    "delirium": "delirium",
    "cardiac_arrest": "hjertestans",
    "unconscious": "bevisstløs",
    "not_breathing": "puster dårlig eller ikke",
    "blue_lips": "blå lepper",
    "confusion": "forvirring",
    "drowsiness": "døsighet",
    "tiredness": "trøtthet",
    "slurred_speech": "utydelig tale",
    "chest_pain": "brystsmerter",
    "high_temperature": "høy kroppstemperatur",
}
REASON = {
    "overdose_sign": "tegn på overdose eller livstruende abstinens",
    "serious_withdrawal": "alvorlige abstinensplager",
    "common_withdrawal": "abstinensplager bør vurderes av lege tidlig",
    "symptoms_unknown": "plagene er ikke kjent",
    "regular_opioids": "jevnlig bruk av opioider",
    "regular_cocaine": "jevnlig bruk av kokain",
    "alcohol_and_cocaine": "alkohol og kokain sammen",
    "daily_use": "daglig bruk",
    "baseline": "ingenting tyder på at det haster",
    "depressant_effect_now": "veldig døsig av dempende rusmidler nå – tegn på overdose",
    "stimulant_effect_now": "hjerte og uro påvirket av oppkvikkende rusmidler nå, ikke abstinens",
    "serious_symptoms_now": "alvorlige plager nå",
    "symptoms_while_using": "plager mens du bruker bør vurderes av lege",
    "long_use_stop_risk": "daglig bruk over tid – ikke slutt brått på egen hånd",
}
UNKNOWN_TEXT = "vet ikke"


def answers_from_slots(slots: Mapping[str, Any]) -> Answers:
    return Answers(
        subject=slots.get("subject"),
        substances=_as_set(slots.get("substances")),
        alcohol_with_cocaine=slots.get("alcohol_with_cocaine"),
        frequency=slots.get("frequency"),
        duration=slots.get("duration"),
        symptoms=_clean_symptoms(_as_set(slots.get("symptoms"))),
        timing=slots.get("timing"),
    )


def summary_text(answers: Answers, outcome: Outcome) -> str:
    """A short summary in the user's own terms; the widget can save it for the GP (it is
    sent with {"summary": true}, actions/selfcheck_outcome.py)."""
    lines = [
        "**Oppsummering av sjekken**",
        f"- Gjelder: {SUBJECT.get(answers.subject or '', UNKNOWN_TEXT)}",
        f"- Rusmidler: {_listed(answers.substances, {})}",
        f"- Hvor ofte: {FREQUENCY.get(answers.frequency or '', UNKNOWN_TEXT)}",
        f"- Hvor lenge: {DURATION.get(answers.duration or '', UNKNOWN_TEXT)}",
        f"- Plager nå: {_listed(answers.symptoms, SYMPTOMS)}",
        f"- Når: {TIMING.get(answers.timing or '', UNKNOWN_TEXT)}",
    ]
    if answers.alcohol_with_cocaine:
        together = YES_NO.get(answers.alcohol_with_cocaine, UNKNOWN_TEXT)
        lines.append(f"- Alkohol og kokain samtidig: {together}")
    advice = load_levels()[outcome.level]["advice"]  # resources/triage_levels.yml
    lines.append(f"- Råd: **{advice}** ({_reasons(outcome.reasons)})")
    return "\n".join(lines)


def _as_set(value: Any) -> frozenset:
    if value is None:
        return frozenset()
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in value)
    return frozenset({str(value)})


def _clean_symptoms(symptoms: frozenset) -> frozenset:
    # "ingen plager" together with a real symptom: the symptom is what counts.
    return symptoms - {"none"} if len(symptoms) > 1 else symptoms


def _listed(values: Iterable[str], labels: Dict[str, str]) -> str:
    names: List[str] = [
        UNKNOWN_TEXT if v == "unknown" else labels.get(v, v) for v in sorted(values)
    ]
    return ", ".join(dict.fromkeys(names)) or UNKNOWN_TEXT


def _reasons(reasons: Iterable[str]) -> str:
    return "; ".join(REASON[r] for r in reasons)

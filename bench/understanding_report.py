"""Understanding sets through the trained bot, in process: did each message get the answer
it needed?  `python -m bench.understanding_report CASES.yml [--show-fail]`

A case passes when the bot gave the expected answer for its last message: the intent it
acted on sends the same responses as the expected intent (info_relatives and
worried_about_someone share one answer, data/rules/relatives.yml), or the bot offered
the expected answer (or the case's `also`) as a «Mente du …?» button. «Fallback» = the
generic fallback; on in-scope questions the out-of-scope answer counts as one too.
Used by tests/model/test_understanding_sets.py (floors) and by hand for blind sets.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from veivis import rasa_patches
from veivis.understanding import topics
from veivis.understanding.retrieval import unconditional_rules

MODEL = Path(__file__).resolve().parents[1] / "models" / "veivis.tar.gz"


def answers() -> Dict[str, Tuple[str, ...]]:
    """intent → the responses its rule sends (two intents with the same are one answer)."""
    return {intent: tuple(actions) for intent, actions in unconditional_rules()}


def same_answer(got: Optional[str], expected: str, table: Dict[str, Tuple[str, ...]]) -> bool:
    if got == expected:
        return True
    return got in table and table.get(got) == table.get(expected)


@dataclass
class Report:
    cases: int = 0
    right: int = 0
    fallback: int = 0
    in_scope: int = 0
    in_scope_fallback: int = 0
    fails: List[Tuple[str, str, Optional[str], str]] = field(default_factory=list)
    per_intent: Counter = field(default_factory=Counter)
    per_intent_right: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        n = max(self.cases, 1)
        return (
            f"{self.cases} cases: right answer {self.right}/{self.cases} = {self.right / n:.1%}; "
            f"generic fallback {self.fallback}/{self.cases} = {self.fallback / n:.1%}; "
            f"fallback or out-of-scope answer on in-scope {self.in_scope_fallback}/{self.in_scope}"
        )


def _as_list(value: Any) -> List[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


async def run_cases(agent: Any, cases: Sequence[Dict[str, Any]]) -> Report:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    table = answers()
    report = Report()
    for case in cases:
        sender = f"understanding-{uuid.uuid4().hex[:10]}"
        out = CollectingOutputChannel()
        for message in case["msgs"]:
            out.messages.clear()
            await agent.handle_message(UserMessage(message, out, sender))
        tracker = await agent.tracker_store.retrieve(sender)
        events = list(tracker.events) if tracker else []
        users = [e for e in events if e.type_name == "user"]
        intent = users[-1].intent.get("name") if users else None
        if intent is None:
            intent = "restart"  # only a restart leaves no user event behind (Veivis forgets)
        if intent == "inform" and not (tracker and tracker.active_loop_name):
            # a lone «kokain» outside the self-check gets that substance's answer from
            # action_lone_answer (not run here: no action server), by the same table
            found = [e.get("value") for e in users[-1].entities if e.get("entity") == "substance"]
            intent = topics.answer_for_frame("what", found) or intent
        offered = {b.get("payload") for m in out.messages for b in m.get("buttons") or []}
        expected = case["intent"]
        # `also`: a second answer the writer said would serve as well
        passed = any(
            same_answer(intent, wanted, table)
            or (intent == "did_you_mean" and f"/{wanted}" in offered)
            for wanted in [expected, *_as_list(case.get("also"))]
        )
        report.cases += 1
        report.right += passed
        report.fallback += intent == "nlu_fallback"
        report.per_intent[expected] += 1
        report.per_intent_right[expected] += passed
        if expected != "out_of_scope":
            report.in_scope += 1
            # «Det kan jeg dessverre ikke hjelpe med» to an in-scope question is a dead end too
            report.in_scope_fallback += intent in ("nlu_fallback", "out_of_scope")
        if not passed:
            report.fails.append((case["id"], expected, intent, case["msgs"][-1][:160]))
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--show-fail", action="store_true")
    args = ap.parse_args()
    from rasa.core.agent import Agent

    logging.disable(logging.WARNING)
    rasa_patches.in_process_logs()
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))["cases"]
    report = asyncio.run(_run(Agent, args.model, cases))
    print(report.summary())
    if args.show_fail:
        for fail in report.fails:
            print("FAIL", *fail, sep=" | ")
        for intent in sorted(report.per_intent):
            print(f"  {intent:28s} {report.per_intent_right[intent]}/{report.per_intent[intent]}")


async def _run(agent_class: Any, model: Path, cases: Sequence[Dict[str, Any]]) -> Report:
    return await run_cases(agent_class.load(str(model)), cases)


if __name__ == "__main__":
    main()

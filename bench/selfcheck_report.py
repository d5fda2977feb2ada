"""Whole self-check conversations in free text against a running bot (REST): which level?

  python -m bench.selfcheck_report CASES.yml [--url http://localhost:5005] [--show-fail]

Each case is the person's messages in order (`turns`) and the level a clinician expects
(`expect`: emergency, urgent, gp, self_help). The person's messages are sent as written;
if the bot answers a question and offers the self-check instead of starting it, the offer is
accepted once (the person asked for a check); if the bot still asks when the messages run
out, the rest is answered «vet ikke» (at most 8 times), as a person who has said all they
know would. The case's level is the highest triage level
the bot sent during the conversation (a danger answer mid-way counts: it was given).
"""

from __future__ import annotations

import argparse
import http.client
import json
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bench.loadgen import sender_source

LEVELS = ("self_help", "gp", "urgent", "emergency")
MAX_FILL = 8


def send(url: str, sender: str, text: str) -> List[Dict[str, Any]]:
    """One message, from the conversation's own loopback address when the bot is local:
    Veivis limits new conversations per client address, and each case is one person."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    parts = urllib.parse.urlsplit(f"{url}/webhooks/rest/webhook")
    local = parts.hostname in ("localhost", "127.0.0.1")
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30,
        source_address=(sender_source(sender), 0) if local else None,
    )  # fmt: skip
    try:
        connection.request("POST", parts.path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} for a message of {sender}")
        return json.loads(response.read())
    finally:
        connection.close()


def levels_in(replies: List[Dict[str, Any]]) -> List[str]:
    found = []
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("triage") in LEVELS:
            found.append(custom["triage"])
    return found


def asks_more(replies: List[Dict[str, Any]]) -> bool:
    """The bot ended on a self-check question (its buttons offer «vet ikke»)."""
    payloads = [b.get("payload") for r in replies for b in r.get("buttons") or []]
    return "/dont_know" in payloads


def _offered_check(replies: List[Dict[str, Any]]) -> str | None:
    payloads = [b.get("payload") for r in replies for b in r.get("buttons") or []]
    return next((p for p in ("/start_selfcheck_other", "/start_selfcheck") if p in payloads), None)


def run_case(url: str, case: Dict[str, Any]) -> str:
    sender = f"selfcheck-report-{uuid.uuid4().hex[:10]}"
    seen: List[str] = []
    replies: List[Dict[str, Any]] = []
    started = False
    for turn in case["turns"]:
        replies = send(url, sender, turn)
        seen += levels_in(replies)
        offer = _offered_check(replies)
        if offer and not started and not asks_more(replies):
            replies = send(url, sender, offer)
            seen += levels_in(replies)
        started = started or asks_more(replies)
    for _ in range(MAX_FILL):
        if not asks_more(replies):
            break
        replies = send(url, sender, "vet ikke")
        seen += levels_in(replies)
    return max(seen, key=LEVELS.index) if seen else "none"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--url", default="http://localhost:5005")
    ap.add_argument("--show-fail", action="store_true")
    args = ap.parse_args()
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))["cases"]
    right, per, per_right, lower = 0, Counter(), Counter(), 0
    for case in cases:
        got = run_case(args.url, case)
        ok = got == case["expect"]
        right += ok
        per[case["expect"]] += 1
        per_right[case["expect"]] += ok
        under = got == "none" or LEVELS.index(got) < LEVELS.index(case["expect"])
        lower += under
        if args.show_fail and not ok:
            print(f"FAIL {case['id']} expect={case['expect']} got={got} | {case.get('note', '')}")
    n = len(cases)
    print(f"{n} conversations: right level {right}/{n} = {right / n:.1%}; "
          f"too low {lower}/{n} = {lower / n:.1%}")  # fmt: skip
    for level in LEVELS[::-1]:
        print(f"  {level:10s} {per_right[level]}/{per[level]}")


if __name__ == "__main__":
    main()

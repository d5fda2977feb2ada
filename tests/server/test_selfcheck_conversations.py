"""Whole free-text self-check conversations (tests/data/selfcheck_conversations.yml, 50, by a
helper who had not seen the patterns) through both servers: the level a clinician expects.

bench/selfcheck_report.py drives each conversation (the person's messages, an offered check
accepted once, «vet ikke» for what is still asked). Figures printed; floors as measured on
2026-12-02 (68 % right level, 2 % too low — one conversation; every emergency found).
"""

from pathlib import Path

import yaml

from bench.selfcheck_report import LEVELS, run_case

CASES = Path(__file__).resolve().parents[1] / "data" / "selfcheck_conversations.yml"
MIN_RIGHT = 0.64
MAX_TOO_LOW = 0.04


def test_free_text_conversations_reach_the_expected_level(servers):
    base = servers.webhook.rsplit("/webhooks/", 1)[0]
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
    got = [(case, run_case(base, case)) for case in cases]
    right = [c for c, level in got if level == c["expect"]]
    too_low = [
        (c["id"], c["expect"], level)
        for c, level in got
        if level == "none" or LEVELS.index(level) < LEVELS.index(c["expect"])
    ]
    emergencies = [level for c, level in got if c["expect"] == "emergency"]
    n = len(cases)
    print(f"\n{n} conversations: right level {len(right) / n:.1%}, too low {len(too_low) / n:.1%}")
    print("too low:", too_low)
    assert len(right) / n >= MIN_RIGHT
    assert len(too_low) / n <= MAX_TOO_LOW
    assert emergencies == ["emergency"] * len(emergencies)

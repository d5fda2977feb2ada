"""Whole free-text self-check conversations through both servers: the level a clinician
expects. Two tables of 50, each by a helper who had not seen the patterns
(tests/data/selfcheck_conversations.yml, tests/data/selfcheck_blind_set2.yml).

bench/selfcheck_report.py drives each conversation (the person's messages, an offered check
accepted once, «vet ikke» for what is still asked). Figures printed; floors a little under
the figures measured on 2026-12-02 (README), and every emergency found.
"""

from pathlib import Path

import pytest
import yaml

from bench.selfcheck_report import LEVELS, run_case

DATA = Path(__file__).resolve().parents[1] / "data"
# table → (least share at the right level, most share too low)
FLOORS = {
    "selfcheck_conversations.yml": (0.70, 0.02),
    "selfcheck_blind_set2.yml": (0.72, 0.04),
}


@pytest.mark.parametrize("table", sorted(FLOORS))
def test_free_text_conversations_reach_the_expected_level(servers, table):
    min_right, max_too_low = FLOORS[table]
    base = servers.webhook.rsplit("/webhooks/", 1)[0]
    cases = yaml.safe_load((DATA / table).read_text(encoding="utf-8"))["cases"]
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
    assert len(right) / n >= min_right
    assert len(too_low) / n <= max_too_low
    assert emergencies == ["emergency"] * len(emergencies)

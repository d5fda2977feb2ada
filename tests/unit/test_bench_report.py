"""bench/: the results as dataclasses, the targets as data, docs/benchmarks.md from its
Markdown template (no servers: made-up numbers)."""

from __future__ import annotations

import re

from bench import report
from bench.results import (
    BenchResults,
    BotRun,
    Level,
    Machine,
    Memory,
    ProfileSkipped,
    Startup,
    Training,
    Trainings,
    to_json,
)
from bench.targets import ratios, targets


def level(users: int, p50: float, msgs_per_s: float, errors: int = 0) -> Level:
    return Level(users, 30.0, 300, 40, 300 - errors, msgs_per_s, p50, p50 * 2, p50 * 3, p50,
                 p50, p50, 0.6, errors, {"timeout": errors} if errors else {}, 0, {}, {},
                 rasa_cpu_ms_per_msg=10.0, rasa_rss_peak_mb=700.0)  # fmt: skip


def bot(name: str, p50: float, msgs_per_s: float, first_reply_s: float, rss: float, errors=0):
    levels = [level(1, p50, msgs_per_s), level(50, p50 * 40, msgs_per_s, errors)]
    return BotRun(name, Startup(10.0, first_reply_s, 12.0), levels, Memory(rss, rss, 100, 100))


def results(errors: int = 0) -> BenchResults:
    res = BenchResults(
        "20261202T000000Z", "2026-12-02 00:00", "python -m bench.run",
        Machine("cpu", 2, 8.0, "6.1", "3.10", "3.6", "abc1234"), "1.0 1.0 1.0", 30.0, 15.0,
    )  # fmt: skip
    res.training = Trainings(Training(40.0, "measured"), Training(90.0, "measured"))
    res.veivis = bot("Veivis", 15.0, 70.0, 14.0, 700.0, errors)
    res.stock = bot("stock", 40.0, 25.0, 40.0, 1100.0)
    res.profile = ProfileSkipped("py-spy not installed")
    res.ratios = ratios(res.veivis.levels, res.stock.levels)
    res.targets = targets(res.veivis, res.stock, res.training)
    res.loadavg_end, res.wall_s = "2.0 2.0 2.0", 1200.0
    return res


def test_targets_pass_and_fail_as_data():
    assert [t.pass_ for t in results().targets] == [True, True, True, True, True]
    failed = {t.target: t.pass_ for t in results(errors=1).targets}
    assert failed["throughput at 50 users, zero errors"] is False  # an error fails it
    saved = to_json(results())
    assert saved["targets"][0]["pass"] is True and "pass_" not in saved["targets"][0]
    assert saved["ratios"][0] == {"users": 1, "p50": 0.38, "p95": 0.38, "p99": 0.38,
                                  "throughput": 2.8}  # fmt: skip
    assert list(saved["veivis"]["levels"][0])[:3] == ["users", "elapsed_s", "messages"]


def test_the_report_comes_from_the_template_and_omits_what_was_not_run():
    doc = report.render_doc(to_json(results(errors=1)), "## NLU quality\n\nNot run.")
    assert doc.startswith("# Benchmarks\n\nWritten by `python -m bench.run` on 2026-12-02")
    for heading in ("## Targets", "## Training, startup, memory", "## Load: latency and "
                    "throughput", "## Where the time goes", "## How cost grows"):  # fmt: skip
        assert f"\n{heading}" in doc
    assert "Not profiled in this run: py-spy not installed." in doc
    assert "Failing turns" not in doc  # no error_turns in these results
    assert "## Emergency while the action server is frozen" not in doc  # not measured
    assert "### With stored conversations" not in doc
    assert "| Veivis | 50 | 600 | 1200 | 1800 | 70.0 | 300 | 1 {'timeout': 1} |" in doc
    assert "\n\n\n" not in doc and "$" not in doc and doc.endswith("Not run.\n")
    assert re.search(r"\| peak RSS of the Rasa process \| ≤ stock \| 0\.64 .*\*\*PASS\*\*", doc)


def test_every_section_of_the_template_is_one_the_report_fills():
    text = report.TEMPLATE.read_text(encoding="utf-8")
    assert set(report.sections(text)) == {
        "doc", "frozen", "failing", "cpu", "by_kind", "profile", "no_profile", "growth"
    }  # fmt: skip


def test_a_growth_row_without_a_prefill_shows_the_db_size_after_the_run():
    row = {"conversations": 0, "db_mb": None, "db_mb_after": 11.1}
    assert report.db_mb(row) == 11.1 and report.db_mb({"db_mb_after": 3.0}) == 3.0
    assert report.db_mb(dict(row, conversations=10, db_mb=195.4)) == 195.4

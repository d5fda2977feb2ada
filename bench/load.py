"""The load levels: 1, 10, 50 … concurrent conversations against running servers.

bench.loadgen generates the load; this adds what the servers spent on it: the Rasa
process's CPU per message, and the peak RSS of Rasa and the action server per level.
"""

from __future__ import annotations

from typing import List, Sequence

from bench import conversations as convs
from bench import loadgen
from bench.memory import mb
from bench.processes import cpu_seconds
from bench.report import level_line
from bench.results import Level, log, to_json
from bench.servers import Running


def drive(
    run: Running,
    conversations: Sequence[convs.Conversation],
    levels: Sequence[int],
    duration: float,
    prefix: str,
) -> List[Level]:
    """A warm-up (every conversation once), then each level for `duration` seconds."""
    bad = loadgen.warm_up(run.webhook, conversations, prefix)
    log(f"  warm-up: every conversation once ({bad} unexpected replies)")
    out = []
    for users in levels:
        run.rasa_mem.new_window()
        run.actions_mem.new_window()
        cpu0 = cpu_seconds(run.rasa.process.pid)
        res = loadgen.run_level(
            run.webhook, conversations, users, duration, loadgen.unique_senders(f"{prefix}-{users}")
        )
        cpu = cpu_seconds(run.rasa.process.pid) - cpu0
        level = Level(
            **res.summary(),  # type: ignore[arg-type]
            rasa_cpu_ms_per_msg=round(cpu * 1000 / max(1, len(res.samples)), 1),
            rasa_cpu_share=round(cpu / res.elapsed_s, 2),
            rasa_rss_peak_mb=mb(run.rasa_mem.window_peak_kb),
            rasa_rss_end_mb=mb(run.rasa_mem.last_kb),
            actions_rss_peak_mb=mb(run.actions_mem.window_peak_kb),
        )
        out.append(level)
        log("  " + level_line(to_json(level)))
    return out

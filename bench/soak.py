"""Soak: 50 concurrent conversations against one Veivis instance for 5 minutes.

    python -m bench.soak [--users 50] [--minutes 5]      (make soak)

Starts Veivis as `make run` does (models/veivis.tar.gz, SQLite tracker store in a
temporary folder, action server), plays the benchmark conversations (bench/conversations.py:
self-checks, information questions, emergencies) with the same load generator as
bench.run, and reports errors, wrong answers, latency per minute, and the memory of Rasa
and the action server over time: after warm-up, each minute, at the end, and the growth.
A benchmark that prints numbers, not a test: it fails (exit 1) only on errors or wrong
answers. Writes results/bench/soak-<stamp>.json and docs/soak.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import threading
import time
from typing import Dict, List, Optional, Sequence

from bench import conversations as convs
from bench import loadgen
from bench.processes import loadavg, status_kb
from bench.results import RESULTS, log, start_run, to_json
from bench.servers import veivis_servers
from bench.training import ensure_model
from veivis.serve import ROOT

DOC = ROOT / "docs" / "soak.md"


class RssSeries(threading.Thread):
    """VmRSS of Rasa and of the action server every `interval` seconds."""

    def __init__(self, rasa_pid: int, actions_pid: int, interval: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pids, self.interval = (rasa_pid, actions_pid), interval
        self.points: List[Dict[str, float]] = []
        self._stop = threading.Event()
        self.t0 = time.monotonic()

    def sample(self) -> Dict[str, float]:
        rasa, actions = (round(status_kb(p, "VmRSS") / 1024, 1) for p in self.pids)
        point = {
            "t_s": round(time.monotonic() - self.t0, 1),
            "rasa_mb": rasa,
            "actions_mb": actions,
        }
        self.points.append(point)
        return point

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop.set()


def per_minute(samples: Sequence[loadgen.Sample], minutes: float) -> List[Dict[str, object]]:
    """One row per minute; replies that came after the end (sent before it) in a last row."""
    last = int(minutes * 60 // 60)
    buckets: Dict[int, List[loadgen.Sample]] = {}
    for s in samples:
        buckets.setdefault(min(int(s.at_s // 60), last), []).append(s)
    rows = []
    for m in sorted(buckets):
        ok = [s.latency_ms for s in buckets[m] if not s.error]
        tail = m == last
        rows.append(
            {
                "minute": "after the end" if tail else m + 1,
                "messages": len(buckets[m]),
                "errors": sum(1 for s in buckets[m] if s.error and s.error not in loadgen.WRONG),
                "msgs_per_s": None if tail else round(len(ok) / 60, 1),
                "p50_ms": loadgen.percentile(ok, 50),
                "p95_ms": loadgen.percentile(ok, 95),
            }
        )
    return rows


def rss_at(points: List[Dict[str, float]], t: float, key: str) -> Optional[float]:
    before = [p for p in points if p["t_s"] <= t]
    return before[-1][key] if before else None


def render(res: Dict[str, object]) -> str:
    s, mem, m = res["summary"], res["memory"], res["machine"]  # type: ignore[index]
    lines = [
        "# Soak benchmark",
        "",
        f"`python -m bench.soak` (`make soak`), {res['date']} UTC, commit {m['git_commit']}, "
        f"{m['cores']} cores, load average {res['loadavg_start']} → {res['loadavg_end']}.",
        "",
        f"{res['users']} concurrent conversations for {res['minutes']} min against one Veivis "
        "instance (Rasa + action server, SQLite tracker store), the conversations of "
        "`bench/conversations.py` back to back, each with a new sender.",
        "",
        "| | |",
        "|---|---|",
        f"| messages | {s['messages']} ({s['conversations']} conversations) |",  # type: ignore[index]
        f"| errors / wrong answers | **{s['errors']}** / {s['wrong']} |",  # type: ignore[index]
        f"| throughput | {s['msgs_per_s']} msg/s |",  # type: ignore[index]
        f"| latency p50 / p95 / p99 | {s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} ms |",  # type: ignore[index]
        f"| Rasa RSS after warm-up → after 1 min → end (max) | {mem['rasa_start_mb']} → "  # type: ignore[index]
        f"{mem['rasa_1min_mb']} → {mem['rasa_end_mb']} MB ({mem['rasa_max_mb']}) |",  # type: ignore[index]
        f"| Rasa growth from minute 1 to the end | {mem['rasa_growth_mb']} MB "  # type: ignore[index]
        f"({mem['rasa_growth_kb_per_1000_msgs']} KB per 1,000 messages) |",  # type: ignore[index]
        f"| action server RSS start → end | {mem['actions_start_mb']} → "  # type: ignore[index]
        f"{mem['actions_end_mb']} MB |",  # type: ignore[index]
        f"| tracker store file at the end | {res['tracker_db_mb']} MB |",
        "",
        "| minute | messages | errors | msg/s | p50 ms | p95 ms | Rasa RSS MB at the end of it |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in res["per_minute"]:  # type: ignore[union-attr]
        rate = "–" if row["msgs_per_s"] is None else row["msgs_per_s"]
        lines.append(
            f"| {row['minute']} | {row['messages']} | {row['errors']} | {rate} | "
            f"{row['p50_ms']} | {row['p95_ms']} | {row['rasa_mb']} |"
        )
    lines += [
        "",
        "Growth in the first minute is warm-up (allocator arenas, caches filling: the tracker "
        "store keeps up to 1,000 recent conversations in memory, veivis/tracker_store.py); "
        "growth after it is what a leak would look like.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args(argv)
    stamp, out_dir, tmp, res = start_run("soak", users=args.users, minutes=args.minutes)
    log(f"Soak {stamp}: {args.users} users × {args.minutes} min; load {res['loadavg_start']}")
    try:
        ensure_model()
        db = tmp / "tracker.db"
        with veivis_servers(db, out_dir, "soak") as run:
            log(f"  startup {to_json(run.startup)}")
            bad = loadgen.warm_up(run.webhook, convs.VEIVIS, "soak")
            log(f"  warm-up: every conversation once ({bad} unexpected replies)")
            series = RssSeries(run.rasa.process.pid, run.actions.process.pid)
            start = series.sample()
            series.start()
            result = loadgen.run_level(
                run.webhook, convs.VEIVIS, args.users, args.minutes * 60,
                loadgen.unique_senders("soak"),
            )  # fmt: skip
            series.stop()
            end = series.sample()
        summary = result.summary()
        points = series.points
        one_min = rss_at(points, 60, "rasa_mb") or start["rasa_mb"]
        growth = round(end["rasa_mb"] - one_min, 1)
        after_1min = sum(1 for s in result.samples if s.at_s > 60) or 1
        rows = per_minute(result.samples, args.minutes)
        for row in rows:
            at = 60 * row["minute"] if isinstance(row["minute"], int) else 1e9
            row["rasa_mb"] = rss_at(points, at, "rasa_mb") or end["rasa_mb"]
        res.update(
            summary=summary,
            per_minute=rows,
            rss_series=points,
            memory={
                "rasa_start_mb": start["rasa_mb"],
                "rasa_1min_mb": one_min,
                "rasa_end_mb": end["rasa_mb"],
                "rasa_max_mb": max(p["rasa_mb"] for p in points),
                "rasa_growth_mb": growth,
                "rasa_growth_kb_per_1000_msgs": round(growth * 1024 * 1000 / after_1min, 1),
                "actions_start_mb": start["actions_mb"],
                "actions_end_mb": end["actions_mb"],
            },
            tracker_db_mb=round(sum(f.stat().st_size for f in tmp.glob("tracker.db*")) / 2**20, 1),
            loadavg_end=loadavg(),
        )
        log(f"  {loadgen_line(summary)}")
        for row in rows:
            log(f"  minute {row['minute']}: {row}")
        log(f"  memory: {res['memory']}")
        (RESULTS / f"soak-{stamp}.json").write_text(json.dumps(res, indent=2, ensure_ascii=False))
        if not args.no_doc:
            DOC.write_text(render(res), encoding="utf-8")
            log(f"Wrote {DOC.relative_to(ROOT)} and results/bench/soak-{stamp}.json")
        return 0 if summary["errors"] == 0 and summary["wrong"] == 0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def loadgen_line(s: Dict[str, object]) -> str:
    return (
        f"{s['messages']} messages, {s['errors']} errors {s['error_kinds']}, {s['wrong']} wrong, "
        f"{s['msgs_per_s']} msg/s, p50 {s['p50_ms']} p95 {s['p95_ms']} p99 {s['p99_ms']} ms"
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""The one benchmark command: `python -m bench.run` (see bench/README.md).

Veivis (models/veivis.tar.gz, SQLite tracker store, action server) against a stock
`rasa init --no-prompt` bot (same Rasa, generated and trained in a temporary folder):
training time, startup time, peak RSS, latency and throughput at 1/10/50 concurrent
conversations; a py-spy profile of Veivis under load; latency and memory against the
number of stored conversations (0 / 10k / 100k in the SQLite tracker store); NLU
quality (bench.nlu_report). Prints everything with PASS/FAIL per target, writes
results/bench/<stamp>.json and docs/benchmarks.md.

This module only orchestrates: bench.servers starts the bots, bench.load, bench.profiling
and bench.growth measure them, bench.targets judges, bench.results holds the numbers and
bench.report writes them. Every process it starts is stopped in a `finally`; it never
touches anything else.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

from bench import conversations as convs
from bench import frozen_actions, nlu_report
from bench.growth import growth
from bench.load import drive
from bench.processes import loadavg
from bench.profiling import profile_veivis
from bench.report import DOC, print_results, render_doc
from bench.results import (
    RESULTS,
    BenchResults,
    BotRun,
    log,
    machine,
    now_stamp,
    to_json,
    write_json,
)
from bench.servers import stock_servers, veivis_servers
from bench.targets import ratios, targets
from bench.training import ensure_model, train_both
from veivis.serve import ROOT


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=30, help="seconds per load level")
    ap.add_argument("--levels", default="1,10,50", help="concurrent conversations")
    ap.add_argument("--growth-sizes", default="0,10000,100000", help="stored conversations")
    ap.add_argument("--growth-seconds", type=float, default=15)
    ap.add_argument("--profile-seconds", type=float, default=25)
    ap.add_argument("--profile-users", type=int, default=10)
    ap.add_argument("--no-train", action="store_true", help="do not time Veivis training")
    ap.add_argument("--no-growth", action="store_true")
    ap.add_argument(
        "--stock-project", type=Path, help="reuse a trained stock project (development only)"
    )
    ap.add_argument("--no-nlu", action="store_true", help="skip bench.nlu_report")
    ap.add_argument("--no-cv", action="store_true", help="nlu_report without cross-validation")
    ap.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument(
        "--render-only",
        type=Path,
        metavar="RESULTS_JSON",
        help="rewrite docs/benchmarks.md from a saved results/bench/<stamp>.json (no run)",
    )
    return ap.parse_args(argv)


def nlu_quality(res: BenchResults, args: argparse.Namespace, out_dir: Path) -> str:
    """[6/6] bench.nlu_report in its own process (it loads TensorFlow, trains for the CV)."""
    if args.no_nlu:
        return "## NLU quality\n\nNot run (--no-nlu)."
    log("\n[6/6] NLU quality: python -m bench.nlu_report …")
    nlu_json = out_dir / "nlu.json"
    cmd = [sys.executable, "-m", "bench.nlu_report", "--json", str(nlu_json), "--no-doc"]
    if args.no_cv:
        cmd.append("--no-cv")
    subprocess.run(cmd, cwd=ROOT, check=True)
    res.nlu = json.loads(nlu_json.read_text())
    return nlu_report.render_markdown(res.nlu)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.render_only:
        saved = json.loads(args.render_only.read_text())
        nlu_md = nlu_report.render_markdown(saved["nlu"]) if saved.get("nlu") else "## NLU quality"
        DOC.write_text(render_doc(saved, nlu_md), encoding="utf-8")
        log(f"Wrote {DOC.relative_to(ROOT)} from {args.render_only}")
        return 0

    wall0 = time.monotonic()
    levels = [int(x) for x in args.levels.split(",") if x]
    stamp, date = now_stamp()
    out_dir = RESULTS / stamp
    out_dir.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix="veivis-bench-"))
    res = BenchResults(
        stamp=stamp,
        date=date,
        command=" ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        machine=machine(),
        loadavg_start=loadavg(),
        duration_s=args.duration,
        growth_s=args.growth_seconds,
    )
    log(f"Benchmark {stamp}: logs in {out_dir.relative_to(ROOT)}, temporary files in {tmp}")
    log(f"Machine: {to_json(res.machine)}; load average {res.loadavg_start}")
    try:
        res.model = ensure_model()
        bot, res.training = train_both(args, tmp, out_dir)

        log(f"\n[3/6] Veivis: start, then {levels} users × {args.duration:.0f} s …")
        veivis_db = tmp / "veivis-tracker.db"
        with veivis_servers(veivis_db, out_dir, "load") as run:
            log(f"  startup {to_json(run.startup)}")
            v_levels = drive(run, convs.VEIVIS, levels, args.duration, "veivis")
            if args.profile_seconds > 0:
                log(f"  profiling with py-spy ({args.profile_users} users, "
                    f"{args.profile_seconds:.0f} s) …")  # fmt: skip
                res.profile = profile_veivis(run, args.profile_users, args.profile_seconds, out_dir)
            log("  emergency latency with the action server frozen (bench.frozen_actions) …")
            res.frozen_actions = frozen_actions.measure(
                run.webhook, run.actions.process.pid, (1, 10), seconds=20
            )
            for level in res.frozen_actions:
                log("  " + frozen_actions.line(level))
            res.veivis = BotRun("Veivis", run.startup, v_levels, run.memory())
        log(f"  {to_json(res.veivis.memory)}")

        log(f"\n[4/6] Stock bot: start, then {levels} users × {args.duration:.0f} s …")
        with stock_servers(bot, out_dir, tmp / "stock-cache") as run:
            log(f"  startup {to_json(run.startup)}")
            s_levels = drive(run, convs.STOCK, levels, args.duration, "stock")
            res.stock = BotRun("stock", run.startup, s_levels, run.memory())
        log(f"  {to_json(res.stock.memory)}")
        res.ratios = ratios(v_levels, s_levels)

        if not args.no_growth:
            sizes = [int(x) for x in args.growth_sizes.split(",") if x]
            log(f"\n[5/6] Tracker store growth: {sizes} stored conversations …")
            res.growth = growth(sizes, veivis_db, tmp, out_dir, args.growth_seconds)

        nlu_md = nlu_quality(res, args, out_dir)
        res.targets = targets(res.veivis, res.stock, res.training)
        res.loadavg_end = loadavg()
        res.wall_s = round(time.monotonic() - wall0, 1)
        saved = to_json(res)
        print_results(saved)
        write_json(RESULTS / f"{stamp}.json", saved)
        if not args.no_doc:
            DOC.write_text(render_doc(saved, nlu_md), encoding="utf-8")
            log(f"\nWrote {DOC.relative_to(ROOT)} and results/bench/{stamp}.json")
        log(f"Total wall time: {res.wall_s:.0f} s ({res.wall_s / 60:.1f} min)")
        return 0
    finally:
        if args.keep_tmp:
            log(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

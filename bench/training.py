"""Training for the benchmarks: Veivis' model up to date (make train); Veivis' and the stock
bot's training timed (steps 1 and 2 of bench.run)."""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path
from typing import Tuple

from bench import stock_bot
from bench.results import ModelCheck, Training, Trainings, log
from veivis.serve import RASA, ROOT

MODEL = ROOT / "models" / "veivis.tar.gz"


def train_veivis(tmp: Path, log_file: Path) -> Training:
    """`rasa train --force` into a temporary folder (private cache), wall time."""
    env = stock_bot.bench_env(tmp / "veivis-cache")
    cmd = [
        *RASA,
        "train",
        "--force",
        "--domain",
        "domain",
        "--out",
        str(tmp / "veivis-models"),
        "--fixed-model-name",
        "veivis-bench",
    ]
    started = time.monotonic()
    with open(log_file, "ab") as out:
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
    return Training(round(time.monotonic() - started, 1), "measured: rasa train --force")


def ensure_model() -> ModelCheck:
    """models/veivis.tar.gz as `make run` would use it: `make train` when it is missing or
    older than its inputs (make decides), so the benchmark never measures a stale model."""
    if MODEL.exists() and subprocess.run(["make", "-q", "train"], cwd=ROOT).returncode == 0:
        return ModelCheck(retrained=False)
    log("models/veivis.tar.gz is missing or out of date: make train …")
    started = time.monotonic()
    subprocess.run(["make", "train"], cwd=ROOT, check=True)
    return ModelCheck(retrained=True, make_train_s=round(time.monotonic() - started, 1))


def train_both(
    args: argparse.Namespace, tmp: Path, out_dir: Path
) -> Tuple[stock_bot.StockBot, Trainings]:
    """[1/6] Veivis' training, timed; [2/6] the stock bot, generated and trained."""
    if args.no_train:
        vt = Training(None, "not measured in this run (--no-train)")
    else:
        log("\n[1/6] Training Veivis: rasa train --force (temporary out dir) …")
        vt = train_veivis(tmp, out_dir / "veivis-train.log")
        log(f"  {vt.seconds} s")
    if args.stock_project:
        models = sorted((args.stock_project / "models").glob("*.tar.gz"))
        bot = stock_bot.StockBot(args.stock_project, models[-1], None)
        st = Training(None, "not measured in this run (--stock-project)")
    else:
        log("\n[2/6] Generating and training the stock bot: rasa init --no-prompt …")
        bot = stock_bot.generate_and_train(tmp, out_dir / "stock-init.log")
        log(f"  {bot.train_seconds:.1f} s ({bot.model.name})")
        st = Training(
            round(bot.train_seconds, 1),
            "measured: rasa init --no-prompt (template copy + training)",
        )
    return bot, Trainings(vt, st)

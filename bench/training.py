"""Veivis' model for the benchmarks: up to date (make train), and timed training."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench import stock_bot
from bench.results import ModelCheck, Training, log
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

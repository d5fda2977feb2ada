"""A stock `rasa init --no-prompt` bot, generated and trained at bench time.

Same Rasa (3.6, this venv), its own template, unchanged: default pipeline and policies
(config.yml of `rasa init` leaves both empty, so Rasa picks its defaults: DIET,
ResponseSelector, TED, UnexpecTED …), the in-memory tracker store and the REST channel
from its credentials.yml. It lives in a temporary folder and is never committed.

Its training time is the wall time of `rasa init --no-prompt`, which copies the template
(a few milliseconds) and trains the model: the same process boundaries as Veivis'
`rasa train --force` (both include starting Python and importing Rasa).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from veivis.serve import stop_process

RASA = [sys.executable, "-m", "veivis.rasa_cli"]  # Rasa without Sentry error reports


@dataclass
class StockServer:
    """A stock server process (the same interface bench.run uses from veivis.serve.Server)."""

    name: str
    process: subprocess.Popen
    health_url: str

    def stop(self) -> None:
        stop_process(self.process)


@dataclass
class StockBot:
    project: Path
    model: Path
    train_seconds: Optional[float]


def bench_env(cache_dir: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # a private training cache: a full training, and no writes to anyone else's cache
        RASA_CACHE_DIRECTORY=str(cache_dir),
    )
    return env


def generate_and_train(workdir: Path, log: Path) -> StockBot:
    """`rasa init --no-prompt` in workdir/stock (scaffold + training), timed."""
    project = workdir / "stock"
    project.mkdir(parents=True, exist_ok=True)
    env = bench_env(workdir / "stock-cache")
    started = time.monotonic()
    with open(log, "ab") as out:
        subprocess.run(
            [*RASA, "init", "--no-prompt", "--init-dir", str(project)],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    seconds = time.monotonic() - started
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init trained no model (see {log})")
    return StockBot(project, models[-1], seconds)


def start_actions(
    bot: StockBot, port: int, env: Dict[str, str], log: Optional[Path]
) -> StockServer:
    cmd = [*RASA, "run", "actions", "--port", str(port), "--actions", "actions"]
    return StockServer(
        "stock action server", _popen(cmd, bot.project, env, log), f"http://127.0.0.1:{port}/health"
    )


def start_rasa(bot: StockBot, port: int, env: Dict[str, str], log: Optional[Path]) -> StockServer:
    cmd = [
        *RASA,
        "run",
        "--model",
        str(bot.model),
        "--port",
        str(port),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
    ]
    return StockServer(
        "stock Rasa", _popen(cmd, bot.project, env, log), f"http://127.0.0.1:{port}/webhooks/rest/"
    )


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the benchmark dies without cleaning up."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _popen(cmd, cwd: Path, env, log: Optional[Path]) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )


if __name__ == "__main__":  # python -m bench.stock_bot DIR: generate and train only
    import tempfile

    where = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="stock-"))
    bot = generate_and_train(where, where / "init.log")
    print(f"{bot.model} trained in {bot.train_seconds:.0f} s")

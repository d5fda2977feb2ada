"""Start the action server and Rasa, wait until both answer, stop both cleanly.

`make run` uses main(); the server tests use running_servers() so they start Veivis
exactly the way a user does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
RASA = [sys.executable, "-m", "veivis.rasa_cli"]  # rasa without Sentry error reports


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ctrl-C (SIGINT) so Rasa shuts down cleanly; kill it if it does not within `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def descendants(pid: int) -> List[int]:
    """pid and every process below it (Linux /proc): a server and its workers."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return out


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    health_url: str
    cmd: List[str]
    env: Dict[str, str]
    log: Optional[Path] = None

    def stop(self) -> None:
        stop_process(self.process)

    def restart(self, timeout: float = 300) -> None:
        """Stop and start again with the same command, environment and log file."""
        self.stop()
        self.process = _popen(self.cmd, self.env, self.log)
        wait_until_up(self, timeout)


@dataclass
class Servers:
    rasa: Server
    actions: Server
    rasa_port: int
    action_port: int

    @property
    def url(self) -> str:
        return f"http://localhost:{self.rasa_port}/"

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"


def answers(url: str) -> bool:
    """The URL answers 200 within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def wait_for(
    what: str,
    ready: Callable[[], object],
    process: Optional[subprocess.Popen] = None,
    timeout: float = 300,
    every: float = 0.5,
    log: Optional[Path] = None,
) -> float:
    """Poll `ready()` until it is true (an exception counts as not yet); fail early if
    `process` died (with the end of its `log`). Returns the seconds it took.

    The one waiting loop of the project's launchers: wait_until_up, bench.servers (startup
    times), bench.hostile and tests/scaleout (PostgreSQL, Redis, nginx)."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = f":\n{_tail(log, 40)}" if log else ""
            raise RuntimeError(f"{what} exited with code {process.returncode}{tail}")
        try:
            if ready():
                return time.monotonic() - started
        except Exception:  # not up yet
            pass
        time.sleep(every)
    raise TimeoutError(f"{what} did not answer in {timeout:.0f} s")


def wait_until_up(server: Server, timeout: float = 300, every: float = 0.5) -> float:
    """Poll the health URL until it answers 200; fail early if the process died."""
    return wait_for(
        f"{server.name} ({server.health_url})",
        lambda: answers(server.health_url),
        server.process,
        timeout,
        every,
    )


def start_actions(port: int, env: Dict[str, str], log: Optional[Path] = None) -> Server:
    cmd = [*RASA, "run", "actions", "--port", str(port), "--actions", "actions"]
    url = f"http://127.0.0.1:{port}/health"
    return Server("action server", _popen(cmd, env, log), url, cmd, env, log)


def allowed_origins(env: Dict[str, str]) -> List[str]:
    """The sites allowed to embed the chat (embed.js), from VEIVIS_ALLOWED_ORIGINS:
    origins separated by spaces or commas, e.g. "https://www.klinikk.no https://kommune.no".
    Their pages call the bot's REST channel from the browser, which CORS must allow;
    any other site's page gets no answer it can read."""
    raw = env.get("VEIVIS_ALLOWED_ORIGINS", "")
    origins = [o.strip().rstrip("/") for o in raw.replace(",", " ").split()]
    for origin in origins:
        if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
            raise ValueError(
                f"VEIVIS_ALLOWED_ORIGINS: {origin!r} is not an origin like https://example.no"
            )
    return origins


def start_rasa(port: int, model: Path, env: Dict[str, str], log: Optional[Path] = None) -> Server:
    cmd = [
        *RASA, "run",
        "--model", str(model),
        "--port", str(port),
        "--credentials", "credentials.yml",
        "--endpoints", "endpoints.yml",
        "--cors", f"http://localhost:{port}", *allowed_origins(env),
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}/webhooks/rest/"
    return Server("Rasa", _popen(cmd, env, log), url, cmd, env, log)


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the launcher dies, even by SIGKILL (no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _popen(cmd, env, log: Optional[Path]) -> subprocess.Popen:
    out = open(log, "ab") if log else None  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
    )


def server_env(
    action_port: int, tracker_db: Path, allowed_origins: Sequence[str] = ()
) -> Dict[str, str]:
    env = dict(os.environ)
    if allowed_origins:  # added to those of the environment
        env["VEIVIS_ALLOWED_ORIGINS"] = " ".join(
            [env.get("VEIVIS_ALLOWED_ORIGINS", ""), *allowed_origins]
        ).strip()
    env.update(
        VEIVIS_ACTION_PORT=str(action_port),
        VEIVIS_TRACKER_DB=str(tracker_db),
        TF_CPP_MIN_LOG_LEVEL="2",
        # libraries' deprecation notices are dropped by veivis/rasa_cli.py
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # Rasa's telemetry and Sentry error reports would send data off the machine.
        RASA_TELEMETRY_ENABLED="false",
    )
    return env


@contextmanager
def running_servers(
    rasa_port: int,
    action_port: int,
    tracker_db: Path,
    model: Path = ROOT / "models" / "veivis.tar.gz",
    log_dir: Optional[Path] = None,
    allowed_origins: Sequence[str] = (),
) -> Iterator[Servers]:
    tracker_db.parent.mkdir(parents=True, exist_ok=True)
    env = server_env(action_port, tracker_db, allowed_origins)
    logs = (log_dir / "actions.log", log_dir / "rasa.log") if log_dir else (None, None)
    actions = start_actions(action_port, env, logs[0])
    rasa = None
    try:
        rasa = start_rasa(rasa_port, model, env, logs[1])
        wait_until_up(actions)
        wait_until_up(rasa)
        yield Servers(rasa, actions, rasa_port, action_port)
    finally:
        for server in (rasa, actions):
            if server:
                server.stop()


RETENTION_INTERVAL_S = 6 * 3600


def _delete_old_conversations(tracker_db: Path) -> None:
    from veivis.retention import (
        delete_old_conversations,
        delete_one_message_conversations,
        one_message_hours,
        retention_days,
        sqlite_url,
    )

    url = sqlite_url(str(ROOT / tracker_db))
    n = delete_old_conversations(url, retention_days())
    if n:
        print(f"Slettet {n} samtaler eldre enn {retention_days()} dager.", flush=True)
    n = delete_one_message_conversations(url, one_message_hours())
    if n:
        print(f"Slettet {n} samtaler med bare én melding.", flush=True)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:])
    except OSError:
        return ""


def main() -> None:
    rasa_port = int(os.environ.get("VEIVIS_RASA_PORT", "5005"))
    action_port = int(os.environ.get("VEIVIS_ACTION_PORT", "5055"))
    tracker_db = Path(os.environ.get("VEIVIS_TRACKER_DB", "var/veivis.db"))
    # The servers' output goes to files: the terminal keeps what a person needs.
    log_dir = Path(os.environ.get("VEIVIS_LOG_DIR", "var/log"))
    (ROOT / log_dir).mkdir(parents=True, exist_ok=True)
    logs = [log_dir / "rasa.log", log_dir / "actions.log"]
    for log in logs:  # this run's logs, and the previous run's as *.log.1
        if (ROOT / log).exists():
            (ROOT / log).replace(ROOT / log.with_suffix(".log.1"))
    started = time.monotonic()

    # Ctrl-C or `kill` stops both servers through `finally`; a second signal while they
    # stop must not cut the shutdown short and orphan one of them.
    def shut_down(signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, shut_down)
    signal.signal(signal.SIGTERM, shut_down)
    origins = allowed_origins(dict(os.environ))
    print(
        f"Starter Veivis (Rasa på port {rasa_port}, handlinger på port {action_port}); "
        f"det tar gjerne et halvt minutt. Logger: {logs[0]}, {logs[1]}",
        flush=True,
    )
    try:
        with running_servers(
            rasa_port, action_port, ROOT / tracker_db, log_dir=ROOT / log_dir
        ) as servers:
            embed = f'<script src="{servers.url}embed.js" defer></script>'
            print(
                f"\nVeivis er klar etter {time.monotonic() - started:.0f} s: {servers.url}\n"
                f"  REST:        POST {servers.webhook}\n"
                f"  Innbygging:  {embed}\n"
                f"               tillatte nettsteder (VEIVIS_ALLOWED_ORIGINS): "
                f"{' '.join(origins) or 'ingen ennå'}\n"
                f"  Samtaler:    {tracker_db} (slettes etter {_retention_days()} dager)\n"
                f"  Logger:      {logs[0]}, {logs[1]}\n"
                f"  Stopp med Ctrl-C.\n",
                flush=True,
            )
            next_cleanup = 0.0
            while servers.rasa.process.poll() is None and servers.actions.process.poll() is None:
                if time.monotonic() >= next_cleanup:
                    _delete_old_conversations(tracker_db)
                    next_cleanup = time.monotonic() + RETENTION_INTERVAL_S
                time.sleep(1)
            stopped = logs[0] if servers.rasa.process.poll() is not None else logs[1]
            print(f"En av serverne stoppet; stopper begge. Slutten av {stopped}:", file=sys.stderr)
            print(_tail(ROOT / stopped), file=sys.stderr)
            sys.exit(1)
    except (RuntimeError, TimeoutError) as error:  # a server did not come up
        print(f"Veivis startet ikke: {error}. Se {logs[0]} og {logs[1]}.", file=sys.stderr)
        for log in logs:
            print(f"--- slutten av {log}:\n{_tail(ROOT / log)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nStoppet.")


def _retention_days() -> int:
    from veivis.retention import retention_days

    return retention_days()


if __name__ == "__main__":
    main()

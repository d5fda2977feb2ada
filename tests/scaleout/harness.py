"""The scale-out test's stack: PostgreSQL, Redis, the action server, two Rasa instances
and nginx, on loopback, every file in one temporary folder (tests/scaleout/conftest.py
makes it the module-scoped `stack` fixture).

PostgreSQL is initdb'd afresh (run as the `postgres` user when the test runs as root),
Redis has a password and no persistence, the Rasa instances use
deploy/scaleout/endpoints.yml.template and nginx deploy/scaleout/nginx.conf.template
(bench/nginx.py writes its configuration). Everything is stopped in the fixture's
teardown, also on SIGTERM; the logs are copied to test-artifacts/scaleout/.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from bench import nginx
from bench.processes import free_port, stop_process
from tests.conftest import ARTIFACTS, MODEL
from veivis.serve import RASA, ROOT, answers, server_env, start_actions, wait_for, wait_until_up

DEPLOY = ROOT / "deploy" / "scaleout"
START_TIMEOUT_S = 300  # Rasa loads the model in ~30-90 s on a busy 2-core machine


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    stop_signal: int
    log: Path


@dataclass
class Stack:
    tmp: Path
    rasa_a: str
    rasa_b: str
    nginx: str
    pg: Dict[str, Any]
    redis: Dict[str, Any]
    access_log: Path
    processes: List[Process] = field(default_factory=list)
    servers: List[Any] = field(default_factory=list)  # veivis.serve.Server-like
    timings: Dict[str, float] = field(default_factory=dict)


@dataclass
class RasaInstance:
    """What veivis.serve.wait_until_up needs (name, process, health_url), and stop()."""

    name: str
    process: subprocess.Popen
    health_url: str

    def stop(self) -> None:
        stop_process(self.process)


def tool(name: str, *extra_dirs: str) -> str:
    path = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *extra_dirs]))
    if not path:
        pytest.fail(f"{name} not found: run scripts/scaleout-test.sh (installs it)")
    return path


def pg_tool(name: str) -> str:
    found = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not found:
        pytest.fail(f"PostgreSQL's {name} not found: apt-get install postgresql")
    return max(found, key=lambda p: int(Path(p).parts[-3]))  # newest major version


def as_postgres_user() -> List[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return []
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root and there is no `postgres` user to run PostgreSQL as")
    return [tool("setpriv", "/usr/bin"), "--reuid=postgres", "--regid=postgres",
            "--init-groups", "--"]  # fmt: skip


def wait(what: str, ready: Callable[[], object], process: Optional[Process], timeout: float):
    """Poll until ready() is true; fail early, with its log, if the process died."""
    if process is None:
        return wait_for(what, ready, None, timeout, every=0.2)
    return wait_for(what, ready, process.popen, timeout, every=0.2, log=process.log)


def start(stack: Stack, name: str, cmd: List[str], stop_signal: int, **kwargs) -> Process:
    log = stack.tmp / "logs" / f"{name}.log"
    with open(log, "ab") as out:
        popen = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    process = Process(name, popen, stop_signal, log)
    stack.processes.append(process)
    return process


def start_postgres(stack: Stack) -> None:
    as_postgres = as_postgres_user()
    pg_dir = stack.tmp / "postgres"
    pg_dir.mkdir()
    superuser_password = secrets.token_urlsafe(16)
    (pg_dir / "pwfile").write_text(superuser_password + "\n")
    (pg_dir / "pwfile").chmod(0o600)
    if as_postgres:
        for path in (pg_dir, pg_dir / "pwfile"):
            shutil.chown(path, "postgres", "postgres")
    initdb = subprocess.run(
        [*as_postgres, pg_tool("initdb"), "-D", str(pg_dir / "data"), "-U", "postgres",
         f"--pwfile={pg_dir / 'pwfile'}", "--auth=scram-sha-256", "-E", "UTF8", "--no-locale",
         "--no-sync"],
        cwd=pg_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    if initdb.returncode != 0:
        pytest.fail(f"initdb failed:\n{initdb.stderr}")
    (pg_dir / "pwfile").unlink()
    port = free_port()
    process = start(
        stack,
        "postgres",
        [*as_postgres, pg_tool("postgres"), "-D", str(pg_dir / "data"),
         "-h", "127.0.0.1", "-p", str(port), "-k", "",  # TCP on loopback only, no socket file
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        signal.SIGINT,  # «fast» shutdown
        cwd=pg_dir,
    )  # fmt: skip
    pg_isready = [pg_tool("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
    wait("PostgreSQL", lambda: subprocess.run(pg_isready).returncode == 0, process, 60)

    import psycopg2

    password = secrets.token_urlsafe(16)
    admin = psycopg2.connect(host="127.0.0.1", port=port, dbname="postgres", user="postgres",
                             password=superuser_password)  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE ROLE veivis LOGIN PASSWORD %s", (password,))
        cur.execute("CREATE DATABASE veivis OWNER veivis")
    admin.close()
    stack.pg = dict(host="127.0.0.1", port=port, dbname="veivis", user="veivis", password=password)


def start_redis(stack: Stack) -> None:
    import redis

    redis_dir = stack.tmp / "redis"
    redis_dir.mkdir()
    port, password = free_port(), secrets.token_urlsafe(16)
    process = start(
        stack,
        "redis",
        [tool("redis-server"), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(redis_dir),
         "--save", "", "--appendonly", "no", "--requirepass", password, "--daemonize", "no"],
        signal.SIGTERM,
    )  # fmt: skip
    stack.redis = dict(host="127.0.0.1", port=port, db=1, password=password)
    client = redis.Redis(socket_timeout=2, **stack.redis)
    wait("Redis", lambda: client.ping(), process, 30)
    client.close()


def start_rasa_instances(stack: Stack) -> Dict[str, Any]:
    action_port, ports = free_port(), {"a": free_port(), "b": free_port()}
    env = server_env(action_port, stack.tmp / "unused-sqlite.db")
    env.update(
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        VEIVIS_ACTION_URL=f"http://127.0.0.1:{action_port}/webhook",
        VEIVIS_PG_HOST=stack.pg["host"],
        VEIVIS_PG_PORT=str(stack.pg["port"]),
        VEIVIS_PG_DB=stack.pg["dbname"],
        VEIVIS_PG_USER=stack.pg["user"],
        VEIVIS_PG_PASSWORD=stack.pg["password"],
        VEIVIS_REDIS_HOST=stack.redis["host"],
        VEIVIS_REDIS_PORT=str(stack.redis["port"]),
        VEIVIS_REDIS_DB=str(stack.redis["db"]),
        VEIVIS_REDIS_PASSWORD=stack.redis["password"],
        # Veivis pauses each 429 up to 1 s (issue 18), which slows a hostile client below nginx's
        # 10 r/s; a near-zero pause lets the nginx test see nginx's own limit at work.
        VEIVIS_REFUSAL_PAUSE_S="0.001",
    )
    stack.servers.append(start_actions(action_port, env, stack.tmp / "logs" / "actions.log"))
    for name, port in ports.items():
        process = start(
            stack,
            f"rasa-{name}",
            [*RASA, "run", "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(port),
             "--credentials", "credentials.yml",
             "--endpoints", str(DEPLOY / "endpoints.yml.template")],
            signal.SIGINT,
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        stack.servers.append(
            RasaInstance(
                f"Rasa {name.upper()}", process.popen, f"http://127.0.0.1:{port}/webhooks/rest/"
            )
        )
    for server in stack.servers:
        wait_until_up(server, timeout=START_TIMEOUT_S)
    return ports


def start_nginx(stack: Stack, rasa_ports: Dict[str, int]) -> None:
    nginx_dir = stack.tmp / "nginx"
    port = free_port()
    stack.access_log = nginx_dir / "access.log"
    args = nginx.configure(
        nginx_dir,
        f"127.0.0.1:{port}",
        f"127.0.0.1:{rasa_ports['a']}",
        f"127.0.0.1:{rasa_ports['b']}",
        str(stack.access_log),
    )
    process = start(
        stack,
        "nginx",
        [tool("nginx", "/usr/sbin"), *args],
        signal.SIGQUIT,  # graceful
    )
    stack.nginx = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    health = f"http://127.0.0.1:{port}/webhooks/rest/"
    wait("nginx", lambda: answers(health), process, 30)


def stop(stack: Stack) -> None:
    for server in reversed(stack.servers):
        server.stop()
    for process in reversed(stack.processes):
        if process.popen.poll() is None:
            process.popen.send_signal(process.stop_signal)
            try:
                process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()


@contextmanager
def running_stack() -> Iterator[Stack]:
    """The whole stack, started in order; stopped in reverse order afterwards."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train`")
    # SIGTERM (e.g. CI cancelling the job) must still stop everything: through teardown.
    previous = signal.signal(signal.SIGTERM, interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="veivis-scaleout-"))
    tmp.chmod(0o711)  # the postgres user must reach its folder inside
    (tmp / "logs").mkdir()
    s = Stack(tmp, "", "", "", {}, {}, tmp / "nginx" / "access.log")
    started = time.monotonic()
    try:
        start_postgres(s)
        start_redis(s)
        s.timings["postgres+redis"] = time.monotonic() - started
        ports = start_rasa_instances(s)
        s.rasa_a = f"http://127.0.0.1:{ports['a']}/webhooks/rest/webhook"
        s.rasa_b = f"http://127.0.0.1:{ports['b']}/webhooks/rest/webhook"
        start_nginx(s, ports)
        s.timings["start"] = time.monotonic() - started
        report(f"stack up in {s.timings['start']:.0f} s (PostgreSQL + Redis "
               f"{s.timings['postgres+redis']:.0f} s) in {tmp}")  # fmt: skip
        yield s
    finally:
        stop(s)
        keep_logs(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def interrupt(*_: Any) -> None:
    raise KeyboardInterrupt("SIGTERM")


def keep_logs(tmp: Path) -> None:
    """Logs (no conversation data: Rasa logs no message text) for CI artifacts."""
    out = ARTIFACTS / "scaleout"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    for log in [*(tmp / "logs").glob("*.log"), *(tmp / "nginx").glob("*.log")]:
        shutil.copy(log, out / log.name)


# pytest's capture manager while a module runs (tests/scaleout/conftest.py)
TERMINAL: List[Any] = []


def report(line: str) -> None:
    """A line on the terminal, also while pytest captures output."""
    if TERMINAL:
        with TERMINAL[0].global_and_fixture_disabled():
            print(f"[scaleout] {line}", flush=True)
    else:
        print(f"[scaleout] {line}", flush=True)

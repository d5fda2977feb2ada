"""The one benchmark command: `python -m bench.run` (see bench/README.md).

Veivis (models/veivis.tar.gz, SQLite tracker store, action server) against a stock
`rasa init --no-prompt` bot (same Rasa, generated and trained in a temporary folder):
training time, startup time, peak RSS, latency and throughput at 1/10/50 concurrent
conversations; a py-spy profile of Veivis under load; latency and memory against the
number of stored conversations (0 / 10k / 100k in the SQLite tracker store); NLU
quality (bench.nlu_report). Prints everything with PASS/FAIL per target, writes
results/bench/<stamp>.json and docs/benchmarks.md.

Every process it starts is stopped in a `finally`; it never touches anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

from bench import conversations as convs
from bench import frozen_actions, loadgen, nlu_report, stock_bot
from veivis.serve import ROOT, Server, descendants, server_env, start_actions, start_rasa

AnyServer = Union[Server, stock_bot.StockServer]
RESULTS = ROOT / "results" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
MODEL = ROOT / "models" / "veivis.tar.gz"
RASA = [sys.executable, "-m", "veivis.rasa_cli"]
PY_SPY = Path(sys.executable).parent / "py-spy"

# Reference numbers measured earlier on this machine for a stock bot (from the brief).
REFERENCE_STOCK = {"p50_1_ms": 60, "msgs_per_s_50": 25, "startup_s": 45, "rss_mb": 1100}
TRAIN_TARGET_S = 300


def log(msg: str = "") -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- memory


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its own threads; Rasa starts no children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


class MemorySampler(threading.Thread):
    """Polls VmRSS of a process and its children (every 0.2 s) and keeps the peaks.

    The kernel's own peak of the main process (VmHWM) is read separately.
    """

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = self.window_peak_kb = self.last_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            kb = sum(_status_kb(p, "VmRSS") for p in descendants(self.pid))
            if kb:
                self.last_kb = kb
                self.peak_kb = max(self.peak_kb, kb)
                self.window_peak_kb = max(self.window_peak_kb, kb)
            self._stop_event.wait(self.interval)

    def new_window(self) -> None:
        self.window_peak_kb = self.last_kb

    def hwm_mb(self) -> float:
        return round(_status_kb(self.pid, "VmHWM") / 1024, 1)

    def stop(self) -> None:
        self._stop_event.set()


def mb(kb: float) -> float:
    return round(kb / 1024, 1)


# ----------------------------------------------------------------------------- servers


@dataclass
class Running:
    name: str
    rasa: AnyServer
    actions: AnyServer
    webhook: str
    startup: Dict[str, float]
    rasa_mem: MemorySampler
    actions_mem: MemorySampler
    tracker_db: Optional[Path] = None
    extra: Dict[str, object] = field(default_factory=dict)

    def memory(self) -> Dict[str, float]:
        return {
            "rasa_peak_rss_mb": mb(self.rasa_mem.peak_kb),
            "rasa_vmhwm_mb": self.rasa_mem.hwm_mb(),
            "actions_peak_rss_mb": mb(self.actions_mem.peak_kb),
            "actions_vmhwm_mb": self.actions_mem.hwm_mb(),
        }


def _get_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def _post_reply(webhook: str, sender: str, message: str) -> bool:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(webhook, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status == 200 and bool(json.loads(r.read() or b"null"))
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False


def _wait_startup(server: AnyServer, webhook: str, started: float, probe: str, timeout=600):
    """Seconds from process start until the REST health route answers and until the first
    message gets a reply (what a user sees)."""
    health = None
    deadline = started + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with code {server.process.returncode}")
        if health is None and _get_ok(server.health_url):
            health = time.monotonic() - started
        probe_sender = f"startup-probe-{int(time.time() * 1000)}"
        if health is not None and _post_reply(webhook, probe_sender, probe):
            return {
                "health_s": round(health, 1),
                "first_reply_s": round(time.monotonic() - started, 1),
            }
        time.sleep(0.25)
    raise TimeoutError(f"{server.name} did not answer in {timeout} s")


def _wait_actions(server: AnyServer, started: float, timeout=600) -> float:
    deadline = started + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with code {server.process.returncode}")
        if _get_ok(server.health_url):
            return round(time.monotonic() - started, 1)
        time.sleep(0.25)
    raise TimeoutError(f"{server.name} did not answer in {timeout} s")


@contextmanager
def veivis_servers(tracker_db: Path, log_dir: Path, tag: str) -> Iterator[Running]:
    rasa_port, action_port = free_port(), free_port()
    env = server_env(action_port, tracker_db)
    env["SQLALCHEMY_SILENCE_UBER_WARNING"] = "1"
    actions = rasa = None
    samplers: List[MemorySampler] = []
    try:
        started = time.monotonic()
        actions = start_actions(action_port, env, log_dir / f"veivis-{tag}-actions.log")
        rasa = start_rasa(rasa_port, MODEL, env, log_dir / f"veivis-{tag}-rasa.log")
        samplers = [MemorySampler(rasa.process.pid), MemorySampler(actions.process.pid)]
        for s in samplers:
            s.start()
        webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        startup = _wait_startup(rasa, webhook, started, "hei")
        startup["actions_s"] = _wait_actions(actions, started)
        yield Running("Veivis", rasa, actions, webhook, startup, *samplers, tracker_db)
    finally:
        for s in samplers:
            s.stop()
        for server in (rasa, actions):
            if server:
                server.stop()


@contextmanager
def stock_servers(bot: stock_bot.StockBot, log_dir: Path, cache: Path) -> Iterator[Running]:
    rasa_port, action_port = free_port(), free_port()
    env = stock_bot.bench_env(cache)
    actions = rasa = None
    samplers: List[MemorySampler] = []
    try:
        started = time.monotonic()
        actions = stock_bot.start_actions(bot, action_port, env, log_dir / "stock-actions.log")
        rasa = stock_bot.start_rasa(bot, rasa_port, env, log_dir / "stock-rasa.log")
        samplers = [MemorySampler(rasa.process.pid), MemorySampler(actions.process.pid)]
        for s in samplers:
            s.start()
        webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        startup = _wait_startup(rasa, webhook, started, "hi")
        startup["actions_s"] = _wait_actions(actions, started)
        yield Running("stock", rasa, actions, webhook, startup, *samplers)
    finally:
        for s in samplers:
            s.stop()
        for server in (rasa, actions):
            if server:
                server.stop()


# ----------------------------------------------------------------------------- load


def drive(
    run: Running,
    conversations: Sequence[convs.Conversation],
    levels: Sequence[int],
    duration: float,
    prefix: str,
) -> List[Dict[str, object]]:
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
        summary = res.summary()
        cpu = cpu_seconds(run.rasa.process.pid) - cpu0
        summary["rasa_cpu_ms_per_msg"] = round(cpu * 1000 / max(1, len(res.samples)), 1)
        summary["rasa_cpu_share"] = round(cpu / res.elapsed_s, 2)
        summary["rasa_rss_peak_mb"] = mb(run.rasa_mem.window_peak_kb)
        summary["rasa_rss_end_mb"] = mb(run.rasa_mem.last_kb)
        summary["actions_rss_peak_mb"] = mb(run.actions_mem.window_peak_kb)
        out.append(summary)
        log("  " + level_line(summary))
    return out


def level_line(s: Dict[str, object]) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s["error_kinds"].items()))  # type: ignore
    return (
        f"{s['users']:>3} users: p50 {fmt(s['p50_ms'])} p95 {fmt(s['p95_ms'])} "
        f"p99 {fmt(s['p99_ms'])} ms, {s['msgs_per_s']} msg/s, {s['messages']} msgs, "
        f"errors {s['errors']}{' (' + kinds + ')' if kinds else ''}, wrong {s['wrong']}, "
        f"Rasa CPU {s['rasa_cpu_ms_per_msg']} ms/msg, RSS {s['rasa_rss_peak_mb']} MB"
    )


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def fmt(v, digits=0) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


# ----------------------------------------------------------------------------- profile

# First (outermost) matching frame wins: everything a component calls (TensorFlow, spaCy,
# json, SQLAlchemy, …) is counted as that component's time.
COMPONENTS: List[Tuple[str, Tuple[str, ...]]] = [
    ("NLU: spaCy (SpacyNLP + SpacyTokenizer)", ("spacy_utils.py", "spacy_tokenizer.py")),
    ("NLU: pattern entities (Veivis)", ("veivis/nlu/pattern_entities.py",)),
    ("NLU: CountVectorsFeaturizer ×2", ("count_vectors_featurizer.py",)),
    ("NLU: DIETClassifier (TensorFlow)", ("diet_classifier.py",)),
    (
        "NLU: intent classifier (logistic regression)",
        ("logistic_regression_classifier.py", "veivis/nlu/intent_classifier.py"),
    ),
    ("NLU: FallbackClassifier", ("fallback_classifier.py",)),
    ("NLU: red-flag guard (Veivis)", ("veivis/nlu/red_flag_guard.py",)),
    ("NLU: button payloads (regex handler)", ("regex_message_handler.py",)),
    ("policies (RulePolicy)", ("rasa/core/policies/",)),
    ("tracker store (SQLite)", ("tracker_store.py",)),
    ("NLG (responses + contacts)", ("veivis/nlg.py", "rasa/core/nlg/")),
    ("action server call (HTTP client)", ("rasa/utils/endpoints.py",)),
    ("action server reply check (jsonschema)", ("jsonschema/",)),
]
# Otherwise the deepest matching frame wins.
INFRA: List[Tuple[str, Tuple[str, ...]]] = [
    # py-spy shows Rasa's `async with lock_store.lock()` frame above the whole turn, so the
    # lock store counts only where it is the deepest known frame.
    ("lock store", ("lock_store.py", "rasa/core/lock.py")),
    (
        "HTTP server + REST channel (Sanic, JSON, masking)",
        ("sanic/", "veivis/channels/", "rasa/core/channels/", "json/"),
    ),
    (
        "Rasa processor: tracker objects, events, graph runner",
        (
            "rasa/core/processor.py",
            "rasa/shared/core/",
            "rasa/engine/",
            "rasa/core/actions/",
            "rasa/core/agent.py",
        ),
    ),
    ("SQLAlchemy/sqlite outside the tracker store", ("sqlalchemy/", "sqlite3/")),
]


def classify(frames: List[str]) -> str:
    for frame in frames:  # root → leaf
        for name, needles in COMPONENTS:
            if any(n in frame for n in needles):
                return name
    for frame in reversed(frames):
        for name, needles in INFRA:
            if any(n in frame for n in needles):
                return name
    return "other (asyncio loop, logging, GC …)"


def is_idle(frames: List[str]) -> bool:
    """The event loop waiting for I/O (uvloop's run loop is C code, so its leaf Python frame
    is Sanic's serve()), or a helper thread."""
    leaf = frames[-1] if frames else ""
    if leaf.startswith("serve (") and "sanic/server/runners.py" in leaf:
        return True
    return (leaf.startswith("select (") and "selectors.py" in leaf) or any(
        "threading.py" in f and f.startswith("_bootstrap ") for f in frames[:2]
    )


def analyse_profile(raw: Path, duration_s: float, messages: int) -> Dict[str, object]:
    counts: Counter = Counter()
    idle = total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = stack.split(";")
        total += int(n)
        if is_idle(frames):
            idle += int(n)
        else:
            counts[classify(frames)] += int(n)
    busy = sum(counts.values())
    ms_per_msg = duration_s * 1000 / messages if messages else 0.0
    rows = [
        {
            "part": name,
            "share": round(n / busy, 3) if busy else 0,
            # the main thread's wall time is busy_share of the profile; per message:
            "ms_per_msg": round(n / total * ms_per_msg, 2) if total else 0,
        }
        for name, n in counts.most_common()
    ]
    return {
        "samples": total,
        "busy_share": round(busy / total, 3) if total else 0,
        "messages": messages,
        "wall_ms_per_msg": round(ms_per_msg, 2),
        "parts": rows,
    }


def profile_veivis(run: Running, users: int, seconds: float, out_dir: Path) -> Dict[str, object]:
    if not PY_SPY.exists():
        return {"skipped": f"py-spy not installed ({PY_SPY}); `pip install py-spy` into the venv"}
    raw = out_dir / "veivis-profile.txt"
    cmd = [
        str(PY_SPY),
        "record",
        "--pid",
        str(run.rasa.process.pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        "100",
        "--format",
        "raw",
        "--idle",
        "--nonblocking",
        "--output",
        str(raw),
    ]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)  # py-spy attaches
        res = loadgen.run_level(
            run.webhook, convs.VEIVIS, users, seconds - 2, loadgen.unique_senders("profile")
        )
        spy.wait(timeout=seconds + 60)
    finally:
        if spy.poll() is None:
            spy.terminate()
            spy.wait()
    if not raw.exists():
        return {"skipped": "py-spy wrote nothing: " + spy.stderr.read().decode()[-300:]}
    summary = res.summary()
    # samples cover `seconds`; messages were sent in seconds - 2 (+ tail): scale to rate
    prof = analyse_profile(raw, res.elapsed_s, summary["ok"])  # type: ignore[arg-type]
    prof.update(users=users, load=summary, raw=str(raw.relative_to(ROOT)))
    return prof


# ----------------------------------------------------------------------------- training


def train_veivis(tmp: Path, log_file: Path) -> Dict[str, object]:
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
    return {"seconds": round(time.monotonic() - started, 1), "how": "measured: rasa train --force"}


def ensure_model() -> Dict[str, object]:
    """models/veivis.tar.gz as `make run` would use it: `make train` when it is missing or
    older than its inputs (make decides), so the benchmark never measures a stale model."""
    if MODEL.exists() and subprocess.run(["make", "-q", "train"], cwd=ROOT).returncode == 0:
        return {"retrained": False}
    log("models/veivis.tar.gz is missing or out of date: make train …")
    started = time.monotonic()
    subprocess.run(["make", "train"], cwd=ROOT, check=True)
    return {"retrained": True, "make_train_s": round(time.monotonic() - started, 1)}


# ----------------------------------------------------------------------------- tracker growth

INSERT = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def harvest_templates(db: Path, limit: int = 300) -> Tuple[List[str], List[list]]:
    """Real conversations stored by the load test: the schema and up to `limit` of them."""
    con = sqlite3.connect(db)
    try:
        schema = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
        senders = [
            r[0]
            for r in con.execute(
                "SELECT sender_id FROM events GROUP BY sender_id "
                "HAVING count(*) BETWEEN 8 AND 40 LIMIT ?",
                (limit,),
            )
        ]
        templates = []
        for sender in senders:
            rows = con.execute(
                "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                "WHERE sender_id = ? ORDER BY id",
                (sender,),
            ).fetchall()
            t0 = rows[0][1]
            prepared = []
            for type_name, ts, intent, action, data in rows:
                d = json.loads(data)
                d["timestamp"] = "__TS__"
                prepared.append((type_name, ts - t0, intent, action, json.dumps(d)))
            templates.append(prepared)
    finally:
        con.close()
    return schema, templates


def prefill(db: Path, schema: List[str], templates: List[list], n: int) -> Dict[str, object]:
    """A tracker DB with n stored conversations, all active in the last 90 minutes
    (session expiry is 120 min), so an «existing» conversation loads its events."""
    started = time.monotonic()
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    rng = random.Random(42)
    now = time.time()
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        tables = [s for s in schema if s.upper().startswith("CREATE TABLE")]
        indexes = [s for s in schema if not s.upper().startswith("CREATE TABLE")]
        for s in tables:
            con.execute(s)
        rows = 0
        batch = []
        for i in range(n):
            template = templates[i % len(templates)]
            base = now - rng.uniform(300, 90 * 60)
            sender = f"prefill-{i:06d}"
            for type_name, dt, intent, action, data in template:
                ts = base + dt
                batch.append(
                    (sender, type_name, ts, intent, action, data.replace('"__TS__"', repr(ts)))
                )
            if len(batch) > 50_000:
                con.executemany(INSERT, batch)
                rows += len(batch)
                batch = []
        if batch:
            con.executemany(INSERT, batch)
            rows += len(batch)
        con.commit()
        for s in indexes:
            con.execute(s)
        con.execute("PRAGMA journal_mode=DELETE")  # what Rasa's own file uses
        con.commit()
    finally:
        con.close()
    return {
        "conversations": n,
        "events": rows,
        "db_mb": round(db.stat().st_size / 2**20, 1),
        "fill_s": round(time.monotonic() - started, 1),
    }


EXISTING_TURNS = [("hva er abstinenser egentlig", None), ("takk for svaret", None)]


def growth(
    sizes: Sequence[int], templates_db: Path, tmp: Path, log_dir: Path, seconds: float
) -> List[Dict[str, object]]:
    schema, templates = harvest_templates(templates_db)
    log(f"  templates: {len(templates)} real conversations from the load test's tracker DB")
    out = []
    for n in sizes:
        db = tmp / f"growth-{n}.db"
        info = prefill(db, schema, templates, n) if n else {"conversations": 0, "events": 0}
        log(f"  {n:>7} stored conversations: {info}")
        with veivis_servers(db, log_dir, f"growth-{n}") as run:
            new_senders: List[str] = []

            def new(user: int, k: int, new_senders: List[str] = new_senders) -> str:
                s = f"growth-new-u{user}-c{k}-{random.random():.12f}"
                new_senders.append(s)
                return s

            pool = [f"prefill-{i:06d}" for i in range(n)]
            rng = random.Random(7)

            def existing(user: int, k: int, pool=pool, rng=rng, new_senders=new_senders) -> str:
                return rng.choice(pool) if pool else rng.choice(new_senders)

            row: Dict[str, object] = dict(info, startup=run.startup)
            loadgen.warm_up(run.webhook, convs.VEIVIS[:2], "growth")
            r = loadgen.run_level(run.webhook, convs.VEIVIS, 1, seconds, new).summary()
            row["new_1"] = r
            e = loadgen.run_level(
                run.webhook, convs.VEIVIS, 1, seconds, existing, turns_override=EXISTING_TURNS
            ).summary()
            row["existing_1"] = e
            e10 = loadgen.run_level(
                run.webhook, convs.VEIVIS, 10, seconds, existing, turns_override=EXISTING_TURNS
            ).summary()
            row["existing_10"] = e10
            row.update(run.memory())
            row["db_mb_after"] = round(db.stat().st_size / 2**20, 1)
            log(
                f"    new@1 p50 {fmt(r['p50_ms'])} ms p95 {fmt(r['p95_ms'])} | existing@1 p50 "
                f"{fmt(e['p50_ms'])} ms p95 {fmt(e['p95_ms'])} | existing@10 p50 "
                f"{fmt(e10['p50_ms'])} ms, {e10['msgs_per_s']} msg/s | errors "
                f"{r['errors']}/{e['errors']}/{e10['errors']} | startup "
                f"{run.startup['first_reply_s']} s | RSS {row['rasa_peak_rss_mb']} MB"
            )
        out.append(row)
        if n:
            db.unlink()
    return out


# ----------------------------------------------------------------------------- targets


def ratio(a, b) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def targets(res: Dict[str, object]) -> List[Dict[str, object]]:
    v, s = res["veivis"], res["stock"]  # type: ignore[index]
    vl = {lvl["users"]: lvl for lvl in v["levels"]}
    sl = {lvl["users"]: lvl for lvl in s["levels"]}
    rows = []

    def add(name, value, goal, ok, detail):
        rows.append(
            {"target": name, "value": value, "goal": goal, "pass": bool(ok), "detail": detail}
        )

    if 1 in vl and 1 in sl:
        r = ratio(vl[1]["p50_ms"], sl[1]["p50_ms"])
        add(
            "p50 latency at 1 user",
            r,
            "≤ 0.5× stock",
            r is not None and r <= 0.5,
            f"Veivis {vl[1]['p50_ms']} ms vs stock {sl[1]['p50_ms']} ms",
        )
    top = max(set(vl) & set(sl)) if set(vl) & set(sl) else None
    if top:
        r = ratio(vl[top]["msgs_per_s"], sl[top]["msgs_per_s"])
        add(
            f"throughput at {top} users, zero errors",
            r,
            "≥ 2× stock, 0 errors",
            r is not None and r >= 2 and vl[top]["errors"] == 0,
            f"Veivis {vl[top]['msgs_per_s']} msg/s ({vl[top]['errors']} errors) vs stock "
            f"{sl[top]['msgs_per_s']} msg/s ({sl[top]['errors']} errors)",
        )
    vs, ss = v["startup"]["first_reply_s"], s["startup"]["first_reply_s"]
    add(
        "startup (process start → first REST reply)",
        ratio(vs, ss),
        "≤ stock",
        vs <= ss,
        f"Veivis {vs} s vs stock {ss} s",
    )
    vm, sm = v["memory"]["rasa_vmhwm_mb"], s["memory"]["rasa_vmhwm_mb"]
    add(
        "peak RSS of the Rasa process",
        ratio(vm, sm),
        "≤ stock",
        vm <= sm,
        f"Veivis {vm} MB vs stock {sm} MB (VmHWM)",
    )
    t = res["training"]["veivis"]  # type: ignore[index]
    if t.get("seconds") is not None:
        add(
            "Veivis training",
            t["seconds"],
            f"≤ {TRAIN_TARGET_S} s",
            t["seconds"] <= TRAIN_TARGET_S,
            t["how"],
        )
    return rows


# ----------------------------------------------------------------------------- report


def machine() -> Dict[str, object]:
    with open("/proc/cpuinfo") as f:
        names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    cpu = names[0] if names else "?"
    mem_kb = _status_meminfo("MemTotal")
    import rasa

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "rasa": rasa.__version__,
        "git_commit": commit,
    }


def _status_meminfo(key: str) -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def start_run(kind: str, **params: object) -> Tuple[str, Path, Path, Dict[str, object]]:
    """A new run of the benchmark `kind` (soak, hostile): its stamp, its results folder, a
    scratch folder, and the head of its results (date, machine, load, `params`)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = RESULTS / f"{kind}-{stamp}"
    out_dir.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"veivis-{kind}-"))
    res: Dict[str, object] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "loadavg_start": loadavg(),
        **params,
    }
    return stamp, out_dir, tmp, res


def loadavg() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def print_results(res: Dict[str, object]) -> None:
    v, s = res["veivis"], res["stock"]  # type: ignore[index]
    log("\n" + "=" * 78)
    log("RESULTS")
    log("=" * 78)
    t = res["training"]  # type: ignore[index]
    log(
        f"Training: Veivis {fmt(t['veivis'].get('seconds'), 1)} s ({t['veivis']['how']}); "
        f"stock {fmt(t['stock']['seconds'], 1)} s ({t['stock']['how']})"
    )
    for run in (v, s):
        st, m = run["startup"], run["memory"]
        log(
            f"{run['name']:7s} startup: health {st['health_s']} s, first reply "
            f"{st['first_reply_s']} s, action server {st['actions_s']} s | peak RSS Rasa "
            f"{m['rasa_vmhwm_mb']} MB (VmHWM; sampled {m['rasa_peak_rss_mb']}), action server "
            f"{m['actions_vmhwm_mb']} MB"
        )
    log("\nLoad (client-side latency, ms):")
    log(
        f"{'bot':8s}{'users':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'msg/s':>8}{'msgs':>7}"
        f"{'errors':>8}{'wrong':>7}{'CPU ms':>8}{'RSS MB':>8}"
    )
    for run in (v, s):
        for lvl in run["levels"]:
            log(
                f"{run['name']:8s}{lvl['users']:>6}{fmt(lvl['p50_ms']):>8}{fmt(lvl['p95_ms']):>8}"
                f"{fmt(lvl['p99_ms']):>8}{lvl['msgs_per_s']:>8}{lvl['messages']:>7}"
                f"{lvl['errors']:>8}{lvl['wrong']:>7}{lvl['rasa_cpu_ms_per_msg']:>8}"
                f"{lvl['rasa_rss_peak_mb']:>8}"
            )
            for where, n in lvl["error_turns"].items():
                log(f"{'':14s}{n:>5} × {where}")
    log("\nRatios Veivis/stock:")
    for r in res["ratios"]:  # type: ignore[index]
        log(
            f"  {r['users']:>3} users: p50 ×{fmt(r['p50'], 2)}  p95 ×{fmt(r['p95'], 2)}  "
            f"p99 ×{fmt(r['p99'], 2)}  throughput ×{fmt(r['throughput'], 2)}"
        )
    prof = res.get("profile") or {}
    if prof.get("parts"):
        log(
            f"\nProfile of Veivis' Rasa process ({prof['users']} users, {prof['samples']} "
            f"samples, main thread busy {prof['busy_share']:.0%}, "
            f"{prof['wall_ms_per_msg']} ms wall per message):"
        )
        for p in prof["parts"]:
            log(f"  {p['share']:>6.1%}  {p['ms_per_msg']:>6.2f} ms/msg  {p['part']}")
    elif prof:
        log(f"\nProfile skipped: {prof.get('skipped')}")
    if res.get("growth"):
        log("\nStored conversations in the SQLite tracker store:")
        for g in res["growth"]:  # type: ignore[union-attr]
            log(
                f"  {g['conversations']:>7} convs ({g.get('events', 0)} events, "
                f"{g.get('db_mb', g.get('db_mb_after'))} MB): new@1 p50 "
                f"{fmt(g['new_1']['p50_ms'])} ms | existing@1 p50 "
                f"{fmt(g['existing_1']['p50_ms'])} ms | existing@10 p50 "
                f"{fmt(g['existing_10']['p50_ms'])} ms {g['existing_10']['msgs_per_s']} msg/s"
                f" | startup {g['startup']['first_reply_s']} s | RSS {g['rasa_vmhwm_mb']} MB"
            )
    log("\nTargets:")
    for t in res["targets"]:  # type: ignore[index]
        log(
            f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {t['value']} "
            f"(goal {t['goal']}) — {t['detail']}"
        )


def render_doc(res: Dict[str, object], nlu_md: str) -> str:
    v, s = res["veivis"], res["stock"]  # type: ignore[index]
    m = res["machine"]  # type: ignore[index]
    L: List[str] = []
    a = L.append
    a("# Benchmarks")
    a("")
    a(
        f"Written by `{res['command']}` on {res['date']} (UTC), total wall time "
        f"{res['wall_s'] / 60:.1f} min. Raw numbers: `results/bench/{res['stamp']}.json` "
        "(git-ignored). How to run and read: [bench/README.md](../bench/README.md)."
    )
    a("")
    a(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, Rasa {m['rasa']}, commit {m['git_commit']}. Load average at "
        f"start / end: {res['loadavg_start']} / {res['loadavg_end']} — the machine is shared "
        "with other test runs, so absolute numbers are noisy; Veivis and stock ran one after "
        "the other under the same conditions."
    )
    a("")
    if res.get("frozen_actions"):
        a("## Emergency while the action server is frozen")
        a("")
        a(
            "`bench/frozen_actions.py`: each user's self-check waits for a SIGSTOP'd action "
            "server while holding its conversation's lock; «han puster ikke» in the same "
            "conversation is timed (issue 12: target ≤ 1 s)."
        )
        a("")
        for level in res["frozen_actions"]:  # type: ignore[union-attr]
            a(f"- {frozen_actions.line(level)}")
        a("")
    a("## Targets")
    a("")
    a("| target | goal | measured | result |")
    a("|---|---|---|---|")
    for t in res["targets"]:  # type: ignore[index]
        a(
            f"| {t['target']} | {t['goal']} | {t['value']} — {t['detail']} | "
            f"**{'PASS' if t['pass'] else 'FAIL'}** |"
        )
    a("")
    tr = res["training"]  # type: ignore[index]
    a("## Training, startup, memory")
    a("")
    a("| | Veivis | stock `rasa init` | reference stock (earlier) |")
    a("|---|---|---|---|")
    vs, ss, vm, sm = v["startup"], s["startup"], v["memory"], s["memory"]
    ref = REFERENCE_STOCK
    a(row("training (s)", fmt(tr["veivis"].get("seconds"), 1), fmt(tr["stock"]["seconds"], 1), "–"))
    a(row("startup: REST health route answers (s)", vs["health_s"], ss["health_s"], "–"))
    a(
        row(
            "startup: first reply to a message (s)",
            vs["first_reply_s"],
            ss["first_reply_s"],
            f"~{ref['startup_s']}",
        )
    )
    a(row("action server answers (s)", vs["actions_s"], ss["actions_s"], "–"))
    a(
        row(
            "peak RSS, Rasa process (VmHWM, MB)",
            vm["rasa_vmhwm_mb"],
            sm["rasa_vmhwm_mb"],
            f"~{ref['rss_mb']}",
        )
    )
    a(
        row(
            "peak RSS, action server (VmHWM, MB)",
            vm["actions_vmhwm_mb"],
            sm["actions_vmhwm_mb"],
            "–",
        )
    )
    a("")
    a(
        f"Training: Veivis = {tr['veivis']['how']}; stock = {tr['stock']['how']}. Both are "
        "wall time of the whole command (Python start and Rasa imports included), with an "
        "empty private training cache. Peak RSS is the kernel's high-water mark of the Rasa "
        "process over startup and the whole load test (no child processes; the sampled "
        "VmRSS peak agrees)."
    )
    a("")
    a("## Load: latency and throughput")
    a("")
    a(
        f"Each level runs {res['duration_s']:.0f} s; every virtual user plays conversations "
        "back to back with new sender ids, one message at a time "
        "(bench/conversations.py). Latency is client-side (request sent → whole reply read). "
        "msg/s counts answered messages. Errors: non-200, empty reply, Veivis' «could not "
        "answer» reply (its channel's stand-in for an empty turn), exceptions/timeouts. "
        "Wrong: answered, but without the expected «113» or triage outcome. CPU ms/msg is "
        "the Rasa process's own CPU time (utime + stime) per message — much less sensitive "
        "to the other load on this shared machine than wall-clock latency."
    )
    a("")
    a(
        row(
            "bot",
            "users",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "msg/s",
            "messages",
            "errors",
            "wrong",
            "Rasa CPU ms/msg",
            "Rasa RSS peak MB",
        )
    )
    a("|---|---|---|---|---|---|---|---|---|---|---|")
    failing: List[str] = []
    for run in (v, s):
        for lvl in run["levels"]:
            err = f"{lvl['errors']}" + (f" {lvl['error_kinds']}" if lvl["errors"] else "")
            a(
                row(
                    run["name"],
                    lvl["users"],
                    fmt(lvl["p50_ms"]),
                    fmt(lvl["p95_ms"]),
                    fmt(lvl["p99_ms"]),
                    lvl["msgs_per_s"],
                    lvl["messages"],
                    err,
                    lvl["wrong"],
                    lvl["rasa_cpu_ms_per_msg"],
                    lvl["rasa_rss_peak_mb"],
                )
            )
            failing += [
                f"{run['name']} @{lvl['users']}: {n} × `{w}`" for w, n in lvl["error_turns"].items()
            ]
    a("")
    if failing:
        a("Failing turns (conversation#turn:kind): " + "; ".join(failing) + ".")
        a("")
    a("| users | p50 Veivis/stock | p95 | p99 | throughput Veivis/stock |")
    a("|---|---|---|---|---|")
    for r in res["ratios"]:  # type: ignore[index]
        a(
            f"| {r['users']} | {fmt(r['p50'], 2)} | {fmt(r['p95'], 2)} | {fmt(r['p99'], 2)} | "
            f"{fmt(r['throughput'], 2)} |"
        )
    a("")
    cpu_v = [lvl["rasa_cpu_ms_per_msg"] for lvl in v["levels"]]
    cpu_s = [lvl["rasa_cpu_ms_per_msg"] for lvl in s["levels"]]
    if cpu_v and cpu_s:
        a(
            f"CPU per message of the Rasa process: Veivis {min(cpu_v)}–{max(cpu_v)} ms, stock "
            f"{min(cpu_s)}–{max(cpu_s)} ms. Veivis' wall-clock latency also contains waits "
            "that use no CPU — above all the SQLite commit (fsync) of the tracker store on "
            "every message; the stock bot keeps conversations in memory. The busier the "
            "shared disk and CPUs, the more that wait costs."
        )
        a("")
    v1 = next((lvl for lvl in v["levels"] if lvl["users"] == 1), None)
    if v1:
        a(
            f"Veivis at 1 user, by message kind: typed text p50 {fmt(v1['p50_text_ms'])} ms, "
            f"button payloads p50 {fmt(v1['p50_payload_ms'])} ms ({1 - v1['text_share']:.0%} of "
            "messages are payloads, which Rasa parses with a regex instead of the NLU pipeline). "
            "The stock conversations are all typed text."
        )
        a("")
    prof = res.get("profile") or {}
    a("## Where the time goes (Veivis, profiled under load)")
    a("")
    if prof.get("parts"):
        a(
            f"py-spy sampled the Rasa process at 100 Hz for {prof['load']['elapsed_s']:.0f} s "
            f"while {prof['users']} users chatted ({prof['messages']} messages, "
            f"{prof['load']['msgs_per_s']} msg/s). The event loop's thread was busy "
            f"{prof['busy_share']:.0%} of the time, so one message costs about "
            f"{prof['wall_ms_per_msg'] * prof['busy_share']:.1f} ms of the single Rasa thread. "
            "Everything a component calls (spaCy, scikit-learn, sqlite3, json …) counts as "
            "that component. What earlier profiles found and what was changed: "
            "[bench/README.md](../bench/README.md#what-was-changed-after-profiling-and-what-it-bought)."
        )
        a("")
        a("| part | share of busy time | ms per message |")
        a("|---|---|---|")
        for p in prof["parts"]:
            a(f"| {p['part']} | {p['share']:.1%} | {p['ms_per_msg']:.2f} |")
        a("")
    else:
        a(f"Not profiled in this run: {prof.get('skipped', 'skipped')}.")
        a("")
    a("## How cost grows")
    a("")
    a("### With concurrent conversations")
    a("")
    a(
        row(
            "users",
            "Veivis p50 / p95 ms",
            "Veivis msg/s",
            "Veivis RSS MB",
            "stock p50 / p95 ms",
            "stock msg/s",
            "stock RSS MB",
        )
    )
    a("|---|---|---|---|---|---|---|")
    for lv, ls in zip(v["levels"], s["levels"]):
        a(
            f"| {lv['users']} | {fmt(lv['p50_ms'])} / {fmt(lv['p95_ms'])} | {lv['msgs_per_s']} | "
            f"{lv['rasa_rss_peak_mb']} | {fmt(ls['p50_ms'])} / {fmt(ls['p95_ms'])} | "
            f"{ls['msgs_per_s']} | {ls['rasa_rss_peak_mb']} |"
        )
    a("")
    a(
        "One Rasa process serves all conversations on one event loop; once it is saturated, "
        "more concurrent users add queueing (latency ≈ users ÷ throughput) and little memory."
    )
    a("")
    if res.get("growth"):
        a("### With stored conversations (SQLite tracker store)")
        a("")
        a(
            "The tracker DB was pre-filled with copies of real conversations from the load "
            "test (rows inserted with sqlite3 in Rasa's own `events` schema, sender-id index "
            f"included), all active in the last 90 min. Each phase runs {res['growth_s']:.0f} s: "
            "new conversations at 1 user, and «existing» ones (two more messages to a random "
            "stored conversation, whose session Rasa loads from the DB) at 1 and 10 users. "
            "With 0 stored conversations the «existing» ones are those just created by the "
            "«new» phase (whole conversations of up to 8 turns, so longer sessions to load "
            "than the pre-filled ones). Throughput differences between rows are within the "
            "noise of this shared machine (compare the load averages)."
        )
        a("")
        a(
            row(
                "stored conversations",
                "events",
                "DB MB",
                "startup s",
                "new @1 p50 / p95 ms",
                "existing @1 p50 / p95 ms",
                "existing @10 p50 / p95 ms, msg/s",
                "errors",
                "Rasa RSS MB",
            )
        )
        a("|---|---|---|---|---|---|---|---|---|")
        for g in res["growth"]:  # type: ignore[union-attr]
            n1, e1, e10 = g["new_1"], g["existing_1"], g["existing_10"]
            a(
                row(
                    f"{g['conversations']:,}",
                    f"{g.get('events', 0):,}",
                    g.get("db_mb", g["db_mb_after"]),
                    g["startup"]["first_reply_s"],
                    f"{fmt(n1['p50_ms'])} / {fmt(n1['p95_ms'])}",
                    f"{fmt(e1['p50_ms'])} / {fmt(e1['p95_ms'])}",
                    f"{fmt(e10['p50_ms'])} / {fmt(e10['p95_ms'])}, {e10['msgs_per_s']}",
                    n1["errors"] + e1["errors"] + e10["errors"],
                    g["rasa_vmhwm_mb"],
                )
            )
        a("")
    a(nlu_md)
    a("")
    return "\n".join(L)


# ----------------------------------------------------------------------------- main


def main(argv: Optional[Sequence[str]] = None) -> int:
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
    args = ap.parse_args(argv)
    if args.render_only:
        saved = json.loads(args.render_only.read_text())
        nlu_md = nlu_report.render_markdown(saved["nlu"]) if saved.get("nlu") else "## NLU quality"
        DOC.write_text(render_doc(saved, nlu_md), encoding="utf-8")
        log(f"Wrote {DOC.relative_to(ROOT)} from {args.render_only}")
        return 0

    wall0 = time.monotonic()
    levels = [int(x) for x in args.levels.split(",") if x]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out_dir = RESULTS / stamp
    out_dir.mkdir()
    tmp = Path(tempfile.mkdtemp(prefix="veivis-bench-"))
    res: Dict[str, object] = {
        "stamp": stamp,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "loadavg_start": loadavg(),
        "duration_s": args.duration,
        "growth_s": args.growth_seconds,
    }
    log(f"Benchmark {stamp}: logs in {out_dir.relative_to(ROOT)}, temporary files in {tmp}")
    log(f"Machine: {res['machine']}; load average {res['loadavg_start']}")
    try:
        res["model"] = ensure_model()
        # 1. training (one at a time, nothing else of ours running)
        if args.no_train:
            vt = {"seconds": None, "how": "not measured in this run (--no-train)"}
        else:
            log("\n[1/6] Training Veivis: rasa train --force (temporary out dir) …")
            vt = train_veivis(tmp, out_dir / "veivis-train.log")
            log(f"  {vt['seconds']} s")
        if args.stock_project:
            models = sorted((args.stock_project / "models").glob("*.tar.gz"))
            bot = stock_bot.StockBot(args.stock_project, models[-1], None)
            st = {"seconds": None, "how": "not measured in this run (--stock-project)"}
        else:
            log("\n[2/6] Generating and training the stock bot: rasa init --no-prompt …")
            bot = stock_bot.generate_and_train(tmp, out_dir / "stock-init.log")
            log(f"  {bot.train_seconds:.1f} s ({bot.model.name})")
            st = {
                "seconds": round(bot.train_seconds, 1),
                "how": "measured: rasa init --no-prompt (template copy + training)",
            }
        res["training"] = {"veivis": vt, "stock": st}

        # 2-4. Veivis under load, then profiled
        log(f"\n[3/6] Veivis: start, then {levels} users × {args.duration:.0f} s …")
        veivis_db = tmp / "veivis-tracker.db"
        with veivis_servers(veivis_db, out_dir, "load") as run:
            log(f"  startup {run.startup}")
            v_levels = drive(run, convs.VEIVIS, levels, args.duration, "veivis")
            if args.profile_seconds > 0:
                log(
                    f"  profiling with py-spy ({args.profile_users} users, "
                    f"{args.profile_seconds:.0f} s) …"
                )
                res["profile"] = profile_veivis(
                    run, args.profile_users, args.profile_seconds, out_dir
                )
            log("  emergency latency with the action server frozen (bench.frozen_actions) …")
            res["frozen_actions"] = frozen_actions.measure(
                run.webhook, run.actions.process.pid, (1, 10), seconds=20
            )
            for level in res["frozen_actions"]:
                log("  " + frozen_actions.line(level))
            res["veivis"] = {
                "name": "Veivis",
                "startup": run.startup,
                "levels": v_levels,
                "memory": run.memory(),
            }
        log(f"  {res['veivis']['memory']}")  # type: ignore[index]

        log(f"\n[4/6] Stock bot: start, then {levels} users × {args.duration:.0f} s …")
        with stock_servers(bot, out_dir, tmp / "stock-cache") as run:
            log(f"  startup {run.startup}")
            s_levels = drive(run, convs.STOCK, levels, args.duration, "stock")
            res["stock"] = {
                "name": "stock",
                "startup": run.startup,
                "levels": s_levels,
                "memory": run.memory(),
            }
        log(f"  {res['stock']['memory']}")  # type: ignore[index]
        res["ratios"] = [
            {
                "users": a["users"],
                "p50": ratio(a["p50_ms"], b["p50_ms"]),
                "p95": ratio(a["p95_ms"], b["p95_ms"]),
                "p99": ratio(a["p99_ms"], b["p99_ms"]),
                "throughput": ratio(a["msgs_per_s"], b["msgs_per_s"]),
            }
            for a, b in zip(v_levels, s_levels)
        ]

        # 5. growth with stored conversations
        if not args.no_growth:
            sizes = [int(x) for x in args.growth_sizes.split(",") if x]
            log(f"\n[5/6] Tracker store growth: {sizes} stored conversations …")
            res["growth"] = growth(sizes, veivis_db, tmp, out_dir, args.growth_seconds)

        # 6. NLU quality (own process: it loads TensorFlow and trains for the CV)
        nlu_md = "## NLU quality\n\nNot run (--no-nlu)."
        if not args.no_nlu:
            log("\n[6/6] NLU quality: python -m bench.nlu_report …")
            nlu_json = out_dir / "nlu.json"
            cmd = [sys.executable, "-m", "bench.nlu_report", "--json", str(nlu_json), "--no-doc"]
            if args.no_cv:
                cmd.append("--no-cv")
            subprocess.run(cmd, cwd=ROOT, check=True)
            res["nlu"] = json.loads(nlu_json.read_text())
            nlu_md = nlu_report.render_markdown(res["nlu"])  # type: ignore[arg-type]

        res["targets"] = targets(res)
        res["loadavg_end"] = loadavg()
        res["wall_s"] = round(time.monotonic() - wall0, 1)
        print_results(res)
        (RESULTS / f"{stamp}.json").write_text(json.dumps(res, indent=2, ensure_ascii=False))
        if not args.no_doc:
            DOC.write_text(render_doc(res, nlu_md), encoding="utf-8")
            log(f"\nWrote {DOC.relative_to(ROOT)} and results/bench/{stamp}.json")
        log(f"Total wall time: {res['wall_s']:.0f} s ({res['wall_s'] / 60:.1f} min)")
        return 0
    finally:
        if args.keep_tmp:
            log(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

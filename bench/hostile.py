"""A hostile client beside ordinary users: one client rotating sender ids at full speed.

    python -m bench.hostile [--users 5] [--minutes 2] [--connections 8]   (make hostile)

Starts Veivis as `make run` does (SQLite tracker store in a temporary folder) and runs,
each for `--minutes`:

1. limits on (the defaults of veivis/limits.py): the ordinary users alone — the baseline;
2. limits on: the ordinary users and the hostile client side by side;
3. limits off (a fresh instance with the per-client limits and the ceiling set out of
   reach; the per-sender limit stays, a rotating client never meets it): the same.

Ordinary users are bench/loadgen.py's (the conversations of bench/conversations.py back to
back, one request at a time, each conversation from its own loopback address). The
hostile client is one address (127.200.0.1) with `--connections` keep-alive connections,
each sending «hei» with a new random sender id as soon as the previous reply is in; it
runs in its own process, so its work does not delay the ordinary users' client.

Reported: the ordinary users' errors and p95, and p95 against the baseline; the hostile
client's requests, answered and refused (429); the tracker store's growth per minute in
conversations and in MB (the `events` data, and the files with SQLite's WAL). A benchmark
that prints numbers, not a test: it fails (exit 1) only on ordinary users' errors.
Writes results/bench/hostile-<stamp>.json and docs/hostile.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

import aiohttp

from bench import conversations as convs
from bench import loadgen, nginx
from bench.processes import cpu_seconds, free_port, loadavg
from bench.results import RESULTS, log, start_run
from bench.servers import veivis_servers
from bench.training import ensure_model
from veivis.serve import ROOT, answers, wait_for

DOC = ROOT / "docs" / "hostile.md"
HOSTILE_SOURCE = "127.200.0.1"  # not one of loadgen.conversation_source's addresses
PHASES = {  # name → what it is, in the order of the report's columns
    "direct_baseline": "ordinary alone, limits on",
    "direct_on": "+ hostile, limits on",
    "direct_off": "+ hostile, limits off",
    "nginx_baseline": "via nginx: ordinary alone",
    "nginx_on": "via nginx: + hostile",
}
OUT_OF_REACH = {
    "VEIVIS_CLIENT_BURST": "1000000000",
    "VEIVIS_CLIENT_PER_SECOND": "1000000000",
    "VEIVIS_CLIENT_NEW_BURST": "1000000000",
    "VEIVIS_CLIENT_NEW_PER_MINUTE": "1000000000",
    "VEIVIS_MAX_CONVERSATIONS": "0",
}


# ---------------------------------------------------------------- the hostile client


async def _flood(webhook: str, seconds: float, connections: int) -> Dict[str, int]:
    counts: Counter = Counter()
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=60)
    async with loadgen.session_from(HOSTILE_SOURCE, timeout=timeout) as session:

        async def connection() -> None:
            while time.monotonic() < deadline:
                body = {"sender": f"hostile-{uuid.uuid4().hex}", "message": "hei"}
                try:
                    async with session.post(webhook, json=body) as r:
                        await r.read()
                        counts[str(r.status)] += 1
                except Exception as e:  # refused, reset, timeout
                    counts[f"exception:{type(e).__name__}"] += 1

        await asyncio.gather(*(connection() for _ in range(connections)))
    return dict(counts)


def _flood_process(webhook: str, seconds: float, connections: int, nice: int, out) -> None:
    os.nice(nice)  # --hostile-nice: as if the client were on another machine (see main)
    counts = asyncio.run(_flood(webhook, seconds, connections))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put((counts, usage.ru_utime + usage.ru_stime))


# ---------------------------------------------------------------- the tracker store


def store_size(db: Path) -> Dict[str, float]:
    """Conversations, MB of event data, MB of the files (database + WAL)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        conversations, data, hostile, hostile_data = con.execute(
            "SELECT COUNT(DISTINCT sender_id), COALESCE(SUM(LENGTH(data)), 0),"
            " COUNT(DISTINCT CASE WHEN sender_id LIKE 'hostile-%' THEN sender_id END),"
            " COALESCE(SUM(CASE WHEN sender_id LIKE 'hostile-%' THEN LENGTH(data) END), 0)"
            " FROM events"
        ).fetchone()
    finally:
        con.close()
    files = sum(f.stat().st_size for f in db.parent.glob(db.name + "*"))
    return {"conversations": conversations, "data_mb": data / 2**20, "files_mb": files / 2**20,
            "hostile": hostile, "hostile_data_mb": hostile_data / 2**20}  # fmt: skip


def growth(before: Dict[str, float], after: Dict[str, float], minutes: float):
    return {
        "conversations": after["conversations"] - before["conversations"],
        "conversations_per_min": round(
            (after["conversations"] - before["conversations"]) / minutes
        ),
        "data_mb_per_min": round((after["data_mb"] - before["data_mb"]) / minutes, 2),
        "files_mb_per_min": round((after["files_mb"] - before["files_mb"]) / minutes, 2),
        "hostile_per_min": round((after["hostile"] - before["hostile"]) / minutes, 1),
        "hostile_data_mb_per_min": round(
            (after["hostile_data_mb"] - before["hostile_data_mb"]) / minutes, 3
        ),
        "stored_at_end": after["conversations"],
    }


# ---------------------------------------------------------------- a phase


def phase(
    run, webhook: str, db: Path, users: int, minutes: float, hostile: int, tag: str, nice: int = 0
):
    """Ordinary users for `minutes`, with the hostile client (`hostile` connections) or not,
    all sending to `webhook` (Rasa's, or nginx's in front of it)."""
    seconds = minutes * 60
    before, rasa_cpu = store_size(db), cpu_seconds(run.rasa.process.pid)
    flood, out = None, None
    if hostile:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        flood = ctx.Process(target=_flood_process, args=(webhook, seconds, hostile, nice, out))
        flood.start()
    ordinary = loadgen.run_level(
        webhook, convs.VEIVIS, users, seconds, loadgen.unique_senders(f"ordinary-{tag}")
    ).summary()
    counts, hostile_cpu = out.get(timeout=seconds + 120) if out else ({}, 0.0)
    if flood:
        flood.join(30)
    rasa_cpu = cpu_seconds(run.rasa.process.pid) - rasa_cpu
    after = store_size(db)
    requests = sum(counts.values())
    res = {
        # share of one core; the machine has 2, shared with other jobs (load average)
        "cpu": {
            "rasa_core_share": round(rasa_cpu / seconds, 2),
            "hostile_client_core_share": round(hostile_cpu / seconds, 2),
            "loadavg_end": loadavg(),
        },
        "ordinary": {k: ordinary[k] for k in ("messages", "conversations", "errors",
                                               "error_kinds", "wrong", "wrong_kinds",
                                               "error_turns", "msgs_per_s", "p50_ms",
                                               "p95_ms", "p99_ms")},
        "store": growth(before, after, minutes),
    }  # fmt: skip
    if hostile:
        res["hostile"] = {
            "requests": requests,
            "per_s": round(requests / seconds, 1),
            "statuses": counts,
            "answered": counts.get("200", 0),
            "limited": counts.get("429", 0),
            "limited_share": round(counts.get("429", 0) / requests, 3) if requests else None,
        }
    return res


@contextmanager
def nginx_in_front(rasa_webhook: str, tmp: Path) -> Iterator[Optional[str]]:
    """nginx with deploy/scaleout/nginx.conf.template (both upstream lines: the one Rasa)
    on a free port; yields its webhook URL, or None when nginx is not installed."""
    binary = nginx.binary()
    if not binary:
        yield None
        return
    rasa = urllib.parse.urlsplit(rasa_webhook).netloc
    port, where = free_port(), tmp / "nginx"
    args = nginx.configure(where, f"127.0.0.1:{port}", rasa, rasa, "/dev/null", 1024)
    process = subprocess.Popen([binary, *args])
    try:
        health = f"http://127.0.0.1:{port}/webhooks/rest/"
        wait_for("nginx", lambda: answers(health), process, timeout=10, every=0.1)
        yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(20)


@contextmanager
def environment(values: Dict[str, str]) -> Iterator[None]:
    """Set for the servers started inside (veivis.serve.server_env copies os.environ)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def line(name: str, p: Dict[str, object]) -> str:
    o, s = p["ordinary"], p["store"]  # type: ignore[index]
    text = (f"{name}: ordinary {o['messages']} msgs, {o['errors']} errors, p95 {o['p95_ms']} ms"
            f" | store +{s['conversations_per_min']} conversations/min, "
            f"+{s['data_mb_per_min']} MB/min")  # fmt: skip
    if "hostile" in p:
        h = p["hostile"]  # type: ignore[index]
        text += f" | hostile {h['requests']} requests, {h['answered']} answered, {h['limited']} 429"
    return text


def render(res: Dict[str, object]) -> str:
    m, ph = res["machine"], res["phases"]  # type: ignore[index]
    names = [n for n in PHASES if n in ph]  # type: ignore[operator]
    lines = [
        "# A hostile client beside ordinary users",
        "",
        f"`python -m bench.hostile` (`make hostile`), {res['date']} UTC, commit "
        f"{m['git_commit']}, {m['cores']} cores ({m['cpu']}), load average "
        f"{res['loadavg_start']} → {res['loadavg_end']} (other jobs share the machine).",
        "",
        f"{res['users']} ordinary users (each conversation from its own loopback address) and "
        f"one hostile client ({res['connections']} connections from one address, «hei» with a "
        f"new sender id each time, at full speed, in its own process at nice "
        f"{res.get('hostile_nice', 0)}), {res['minutes']} min "
        "per phase, one Veivis instance (Rasa + action server, SQLite tracker store); «via "
        "nginx»: deploy/scaleout/nginx.conf.template in front of it.",
        "",
        "| | " + " | ".join(PHASES[n] for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]

    def row(label: str, get) -> None:
        lines.append(f"| {label} | " + " | ".join(str(get(ph[n], n)) for n in names) + " |")  # type: ignore[index]

    row("ordinary: messages", lambda p, n: p["ordinary"]["messages"])
    row("ordinary: errors", lambda p, n: f"**{p['ordinary']['errors']}**")
    row("ordinary: p50 / p95 ms",
        lambda p, n: f"{p['ordinary']['p50_ms']} / {p['ordinary']['p95_ms']}")  # fmt: skip
    row("ordinary: p95 ÷ its baseline", lambda p, n: _ratio(p, ph[_baseline(n)]))  # type: ignore[index]
    row("hostile: requests (per s)", lambda p, n: _hostile_requests(p))
    row("hostile: answered / limited (429)", lambda p, n: _hostile_limited(p))
    row("CPU, share of one core: Rasa / hostile client", lambda p, n: _cpu(p))
    row("store: new conversations per min (all)", lambda p, n: p["store"]["conversations_per_min"])
    row("store: the hostile client's conversations per min (event data MB)", lambda p, n: _hs(p))
    row("store: event data MB per min", lambda p, n: p["store"]["data_mb_per_min"])
    row("store: files MB per min (with WAL)", lambda p, n: p["store"]["files_mb_per_min"])
    lines += [
        "",
        "Limits on: the defaults in veivis/limits.py (per client 60 messages at once and 5 a "
        "second, 20 new conversations at once and 20 a minute; nginx: 10 requests a second, "
        "bursts of 40). Limits off: Veivis' per-client limits and the ceiling set out of "
        "reach; the per-sender limit is the same in all phases, and a client that rotates "
        "sender ids never meets it. The ordinary users' conversations are stored too (the "
        "load generator starts a new one as soon as one ends), so compare the store's "
        "growth with the «alone» column.",
        "",
    ]
    return "\n".join(lines)


def _baseline(name: str) -> str:
    return "nginx_baseline" if name.startswith("nginx") else "direct_baseline"


def _hostile_requests(p: Dict[str, object]) -> str:
    h = p.get("hostile")
    return f"{h['requests']} ({h['per_s']})" if h else "–"  # type: ignore[index]


def _hostile_limited(p: Dict[str, object]) -> str:
    h = p.get("hostile")
    if not h:
        return "–"
    share = 100 * (h["limited_share"] or 0)  # type: ignore[index]
    return f"{h['answered']} / {h['limited']} ({share:.1f} %)"  # type: ignore[index]


def _hs(p: Dict[str, object]) -> str:
    s = p["store"]
    return f"{s['hostile_per_min']} ({s['hostile_data_mb_per_min']})"  # type: ignore[index]


def _cpu(p: Dict[str, object]) -> str:
    c = p["cpu"]
    return f"{c['rasa_core_share']} / {c['hostile_client_core_share']}"  # type: ignore[index]


def _ratio(p: Dict[str, object], base: Dict[str, object]) -> str:
    p95, b = p["ordinary"]["p95_ms"], base["ordinary"]["p95_ms"]  # type: ignore[index]
    return f"{p95 / b:.2f}" if p95 and b else "–"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=2)
    ap.add_argument("--connections", type=int, default=8)
    # On this 2-core machine the hostile client's own process takes CPU from Rasa; a real
    # one runs elsewhere. --hostile-nice 19 lets it use only CPU nobody else wants.
    ap.add_argument("--hostile-nice", type=int, default=0)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args(argv)
    stamp, out_dir, tmp, res = start_run(
        "hostile",
        users=args.users,
        minutes=args.minutes,
        connections=args.connections,
        hostile_nice=args.hostile_nice,
    )
    phases: Dict[str, object] = {}
    stack = ExitStack()
    try:
        ensure_model()
        for setting, env in (("on", {}), ("off", OUT_OF_REACH)):
            db = tmp / f"tracker-limits-{setting}.db"
            with environment(env), veivis_servers(db, out_dir, f"hostile-{setting}") as run:
                bad = loadgen.warm_up(run.webhook, convs.VEIVIS, f"warm-{setting}")
                log(f"limits {setting}: warm-up ({bad} unexpected replies)")
                if setting == "off":
                    plan = [("direct_off", run.webhook, args.connections)]
                    nginx = None
                else:
                    nginx = stack.enter_context(nginx_in_front(run.webhook, tmp))
                    plan = [("direct_baseline", run.webhook, 0),
                            ("direct_on", run.webhook, args.connections)]  # fmt: skip
                    if nginx:
                        plan += [
                            ("nginx_baseline", nginx, 0),
                            ("nginx_on", nginx, args.connections),
                        ]
                for name, url, hostile in plan:
                    phases[name] = phase(
                        run, url, db, args.users, args.minutes, hostile, name, args.hostile_nice
                    )
                    log(line(f"  {PHASES[name]}", phases[name]))  # type: ignore[arg-type]
                stack.close()  # nginx
        res.update(phases=phases, loadavg_end=loadavg())
        (RESULTS / f"hostile-{stamp}.json").write_text(
            json.dumps(res, indent=2, ensure_ascii=False)
        )
        if not args.no_doc:
            DOC.write_text(render(res), encoding="utf-8")
            log(f"Wrote {DOC.relative_to(ROOT)} and results/bench/hostile-{stamp}.json")
        errors = sum(p["ordinary"]["errors"] for k, p in phases.items() if k != "direct_off")  # type: ignore[index]
        return 0 if errors == 0 else 1
    finally:
        stack.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

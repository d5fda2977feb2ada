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
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

import aiohttp

from bench import conversations as convs
from bench import loadgen
from bench.run import RESULTS, ROOT, ensure_model, loadavg, log, machine, veivis_servers

DOC = ROOT / "docs" / "hostile.md"
HOSTILE_SOURCE = "127.200.0.1"  # not one of loadgen.conversation_source's addresses
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


def _flood_process(webhook: str, seconds: float, connections: int, out) -> None:
    out.put(asyncio.run(_flood(webhook, seconds, connections)))


# ---------------------------------------------------------------- the tracker store


def store_size(db: Path) -> Dict[str, float]:
    """Conversations, MB of event data, MB of the files (database + WAL)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        conversations, data = con.execute(
            "SELECT COUNT(DISTINCT sender_id), COALESCE(SUM(LENGTH(data)), 0) FROM events"
        ).fetchone()
    finally:
        con.close()
    files = sum(f.stat().st_size for f in db.parent.glob(db.name + "*"))
    return {"conversations": conversations, "data_mb": data / 2**20, "files_mb": files / 2**20}


def growth(before: Dict[str, float], after: Dict[str, float], minutes: float):
    return {
        "conversations": after["conversations"] - before["conversations"],
        "conversations_per_min": round(
            (after["conversations"] - before["conversations"]) / minutes
        ),
        "data_mb_per_min": round((after["data_mb"] - before["data_mb"]) / minutes, 2),
        "files_mb_per_min": round((after["files_mb"] - before["files_mb"]) / minutes, 2),
        "stored_at_end": after["conversations"],
    }


# ---------------------------------------------------------------- a phase


def phase(webhook: str, db: Path, users: int, minutes: float, hostile: int, tag: str):
    """Ordinary users for `minutes`, with the hostile client (`hostile` connections) or not."""
    seconds = minutes * 60
    before = store_size(db)
    flood, out = None, None
    if hostile:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        flood = ctx.Process(target=_flood_process, args=(webhook, seconds, hostile, out))
        flood.start()
    ordinary = loadgen.run_level(
        webhook, convs.VEIVIS, users, seconds, loadgen.unique_senders(f"ordinary-{tag}")
    ).summary()
    counts = out.get(timeout=seconds + 120) if out else {}
    if flood:
        flood.join(30)
    after = store_size(db)
    requests = sum(counts.values())
    res = {
        "ordinary": {k: ordinary[k] for k in ("messages", "conversations", "errors",
                                               "error_kinds", "wrong", "msgs_per_s",
                                               "p50_ms", "p95_ms", "p99_ms")},
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
    base, on, off = ph["baseline"], ph["limits_on"], ph["limits_off"]  # type: ignore[index]
    lines = [
        "# A hostile client beside ordinary users",
        "",
        f"`python -m bench.hostile` (`make hostile`), {res['date']} UTC, commit "
        f"{m['git_commit']}, {m['cores']} cores ({m['cpu']}), load average "
        f"{res['loadavg_start']} → {res['loadavg_end']} (other jobs share the machine).",
        "",
        f"{res['users']} ordinary users (each conversation from its own loopback address) and "
        f"one hostile client ({res['connections']} connections from one address, «hei» with a "
        f"new sender id each time, at full speed), {res['minutes']} min per phase, one Veivis "
        "instance (Rasa + action server, SQLite tracker store).",
        "",
        "| | ordinary alone, limits on | + hostile, limits on | + hostile, limits off |",
        "|---|---|---|---|",
    ]

    def row(label: str, get) -> None:
        lines.append(f"| {label} | {get(base)} | {get(on)} | {get(off)} |")

    row("ordinary: messages", lambda p: p["ordinary"]["messages"])
    row("ordinary: errors", lambda p: f"**{p['ordinary']['errors']}**")
    row("ordinary: p50 / p95 ms",
        lambda p: f"{p['ordinary']['p50_ms']} / {p['ordinary']['p95_ms']}")  # fmt: skip
    row("ordinary: p95 ÷ baseline", lambda p: _ratio(p["ordinary"]["p95_ms"], base))
    row("hostile: requests (per s)", _hostile_requests)
    row("hostile: answered / limited (429)", _hostile_limited)
    row("store: new conversations per min", lambda p: p["store"]["conversations_per_min"])
    row("store: event data MB per min", lambda p: p["store"]["data_mb_per_min"])
    row("store: files MB per min (with WAL)", lambda p: p["store"]["files_mb_per_min"])
    lines += [
        "",
        "Limits on: the defaults in veivis/limits.py (per client 60 messages at once and 5 a "
        "second, 20 new conversations at once and 20 a minute). Limits off: those and the "
        "ceiling set out of reach; the per-sender limit is the same in both, and a client "
        "that rotates sender ids never meets it.",
        "",
    ]
    return "\n".join(lines)


def _hostile_requests(p: Dict[str, object]) -> str:
    h = p.get("hostile")
    return f"{h['requests']} ({h['per_s']})" if h else "–"  # type: ignore[index]


def _hostile_limited(p: Dict[str, object]) -> str:
    h = p.get("hostile")
    if not h:
        return "–"
    share = 100 * (h["limited_share"] or 0)  # type: ignore[index]
    return f"{h['answered']} / {h['limited']} ({share:.1f} %)"  # type: ignore[index]


def _ratio(p95: Optional[float], base: Dict[str, object]) -> str:
    b = base["ordinary"]["p95_ms"]  # type: ignore[index]
    return f"{p95 / b:.2f}" if p95 and b else "–"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=2)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args(argv)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = RESULTS / f"hostile-{stamp}"
    out_dir.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix="veivis-hostile-"))
    res: Dict[str, object] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "loadavg_start": loadavg(),
        "users": args.users,
        "minutes": args.minutes,
        "connections": args.connections,
    }
    phases: Dict[str, object] = {}
    try:
        ensure_model()
        for setting, env in (("on", {}), ("off", OUT_OF_REACH)):
            db = tmp / f"tracker-limits-{setting}.db"
            with environment(env), veivis_servers(db, out_dir, f"hostile-{setting}") as run:
                bad = loadgen.warm_up(run.webhook, convs.VEIVIS, f"warm-{setting}")
                log(f"limits {setting}: warm-up ({bad} unexpected replies)")
                if setting == "on":
                    phases["baseline"] = phase(run.webhook, db, args.users, args.minutes, 0, "b")
                    log(line("  ordinary alone, limits on", phases["baseline"]))  # type: ignore[arg-type]
                name = f"limits_{setting}"
                phases[name] = phase(
                    run.webhook, db, args.users, args.minutes, args.connections, setting
                )
                log(line(f"  + hostile, limits {setting}", phases[name]))  # type: ignore[arg-type]
        res.update(phases=phases, loadavg_end=loadavg())
        (RESULTS / f"hostile-{stamp}.json").write_text(
            json.dumps(res, indent=2, ensure_ascii=False)
        )
        if not args.no_doc:
            DOC.write_text(render(res), encoding="utf-8")
            log(f"Wrote {DOC.relative_to(ROOT)} and results/bench/hostile-{stamp}.json")
        errors = sum(p["ordinary"]["errors"] for k, p in phases.items() if k != "limits_off")  # type: ignore[index]
        return 0 if errors == 0 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())

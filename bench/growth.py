"""Latency and memory against the number of stored conversations (SQLite tracker store).

The tracker DB is pre-filled with 0 / 10k / 100k copies of real conversations from the
load test (Rasa's own `events` schema, inserted with sqlite3, all active in the last
90 min); a fresh Veivis on each serves new conversations at 1 user and «existing» ones
(two more messages to a random stored conversation) at 1 and 10 users.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bench import conversations as convs
from bench import loadgen
from bench.report import fmt
from bench.results import GrowthRow, Load, log
from bench.servers import veivis_servers

INSERT = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
EXISTING_TURNS = [("hva er abstinenser egentlig", None), ("takk for svaret", None)]


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


def prefill(db: Path, schema: List[str], templates: List[list], n: int) -> Dict[str, float]:
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
        "events": rows,
        "db_mb": round(db.stat().st_size / 2**20, 1),
        "fill_s": round(time.monotonic() - started, 1),
    }


def growth(
    sizes: Sequence[int], templates_db: Path, tmp: Path, log_dir: Path, seconds: float
) -> List[GrowthRow]:
    schema, templates = harvest_templates(templates_db)
    log(f"  templates: {len(templates)} real conversations from the load test's tracker DB")
    out = []
    for n in sizes:
        db = tmp / f"growth-{n}.db"
        info = prefill(db, schema, templates, n) if n else {"events": 0}
        log(f"  {n:>7} stored conversations: {dict(conversations=n, **info)}")
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

            loadgen.warm_up(run.webhook, convs.VEIVIS[:2], "growth")
            r = loadgen.run_level(run.webhook, convs.VEIVIS, 1, seconds, new).summary()
            e = loadgen.run_level(
                run.webhook, convs.VEIVIS, 1, seconds, existing, turns_override=EXISTING_TURNS
            ).summary()
            e10 = loadgen.run_level(
                run.webhook, convs.VEIVIS, 10, seconds, existing, turns_override=EXISTING_TURNS
            ).summary()
            memory = run.memory()
            row = GrowthRow(
                conversations=n,
                events=int(info["events"]),
                db_mb=info.get("db_mb"),
                fill_s=info.get("fill_s"),
                startup=run.startup,
                new_1=Load(**r),  # type: ignore[arg-type]
                existing_1=Load(**e),  # type: ignore[arg-type]
                existing_10=Load(**e10),  # type: ignore[arg-type]
                **vars(memory),
                db_mb_after=round(db.stat().st_size / 2**20, 1),
            )
            log(
                f"    new@1 p50 {fmt(r['p50_ms'])} ms p95 {fmt(r['p95_ms'])} | existing@1 p50 "
                f"{fmt(e['p50_ms'])} ms p95 {fmt(e['p95_ms'])} | existing@10 p50 "
                f"{fmt(e10['p50_ms'])} ms, {e10['msgs_per_s']} msg/s | errors "
                f"{r['errors']}/{e['errors']}/{e10['errors']} | startup "
                f"{run.startup.first_reply_s} s | RSS {memory.rasa_peak_rss_mb} MB"
            )
        out.append(row)
        if n:
            db.unlink()
    return out

"""The benchmark's report: the console summary and docs/benchmarks.md.

Both read the results in their JSON form (bench.results.to_json, or a saved
results/bench/<stamp>.json for `--render-only`). docs/benchmarks.md is
bench/report_template.md filled in with string.Template; the tables' rows are made here.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template
from typing import Any, Dict, List

from bench import frozen_actions
from bench.results import log
from veivis.serve import ROOT

DOC = ROOT / "docs" / "benchmarks.md"
TEMPLATE = Path(__file__).with_name("report_template.md")
# Reference numbers measured earlier on this machine for a stock bot (from the brief).
REFERENCE_STOCK = {"p50_1_ms": 60, "msgs_per_s_50": 25, "startup_s": 45, "rss_mb": 1100}
OMIT = "\0omit\0"  # a section left out: its line and the blank line after it go


def fmt(v, digits=0) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def level_line(s: Dict[str, Any]) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s["error_kinds"].items()))
    return (
        f"{s['users']:>3} users: p50 {fmt(s['p50_ms'])} p95 {fmt(s['p95_ms'])} "
        f"p99 {fmt(s['p99_ms'])} ms, {s['msgs_per_s']} msg/s, {s['messages']} msgs, "
        f"errors {s['errors']}{' (' + kinds + ')' if kinds else ''}, wrong {s['wrong']}, "
        f"Rasa CPU {s['rasa_cpu_ms_per_msg']} ms/msg, RSS {s['rasa_rss_peak_mb']} MB"
    )


def sections(text: str) -> Dict[str, Template]:
    """The template's sections by name (what comes before the first one is a comment)."""
    parts = re.split(r"^<!-- section: (\w+) -->\n", text, flags=re.M)
    return {name: Template(body.rstrip("\n")) for name, body in zip(parts[1::2], parts[2::2])}


def print_results(res: Dict[str, object]) -> None:
    v, s = res["veivis"], res["stock"]
    log("\n" + "=" * 78)
    log("RESULTS")
    log("=" * 78)
    t = res["training"]
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
    for r in res["ratios"]:
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
        for g in res["growth"]:
            log(
                f"  {g['conversations']:>7} convs ({g.get('events', 0)} events, "
                f"{db_mb(g)} MB): new@1 p50 "
                f"{fmt(g['new_1']['p50_ms'])} ms | existing@1 p50 "
                f"{fmt(g['existing_1']['p50_ms'])} ms | existing@10 p50 "
                f"{fmt(g['existing_10']['p50_ms'])} ms {g['existing_10']['msgs_per_s']} msg/s"
                f" | startup {g['startup']['first_reply_s']} s | RSS {g['rasa_vmhwm_mb']} MB"
            )
    log("\nTargets:")
    for t in res["targets"]:
        log(
            f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {t['value']} "
            f"(goal {t['goal']}) — {t['detail']}"
        )


def render_doc(res: Dict[str, Any], nlu_md: str) -> str:
    t = sections(TEMPLATE.read_text(encoding="utf-8"))
    v, s, m = res["veivis"], res["stock"], res["machine"]

    def optional(name: str, show: bool, **values: object) -> str:
        return t[name].substitute(values) if show else OMIT

    frozen = optional(
        "frozen",
        bool(res.get("frozen_actions")),
        lines="\n".join(f"- {frozen_actions.line(lvl)}" for lvl in res.get("frozen_actions") or []),
    )
    target_rows = [
        f"| {x['target']} | {x['goal']} | {x['value']} — {x['detail']} | "
        f"**{'PASS' if x['pass'] else 'FAIL'}** |"
        for x in res["targets"]
    ]
    tr, ref = res["training"], REFERENCE_STOCK
    vs, ss, vm, sm = v["startup"], s["startup"], v["memory"], s["memory"]
    training_rows = [
        row("training (s)", fmt(tr["veivis"].get("seconds"), 1), fmt(tr["stock"]["seconds"], 1),
            "–"),
        row("startup: REST health route answers (s)", vs["health_s"], ss["health_s"], "–"),
        row("startup: first reply to a message (s)", vs["first_reply_s"], ss["first_reply_s"],
            f"~{ref['startup_s']}"),
        row("action server answers (s)", vs["actions_s"], ss["actions_s"], "–"),
        row("peak RSS, Rasa process (VmHWM, MB)", vm["rasa_vmhwm_mb"], sm["rasa_vmhwm_mb"],
            f"~{ref['rss_mb']}"),
        row("peak RSS, action server (VmHWM, MB)", vm["actions_vmhwm_mb"],
            sm["actions_vmhwm_mb"], "–"),
    ]  # fmt: skip
    level_rows: List[str] = []
    failing: List[str] = []
    for run in (v, s):
        for lvl in run["levels"]:
            err = f"{lvl['errors']}" + (f" {lvl['error_kinds']}" if lvl["errors"] else "")
            level_rows.append(
                row(run["name"], lvl["users"], fmt(lvl["p50_ms"]), fmt(lvl["p95_ms"]),
                    fmt(lvl["p99_ms"]), lvl["msgs_per_s"], lvl["messages"], err, lvl["wrong"],
                    lvl["rasa_cpu_ms_per_msg"], lvl["rasa_rss_peak_mb"])
            )  # fmt: skip
            failing += [
                f"{run['name']} @{lvl['users']}: {n} × `{w}`" for w, n in lvl["error_turns"].items()
            ]
    ratio_rows = [
        f"| {r['users']} | {fmt(r['p50'], 2)} | {fmt(r['p95'], 2)} | {fmt(r['p99'], 2)} | "
        f"{fmt(r['throughput'], 2)} |"
        for r in res["ratios"]
    ]
    cpu_v = [lvl["rasa_cpu_ms_per_msg"] for lvl in v["levels"]]
    cpu_s = [lvl["rasa_cpu_ms_per_msg"] for lvl in s["levels"]]
    cpu = optional(
        "cpu",
        bool(cpu_v and cpu_s),
        veivis_min=min(cpu_v, default=""),
        veivis_max=max(cpu_v, default=""),
        stock_min=min(cpu_s, default=""),
        stock_max=max(cpu_s, default=""),
    )
    v1 = next((lvl for lvl in v["levels"] if lvl["users"] == 1), None)
    by_kind = optional(
        "by_kind",
        v1 is not None,
        text_ms=fmt(v1 and v1["p50_text_ms"]),
        payload_ms=fmt(v1 and v1["p50_payload_ms"]),
        payload_share=f"{1 - v1['text_share']:.0%}" if v1 else "",
    )
    prof = res.get("profile") or {}
    if prof.get("parts"):
        profile = t["profile"].substitute(
            seconds=f"{prof['load']['elapsed_s']:.0f}",
            users=prof["users"],
            messages=prof["messages"],
            msgs_per_s=prof["load"]["msgs_per_s"],
            busy=f"{prof['busy_share']:.0%}",
            thread_ms=f"{prof['wall_ms_per_msg'] * prof['busy_share']:.1f}",
            rows="\n".join(
                f"| {p['part']} | {p['share']:.1%} | {p['ms_per_msg']:.2f} |" for p in prof["parts"]
            ),
        )
    else:
        profile = t["no_profile"].substitute(reason=prof.get("skipped", "skipped"))
    concurrency_rows = [
        f"| {lv['users']} | {fmt(lv['p50_ms'])} / {fmt(lv['p95_ms'])} | {lv['msgs_per_s']} | "
        f"{lv['rasa_rss_peak_mb']} | {fmt(ls['p50_ms'])} / {fmt(ls['p95_ms'])} | "
        f"{ls['msgs_per_s']} | {ls['rasa_rss_peak_mb']} |"
        for lv, ls in zip(v["levels"], s["levels"])
    ]
    growth = optional(
        "growth",
        bool(res.get("growth")),
        seconds=f"{res['growth_s']:.0f}",
        rows="\n".join(growth_row(g) for g in res.get("growth") or []),
    )
    doc = t["doc"].substitute(
        command=res["command"],
        date=res["date"],
        wall_min=f"{res['wall_s'] / 60:.1f}",
        stamp=res["stamp"],
        **m,
        loadavg_start=res["loadavg_start"],
        loadavg_end=res["loadavg_end"],
        frozen=frozen,
        target_rows="\n".join(target_rows),
        training_rows="\n".join(training_rows),
        veivis_training=tr["veivis"]["how"],
        stock_training=tr["stock"]["how"],
        duration=f"{res['duration_s']:.0f}",
        level_rows="\n".join(level_rows),
        failing=optional("failing", bool(failing), turns="; ".join(failing)),
        ratio_rows="\n".join(ratio_rows),
        cpu_note=cpu,
        by_kind=by_kind,
        profile=profile,
        concurrency_rows="\n".join(concurrency_rows),
        growth=growth,
        nlu=nlu_md,
    )
    return doc.replace(OMIT + "\n\n", "") + "\n"


def growth_row(g: Dict[str, Any]) -> str:
    n1, e1, e10 = g["new_1"], g["existing_1"], g["existing_10"]
    return row(
        f"{g['conversations']:,}",
        f"{g.get('events', 0):,}",
        db_mb(g),
        g["startup"]["first_reply_s"],
        f"{fmt(n1['p50_ms'])} / {fmt(n1['p95_ms'])}",
        f"{fmt(e1['p50_ms'])} / {fmt(e1['p95_ms'])}",
        f"{fmt(e10['p50_ms'])} / {fmt(e10['p95_ms'])}, {e10['msgs_per_s']}",
        n1["errors"] + e1["errors"] + e10["errors"],
        g["rasa_vmhwm_mb"],
    )


def db_mb(g: Dict[str, Any]) -> object:
    """The pre-filled DB's size; with nothing pre-filled (null, or no key in older runs'
    JSON), its size after the run."""
    return g["db_mb_after"] if g.get("db_mb") is None else g["db_mb"]

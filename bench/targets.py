"""The targets of issue 6 and whether a run meets them, as data (results.Target rows).

Veivis against the stock bot of the same run: p50 at 1 user ≤ 0.5× stock; throughput at
the highest common level ≥ 2× stock with zero errors; startup ≤ stock; peak RSS of the
Rasa process ≤ stock; Veivis training ≤ 5 min (when it was measured).
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from bench.results import BotRun, Level, Ratio, Target, Trainings

TRAIN_TARGET_S = 300
P50_AT_1_MAX_RATIO = 0.5
THROUGHPUT_MIN_RATIO = 2


def ratio(a, b) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def ratios(veivis: Sequence[Level], stock: Sequence[Level]) -> List[Ratio]:
    return [
        Ratio(
            users=a.users,
            p50=ratio(a.p50_ms, b.p50_ms),
            p95=ratio(a.p95_ms, b.p95_ms),
            p99=ratio(a.p99_ms, b.p99_ms),
            throughput=ratio(a.msgs_per_s, b.msgs_per_s),
        )
        for a, b in zip(veivis, stock)
    ]


def targets(v: BotRun, s: BotRun, training: Trainings) -> List[Target]:
    vl = {lvl.users: lvl for lvl in v.levels}
    sl = {lvl.users: lvl for lvl in s.levels}
    rows: List[Target] = []
    if 1 in vl and 1 in sl:
        r = ratio(vl[1].p50_ms, sl[1].p50_ms)
        rows.append(
            Target(
                "p50 latency at 1 user",
                r,
                f"≤ {P50_AT_1_MAX_RATIO}× stock",
                r is not None and r <= P50_AT_1_MAX_RATIO,
                f"Veivis {vl[1].p50_ms} ms vs stock {sl[1].p50_ms} ms",
            )
        )
    common = set(vl) & set(sl)
    top = max(common) if common else None
    if top:
        va, st = vl[top], sl[top]
        r = ratio(va.msgs_per_s, st.msgs_per_s)
        rows.append(
            Target(
                f"throughput at {top} users, zero errors",
                r,
                f"≥ {THROUGHPUT_MIN_RATIO}× stock, 0 errors",
                r is not None and r >= THROUGHPUT_MIN_RATIO and va.errors == 0,
                f"Veivis {va.msgs_per_s} msg/s ({va.errors} errors) vs stock "
                f"{st.msgs_per_s} msg/s ({st.errors} errors)",
            )
        )
    vs, ss = v.startup.first_reply_s, s.startup.first_reply_s
    rows.append(
        Target(
            "startup (process start → first REST reply)",
            ratio(vs, ss),
            "≤ stock",
            vs <= ss,
            f"Veivis {vs} s vs stock {ss} s",
        )
    )
    vm, sm = v.memory.rasa_vmhwm_mb, s.memory.rasa_vmhwm_mb
    rows.append(
        Target(
            "peak RSS of the Rasa process",
            ratio(vm, sm),
            "≤ stock",
            vm <= sm,
            f"Veivis {vm} MB vs stock {sm} MB (VmHWM)",
        )
    )
    t = training.veivis
    if t.seconds is not None:
        rows.append(
            Target(
                "Veivis training",
                t.seconds,
                f"≤ {TRAIN_TARGET_S} s",
                t.seconds <= TRAIN_TARGET_S,
                t.how,
            )
        )
    return rows

"""NLU quality: `python -m bench.nlu_report [--no-cv] [--json FILE] [--no-doc]`.

1. Intent precision / recall / F1 per intent on the held-out test set
   tests/nlu/test_nlu.yml, with the trained model (models/veivis.tar.gz) as Rasa runs it:
   rasa.core.agent.Agent.load + parse_message, red-flag guard included.
2. 3-fold cross-validation on the training data: `rasa test nlu --cross-validation
   --folds 3 --config config.yml --nlu data/nlu` (trains 3 models: slow).
3. The red-flag table tests/data/red_flag_cases.yml through model + guard: recall on the
   rows that expect emergency/suicide (intent emergency or emergency_suicide counts) and
   false alarms on the rows that expect none.

Prints the tables and writes them into docs/benchmarks.md (the section between the
nlu-report markers, replaced or appended), with the date.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from veivis import rasa_patches

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "veivis.tar.gz"
TEST_SET = ROOT / "tests" / "nlu" / "test_nlu.yml"
RED_FLAGS = ROOT / "tests" / "data" / "red_flag_cases.yml"
DOC = ROOT / "docs" / "benchmarks.md"
EMERGENCY_INTENTS = {"emergency", "emergency_suicide"}
START, END = "<!-- nlu-report:start -->", "<!-- nlu-report:end -->"


def per_intent(pairs: Sequence[Tuple[str, str]]) -> Dict[str, Any]:
    """(gold, predicted) pairs → precision/recall/F1/support per gold intent + averages."""
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    support: Counter = Counter()
    for gold, pred in pairs:
        support[gold] += 1
        if gold == pred:
            tp[gold] += 1
        else:
            fn[gold] += 1
            fp[pred] += 1
    rows = {}
    for intent in sorted(support):
        p = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        r = tp[intent] / support[intent]
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows[intent] = {
            "precision": p,
            "recall": r,
            "f1": f,
            "support": support[intent],
            "false_positives": fp[intent],
        }
    n = sum(support.values())
    macro = {k: sum(r[k] for r in rows.values()) / len(rows) for k in ("precision", "recall", "f1")}
    weighted = {
        k: sum(r[k] * r["support"] for r in rows.values()) / n
        for k in ("precision", "recall", "f1")
    }
    # predictions outside the gold intents (e.g. nlu_fallback) count as false positives
    extra = {i: c for i, c in fp.items() if i not in support}
    return {
        "n": n,
        "accuracy": sum(tp.values()) / n if n else 0.0,
        "intents": rows,
        "macro": macro,
        "weighted": weighted,
        "predicted_outside_gold": extra,
    }


class Parser:
    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        rasa_patches.in_process_logs()

        self.loop = asyncio.new_event_loop()
        self.agent = Agent.load(str(model))

    def intent(self, text: str) -> str:
        return self.loop.run_until_complete(self.agent.parse_message(text))["intent"]["name"]


def test_set(parser: Parser) -> Dict[str, Any]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [
        (m.get("text"), m.get("intent")) for m in load_data(str(TEST_SET)).training_examples
    ]
    started = time.monotonic()
    predicted = [(text, gold, parser.intent(text)) for text, gold in examples]
    result = per_intent([(g, p) for _, g, p in predicted])
    result["misses"] = [{"text": t, "gold": g, "predicted": p} for t, g, p in predicted if g != p]
    result["parse_ms_mean"] = round((time.monotonic() - started) * 1000 / len(examples), 1)
    return result


def red_flags(parser: Parser) -> Dict[str, Any]:
    import yaml

    cases = yaml.safe_load(RED_FLAGS.read_text("utf-8"))["cases"]
    rows = [(c, parser.intent(c["text"])) for c in cases]
    urgent = [(c, i) for c, i in rows if c["expect"] in ("emergency", "suicide")]
    others = [(c, i) for c, i in rows if c["expect"] == "none"]
    missed = [
        {"text": c["text"], "expect": c["expect"], "intent": i}
        for c, i in urgent
        if i not in EMERGENCY_INTENTS
    ]
    alarms = [
        {"text": c["text"], "kind": c.get("kind"), "intent": i}
        for c, i in others
        if i in EMERGENCY_INTENTS
    ]
    by_expect: Dict[str, Counter] = defaultdict(Counter)
    for c, i in rows:
        by_expect[c["expect"]][i if i in EMERGENCY_INTENTS else "other"] += 1
    return {
        "rows": len(cases),
        "urgent_rows": len(urgent),
        "recall": 1 - len(missed) / len(urgent) if urgent else None,
        "none_rows": len(others),
        "false_alarm_rate": len(alarms) / len(others) if others else None,
        "missed": missed,
        "false_alarms": alarms,
        "by_expect": {k: dict(v) for k, v in by_expect.items()},
    }


CV_LINE = re.compile(r"\b(train|test) (Accuracy|F1-score|Precision): ([\d.]+) \(([\d.]+)\)")


def cross_validation(folds: int = 3) -> Dict[str, Any]:
    """`rasa test nlu --cross-validation` in a subprocess (private training cache)."""
    with tempfile.TemporaryDirectory(prefix="veivis-cv-") as tmp:
        out = Path(tmp) / "cv"
        env = dict(
            os.environ,
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            RASA_CACHE_DIRECTORY=str(Path(tmp) / "cache"),
        )
        cmd = [
            sys.executable,
            "-m",
            "veivis.rasa_cli",
            "test",
            "nlu",
            "--cross-validation",
            "--folds",
            str(folds),
            "--config",
            "config.yml",
            "--nlu",
            "data/nlu",
            "--out",
            str(out),
            "--no-plot",
        ]
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        log = proc.stdout + proc.stderr
        if proc.returncode != 0:
            return {"error": f"exit {proc.returncode}: {log[-800:]}", "seconds": seconds}
        folds_summary: Dict[str, Dict[str, List[float]]] = defaultdict(dict)
        for split, metric, mean, std in CV_LINE.findall(log):
            folds_summary[split][metric] = [float(mean), float(std)]
        report_file = out / "intent_report.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
    intents = {
        k: {
            "precision": v["precision"],
            "recall": v["recall"],
            "f1": v["f1-score"],
            "support": v["support"],
        }
        for k, v in report.items()
        if isinstance(v, dict)
        and "support" in v
        and k not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "folds": folds,
        "seconds": round(seconds, 1),
        "summary": dict(folds_summary),
        "accuracy": report.get("accuracy"),
        "macro": _avg(report.get("macro avg")),
        "weighted": _avg(report.get("weighted avg")),
        "intents": intents,
        "command": "rasa test nlu --cross-validation --folds 3 --config config.yml --nlu data/nlu",
    }


def _avg(d: Optional[Dict[str, float]]) -> Optional[Dict[str, float]]:
    if not d:
        return None
    return {"precision": d["precision"], "recall": d["recall"], "f1": d["f1-score"]}


def run(cv: bool = True) -> Dict[str, Any]:
    started = time.monotonic()
    data: Dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "model": str(MODEL.relative_to(ROOT)),
    }
    parser = Parser(MODEL)
    print("Held-out test set …", flush=True)
    data["test_set"] = test_set(parser)
    print("Red-flag table through model + guard …", flush=True)
    data["red_flags"] = red_flags(parser)
    del parser
    if cv:
        print("3-fold cross-validation (trains 3 models) …", flush=True)
        data["cross_validation"] = cross_validation(3)
    data["seconds"] = round(time.monotonic() - started, 1)
    return data


# ----------------------------------------------------------------------------- output


def _pct(x: Optional[float]) -> str:
    return "–" if x is None else f"{x:.1%}"


def render_text(data: Dict[str, Any]) -> str:
    t, rf = data["test_set"], data["red_flags"]
    out = [f"NLU report {data['date']} UTC, model {data['model']}"]
    out.append(
        f"Held-out test set: {t['n']} examples, {len(t['intents'])} intents, accuracy "
        f"{_pct(t['accuracy'])}, macro F1 {t['macro']['f1']:.3f}, weighted F1 "
        f"{t['weighted']['f1']:.3f} ({t['parse_ms_mean']} ms per parse)"
    )
    out.append(f"  {'intent':30s} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>4}")
    for name, r in t["intents"].items():
        out.append(
            f"  {name:30s} {r['precision']:6.2f} {r['recall']:6.2f} {r['f1']:6.2f} "
            f"{r['support']:4d}"
        )
    if t["predicted_outside_gold"]:
        out.append(f"  predicted outside the test intents: {t['predicted_outside_gold']}")
    for m in t["misses"]:
        out.append(f"  MISS {m['gold']} → {m['predicted']}: {m['text']!r}")
    out.append(
        f"Red-flag table through model + guard: {rf['rows']} rows; recall on "
        f"{rf['urgent_rows']} emergency/suicide rows {_pct(rf['recall'])}; false alarms on "
        f"{rf['none_rows']} other rows {len(rf['false_alarms'])} ({_pct(rf['false_alarm_rate'])})"
    )
    for m in rf["missed"]:
        out.append(f"  MISSED ({m['expect']}) → {m['intent']}: {m['text']!r}")
    for m in rf["false_alarms"]:
        out.append(f"  FALSE ALARM → {m['intent']}: {m['text']!r}")
    cv = data.get("cross_validation")
    if cv and "error" not in cv:
        s = cv["summary"].get("test", {})
        macro = f"{cv['macro']['f1']:.3f}" if cv.get("macro") else "–"
        out.append(
            f"Cross-validation ({cv['folds']} folds, {cv['seconds']:.0f} s): test accuracy "
            f"{_mean_std(s.get('Accuracy'))}, F1 {_mean_std(s.get('F1-score'))}, precision "
            f"{_mean_std(s.get('Precision'))}; pooled folds: accuracy {_pct(cv['accuracy'])}, "
            f"macro F1 {macro}"
        )
        weakest = sorted(cv["intents"].items(), key=lambda kv: kv[1]["f1"])[:8]
        for name, r in weakest:
            out.append(
                f"  weakest: {name:28s} P {r['precision']:.2f} R {r['recall']:.2f} "
                f"F1 {r['f1']:.2f} n {r['support']}"
            )
    elif cv:
        out.append(f"Cross-validation failed: {cv['error']}")
    return "\n".join(out)


def _mean_std(v: Optional[List[float]]) -> str:
    return "–" if not v else f"{v[0]:.3f} ± {v[1]:.3f}"


def render_markdown(data: Dict[str, Any]) -> str:
    t, rf = data["test_set"], data["red_flags"]
    L = [START, "## NLU quality", ""]
    a = L.append
    a(
        f"`python -m bench.nlu_report` on {data['date']} UTC with `{data['model']}` "
        "(Agent.load + parse_message: the whole pipeline, red-flag guard included)."
    )
    a("")
    a(
        f"### Held-out test set (tests/nlu/test_nlu.yml): {t['n']} examples, "
        f"{len(t['intents'])} intents"
    )
    a("")
    a(
        f"Accuracy **{_pct(t['accuracy'])}**; macro P/R/F1 {t['macro']['precision']:.3f} / "
        f"{t['macro']['recall']:.3f} / {t['macro']['f1']:.3f}; weighted F1 "
        f"{t['weighted']['f1']:.3f}. Mean parse time {t['parse_ms_mean']} ms."
    )
    a("")
    cv = data.get("cross_validation") or {}
    cvi = cv.get("intents", {})
    a("| intent | precision | recall | F1 | n | CV F1 (3 folds) |")
    a("|---|---|---|---|---|---|")
    for name, r in t["intents"].items():
        cvf = f"{cvi[name]['f1']:.2f}" if name in cvi else "–"
        a(
            f"| {name} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | "
            f"{r['support']} | {cvf} |"
        )
    a("")
    if t["predicted_outside_gold"]:
        a(f"Predicted outside the test intents: {t['predicted_outside_gold']}.")
        a("")
    if t["misses"]:
        a(
            "Misses: "
            + "; ".join(f"«{m['text']}» {m['gold']} → {m['predicted']}" for m in t["misses"])
            + "."
        )
        a("")
    a("### Cross-validation")
    a("")
    if cv and "error" not in cv:
        s = cv["summary"]
        a(f"`{cv['command']}` ({cv['seconds']:.0f} s, trains {cv['folds']} models).")
        a("")
        a("| split | accuracy | F1 | precision |")
        a("|---|---|---|---|")
        for split in ("train", "test"):
            m = s.get(split, {})
            a(
                f"| {split} (mean ± std over folds) | {_mean_std(m.get('Accuracy'))} | "
                f"{_mean_std(m.get('F1-score'))} | {_mean_std(m.get('Precision'))} |"
            )
        if cv.get("macro"):
            a(
                f"| test, pooled folds | {_pct(cv['accuracy'])} | macro {cv['macro']['f1']:.3f}, "
                f"weighted {cv['weighted']['f1']:.3f} | macro {cv['macro']['precision']:.3f} |"
            )
        a("")
        cv_acc = (s.get("test", {}).get("Accuracy") or [None])[0]
        if cv_acc is not None and t["accuracy"] - cv_acc > 0.10:
            a(
                f"Note: cross-validation accuracy ({cv_acc:.1%}) is far below the held-out "
                f"test set ({t['accuracy']:.1%}). Each fold trains on 2/3 of the data, which "
                "costs some accuracy, but a gap this large says the held-out set is closer to "
                "the training examples than new users' phrasings are (e.g. because data were "
                "added until the test set passed): read the held-out figure as optimistic."
            )
            a("")
        weakest = sorted(cvi.items(), key=lambda kv: kv[1]["f1"])[:8]
        if weakest:
            a(
                "Weakest intents in cross-validation: "
                + ", ".join(f"{n} (F1 {r['f1']:.2f}, n {r['support']})" for n, r in weakest)
                + "."
            )
            a("")
    elif cv:
        a(f"Failed: {cv['error'][:300]}")
        a("")
    else:
        a("Not run this time (`--no-cv`).")
        a("")
    a("### Red flags through model + guard (tests/data/red_flag_cases.yml)")
    a("")
    a("| rows | expect | result |")
    a("|---|---|---|")
    a(
        f"| {rf['urgent_rows']} | emergency / suicide | recall **{_pct(rf['recall'])}** "
        f"({len(rf['missed'])} missed) |"
    )
    a(
        f"| {rf['none_rows']} | none (near misses, questions, history …) | false alarms "
        f"**{len(rf['false_alarms'])}** ({_pct(rf['false_alarm_rate'])}) |"
    )
    a("")
    for m in rf["missed"]:
        a(f"- MISSED ({m['expect']}) → {m['intent']}: «{m['text']}»")
    for m in rf["false_alarms"]:
        a(f"- false alarm → {m['intent']}: «{m['text']}» ({m['kind']})")
    if rf["missed"] or rf["false_alarms"]:
        a("")
    a(END)
    return "\n".join(L)


def write_doc(md: str) -> None:
    if DOC.exists():
        text = DOC.read_text("utf-8")
        if START in text and END in text:
            head, _, rest = text.partition(START)
            _, _, tail = rest.partition(END)
            DOC.write_text(head + md + tail, encoding="utf-8")
            return
        DOC.write_text(text.rstrip() + "\n\n" + md + "\n", encoding="utf-8")
    else:
        DOC.write_text("# Benchmarks\n\n" + md + "\n", encoding="utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Veivis NLU quality report")
    ap.add_argument("--no-cv", action="store_true", help="skip the 3-fold cross-validation")
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    ap.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = ap.parse_args(argv)
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make train`", file=sys.stderr)
        return 2
    data = run(cv=not args.no_cv)
    print(render_text(data))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    if not args.no_doc:
        write_doc(render_markdown(data))
        print(f"Wrote the NLU section of {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())

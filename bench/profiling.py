"""A py-spy profile of Veivis' Rasa process under load: where a message's time goes.

py-spy (in the venv, deliberately not in requirements) samples the process at 100 Hz
while bench.loadgen plays the conversations; each sample is attributed to the NLU
component, policy, tracker store, NLG … it is in (COMPONENTS, then INFRA).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import List, Tuple, Union

from bench import conversations as convs
from bench import loadgen
from bench.results import Load, Profile, ProfilePart, ProfileSkipped
from bench.servers import Running
from veivis.serve import ROOT

PY_SPY = Path(sys.executable).parent / "py-spy"

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


def analyse_profile(raw: Path, duration_s: float, messages: int) -> Profile:
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
    parts = [
        ProfilePart(
            part=name,
            share=round(n / busy, 3) if busy else 0,
            # the main thread's wall time is busy_share of the profile; per message:
            ms_per_msg=round(n / total * ms_per_msg, 2) if total else 0,
        )
        for name, n in counts.most_common()
    ]
    return Profile(
        samples=total,
        busy_share=round(busy / total, 3) if total else 0,
        messages=messages,
        wall_ms_per_msg=round(ms_per_msg, 2),
        parts=parts,
    )


def profile_veivis(
    run: Running, users: int, seconds: float, out_dir: Path
) -> Union[Profile, ProfileSkipped]:
    if not PY_SPY.exists():
        return ProfileSkipped(
            f"py-spy not installed ({PY_SPY}); `pip install py-spy` into the venv"
        )
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
        return ProfileSkipped("py-spy wrote nothing: " + spy.stderr.read().decode()[-300:])
    summary = res.summary()
    # samples cover `seconds`; messages were sent in seconds - 2 (+ tail): scale to rate
    prof = analyse_profile(raw, res.elapsed_s, summary["ok"])  # type: ignore[arg-type]
    prof.users, prof.raw = users, str(raw.relative_to(ROOT))
    prof.load = Load(**summary)  # type: ignore[arg-type]
    return prof

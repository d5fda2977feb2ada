"""What the benchmark measures, as dataclasses, and where it goes.

bench.run fills a BenchResults; its JSON (results/bench/<stamp>.json) is
`dataclasses.asdict` of it (to_json), and bench.report renders docs/benchmarks.md from
that JSON form, so a saved file renders the same way (`--render-only`). A field whose
name ends in «_» (pass_) is written without it. Also: the machine, a new run's folders
(start_run, used by bench.soak and bench.hostile), and log().
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from bench.processes import loadavg, meminfo_kb
from veivis.serve import ROOT

RESULTS = ROOT / "results" / "bench"


def log(msg: str = "") -> None:
    print(msg, flush=True)


@dataclass
class Machine:
    cpu: str
    cores: Optional[int]
    ram_gb: float
    kernel: str
    python: str
    rasa: str
    git_commit: str


def machine() -> Machine:
    with open("/proc/cpuinfo") as f:
        names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    import rasa

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return Machine(
        cpu=names[0] if names else "?",
        cores=os.cpu_count(),
        ram_gb=round(meminfo_kb("MemTotal") / 2**20, 1),
        kernel=platform.release(),
        python=platform.python_version(),
        rasa=rasa.__version__,
        git_commit=commit,
    )


@dataclass
class ModelCheck:
    """Whether bench.training.ensure_model had to run `make train`."""

    retrained: bool
    make_train_s: Optional[float] = None


@dataclass
class Training:
    seconds: Optional[float]
    how: str


@dataclass
class Trainings:
    veivis: Training
    stock: Training


@dataclass
class Startup:
    """Seconds from process start until the REST health route answers, until the first
    message gets a reply (what a user sees), and until the action server answers."""

    health_s: float
    first_reply_s: float
    actions_s: Optional[float] = None


@dataclass
class Memory:
    rasa_peak_rss_mb: float
    rasa_vmhwm_mb: float
    actions_peak_rss_mb: float
    actions_vmhwm_mb: float


@dataclass
class Load:
    """bench.loadgen's LevelResult.summary(), key for key."""

    users: int
    elapsed_s: float
    messages: int
    conversations: int
    ok: int
    msgs_per_s: float
    p50_ms: Optional[float]
    p95_ms: Optional[float]
    p99_ms: Optional[float]
    mean_ms: Optional[float]
    p50_text_ms: Optional[float]
    p50_payload_ms: Optional[float]
    text_share: Optional[float]
    errors: int
    error_kinds: Dict[str, int]
    wrong: int
    wrong_kinds: Dict[str, int]
    error_turns: Dict[str, int]


@dataclass
class Level(Load):
    """One load level: the load, and the Rasa process's CPU and the servers' RSS in it."""

    rasa_cpu_ms_per_msg: float = 0.0
    rasa_cpu_share: float = 0.0
    rasa_rss_peak_mb: float = 0.0
    rasa_rss_end_mb: float = 0.0
    actions_rss_peak_mb: float = 0.0


@dataclass
class BotRun:
    name: str
    startup: Startup
    levels: List[Level]
    memory: Memory


@dataclass
class Ratio:
    """Veivis ÷ stock at one load level."""

    users: int
    p50: Optional[float]
    p95: Optional[float]
    p99: Optional[float]
    throughput: Optional[float]


@dataclass
class Target:
    target: str
    value: Optional[float]
    goal: str
    pass_: bool
    detail: str


@dataclass
class ProfilePart:
    part: str
    share: float
    ms_per_msg: float


@dataclass
class Profile:
    samples: int
    busy_share: float
    messages: int
    wall_ms_per_msg: float
    parts: List[ProfilePart]
    users: Optional[int] = None
    load: Optional[Load] = None
    raw: Optional[str] = None


@dataclass
class ProfileSkipped:
    skipped: str


@dataclass
class GrowthRow:
    """One size of the tracker store: its pre-fill (none for 0), startup, the three phases
    (new conversations at 1 user, existing ones at 1 and 10), memory, the DB's size after."""

    conversations: int
    events: int
    db_mb: Optional[float]
    fill_s: Optional[float]
    startup: Startup
    new_1: Load
    existing_1: Load
    existing_10: Load
    rasa_peak_rss_mb: float
    rasa_vmhwm_mb: float
    actions_peak_rss_mb: float
    actions_vmhwm_mb: float
    db_mb_after: float


@dataclass
class BenchResults:
    stamp: str
    date: str
    command: str
    machine: Machine
    loadavg_start: str
    duration_s: float
    growth_s: float
    model: Optional[ModelCheck] = None
    training: Optional[Trainings] = None
    profile: Optional[Union[Profile, ProfileSkipped]] = None
    frozen_actions: Optional[List[Dict[str, Any]]] = None  # bench.frozen_actions.measure
    veivis: Optional[BotRun] = None
    stock: Optional[BotRun] = None
    ratios: List[Ratio] = field(default_factory=list)
    growth: Optional[List[GrowthRow]] = None
    nlu: Optional[Dict[str, Any]] = None  # bench.nlu_report's JSON
    targets: List[Target] = field(default_factory=list)
    loadavg_end: Optional[str] = None
    wall_s: Optional[float] = None


def _json_fields(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    return {name[:-1] if name.endswith("_") else name: value for name, value in pairs}


def to_json(result: Any) -> Dict[str, Any]:
    """The JSON form of a result dataclass (what is saved, and what bench.report reads)."""
    return dataclasses.asdict(result, dict_factory=_json_fields)


def write_json(path: Path, data: Dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


def now_stamp() -> Tuple[str, str]:
    """(stamp for file names, date for reports), UTC."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y-%m-%d %H:%M")


def start_run(kind: str, **params: object) -> Tuple[str, Path, Path, Dict[str, object]]:
    """A new run of the benchmark `kind` (soak, hostile): its stamp, its results folder, a
    scratch folder, and the head of its results (date, machine, load, `params`)."""
    stamp, date = now_stamp()
    out_dir = RESULTS / f"{kind}-{stamp}"
    out_dir.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"veivis-{kind}-"))
    res: Dict[str, object] = {
        "date": date,
        "machine": to_json(machine()),
        "loadavg_start": loadavg(),
        **params,
    }
    return stamp, out_dir, tmp, res

"""One math thread per library in a served process, set before numpy is imported.

A served message does a few small matrix products: one thread each is enough, and the extra
OpenBLAS/OpenMP/TensorFlow threads only spin and take CPU from the action server on a small
machine (measured 2026-12-03, 1 user, 2 cores: p50 26-27 → 21-23 ms, Rasa CPU 25-26 → 21-22
ms/msg). An operator's own setting wins. Training keeps the libraries' defaults.
"""

from typing import MutableMapping, Sequence

SERVING_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")  # fmt: skip


def limit_math_threads(argv: Sequence[str], environ: MutableMapping[str, str]) -> None:
    """One math thread per library when serving (`rasa run`, also `run actions`)."""
    if list(argv[1:2]) == ["run"]:
        for name in SERVING_THREADS:
            environ.setdefault(name, "1")

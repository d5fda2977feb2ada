"""Memory of a server while it runs: peak VmRSS of it and its children, and its VmHWM."""

from __future__ import annotations

import threading

from bench.processes import descendants, status_kb


def mb(kb: float) -> float:
    return round(kb / 1024, 1)


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
            kb = sum(status_kb(p, "VmRSS") for p in descendants(self.pid))
            if kb:
                self.last_kb = kb
                self.peak_kb = max(self.peak_kb, kb)
                self.window_peak_kb = max(self.window_peak_kb, kb)
            self._stop_event.wait(self.interval)

    def new_window(self) -> None:
        self.window_peak_kb = self.last_kb

    def hwm_mb(self) -> float:
        return mb(status_kb(self.pid, "VmHWM"))

    def stop(self) -> None:
        self._stop_event.set()

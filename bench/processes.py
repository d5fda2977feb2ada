"""Processes and ports: what the benchmarks and the tests read of the servers they start.

A free loopback port; VmRSS/VmHWM and CPU seconds of a process from /proc; the machine's
memory and load average; a process and everything below it (veivis.serve.descendants);
stopping a server cleanly (veivis.serve.stop_process). Linux only, as the servers are.
"""

from __future__ import annotations

import os
import socket

from veivis.serve import descendants, stop_process

__all__ = [
    "cpu_seconds",
    "descendants",
    "free_port",
    "loadavg",
    "meminfo_kb",
    "status_kb",
    "stop_process",
]


def free_port() -> int:
    """A port no socket on any address uses now. Bound on 0.0.0.0, as Rasa and the action
    server bind: a port free on 127.0.0.1 alone may still be held on another loopback
    address (the load generator's clients send from many), and the server then fails with
    «address already in use» (make bench, growth step, 2026-12-02)."""
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def status_kb(pid: int, key: str) -> int:
    """A kB line of /proc/<pid>/status (VmRSS, VmHWM …); 0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its own threads; Rasa starts no children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def meminfo_kb(key: str) -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def loadavg() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"

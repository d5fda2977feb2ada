"""`make run`'s launcher (veivis/serve.py): prints the URL, stops both servers on a signal."""

import os
import signal
import subprocess
import sys
import time

from bench.processes import free_port
from tests.conftest import ROOT


def children_alive(ports):
    out = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout
    return [
        line
        for line in out.splitlines()
        if "rasa_cli run" in line and any(p in line for p in ports)
    ]


def test_launcher_prints_the_url_and_a_second_signal_does_not_orphan_a_server(tmp_path):
    rasa_port, action_port = str(free_port()), str(free_port())
    env = dict(os.environ, VEIVIS_RASA_PORT=rasa_port, VEIVIS_ACTION_PORT=action_port,
               VEIVIS_TRACKER_DB=str(tmp_path / "t.db"),
               VEIVIS_LOG_DIR=str(tmp_path / "log"))  # fmt: skip
    env.pop("VEIVIS_SHOW_DEPRECATIONS", None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "veivis.serve"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        printed = []
        for line in launcher.stdout:  # waits for the launcher's own readiness lines
            printed.append(line)
            if "klar etter" in line:
                assert f"http://localhost:{rasa_port}/" in line
            if "Stopp med Ctrl-C" in line:
                break
        # What a person needs, and not the servers' output (that is in the log files)
        said = "".join(printed)
        assert f'<script src="http://localhost:{rasa_port}/embed.js" defer></script>' in said
        assert f"Logger:      {tmp_path / 'log' / 'rasa.log'}" in said
        assert len(printed) < 15, said
        logs = (tmp_path / "log" / "rasa.log").read_text() + (
            tmp_path / "log" / "actions.log"
        ).read_text()
        assert "Rasa server is up and running" in logs
        assert "DeprecationWarning" not in logs and "deprecated" not in logs.lower(), logs[:2000]
        assert len(children_alive([rasa_port, action_port])) == 2
        launcher.send_signal(signal.SIGTERM)
        launcher.send_signal(signal.SIGTERM)  # impatient user: the shutdown must still finish
        launcher.wait(timeout=60)
        deadline = time.monotonic() + 30
        while children_alive([rasa_port, action_port]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert children_alive([rasa_port, action_port]) == []
    finally:
        if launcher.poll() is None:
            launcher.kill()

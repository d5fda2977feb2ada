"""nginx with deploy/scaleout/nginx.conf.template, every file of it in one folder.

Used by bench.hostile (nginx in front of one instance) and tests/scaleout (in front of
two). Writes the configuration and gives the command line; the caller starts and stops
the process (SIGQUIT: graceful).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Dict, List, Optional

from veivis.serve import ROOT

TEMPLATE = ROOT / "deploy" / "scaleout" / "nginx.conf.template"
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def binary() -> Optional[str]:
    """The nginx executable (Debian puts it in /usr/sbin), or None when not installed."""
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def render(template: Path, values: Dict[str, str]) -> str:
    """Fill ${VEIVIS_…} like `envsubst '${VEIVIS_…}'`: nginx's own $variables stay."""
    text = re.sub(r"\$\{(VEIVIS_[A-Z0-9_]+)\}", lambda m: values[m.group(1)], template.read_text())
    assert not re.search(r"^[^#]*\$\{", text, re.M), "a placeholder was left in the template"
    return text


def configure(
    where: Path,
    listen: str,
    rasa_a: str,
    rasa_b: str,
    access_log: str,
    worker_connections: int = 512,
) -> List[str]:
    """Write where/nginx.conf (the template as where/veivis.conf, temp folders in
    where/temp) and return nginx's arguments to run it in the foreground."""
    (where / "temp").mkdir(parents=True)
    site = render(
        TEMPLATE,
        {
            "VEIVIS_NGINX_LISTEN": listen,
            "VEIVIS_RASA_A": rasa_a,
            "VEIVIS_RASA_B": rasa_b,
            "VEIVIS_NGINX_ACCESS_LOG": access_log,
        },
    )
    (where / "veivis.conf").write_text(site)
    temp = "\n".join(f"    {kind}_temp_path {where / 'temp' / kind};" for kind in TEMP_KINDS)
    (where / "nginx.conf").write_text(
        f"worker_processes 1;\npid {where / 'nginx.pid'};\n"
        f"error_log {where / 'error.log'} warn;\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
        f"http {{\n{temp}\n    include {where / 'veivis.conf'};\n}}\n"
    )
    return ["-p", f"{where}/", "-c", str(where / "nginx.conf"), "-e",
            str(where / "error.log"), "-g", "daemon off;"]  # fmt: skip

"""The `rasa` command without error reports to Sentry.

Rasa 3.6 sends uncaught exceptions to Sentry with a key bundled in the package, even
when telemetry is disabled (rasa/__main__.py calls initialize_error_reporting()
unconditionally). Veivis must not send anything off the machine, so every Rasa
command in this project runs through this module: python -m veivis.rasa_cli …
"""

import os
import sys

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

import rasa.telemetry  # noqa: E402

rasa.telemetry.initialize_error_reporting = lambda: None

from rasa.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

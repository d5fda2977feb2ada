"""The `rasa` command with Veivis' patches (veivis/rasa_patches.py) applied first.

Every Rasa command in this project runs through this module: python -m veivis.rasa_cli …
(no error reports to Sentry; a faster check of action server replies).
"""

import os
import sys

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from veivis import rasa_patches  # noqa: E402

rasa_patches.apply_all()

from rasa.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

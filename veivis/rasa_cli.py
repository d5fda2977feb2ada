"""The `rasa` command with Veivis' patches (veivis/rasa_patches.py) applied first.

Every Rasa command in this project runs through this module: python -m veivis.rasa_cli …
(no error reports to Sentry; a faster check of action server replies). It first checks that
the installed Rasa is the one the patches and overrides were written for
(veivis/rasa_internals.py) and stops with a clear message if not.
"""

import os
import sys
import warnings

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from veivis.math_threads import limit_math_threads  # noqa: E402  (before numpy)

limit_math_threads(sys.argv, os.environ)


def _quiet_deprecations() -> None:
    """Drop libraries' deprecation notices (pkg_resources, SQLAlchemy 2.0, pyparsing,
    distutils …): hundreds of lines per start, nothing a person running Veivis can act
    on. Filters alone do not hold — imported libraries put «once» filters for
    DeprecationWarning and UserWarning in front of ours — so they are dropped where
    warnings are shown. Every other warning is still shown. VEIVIS_SHOW_DEPRECATIONS=1
    keeps them (when upgrading a library)."""
    if os.environ.get("VEIVIS_SHOW_DEPRECATIONS"):
        return
    show = warnings.showwarning

    def showwarning(message, category, *args, **kwargs):
        if not issubclass(category, (DeprecationWarning, PendingDeprecationWarning)):
            show(message, category, *args, **kwargs)

    warnings.showwarning = showwarning


_quiet_deprecations()

from veivis import rasa_internals, rasa_patches  # noqa: E402

rasa_internals.guard()
rasa_patches.apply_all()

from rasa.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

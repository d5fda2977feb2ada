#!/usr/bin/env bash
# Scale-out test: two Rasa instances behind nginx, sharing a PostgreSQL tracker store and a
# Redis lock store, with one action server (deploy/scaleout/). Needs the Debian packages of
# `make deps`; runs tests/scaleout/ — everything on loopback, all data in a temporary
# folder that is removed afterwards (logs are copied to test-artifacts/scaleout/).
# Exit code = result. Called by .ci/run after `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(for pkg in postgresql redis-server nginx; do dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"; done)
[ -z "$missing" ] || { echo "Missing Debian packages:" $missing "— run: make deps" >&2; exit 1; }

[ -x .venv/bin/python ] || make --no-print-directory setup
[ -f models/veivis.tar.gz ] || make --no-print-directory train
t0=$(date +%s)

export VEIVIS_SCALEOUT=1 RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
export SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p test-artifacts
# The `scaleout` marker is not in pyproject.toml's list: no warning for it here.
status=0
# Ctrl-C or SIGTERM reaching pytest runs its teardown, which stops every server it started.
.venv/bin/python -m pytest -q -rs -p no:cacheprovider \
  -W ignore::pytest.PytestUnknownMarkWarning tests/scaleout "$@" || status=$?

t_end=$(date +%s)
echo "Scale-out test: exit $status; start + tests $((t_end - t0)) s."
exit "$status"

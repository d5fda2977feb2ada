#!/usr/bin/env bash
# Everything CI checks, in order; stops at the first failure. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export VEIVIS_ACTION_PORT=${VEIVIS_ACTION_PORT:-5055}
export VEIVIS_TRACKER_DB=${VEIVIS_TRACKER_DB:-var/veivis.db}
RASA=(.venv/bin/python -m veivis.rasa_cli)
step() { printf '\n=== %s ===\n' "$*"; }
t0=$(date +%s)

step "Debian packages the browser tests need"
scripts/ensure-debian-packages.sh chromium

step "npm: axe-core for the accessibility test"
make --no-print-directory widget-deps

step "ruff: lint and format"
make --no-print-directory lint

step "node --test: the widget's pure modules (tests/widget)"
node --test tests/widget/*.test.mjs

step "spaCy pipeline"
make --no-print-directory nlp

step "danger classifier"
make --no-print-directory danger

step "rasa data validate --fail-on-warnings"
make --no-print-directory validate

step "rasa train (skipped when nothing changed)"
make --no-print-directory train

step "rasa test: dialogue paths (tests/test_stories.yml)"
"${RASA[@]}" test core --model models/veivis.tar.gz --stories tests/test_stories.yml \
  --endpoints endpoints.yml --fail-on-prediction-errors --out results/core --quiet

mkdir -p test-artifacts
step "pytest: unit tests"
.venv/bin/python -m pytest -q -rs tests/unit "$@"

step "pytest: trained model — NLU accuracy and red-flag table (figures printed)"
.venv/bin/python -m pytest -q -rs -s tests/model "$@"

step "pytest: both servers over REST, and the widget in Chromium"
.venv/bin/python -m pytest -q -rs tests/server tests/browser "$@"

echo
echo "All tests passed in $(( $(date +%s) - t0 )) s."

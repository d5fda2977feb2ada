#!/usr/bin/env bash
# The test suites, in order; stops at the first failure. Called by `make test`, which
# first lints and builds what they need (spaCy pipeline, danger classifier, model).
set -euo pipefail
cd "$(dirname "$0")/.."
export VEIVIS_ACTION_PORT=${VEIVIS_ACTION_PORT:-5055}
export VEIVIS_TRACKER_DB=${VEIVIS_TRACKER_DB:-var/veivis.db}
RASA=(.venv/bin/python -m veivis.rasa_cli)
step() { printf '\n=== %s ===\n' "$*"; }
t0=$(date +%s)

step "node --test: the widget's pure modules (tests/widget)"
node --test tests/widget/*.test.mjs

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

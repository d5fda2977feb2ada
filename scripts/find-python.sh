#!/usr/bin/env bash
# Prints the path of a Python 3.8–3.10 interpreter (Rasa 3.6 supports only these).
# Order: $PYTHON if set, python3.10/3.9/3.8 on PATH, then pyenv installs.
# Never falls back to the default python3, which is 3.11 on these machines.
set -euo pipefail

supported() {
  "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null
}

if [ -n "${PYTHON:-}" ]; then
  if supported "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a Python 3.8–3.10 interpreter (Rasa 3.6 needs one)." >&2
  exit 1
fi

candidates=()
for v in 3.10 3.9 3.8; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
done
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for v in 3.10 3.9 3.8; do
  for p in "$pyenv_root"/versions/"$v".*/bin/python; do
    [ -x "$p" ] && candidates+=("$p")
  done
done

for p in "${candidates[@]}"; do
  if supported "$p"; then echo "$p"; exit 0; fi
done

cat >&2 <<'MSG'
No Python 3.8–3.10 found. Rasa 3.6 does not run on 3.11+.
Install one, e.g.:  pyenv install 3.10.13   (or: apt install python3.10)
or point to one:    make run PYTHON=/path/to/python3.10
MSG
exit 1

#!/usr/bin/env bash
# Installs what the app needs into .venv and node_modules; quick when nothing changed.
# Usage: scripts/bootstrap.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
reqs=requirements.txt
[ "${1:-}" = dev ] && reqs=requirements-dev.txt
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.installed-$(cat requirements.txt "$reqs" | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages from $reqs ..."
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$reqs"
  touch "$stamp"
fi
if ! command -v npm >/dev/null; then
  echo "npm is needed for the front-end assets (Bootstrap, Chart.js): install Node.js and npm." >&2
  exit 1
fi
mkdir -p var/staticfiles
lockstamp=node_modules/.installed-$(sha1sum package-lock.json | cut -c1-12)
if [ ! -f "$lockstamp" ]; then
  echo "Installing front-end packages (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lockstamp"
fi

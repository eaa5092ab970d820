#!/usr/bin/env bash
# Install LayerLab in a local virtual environment and serve it on http://127.0.0.1:5000
# (override with HOST=0.0.0.0 PORT=8000 ./run.sh; WORKERS and THREADS too). Data lives in instance/ (SQLite).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

# one waitress process per core (WORKERS overrides), THREADS threads each; see serve.py (it also keeps
# X-Forwarded-* for the app, which decides whom to trust: LAYERLAB_TRUST_PROXY)
export HOST PORT
exec .venv/bin/python serve.py

#!/usr/bin/env bash
# Install LayerLab in a local virtual environment and serve it on http://127.0.0.1:5000
# (override with HOST=0.0.0.0 PORT=8000 ./run.sh). Data lives in instance/ (SQLite).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

echo "LayerLab on http://$HOST:$PORT  (Ctrl+C stops it)"
# every learner keeps a connection open: waitress allows only 100 by default.
# waitress would drop X-Forwarded-* itself; the app decides whom to trust (LAYERLAB_TRUST_PROXY).
exec .venv/bin/waitress-serve --listen="$HOST:$PORT" --threads="${THREADS:-8}" --connection-limit=1000 \
    --no-clear-untrusted-proxy-headers --call app:create_app

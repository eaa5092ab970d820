#!/usr/bin/env bash
# Install everything the tests need (Debian's chromium, CJK fonts, redis-server, podman and nginx, a virtual
# environment with the pinned requirements) and run the whole suite: engine, web, security, browser.
# No service is started here: the Redis and nginx tests run their own on free loopback ports.
# Extra arguments go to pytest, e.g. ./test.sh tests/web -x
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@";
    elif command -v sudo >/dev/null 2>&1; then sudo "$@";
    else echo "test.sh: need root (or sudo) to run: $*" >&2; return 1; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The Redis store's tests start their own redis-server; the archive tests compare with podman.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v podman >/dev/null 2>&1 || missing+=(podman)
# The front-door tests start their own nginx (README's configuration) in front of ./run.sh.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
"$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]} from Debian"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

# Playwright drives Debian's /usr/bin/chromium (tests/e2e/conftest.py); it never downloads a browser.
exec .venv/bin/python -m pytest "${@:-tests}"

"""HEALTHCHECK: the instruction's config and the health a running container reports.

The daemon probes every Interval after the start (moby daemon/health.go): a probe that exits 0 makes
the container `healthy`; Retries failures in a row make it `unhealthy`; before the first answer it is
`starting`. LayerLab computes the probes for the virtual time that has passed, running the test
command on a copy of the container's read-write layer (a probe changes nothing LayerLab shows).
"""
from __future__ import annotations

import json
import re

from engine.errors import DockerfileError

DEFAULT_INTERVAL = 30 * 10**9  # moby daemon/health.go defaultProbeInterval
DEFAULT_RETRIES = 3  # defaultProbeRetries
_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_FLAGS = {"interval": "Interval", "timeout": "Timeout", "start-period": "StartPeriod",
          "start-interval": "StartInterval", "retries": "Retries"}


def parse_duration(text: str) -> int:
    """Go's time.ParseDuration for the forms a Dockerfile uses: 30s, 1m30s, 500ms."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise DockerfileError(f'time: invalid duration "{text}"')
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


def go_duration(ns: int) -> str:
    """time.Duration.String for whole milliseconds and up: 5s, 1m30s, 0s."""
    if ns == 0:
        return "0s"
    if ns < 10**9:
        return f"{ns // 10**6}ms"
    hours, rest = divmod(ns, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    seconds = f"{rest / 10**9:g}s"
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + seconds


def healthcheck_config(body: str) -> dict:
    """HEALTHCHECK [--interval=…] CMD … | NONE -> the config's Healthcheck (zero durations omitted,
    as `json:",omitempty"` does in the image spec's HealthcheckConfig)."""
    flags = {}
    while body.startswith("--"):
        word, _, body = body.partition(" ")
        name, _, value = word[2:].partition("=")
        if name not in _FLAGS:
            raise DockerfileError(f"Unknown flag: {name}")
        flags[_FLAGS[name]] = int(value) if name == "retries" else parse_duration(value)
        body = body.strip()
    keyword, _, rest = body.partition(" ")
    if keyword.upper() == "NONE":
        return {"Test": ["NONE"]}
    if keyword.upper() != "CMD" or not rest.strip():
        raise DockerfileError("Unknown type \"" + keyword + "\" in HEALTHCHECK (try CMD)")
    rest = rest.strip()
    if rest.startswith("["):
        test = ["CMD"] + json.loads(rest)
    else:
        test = ["CMD-SHELL", rest]
    return {"Test": test, **{k: flags[k] for k in ("Interval", "Timeout", "StartPeriod", "StartInterval", "Retries")
                             if flags.get(k)}}


def history_text(config: dict) -> str:
    """`HEALTHCHECK %q` of the *HealthConfig (dispatchers.go:471): &{["CMD-SHELL" "x"] "5s" … '\\x00'}."""
    test = "[" + " ".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in config["Test"]) + "]"
    durations = " ".join(f'"{go_duration(config.get(k, 0))}"'
                         for k in ("Interval", "Timeout", "StartPeriod", "StartInterval"))
    retries = config.get("Retries", 0)
    char = "'\\x00'" if retries == 0 else repr(chr(retries)) if 32 <= retries < 127 else f"'\\x{retries:02x}'"
    return f"HEALTHCHECK &{{{test} {durations} {char}}}"


def health_state(config: dict, started_at: int, now: int, probe) -> dict:
    """State.Health of a running container after the probes due by `now`. probe() -> (exit code,
    output) runs the test once (LayerLab's containers are deterministic: every probe answers alike)."""
    interval = config.get("Interval") or DEFAULT_INTERVAL
    retries = config.get("Retries") or DEFAULT_RETRIES
    due = max(0, (now - started_at) // interval)
    if due == 0:
        return {"Status": "starting", "FailingStreak": 0, "Log": []}
    code, output = probe()
    log = [{"Start": started_at + k * interval, "End": started_at + k * interval + 40_000_000,
            "ExitCode": code, "Output": output} for k in range(max(1, due - 4), due + 1)]  # the last 5
    if code == 0:
        return {"Status": "healthy", "FailingStreak": 0, "Log": log}
    return {"Status": "unhealthy" if due >= retries else "starting", "FailingStreak": due, "Log": log}

"""Starting scenarios: a sandbox's state before the learner's first command, as commands to replay."""
from __future__ import annotations

SCENARIOS = {
    "empty": "A fresh daemon: no images, no containers.",
    "article": "The article's starting point: alpine and nginx pulled, a running web server, "
               "a created container and an exited one.",
}

_SETUP = {
    "empty": [],
    "article": [
        "docker pull alpine",
        "docker pull nginx",
        "docker run -d --name web nginx",
        "docker create --name box alpine sh",
        "docker run --name hello alpine echo hello",
    ],
}

_HOST_FILES = {
    "article": {
        "Dockerfile": b'FROM alpine\nRUN echo "hello from a layer" > /greeting\nCMD ["cat", "/greeting"]\n',
    },
}


def setup_commands(name: str | None) -> list[str]:
    if name is None:
        return []
    if name not in _SETUP:
        raise ValueError(f"unknown scenario: {name}")
    return list(_SETUP[name])


def host_files(name: str | None) -> dict[str, bytes]:
    return dict(_HOST_FILES.get(name or "", {}))

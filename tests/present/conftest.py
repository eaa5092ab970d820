"""Daemon states for the presentation tests, built from the registry's real images by hand
(so these tests do not depend on the command implementations)."""
from __future__ import annotations

import copy

import pytest

from engine.daemon.model import Container, Daemon, Image, Process
from engine.layers.fs import Entry, Layer
from engine.registry import catalog as registry


class World:
    def __init__(self):
        self.daemon = Daemon(seed=7)

    def pull(self, repository: str, tag: str = "latest") -> Image:
        remote = registry.lookup(repository, tag)
        for layer in remote.layers:
            self.daemon.add_layer(layer)
        image = Image.from_config(copy.deepcopy(remote.config), repo_tags=[f"{repository}:{tag}"])
        self.daemon.images[image.id] = image
        return image

    def commit(self, base: Image, changes: dict[str, Entry], tag: str, created_by: str = "sh") -> Image:
        layer = Layer.from_changes(changes)
        self.daemon.add_layer(layer)
        config = copy.deepcopy(base.config)
        config["rootfs"]["diff_ids"].append(layer.diff_id)
        config["history"].append({"created": "2025-01-01T00:00:00Z", "created_by": created_by})
        image = Image.from_config(config, parent=base.id, repo_tags=[tag] if tag else [])
        self.daemon.images[image.id] = image
        return image

    def container(self, name: str, image: Image, state: str = "created", rw: dict | None = None,
                  processes: list[tuple[str, str]] = (), exit_code: int = 0, last_signal: str = "") -> Container:
        cid = self.daemon.ids.hex64("container")
        c = Container(id=cid, name=name, image_id=image.id, image_ref=image.repo_tags[0] if image.repo_tags else image.id,
                      diff_ids=image.diff_ids, created=1, path="sh", args=[], config={}, rw=dict(rw or {}))
        if state in ("running", "paused"):
            c.running, c.paused, c.started_at = True, state == "paused", 2
            c.pid = 1001
            c.processes = [Process(pid=1001, command="nginx: master process nginx -g daemon off;")]
            for i, (command, exec_id) in enumerate(processes):
                c.processes.append(Process(pid=1100 + i, command=command, exec_id=exec_id))
        elif state == "exited":
            c.started_at, c.finished_at, c.exit_code, c.last_signal = 2, 3, exit_code, last_signal
        elif state == "dead":
            c.started_at, c.dead = 2, True
        self.daemon.containers[cid] = c
        return c


@pytest.fixture
def world() -> World:
    return World()

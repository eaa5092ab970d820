"""The realistic classroom sandbox the benchmarks use, built only through commands a learner
could type: 10 images (7 pulled, 3 built), about 40 layers, 20 containers, about 2,000 files
in the containers' read-write layers.

    python bench/realistic.py        # builds it in the engine and prints its size
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine.sandbox import Sandbox  # noqa: E402

PULLS = ["alpine", "busybox", "ubuntu", "debian:bookworm-slim", "nginx", "python:3.12-slim", "hello-world"]
BUILDS = {"app1": "alpine", "app2": "busybox", "app3": "alpine"}
STEPS_PER_BUILD = 9
CONTAINERS = 20
FILES_PER_CONTAINER = 100


def dockerfile_commands(name: str, base: str) -> list[str]:
    """`echo … > file` / `>>` lines that write a Dockerfile with one RUN layer per step."""
    path = f"{name}.Dockerfile"
    lines = [f"echo FROM {base} > {path}"]
    for step in range(1, STEPS_PER_BUILD + 1):
        files = " ".join(f"/{name}/s{step}/f{i}" for i in range(1, 6))
        lines.append(f'echo "RUN mkdir -p /{name}/s{step} && touch {files}" >> {path}')
    lines.append(f'echo "CMD [\\"sleep\\", \\"100000\\"]" >> {path}')
    return lines


def container_commands(index: int) -> list[str]:
    """A container with FILES_PER_CONTAINER files in its R/W layer (running ones via exec)."""
    name = f"c{index:02d}"
    files = " ".join(f"/data/f{i:03d}" for i in range(1, FILES_PER_CONTAINER + 1))
    image = ["nginx", "alpine", "app1", "app2", "app3"][index % 5]
    if index % 4 == 3:  # an exited container, its files written by its own command
        return [f'docker run --name {name} alpine sh -c "mkdir /data && touch {files}"']
    run = f"docker run -d --name {name} {image}" + ("" if image in ("nginx",) or image.startswith("app")
                                                    else " sleep 100000")
    return [run, f"docker exec {name} mkdir /data", f"docker exec {name} touch {files}"]


def build_commands() -> list[str]:
    lines = [f"docker pull {ref}" for ref in PULLS]
    for name, base in BUILDS.items():
        lines += dockerfile_commands(name, base)
        lines.append(f"docker build -t {name} -f {name}.Dockerfile .")
    for index in range(CONTAINERS):
        lines += container_commands(index)
    return lines


# A realistic mix of what students type once the sandbox exists, by command group.
GROUPS = {
    "images": ["docker images", "docker image ls", "docker tag alpine mine:v{n}", "docker rmi mine:v{n}",
               "docker pull busybox"],
    "containers": ["docker run -d --name t{n} alpine sleep 1000", "docker stop -t 1 t{n}", "docker start t{n}",
                   "docker exec c00 touch /tmp/x{n}", "docker rm -f t{n}"],
    "build": ["docker build -t app1 -f app1.Dockerfile ."],
    "archives": ["docker save -o a{n}.tar alpine", "docker export -o c{n}.tar c03", "rm a{n}.tar c{n}.tar"],
    "inspect_ps": ["docker ps -a", "docker inspect c00", "docker image inspect nginx", "docker diff c01",
                   "docker history nginx", "docker logs c00", "docker top c00", "docker system df"],
}


def mix(n: int) -> list[str]:
    """A student's n-th command cycle: every group in turn, placeholders numbered by n."""
    out = []
    for lines in GROUPS.values():
        out += [line.format(n=n) for line in lines]
    return out


def realistic_sandbox(seed: int = 0) -> Sandbox:
    sandbox = Sandbox.create(seed=seed)
    for line in build_commands():
        result = sandbox.run(line)
        if result.exit_code:
            raise RuntimeError(f"{line!r} failed: {result.stderr}")
    return sandbox


def describe(sandbox: Sandbox) -> dict:
    d = sandbox.daemon
    return {"images": len(d.images), "layers": len({x for i in d.images.values() for x in i.diff_ids}),
            "containers": len(d.containers), "rw_entries": sum(len(c.rw) for c in d.containers.values()),
            "log": len(sandbox.log)}


if __name__ == "__main__":
    import time
    start = time.perf_counter()
    box = realistic_sandbox()
    print(describe(box), f"built in {time.perf_counter() - start:.2f} s")

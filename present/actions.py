"""The commands an object on the stage offers in its current state, as real command lines.

Container commands use the container's name (what a person would type), image commands the
first tag (or the short id of an untagged image). `fill_only` marks commands a learner will
want to edit before running (a new tag name, an exec command): they go to the prompt unsent.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str        # the verb on the button: "stop"
    command: str      # the full command line: "docker stop web"
    fill_only: bool = False
    primary: bool = False  # also drawn on the diagram itself (the most likely next step)


# state -> [(verb, primary)], in the order the article introduces them
CONTAINER_VERBS = {
    "created": [("start", True), ("rm", True), ("commit", False), ("inspect", False), ("diff", False)],
    "running": [("exec", True), ("pause", False), ("stop", True), ("kill", False), ("commit", False),
                ("diff", True), ("top", False), ("logs", False), ("inspect", False)],
    "paused": [("unpause", True), ("stop", True), ("kill", False), ("diff", False), ("inspect", False)],
    "restarting": [("stop", True), ("kill", False), ("inspect", False)],
    "exited": [("start", True), ("rm", True), ("commit", False), ("diff", True), ("logs", False),
               ("inspect", False), ("export", False)],
    "dead": [("rm", True), ("inspect", False)],
}

IMAGE_VERBS = [("run", True), ("create", True), ("history", True), ("inspect", False), ("tag", False),
               ("rmi", False), ("save", False)]


def _quote(word: str) -> str:
    return word if word and all(c.isalnum() or c in "-_.:/@" for c in word) else "'" + word.replace("'", "'\\''") + "'"


def _container_line(verb: str, name: str) -> tuple[str, bool]:
    n = _quote(name)
    if verb == "exec":
        return f"docker exec {n} touch /hello.txt", True
    if verb == "commit":
        return f"docker commit {n} {_quote(name.lower().replace('_', '-') + '-snapshot')}", False
    if verb == "export":
        return f"docker export -o {_quote(name + '.tar')} {n}", False
    return f"docker {verb} {n}", False


def container_actions(name: str, state: str) -> list[Action]:
    actions = []
    for verb, primary in CONTAINER_VERBS.get(state, []):
        line, fill_only = _container_line(verb, name)
        actions.append(Action(verb, line, fill_only, primary))
    return actions


def image_ref(tags: list[str], short_id: str) -> str:
    """How a person names the image: 'nginx' for nginx:latest, the tag otherwise, else the id."""
    if not tags:
        return short_id
    tag = tags[0]
    return tag[: -len(":latest")] if tag.endswith(":latest") else tag


def _image_line(verb: str, ref: str) -> tuple[str, bool]:
    r = _quote(ref)
    repo = ref.split(":")[0] if ":" in ref and "/" not in ref.split(":")[-1] else ref
    if verb == "run":
        return f"docker run -d {r}", False
    if verb == "tag":
        return f"docker tag {r} {_quote(repo + ':v2')}", True
    if verb == "save":
        return f"docker save -o {_quote(repo.replace('/', '-') + '.tar')} {r}", False
    if verb == "inspect":
        return f"docker image inspect {r}", False
    return f"docker {verb} {r}", False


def image_actions(tags: list[str], short_id: str) -> list[Action]:
    ref = image_ref(tags, short_id)
    actions = []
    for verb, primary in IMAGE_VERBS:
        line, fill_only = _image_line(verb, ref)
        actions.append(Action(verb, line, fill_only, primary))
    return actions

"""Lesson goals: a small declarative predicate language, written in TOML, evaluated on a World
(the sandbox as it is now, plus the Steps the learner's commands made: course.history).

A goal is a table. Combinators hold other goals:
    { all = [ ... ] }   { any = [ ... ] }   { not = { ... } }
A leaf names one subject and the facts it must have:
    { container = "web", state = "paused" }                  # also exit_code, image, absent
    { container = "web", rw_has = "/tmp/hello" }             # rw_whiteout, rw_lacks,
    { container = "web", process_matches = "sleep" }         # processes_at_least, signal
    { container = "deb", command_matches = "uname -r$" }     # the command it was created to run
    { container = "worker", ended_by = "container kill" }    # the command whose signal ended it
    { container = "web2", made_by = "container run" }        # the command that created it
    { container = "web", file = "/greeting", contains = "hi" }
    { image = "myapp:1", layers_at_least = 3 }               # layers, absent, has_parent,
    { image = "myapp:2", same_as = "myapp:1" }               # extends, history_matches
    { image = "myapp:2", tagged_by = "image build" }         # the command that set this tag last
    { image = "mynginx:1", file = "/index.html", contains = "hello" }
    { untagged_images_at_least = 1 }
    { host_file = "alpine.tar", tar_has = "manifest.json" }  # tar_lacks, absent
    { ran = "container diff", target = "web" }               # a command that SUCCEEDED, as the CLI
    { last_ran = "image ls", options = { all = true } }      #   parsed it (canonical path, options)
    { revealed = 0 }                                         # question 0 answered by experiment
Commands are canonical paths (`docker ps` is "container ls"), read from the engine's invocations,
never from the typed text. Parsing (`parse_goal`) checks every key and type up front, so a typo
in a lesson fails the test suite, not a learner. Evaluation only reads the world.
"""
from __future__ import annotations

import io
import re
import tarfile
from dataclasses import dataclass
from typing import Any

from engine.errors import DockerError
from engine.invocation import Invocation
from engine.sandbox import Sandbox

from .history import Step, names_of, option_is


class GoalError(ValueError):
    """A goal table that does not follow the language (unknown key, wrong type, bad regex)."""


# Facts each subject accepts, with the type of their value.
SUBJECT_FACTS: dict[str, dict[str, type | tuple]] = {
    "container": {"absent": bool, "state": str, "exit_code": int, "image": str, "rw_has": str,
                  "rw_whiteout": str, "rw_lacks": str, "processes_at_least": int,
                  "process_matches": str, "signal": str, "file": str, "contains": str,
                  "made_by": str, "ended_by": str, "command_matches": str},
    "image": {"absent": bool, "layers": int, "layers_at_least": int, "has_parent": bool,
              "same_as": str, "extends": str, "history_matches": str, "file": str, "contains": str,
              "tagged_by": str},
    "host_file": {"absent": bool, "tar_has": str, "tar_lacks": str},
    "untagged_images_at_least": {},
    "ran": {"target": str, "options": dict},
    "last_ran": {"target": str, "options": dict},
    "revealed": {},
}
SUBJECT_TYPES = {"container": str, "image": str, "host_file": str, "untagged_images_at_least": int,
                 "ran": str, "last_ran": str, "revealed": int}
REGEX_FACTS = {"process_matches", "history_matches", "command_matches"}
COMMAND_FACTS = {"ran", "last_ran", "made_by", "ended_by", "tagged_by"}
STATES = {"created", "running", "paused", "restarting", "exited", "dead"}


@dataclass(frozen=True)
class Goal:
    """A parsed goal: `kind` is all/any/not or a subject; `facts` are the leaf's other keys."""

    kind: str
    value: Any = None
    facts: tuple = ()          # ((key, value), ...) for leaves
    children: tuple = ()       # Goals for all/any/not


def parse_goal(table: Any, where: str = "goal") -> Goal:
    if not isinstance(table, dict) or not table:
        raise GoalError(f"{where}: a goal is a non-empty table, got {table!r}")
    for combinator in ("all", "any"):
        if combinator in table:
            _alone(table, combinator, where)
            items = table[combinator]
            if not isinstance(items, list) or not items:
                raise GoalError(f"{where}.{combinator}: a non-empty list of goals")
            return Goal(combinator, children=tuple(parse_goal(g, f"{where}.{combinator}[{i}]")
                                                   for i, g in enumerate(items)))
    if "not" in table:
        _alone(table, "not", where)
        return Goal("not", children=(parse_goal(table["not"], f"{where}.not"),))
    # "image" is a subject and also a container's fact: a table naming a container is about it.
    subjects = [key for key in table if key in SUBJECT_FACTS]
    if "container" in subjects:
        subjects = ["container"] + [s for s in subjects if s not in ("container", "image")]
    if len(subjects) != 1:
        raise GoalError(f"{where}: name exactly one of {', '.join(SUBJECT_FACTS)} (or all/any/not); "
                        f"got {', '.join(table) or 'nothing'}")
    kind = subjects[0]
    value = _typed(table[kind], SUBJECT_TYPES[kind], f"{where}.{kind}")
    allowed = SUBJECT_FACTS[kind]
    facts = []
    for key, fact in table.items():
        if key == kind:
            continue
        if key not in allowed:
            raise GoalError(f"{where}: {kind} has no fact {key!r} (known: {', '.join(allowed) or 'none'})")
        facts.append((key, _typed(fact, allowed[key], f"{where}.{key}")))
    _check_values(kind, value, dict(facts), where)
    return Goal(kind, value, tuple(facts))


def _alone(table: dict, key: str, where: str) -> None:
    if len(table) != 1:
        raise GoalError(f"{where}: '{key}' stands alone in its table")


def _typed(value: Any, expected: type, where: str) -> Any:
    # bool is an int in Python; a count must not be written `true`.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise GoalError(f"{where}: expected {expected.__name__}, got {value!r}")
    return value


def _check_values(kind: str, value: Any, facts: dict, where: str) -> None:
    for key in REGEX_FACTS & ({kind} | set(facts)):
        pattern = value if key == kind else facts[key]
        try:
            re.compile(pattern)
        except re.error as err:
            raise GoalError(f"{where}.{key}: bad regular expression {pattern!r}: {err}") from None
    for key in COMMAND_FACTS & ({kind} | set(facts)):
        path = value if key == kind else facts[key]
        if not re.fullmatch(r"[a-z]+( [a-z]+)?", path) or path.startswith("docker "):
            raise GoalError(f"{where}.{key}: a command path as the CLI names it, like \"container kill\"; got {path!r}")
    if "state" in facts and facts["state"] not in STATES:
        raise GoalError(f"{where}.state: one of {', '.join(sorted(STATES))}")
    if ("file" in facts) != ("contains" in facts):
        raise GoalError(f"{where}: 'file' and 'contains' go together")
    if facts.get("absent") and len(facts) > 1:
        raise GoalError(f"{where}: 'absent' cannot be combined with other facts")


# ---- evaluation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class World:
    """What a goal is checked against: the sandbox now and the learner's steps in the lesson
    (the lesson's setup commands are not steps: they never count as the learner's)."""

    sandbox: Sandbox
    steps: tuple[Step, ...] = ()


def holds(goal: Goal, world: World) -> bool:
    if goal.kind == "all":
        return all(holds(g, world) for g in goal.children)
    if goal.kind == "any":
        return any(holds(g, world) for g in goal.children)
    if goal.kind == "not":
        return not holds(goal.children[0], world)
    return _LEAVES[goal.kind](goal.value, dict(goal.facts), world)


def leaves(goal: Goal) -> list[Goal]:
    """The goal's parts a learner ticks off one by one: the items of a top-level `all`, else itself."""
    return list(goal.children) if goal.kind == "all" else [goal]


def _last(pairs, key: str) -> str | None:
    """The command path of the last (key, path) pair about `key` across the learner's steps."""
    return next((path for k, path in reversed(pairs) if k == key), None)


def _container(name: str, facts: dict, world: World) -> bool:
    sandbox = world.sandbox
    daemon = sandbox.daemon
    container = next((c for c in daemon.containers.values() if c.name == name), None)
    if facts.get("absent"):
        return container is None
    if container is None:
        return False
    rw = container.rw
    checks = {
        "state": lambda v: container.status == v,
        "exit_code": lambda v: container.exit_code == v and container.status in ("exited", "dead"),
        "image": lambda v: container.image_id == _image_id(daemon, v),
        "rw_has": lambda v: v in rw and rw[v].kind != "whiteout",
        "rw_whiteout": lambda v: v in rw and rw[v].kind == "whiteout",
        "rw_lacks": lambda v: v not in rw,
        "processes_at_least": lambda v: container.status in ("running", "paused") and len(container.processes) >= v,
        "process_matches": lambda v: any(re.search(v, p.command) for p in container.processes),
        "command_matches": lambda v: re.search(v, " ".join([container.path, *container.args])) is not None,
        "signal": lambda v: container.last_signal == v,
        "file": lambda v: _fs_contains(daemon.container_fs(container), v, facts["contains"]),
        "contains": lambda v: True,  # checked with "file"
        # what happened, not only where it ended: stop and kill can leave the same exit code
        "made_by": lambda v: _last([m for s in world.steps for m in s.made], container.id) == v,
        "ended_by": lambda v: container.status in ("exited", "dead")
        and _last([e for s in world.steps for e in s.ended], container.id) == v,
    }
    return all(checks[key](value) for key, value in facts.items())


def _image(ref: str, facts: dict, world: World) -> bool:
    daemon = world.sandbox.daemon
    image_id = _image_id(daemon, ref)
    if facts.get("absent"):
        return image_id is None
    if image_id is None:
        return False
    image = daemon.images[image_id]

    def extends(other_ref: str) -> bool:
        other_id = _image_id(daemon, other_ref)
        if other_id is None:
            return False
        base = daemon.images[other_id].diff_ids
        return len(image.diff_ids) > len(base) and image.diff_ids[:len(base)] == base

    checks = {
        "layers": lambda v: len(image.diff_ids) == v,
        "layers_at_least": lambda v: len(image.diff_ids) >= v,
        "has_parent": lambda v: bool(image.parent) == v,
        "same_as": lambda v: _image_id(daemon, v) == image_id,
        "extends": extends,
        "history_matches": lambda v: any(re.search(v, h.get("created_by", "")) for h in image.history),
        "file": lambda v: _fs_contains(daemon.image_fs(image), v, facts["contains"]),
        "contains": lambda v: True,
        "tagged_by": lambda v: _last([t for s in world.steps for t in s.tagged], normal_ref(ref)) == v,
    }
    return all(checks[key](value) for key, value in facts.items())


def _image_id(daemon, ref: str) -> str | None:
    try:
        image = daemon.image_or_none(ref)
    except DockerError:  # an ambiguous id prefix names no image
        return None
    return image.id if image else None


def _fs_contains(fs, path: str, text: str) -> bool:
    try:
        return text in fs.read(path)
    except Exception:  # missing file, a directory, a dangling link: the goal is simply not met
        return False


def _host_file(name: str, facts: dict, world: World) -> bool:
    sandbox = world.sandbox
    exists = sandbox.host.exists(name)
    if facts.get("absent"):
        return not exists
    if not exists:
        return False
    members = None
    if "tar_has" in facts or "tar_lacks" in facts:
        members = _tar_members(sandbox.host.read(name))
        if members is None:
            return False
    return (facts.get("tar_has") is None or facts["tar_has"] in members) and \
           (facts.get("tar_lacks") is None or facts["tar_lacks"] not in members)


def _tar_members(data: bytes) -> set[str] | None:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            return {m.name.lstrip("./").rstrip("/") for m in tar.getmembers()}
    except tarfile.TarError:
        return None


def _untagged(count: int, facts: dict, world: World) -> bool:
    return sum(1 for i in world.sandbox.daemon.images.values() if not i.repo_tags) >= count


def normal_ref(ref: str) -> str:
    """`nginx`, `nginx:latest`, `docker.io/library/nginx:latest` -> one spelling: `nginx:latest`."""
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
    if "@" not in ref and ":" not in ref.rsplit("/", 1)[-1]:
        ref += ":latest"
    return ref


def names(invocation: Invocation, target: str, sandbox: Sandbox) -> bool:
    """Does the command name `target` (a container or image, by name, reference or id prefix)?"""
    ids = set()
    container = next((c for c in sandbox.daemon.containers.values() if c.name == target), None)
    if container:
        ids.add(container.id)
    image_id = _image_id(sandbox.daemon, target)
    if image_id:
        ids.add(image_id.removeprefix("sha256:"))
    for name in names_of(invocation):
        if name == target or normal_ref(name) == normal_ref(target):
            return True
        bare = name.removeprefix("sha256:")
        if len(bare) >= 3 and any(i.startswith(bare) for i in ids):
            return True
    return False


def ran_as(invocation: Invocation, path: str, facts: dict, sandbox: Sandbox) -> bool:
    """A command that succeeded, is `path`, names the target and has the options asked for."""
    return invocation.ok and invocation.path == path and \
        ("target" not in facts or names(invocation, facts["target"], sandbox)) and \
        all(option_is(invocation, k, v) for k, v in facts.get("options", {}).items())


def _ran(path: str, facts: dict, world: World) -> bool:
    return any(ran_as(i, path, facts, world.sandbox) for s in world.steps for i in s.invocations)


def _last_ran(path: str, facts: dict, world: World) -> bool:
    steps = [s for s in world.steps if s.line.strip()]
    return bool(steps) and any(ran_as(i, path, facts, world.sandbox) for i in steps[-1].invocations)


def _revealed(index: int, facts: dict, world: World) -> bool:
    return any(index in s.revealed for s in world.steps)


_LEAVES = {"container": _container, "image": _image, "host_file": _host_file,
           "untagged_images_at_least": _untagged, "ran": _ran, "last_ran": _last_ran, "revealed": _revealed}

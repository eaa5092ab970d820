"""`docker build` as the article tells it: for each step, run a container on the previous image,
let the step change its read-write layer, commit that layer; one layer per filesystem step.

The steps are executed once here (stages.py drives them and keeps the cache); how a build is
reported (legacy `Step N/M` transcript or BuildKit's progress) is the job of the two reporters in
cli/build.py.
"""
from __future__ import annotations

import hashlib
import io
import json
import posixpath
import tarfile
from dataclasses import dataclass, field

from engine import budget, limits
from engine.build.dockerfile import Instruction, key_values, substitute
from engine.daemon import health
from engine.errors import FsError, StepFailed
from engine.layers.fs import Entry, Layer, normpath
from engine.layers.unionfs import UnionFS
from engine.shell import programs as shell

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
METADATA = {"ENV", "LABEL", "CMD", "ENTRYPOINT", "EXPOSE", "USER", "VOLUME", "STOPSIGNAL",
            "ARG", "SHELL", "MAINTAINER", "HEALTHCHECK", "ONBUILD"}


@dataclass
class Stage:
    """The image being built by one FROM…: its run config, layers and history so far."""

    name: str
    index: int
    base: str  # image reference as written ('scratch' for none)
    config: dict = field(default_factory=dict)
    diff_ids: list[str] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    args: dict[str, str] = field(default_factory=dict)  # ARG values in scope
    image_id: str = ""  # legacy builder: the image the next step runs on (its Parent)

    @property
    def shell(self) -> list[str]:
        return self.config.get("Shell") or ["/bin/sh", "-c"]


@dataclass
class StepResult:
    changes: dict[str, Entry]  # what the step wrote into the container's RW layer
    created_by_legacy: str
    created_by_buildkit: str
    stdout: str = ""
    layer_step: bool = False  # BuildKit: does this instruction produce a layer at all?
    cache_material: str = ""  # what, besides the instruction text, the cache key depends on
    note: str = ""  # legacy builder: printed by the dispatcher itself, before the cache probe and container


def go_quote_list(items: list[str]) -> str:
    """Go's %q of a []string: ["a" "b"] (used in `#(nop)  CMD [...]`)."""
    return "[" + " ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def go_list(items: list[str]) -> str:
    return "[" + " ".join(items) + "]"


def flavor_of(fs: UnionFS) -> str:
    return "busybox" if fs.exists("/bin/busybox") else "gnu"


def run_step(stage: Stage, ins: Instruction, fs: UnionFS, context: dict[str, bytes],
             stage_fs: dict[str, UnionFS], build_args: dict[str, str]) -> StepResult:
    """Apply one instruction: change stage.config and/or write into fs (the step's RW layer)."""
    # a build step costs about as much as 1,000 shell commands (a layer diff, a config copy, a
    # commit), plus the env entries and labels it copies: 10,000 LABEL lines stop early
    budget.step(budget.BUILD_STEP_STEPS + len(stage.config.get("Env") or ()) + len(stage.config.get("Labels") or ()))
    # an ENV of the same name wins over an ARG (buildargs.go FilterAllowed: "don't override run config env")
    scope = {**stage.args, **_env_dict(stage.config)}
    words = [substitute(a, scope) for a in ins.args] if ins.keyword not in ("RUN", "CMD", "ENTRYPOINT") else ins.args
    if ins.keyword in ("ENV", "LABEL"):  # what every page showing the image carries
        limits.check_config(limits.config_chars(stage.config) + sum(map(len, words)))
    handler = _HANDLERS[ins.keyword]
    return handler(stage, ins, words, fs, context, stage_fs, build_args)


def _env_dict(config: dict) -> dict[str, str]:
    return dict(e.split("=", 1) for e in config.get("Env", []) if "=" in e)


def _nop(text: str) -> str:
    return f"/bin/sh -c #(nop)  {text}"


def _run(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    argv = list(ins.args) if ins.json_form else stage.shell + [ins.args[0]]
    env = {**stage.args, **_env_dict(stage.config)}
    workdir = stage.config.get("WorkingDir") or "/"
    try:
        # USER applies to the RUN steps after it (moby builder/dockerfile/dispatchers.go dispatchUser)
        result = shell.run(argv, fs, env=env, workdir=workdir, flavor=flavor_of(fs),
                           user=stage.config.get("User", ""))
    except (shell.ExecNotFound, shell.NotExecutable) as err:
        command = " ".join(argv)
        raise StepFailed(f"The command '{command}' returned a non-zero code: 127",
                         f'process "{command}" did not complete successfully: exit code: 127', str(err), 127) from None
    output = result.stdout + result.stderr
    if result.process is not None and result.process.ends_after is None:
        raise StepFailed(f"The command '{' '.join(argv)}' never finished: `{result.process.command}` keeps running "
                         "(a RUN step must end; start servers with CMD instead)",
                         "a RUN step must end: start servers with CMD instead", output)
    if result.exit_code != 0:
        command = " ".join(argv)
        raise StepFailed(f"The command '{command}' returned a non-zero code: {result.exit_code}",
                         f'process "{command}" did not complete successfully: exit code: {result.exit_code}',
                         output, result.exit_code)
    used = {k: v for k, v in stage.args.items() if k in build_args}
    prefix = f"|{len(used)} " + " ".join(f"{k}={v}" for k, v in used.items()) + " " if used else ""
    legacy = prefix + (" ".join(ins.args) if ins.json_form else " ".join(stage.shell + [ins.args[0]]))
    buildkit = "RUN " + (go_quote_list(ins.args) if ins.json_form else " ".join(stage.shell + [ins.args[0]]))
    return StepResult(dict(fs.upper), legacy, buildkit + " # buildkit", output, True, prefix)


def _copy(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    *sources, dest = words
    source_fs = None
    if "from" in ins.flags:
        source_fs = stage_fs.get(ins.flags["from"])
        if source_fs is None:
            raise StepFailed(f"invalid from flag value {ins.flags['from']}: no stage or image by that name",
                             f"invalid from flag value {ins.flags['from']}")
    workdir = stage.config.get("WorkingDir") or "/"
    target = normpath(dest, workdir)
    files: list[tuple[str, Entry]] = []  # (relative name under the copy, entry)
    for src in sources:
        found = _from_stage(source_fs, src) if source_fs else _from_context(context, src, ins.keyword)
        if not found:
            where = "build context or excluded by .dockerignore"
            raise StepFailed(f"COPY failed: file not found in {where}: stat {src}: file does not exist",
                             f'failed to compute cache key: failed to calculate checksum of ref: "/{src}": not found')
        files.extend(found)
    into_dir = dest.endswith("/") or len(files) > 1 or fs.is_dir(target) or any("/" in n for n, _ in files)
    for name, entry in files:
        path = normpath(name, target) if into_dir else target
        for parent in _parents(path):
            if not fs.exists(parent):
                fs.mkdir(parent, parents=True)
        fs.put(path, entry)
    digest = hashlib.sha256(repr(sorted((n, e.to_json()) for n, e in files)).encode()).hexdigest()
    kind = "multi" if len(sources) > 1 else ("dir" if any("/" in n for n, _ in files) else "file")
    chown = f"--chown={ins.flags['chown']} " if "chown" in ins.flags else ""
    legacy = f"/bin/sh -c #(nop) {ins.keyword} {chown}{kind}:{digest} in {dest} "
    flags = " ".join(f"--{k}={v}" for k, v in ins.flags.items())
    buildkit = f"{ins.keyword} {flags + ' ' if flags else ''}{' '.join(sources)} {dest} # buildkit"
    return StepResult(dict(fs.upper), legacy, buildkit, "", True, digest)


def _parents(path: str) -> list[str]:
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _context_entry(data: bytes) -> Entry:
    try:
        return Entry.file(data.decode("utf-8"))
    except UnicodeDecodeError:
        return Entry.file(None, size=len(data))


def _from_context(context: dict[str, bytes], src: str, keyword: str) -> list[tuple[str, Entry]]:
    src = posixpath.normpath(src).lstrip("./") if src not in (".", "./") else "."
    if src == ".":
        return [(name, _context_entry(data)) for name, data in sorted(context.items())]
    if src in context:
        data = context[src]
        if keyword == "ADD" and src.endswith((".tar", ".tar.gz", ".tgz")):
            return _untar(data)
        return [(posixpath.basename(src), _context_entry(data))]
    matches = sorted(n for n in context if n.startswith(src + "/"))
    if matches:
        return [(n[len(src) + 1:], _context_entry(context[n])) for n in matches]
    import fnmatch
    globbed = sorted(n for n in context if fnmatch.fnmatchcase(n, src))
    return [(posixpath.basename(n), _context_entry(context[n])) for n in globbed]


def _untar(data: bytes) -> list[tuple[str, Entry]]:
    """ADD of a local tar: its entries are unpacked at the destination."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar.getmembers():
            name = m.name.lstrip("./").rstrip("/")
            if not name:
                continue
            if m.isdir():
                out.append((name, Entry.dir(m.mode or 0o755)))
            elif m.issym():
                out.append((name, Entry.symlink(m.linkname)))
            elif m.isreg():
                out.append((name, _context_entry(tar.extractfile(m).read())))
    return out


def _from_stage(source: UnionFS, src: str) -> list[tuple[str, Entry]]:
    path = normpath(src)
    entry = source.lookup(path)
    if entry is None:
        return []
    if entry.kind != "dir":
        return [(posixpath.basename(path), entry)]
    tree = source.walk()
    return [(p[len(path) + 1:] if path != "/" else p[1:], e) for p, e in tree.items() if p.startswith(path + "/")]


def _workdir(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    path = normpath(words[0], stage.config.get("WorkingDir") or "/")
    stage.config["WorkingDir"] = path
    try:
        if not fs.exists(path):
            fs.mkdir(path, parents=True)
    except FsError:
        pass
    return StepResult(dict(fs.upper), f"/bin/sh -c #(nop) WORKDIR {path}", f"WORKDIR {words[0]}",
                      layer_step=path != "/")


def _env(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    pairs = key_values(words, "ENV", ins.line)
    env = [e for e in stage.config.get("Env", []) if e.split("=", 1)[0] not in dict(pairs)]
    stage.config["Env"] = env + [f"{k}={v}" for k, v in pairs]
    text = "ENV " + " ".join(f"{k}={v}" for k, v in pairs)
    return StepResult({}, _nop(text), text)


def _label(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    pairs = key_values(words, "LABEL", ins.line)
    stage.config["Labels"] = {**(stage.config.get("Labels") or {}), **dict(pairs)}
    text = "LABEL " + " ".join(f"{k}={v}" for k, v in pairs)
    return StepResult({}, _nop(text), text)


def _cmd_like(key: str):
    def handler(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
        value = list(ins.args) if ins.json_form else stage.shell + [ins.args[0]]
        stage.config[key] = value
        if key == "Entrypoint" and not ins.json_form:
            stage.config["Cmd"] = None  # a shell-form ENTRYPOINT ignores CMD
        text = f"{ins.keyword} {go_quote_list(value)}"
        return StepResult({}, _nop(text), text)
    return handler


def _expose(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    ports = {(w if "/" in w else w + "/tcp"): {} for w in words}
    stage.config["ExposedPorts"] = {**(stage.config.get("ExposedPorts") or {}), **ports}
    shown = "map[" + " ".join(f"{p}:{{}}" for p in sorted(ports)) + "]"
    return StepResult({}, _nop("EXPOSE " + " ".join(words)), f"EXPOSE {shown}")


def _simple(key: str, keyword: str):
    def handler(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
        stage.config[key] = words[0]
        return StepResult({}, _nop(f"{keyword} {words[0]}"), f"{keyword} {words[0]}")
    return handler


def _volume(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    vols = list(ins.args) if ins.json_form else words
    stage.config["Volumes"] = {**(stage.config.get("Volumes") or {}), **{v: {} for v in vols}}
    return StepResult({}, _nop(f"VOLUME {go_list(vols)}"), f"VOLUME {go_list(vols)}")


def _arg(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    for word in words:
        name, eq, default = word.partition("=")
        stage.args[name] = build_args.get(name, default if eq else "")
    return StepResult({}, _nop(f"ARG {' '.join(words)}"), f"ARG {' '.join(words)}")


def _shell(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    stage.config["Shell"] = list(ins.args)
    return StepResult({}, _nop(f"SHELL {go_quote_list(ins.args)}"), f"SHELL {go_quote_list(ins.args)}")


def _maintainer(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    return StepResult({}, _nop(f"MAINTAINER {ins.args[0]}"), f"MAINTAINER {ins.args[0]}")


def _unsupported(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    # ONBUILD is recorded but has no effect LayerLab can show.
    return StepResult({}, _nop(ins.original), ins.original)


def _healthcheck(stage, ins, words, fs, context, stage_fs, build_args) -> StepResult:
    """dispatchHealthcheck (moby builder/dockerfile/dispatchers.go:462-471): stored in the config.
    Its note is printed (line 467) before b.commit probes the cache or creates the step's container
    (internals.go:34-48, `Running in` at internals.go:363), so it comes before `Running in`/`Using cache`."""
    old = (stage.config.get("Healthcheck") or {}).get("Test") or []
    note = f"Note: overriding previous HEALTHCHECK: [{' '.join(old)}]\n" if old and old[0] != "NONE" else ""
    stage.config["Healthcheck"] = health.healthcheck_config(ins.raw)
    text = health.history_text(stage.config["Healthcheck"])  # BuildKit's convert.go writes the same %q
    return StepResult({}, _nop(text), text, note=note)


_HANDLERS = {
    "RUN": _run, "COPY": _copy, "ADD": _copy, "WORKDIR": _workdir, "ENV": _env, "LABEL": _label,
    "CMD": _cmd_like("Cmd"), "ENTRYPOINT": _cmd_like("Entrypoint"), "EXPOSE": _expose,
    "USER": _simple("User", "USER"), "STOPSIGNAL": _simple("StopSignal", "STOPSIGNAL"),
    "VOLUME": _volume, "ARG": _arg, "SHELL": _shell, "MAINTAINER": _maintainer,
    "HEALTHCHECK": _healthcheck, "ONBUILD": _unsupported,
}


def commit_layer(changes: dict[str, Entry]) -> Layer | None:
    """The step's RW layer as a read-only layer; None when the step changed no file (empty_layer)."""
    return Layer.from_changes(changes) if changes else None

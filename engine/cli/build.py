"""`docker build` / `docker image build` / `docker builder build`, with both builders' transcripts.

BuildKit (the default in Docker 28) writes its progress to stderr; `DOCKER_BUILDKIT=0` selects the
legacy builder, whose `Step N/M` stream goes to stdout after the CLI's deprecation banner.
"""
from __future__ import annotations

import posixpath

from engine import events as ev
from engine.build.dockerfile import DockerfileError, dockerignore_filter, parse
from engine.build.stages import Build
from engine.build.steps import StepFailed
from engine.cli.context import Context
from engine.cli.formatter.display import human_size, human_size4
from engine.cli.image.pull import pull
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops
from engine.daemon.model import Image
from engine.errors import DaemonError, DockerError
from engine.refs import InvalidReference, parse as parse_ref

LEGACY_BANNER = ("DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
                 "            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0\n"
                 "            environment-variable.\n")
WIDTH = 100  # BuildKit's tty progress is laid out to the terminal's width (LayerLab's is ~100)


def _context(ctx, path: str) -> dict[str, bytes]:
    files = ctx.host.under(path)
    if ".dockerignore" in files:
        excluded = dockerignore_filter(files[".dockerignore"].decode(errors="replace"))
        files = {k: v for k, v in files.items() if not excluded(k)}
    return files


def _tar_size(files: dict[str, bytes]) -> int:
    """Bytes of the context tar the CLI sends: a 512-byte header per file, data padded, trailer."""
    return sum(512 + -(-len(d) // 512) * 512 for d in files.values()) + 1024


def build(ctx, opts, args) -> int:
    legacy = ctx.env.get("DOCKER_BUILDKIT", "1") in ("0", "false", "False")
    path = args[0]
    tags = opts["tag"]
    for tag in tags:
        try:
            parse_ref(tag)
        except InvalidReference as err:
            ctx.eprint(f'invalid argument "{tag}" for "-t, --tag" flag: {err}\nSee \'docker build --help\'.')
            return 125
    dockerfile_name = opts["file"] or "Dockerfile"
    context = _context(ctx, path)
    if legacy:
        ctx.ewrite(LEGACY_BANNER + "\n")
    # -f is relative to the working directory; by default the CLI reads PATH/Dockerfile (even when
    # .dockerignore lists it: the Dockerfile is always sent)
    source = ctx.host.files.get(opts["file"] or posixpath.normpath(posixpath.join(path, "Dockerfile")))
    if source is None:
        if legacy:
            raise DockerError("unable to prepare context: unable to evaluate symlinks in Dockerfile path: "
                              f"lstat /home/learner/{dockerfile_name}: no such file or directory")
        return _buildkit_fail(ctx, f"failed to read dockerfile: open {dockerfile_name}: no such file or directory")
    if legacy:
        ctx.print(f"Sending build context to Docker daemon  {human_size4(_tar_size(context)):>7}")
    try:
        instructions = parse(source.decode(errors="replace"))
    except DockerfileError as err:
        if legacy:
            raise DaemonError(str(err)) from None
        return _buildkit_fail(ctx, str(err), source, err.line)
    build_args = dict(a.split("=", 1) if "=" in a else (a, "") for a in opts["build-arg"])
    runner = Build(ctx.daemon, context, build_args, legacy=legacy, no_cache=opts["no-cache"],
                   resolve_base=lambda ref: _resolve_base(ctx, ref, legacy))
    runner.instructions = instructions
    try:
        parts = plan(instructions, opts["target"], legacy)
    except DockerfileError as err:
        if legacy:
            raise DaemonError(str(err)) from None
        return _buildkit_fail(ctx, str(err))
    kept = [ins for _, stage in parts[1:] for ins in stage]
    reporter = LegacyReport(ctx) if legacy else BuildKitReport(ctx, dockerfile_name, source, context, kept)
    try:
        image = runner.final_image(_execute(runner, parts, reporter))
    except StepFailed as err:
        return reporter.failed(err)
    except DockerfileError as err:
        return reporter.failed(StepFailed(str(err), str(err)))
    for tag in tags:
        images_ops.tag_image(ctx.daemon, image, parse_ref(tag).tagged, ctx.events)
    if opts["quiet"]:
        ctx.discard_output()
        ctx.print(image.id)
    else:
        reporter.done(image, tags, runner)
    ctx.events.append(ev.BuildFinished(steps=tuple(s.as_event() for s in runner.steps), image=image.id, legacy=legacy))
    ctx.events.append(ev.ImageAdded(image=image.id))
    return 0


def plan(instructions, target: str | None, legacy: bool) -> list[tuple[int | None, list]]:
    """The parts of the Dockerfile a build runs: [(None, meta ARGs), (stage index, [FROM, …]), …].

    --target names the last stage: the legacy builder cuts the stage list there (moby
    builder/dockerfile/builder.go, the step total shrinks); BuildKit also skips every stage the
    final one does not reach through FROM or COPY --from. An unknown target fails before any step.
    """
    meta, stages = [], []
    for ins in instructions:
        if ins.keyword == "FROM":
            stages.append([ins])
        elif stages:
            stages[-1].append(ins)
        else:
            meta.append(ins)
    names = [s[0].args[2].lower() if len(s[0].args) == 3 else str(i) for i, s in enumerate(stages)]
    last = len(stages) - 1
    if target:
        if target.lower() not in names:
            raise DockerfileError(f'target stage "{target}" could not be found')
        last = names.index(target.lower())
    if legacy:
        keep = set(range(last + 1))
    else:
        keep, todo = set(), [last]
        while todo:
            index = todo.pop()
            if index in keep:
                continue
            keep.add(index)
            refs = [stages[index][0].args[0].lower()] + [i.flags["from"].lower() for i in stages[index]
                                                        if i.flags.get("from")]
            todo += [names.index(r) for r in refs if r in names[:index]]
    return [(None, meta)] + [(i, stages[i]) for i in sorted(keep)]


def _execute(runner: Build, parts, reporter):
    meta_args: dict[str, str] = {}
    meta = parts[0][1]
    for ins in meta:  # ARGs before the first FROM: only for FROM lines
        for word in ins.args:
            name, _, default = word.partition("=")
            meta_args[name] = runner.build_args.get(name, default)
    # the legacy builder prints and counts them as steps (with no ` ---> ` line); BuildKit does not
    body = (meta if runner.legacy else []) + [ins for _, stage in parts[1:] for ins in stage]
    indexes = {id(stage[0]): index for index, stage in parts[1:]}
    total = len(body)
    stage = None
    for number, ins in enumerate(body, 1):
        reporter.step(number, total, ins)
        if ins.keyword == "ARG" and stage is None:
            continue
        if ins.keyword == "FROM":
            stage, base = runner.start_stage(ins, meta_args, indexes[id(ins)])
            reporter.from_done(stage, base)
            continue
        record = runner.step(stage, ins, number, total)
        reporter.step_done(record)
    return stage


def unused_build_args(instructions, build_args: dict[str, str]) -> list[str]:
    """BuildArgs.WarnOnUnusedBuildArgs (moby builder/dockerfile/buildargs.go): --build-arg names no
    ARG declares, proxy variables aside, sorted."""
    declared = {word.partition("=")[0] for ins in instructions if ins.keyword == "ARG" for word in ins.args}
    return sorted(name for name in build_args if name not in declared and name not in PROXY_ARGS)


PROXY_ARGS = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
              "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}


def _resolve_base(ctx, ref: str, legacy: bool) -> Image:
    image = ctx.daemon.image_or_none(ref)
    if image is not None:
        return image
    inner = Context(ctx.daemon, ctx.host)
    image = pull(inner, ref)
    if legacy:  # the pull progress shows inside the build stream
        lines = [line for line in inner.stdout.splitlines()
                 if not line.startswith(("Using default tag", "docker.io/"))]
        ctx.write("".join(line + "\n" for line in lines))
    ctx.events.extend(inner.events)
    return image


class LegacyReport:
    """The classic builder's stdout: Step N/M, Running in, Removed intermediate container…"""

    def __init__(self, ctx):
        self.ctx = ctx

    def step(self, number, total, ins) -> None:
        self.ctx.print(f"Step {number}/{total} : {ins.original}")

    def from_done(self, stage, base) -> None:
        if base is not None:
            self.ctx.print(f" ---> {base.short_id}")

    def step_done(self, record) -> None:
        if record.note:  # e.g. HEALTHCHECK's override note, before the cache probe (see build.steps._healthcheck)
            self.ctx.write(record.note)
        if record.cached:
            self.ctx.print(" ---> Using cache")
        else:
            if record.container and record.instruction.keyword not in ("COPY", "ADD"):
                self.ctx.print(f" ---> Running in {record.container[:12]}")
                if record.output:
                    self.ctx.write(record.output if record.output.endswith("\n") else record.output + "\n")
                self.ctx.print(f" ---> Removed intermediate container {record.container[:12]}")
        self.ctx.print(f" ---> {record.image.split(':')[1][:12]}")

    def failed(self, err: StepFailed) -> int:
        if err.container:  # the step's container ran: its id shows before its output
            self.ctx.print(f" ---> Running in {err.container[:12]}")
        if err.output:
            self.ctx.write(err.output if err.output.endswith("\n") else err.output + "\n")
        self.ctx.eprint(err.legacy)
        # the daemon's JSON error carries the RUN's exit code and the CLI exits with it
        # (docker/cli cli/command/image/build.go: StatusError{StatusCode: jerr.Code})
        return err.exit_code or 1

    def done(self, image, tags, runner) -> None:
        unused = unused_build_args(runner.instructions, runner.build_args)
        if unused:
            self.ctx.print(f"[Warning] One or more build-args [{' '.join(unused)}] were not consumed")
        self.ctx.print(f"Successfully built {image.short_id}")
        for tag in tags:
            self.ctx.print(f"Successfully tagged {parse_ref(tag).tagged}")


class BuildKitReport:
    """BuildKit's final tty frame (stderr): one `=> ` line per vertex with its time."""

    def __init__(self, ctx, dockerfile_name, source: bytes, context, instructions):
        self.ctx, self.source, self.context = ctx, source, context
        self.lines: list[tuple[str, float]] = []  # (text, seconds); '=> …' texts are sub-lines
        self.totals, self.labels = _stage_layout(instructions)
        self.uses_context = any(i.keyword in ("COPY", "ADD") and "from" not in i.flags for i in instructions)
        self.stage_no, self.step_no, self.current = -1, 0, None
        self._line(f"[internal] load build definition from {dockerfile_name}", 0.0)
        self._line(f"=> transferring dockerfile: {human_size(len(source))}", 0.0)

    def _line(self, text: str, seconds: float) -> None:
        self.lines.append((text, seconds))

    def _label(self) -> str:
        name = self.labels[self.stage_no]
        return f"[{name + ' ' if name else ''}{self.step_no}/{self.totals[self.stage_no]}]"

    def step(self, number, total, ins) -> None:
        self.current = ins

    def from_done(self, stage, base) -> None:
        self.stage_no, self.step_no = self.stage_no + 1, 1
        name = stage.base
        if base is not None:
            full = parse_ref(stage.base).full_name
            if f"[internal] load metadata for {full}" not in (t for t, _ in self.lines):  # once per image
                self._line(f"[internal] load metadata for {full}", 0.6)
            if self.stage_no == 0:
                self._line("[internal] load .dockerignore", 0.0)
                self._line("=> transferring context: 2B", 0.0)
                if self.uses_context:
                    size = human_size(sum(len(v) for v in self.context.values()))
                    self._line("[internal] load build context", 0.0)
                    self._line(f"=> transferring context: {size}", 0.0)
            digest = base.repo_digests[0].split("@")[1] if base.repo_digests else ""
            name = f"{full}@{digest}" if digest else full
        self._line(f"{self._label()} FROM {name}", 0.0)

    def step_done(self, record) -> None:
        ins = record.instruction
        if ins.keyword not in ("RUN", "COPY", "ADD", "WORKDIR"):
            return
        self.step_no += 1
        cached = "CACHED " if record.cached else ""
        self._line(f"{cached}{self._label()} {ins.original}", 0.0 if record.cached else 0.4)

    def failed(self, err: StepFailed) -> int:
        if self.current is not None and self.current.keyword != "FROM":
            self.step_no += 1
            self._line(f"ERROR {self._label()} {self.current.original}", 0.3)
        self._render("ERROR")
        if err.output and self.current is not None:
            self.ctx.eprint("------")
            self.ctx.eprint(f" > {self._label()} {self.current.original}:")
            for line in err.output.splitlines():
                self.ctx.eprint(line)
            self.ctx.eprint("------")
        return _buildkit_fail(self.ctx, err.buildkit, self.source, self.current.line if self.current else None)

    def done(self, image, tags, runner) -> None:
        self._line("exporting to image", 0.1)
        self._line("=> exporting layers", 0.1)
        self._line(f"=> writing image {image.id}", 0.0)
        for tag in tags:
            self._line(f"=> naming to {parse_ref(tag).full_name}", 0.0)
        self._render("FINISHED")

    def _render(self, status: str) -> None:
        vertices = sum(1 for t, _ in self.lines if not t.startswith("=> "))
        elapsed = sum(s for _, s in self.lines)
        head = f"[+] Building {elapsed:.1f}s ({vertices}/{vertices}) {status}"
        self.ctx.eprint(f"{head:<{WIDTH - 14}}docker:default")
        for text, seconds in self.lines:
            shown = " => " + text
            if len(shown) > WIDTH - 6:  # the tty view cuts long vertex names to fit the line
                shown = shown[:WIDTH - 9] + "..."
            self.ctx.eprint(f"{shown:<{WIDTH - 5}}{seconds:>4.1f}s")


def _stage_layout(instructions) -> tuple[list[int], list[str]]:
    """Per stage: how many steps BuildKit numbers ([n/total]) and its label (multi-stage only)."""
    totals, names = [], []
    for ins in instructions:
        if ins.keyword == "FROM":
            totals.append(1)
            names.append(ins.args[2] if len(ins.args) == 3 else f"stage-{len(names)}")
        elif totals and ins.keyword in ("RUN", "COPY", "ADD", "WORKDIR"):
            totals[-1] += 1
    return totals, names if len(names) > 1 else [""] * len(names)


def _buildkit_fail(ctx, message: str, source: bytes | None = None, line: int | None = None) -> int:
    if source is not None and line:
        text = source.decode(errors="replace").splitlines()
        ctx.eprint(f"Dockerfile:{line}")
        ctx.eprint("--------------------")
        for n in range(max(1, line - 2), min(len(text), line + 2) + 1):
            marker = ">>>" if n == line else "   "
            ctx.eprint(f"{n:>4} | {marker} {text[n - 1]}".rstrip())
        ctx.eprint("--------------------")
    ctx.eprint(f"ERROR: failed to build: failed to solve: {message}")
    return 1


_FLAGS = [
    Flag("tag", "t", "list", "Name and optionally a tag in the \"name:tag\" format", type_name="list"),
    Flag("file", "f", "string", "Name of the Dockerfile (Default is \"PATH/Dockerfile\")", type_name="string"),
    Flag("build-arg", "", "list", "Set build-time variables", type_name="list"),
    Flag("no-cache", "", "bool", "Do not use cache when building the image"),
    Flag("target", "", "string", "Set the target build stage to build.", type_name="string"),
    Flag("quiet", "q", "bool", "Suppress the build output and print image ID on success"),
    Flag("progress", "", "string", "Set type of progress output", type_name="string"),
    Flag("pull", "", "bool", "Always attempt to pull a newer version of the image"),
    Flag("rm", "", "bool", "Remove intermediate containers after a successful build", default=True),
]

COMMANDS = [
    Command("docker image build", "docker image build [OPTIONS] PATH | URL | -",
            "Build an image from a Dockerfile", build, _FLAGS,
            aliases=["docker build", "docker builder build"], min_args=1, max_args=1),
]

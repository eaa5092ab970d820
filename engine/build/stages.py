"""One `docker build`: stages, the build cache, and what it leaves in the daemon.

Both builders execute the same steps (engine.build.steps.run_step). The legacy builder (the
article's model) commits every step to an intermediate image whose Parent is the previous
one, and finds its cache among those images; BuildKit keeps a separate cache and leaves only
the final image (no Parent, no intermediates).
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field

from engine import limits
from engine.build.dockerfile import DockerfileError, Instruction, substitute
from engine.build.steps import DEFAULT_PATH, StepFailed, Stage, commit_layer, run_step
from engine.clock import format_rfc3339nano
from engine.daemon.model import Container, Daemon, Image
from engine.events import BuildStep
from engine.layers.diff import diff
from engine.layers.fs import Layer
from engine.layers.unionfs import UnionFS


@dataclass
class StepRecord:
    """What one step did, for the transcript and for the stage's step-through of the build."""

    number: int
    total: int
    stage: Stage
    instruction: Instruction
    cached: bool
    container: str = ""  # the temporary container's 64-hex id ('' when cached or none used)
    output: str = ""
    note: str = ""  # printed before the step's container or cache hit (StepResult.note)
    changes: list[tuple[str, str]] = field(default_factory=list)  # docker diff of its RW layer
    layer: str = ""  # DiffID committed ('' = empty layer)
    image: str = ""  # legacy: the intermediate image id after this step

    def as_event(self) -> BuildStep:
        """What BuildFinished keeps of this step (the stage's view of the build reads it)."""
        return BuildStep(self.number, self.total, self.instruction.original, self.cached, self.container[:12],
                         tuple(f"{kind} {path}" for kind, path in self.changes), self.layer, self.image)


class Build:
    def __init__(self, daemon: Daemon, context: dict[str, bytes], build_args: dict[str, str],
                 *, legacy: bool, no_cache: bool, resolve_base):
        self.daemon, self.context, self.build_args = daemon, context, build_args
        self.legacy, self.no_cache = legacy, no_cache
        self.resolve_base = resolve_base  # ref -> Image (pulls if needed; raises DockerError)
        self.stages: list[Stage] = []
        self.stage_fs: dict[str, UnionFS] = {}
        self.cache_broken = no_cache
        self.steps: list[StepRecord] = []
        self.instructions: list[Instruction] = []  # the whole Dockerfile (for the unused build-args warning)

    # ---- stages -------------------------------------------------------------------------------
    def start_stage(self, ins: Instruction, meta_args: dict[str, str],
                    index: int | None = None) -> tuple[Stage, Image | None]:
        """index: the stage's place in the Dockerfile (BuildKit may skip earlier stages)."""
        index = len(self.stages) if index is None else index
        ref = substitute(ins.args[0], meta_args)
        name = ins.args[2] if len(ins.args) == 3 else str(index)
        stage = Stage(name=name, index=index, base=ref)
        base = None
        if ref in self.stage_fs:  # FROM an earlier stage
            earlier = next(s for s in self.stages if s.name == ref)
            stage.config, stage.diff_ids = copy.deepcopy(earlier.config), list(earlier.diff_ids)
            stage.history = copy.deepcopy(earlier.history)
            stage.image_id = earlier.image_id
        elif ref != "scratch":
            base = self.resolve_base(ref)
            stage.config = copy.deepcopy(base.run_config)
            stage.diff_ids, stage.history = base.diff_ids, copy.deepcopy(base.history)
            stage.image_id = base.id
        else:
            stage.config = {"Env": [DEFAULT_PATH]} if not self.legacy else {}
        self.stages.append(stage)
        self.stage_fs[stage.name] = self.fs_of(stage)
        self.stage_fs[str(stage.index)] = self.stage_fs[stage.name]
        return stage, base

    def fs_of(self, stage: Stage, upper: dict | None = None) -> UnionFS:
        layers = self.daemon.layers_of(stage.diff_ids)
        return UnionFS(layers, upper, lower_merged=self.daemon.merged(stage.diff_ids))

    # ---- one step -----------------------------------------------------------------------------
    def step(self, stage: Stage, ins: Instruction, number: int, total: int) -> StepRecord:
        """Execute an instruction; reuse a cached result when the cache allows."""
        before = copy.deepcopy(stage.config), dict(stage.args)
        if self.legacy and ins.keyword == "RUN" and ins.flags:  # moby builder/dockerfile/dispatchers.go:338
            raise StepFailed(f"the --{next(iter(ins.flags))} option requires BuildKit. Refer to "
                             "https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit "
                             "enabled", "")
        upper: dict = {}
        fs = self.fs_of(stage, upper)
        try:
            result = run_step(stage, ins, fs, self.context, self.stage_fs, self.build_args)
        except StepFailed as err:
            if self.legacy and ins.keyword == "RUN":
                err.container = self._leave_failed_container(stage, ins, upper, err.exit_code)
            raise
        layer = commit_layer(result.changes)
        key = self._cache_key(stage, ins, before, result.cache_material)
        record = StepRecord(number, total, stage, ins, cached=False, note=result.note)
        cached = None if self.cache_broken else self._cache_lookup(stage, key)
        if cached is not None:
            record.cached = True
            self._apply_cached(stage, cached, record)
        else:
            self.cache_broken = True
            record.output = result.stdout
            record.changes = _diff(self.daemon, stage, upper)
            if ins.keyword not in ("COPY", "ADD") or self.legacy:
                record.container = self.daemon.ids.hex64("build-container")
            self.daemon.clock.advance(0.4 if ins.keyword in ("RUN", "COPY", "ADD") else 0.1)
            self._commit(stage, ins, result, layer, key, record)
        self.stage_fs[stage.name] = self.stage_fs[str(stage.index)] = self.fs_of(stage)
        self.steps.append(record)
        return record

    def _leave_failed_container(self, stage: Stage, ins: Instruction, upper: dict, code: int) -> str:
        """The legacy builder removes intermediate containers only after a successful step, so a
        failed RUN leaves its exited container behind (`docker ps -a` shows it)."""
        d = self.daemon
        container = Container(
            id=d.ids.hex64("build-container"), name=d.ids.container_name(d.container_names()),
            image_id=stage.image_id, image_ref=stage.image_id.split(":")[-1][:12],
            diff_ids=list(stage.diff_ids), created=d.now, path=stage.shell[0],
            args=stage.shell[1:] + [ins.args[0]] if not ins.json_form else ins.args[1:],
            config={**stage.config, "Cmd": stage.shell + [ins.args[0]]}, rw=upper,
            exit_code=code, started_at=d.now, finished_at=d.now + 300_000_000,
            mount_id=d.ids.hex64("mount"))
        if ins.json_form:
            container.path = ins.args[0]
        d.containers[container.id] = container
        return container.id

    def _commit(self, stage, ins, result, layer, key, record) -> None:
        created = format_rfc3339nano(self.daemon.now)
        buildkit_layer = result.layer_step and not self.legacy
        entry = {"created": created,
                 "created_by": result.created_by_legacy if self.legacy else result.created_by_buildkit}
        if not self.legacy:
            entry["comment"] = "buildkit.dockerfile.v0"
        has_layer = layer is not None or buildkit_layer
        if has_layer:
            layer = layer or Layer.from_changes({})  # BuildKit keeps a layer even when empty
            limits.check_layer(layer.changes)
            limits.check_new_layers(self.daemon, [layer.diff_id])
        if self.legacy:
            limits.check_new_images(self.daemon, 1)
        if has_layer:
            self.daemon.add_layer(layer)
            stage.diff_ids = stage.diff_ids + [layer.diff_id]
            record.layer = layer.diff_id
        else:
            entry["empty_layer"] = True
        stage.history = stage.history + [entry]
        if self.legacy:
            image = Image.from_config(self.image_config(stage, created), parent=stage.image_id,
                                      built_locally=True, build_key=key)
            self.daemon.images.setdefault(image.id, image)
            stage.image_id = record.image = image.id
        else:
            self.daemon.build_cache[key] = {"entry": entry, "layer": record.layer}

    def _apply_cached(self, stage: Stage, cached, record: StepRecord) -> None:
        if self.legacy:
            if len(cached.diff_ids) > len(stage.diff_ids):  # the cached step committed a layer
                record.layer = cached.diff_ids[-1]
            stage.config = copy.deepcopy(cached.run_config)
            stage.diff_ids, stage.history = cached.diff_ids, copy.deepcopy(cached.history)
            stage.image_id = record.image = cached.id
        else:
            if cached["layer"]:
                stage.diff_ids = stage.diff_ids + [cached["layer"]]
            stage.history = stage.history + [dict(cached["entry"])]
            record.layer = cached["layer"]

    def _cache_key(self, stage: Stage, ins: Instruction, before, material: str) -> str:
        config, args = before
        text = json.dumps([stage.image_id if self.legacy else stage.diff_ids, _clean(config), args,
                           ins.keyword, ins.args, ins.flags, material], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def _cache_lookup(self, stage: Stage, key: str):
        if self.legacy:  # a locally built child of the current image with an equal step
            for image in self.daemon.images.values():
                if image.parent == stage.image_id and image.built_locally and image.build_key == key:
                    return image
            return None
        hit = self.daemon.build_cache.get(key)
        if hit and (not hit["layer"] or hit["layer"] in self.daemon.layers):
            return hit
        return None

    # ---- results ------------------------------------------------------------------------------
    @staticmethod
    def image_config(stage: Stage, created: str) -> dict:
        return {"architecture": "amd64", "config": _clean(stage.config), "created": created,
                "history": copy.deepcopy(stage.history), "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": list(stage.diff_ids)}}

    def final_image(self, stage: Stage) -> Image:
        """BuildKit's single exported image (legacy: the last intermediate image)."""
        if self.legacy:
            if not stage.image_id:  # a bare `FROM scratch`: no step ever committed an image
                raise DockerfileError("No image was generated. Is your Dockerfile empty?")
            return self.daemon.images[stage.image_id]
        created = stage.history[-1]["created"] if stage.history else format_rfc3339nano(self.daemon.now)
        image = Image.from_config(self.image_config(stage, created))
        limits.check_new_images(self.daemon, 0 if image.id in self.daemon.images else 1)
        return self.daemon.images.setdefault(image.id, image)


def _clean(config: dict) -> dict:
    """Drop empty values the way Docker's config JSON omits them (omitempty), keep key order."""
    return {k: v for k, v in config.items() if v not in (None, "", [], {})}


def _diff(daemon: Daemon, stage: Stage, upper: dict) -> list[tuple[str, str]]:
    return diff(daemon.merged(stage.diff_ids), upper)

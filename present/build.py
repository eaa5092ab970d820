"""A finished `docker build` as the article's loop, one step at a time (pure: no Flask, no I/O).

The engine reports a build as one event, engine.events.BuildFinished: legacy, image, and
    steps: (engine.events.BuildStep(number, total, instruction, cached, container, changes, layer, image), ...)
FROM lines are not steps: they are the gaps in the numbering. Each frame of the view is one step:
the stack so far, the temporary container whose read-write layer took the step's changes, and the
commit that copied them into the next read-only layer (or only a history row, no layer, for metadata-only steps).

    last_build(events) -> BuildFinished | None
    build_view(daemon, event, position=None) -> BuildView      position 0 = FROM, n = last step
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from engine.events import BuildFinished, BuildStep as StepDone, Event  # StepDone: the engine's record of a step

from .i18n import _, ngettext
from .text import short_digest, size_text

MAX_CHANGES = 6   # paths listed in a step's read-write layer; the rest are counted
MARKERS = {"A": "+", "C": "~", "D": "−"}


@dataclass
class Change:
    kind: str      # A | C | D, as `docker diff` prints
    path: str

    @property
    def symbol(self) -> str:
        return MARKERS.get(self.kind, "?")


@dataclass
class StackRow:
    kind: str            # base | layer | empty
    text: str            # the instruction (or the base image)
    short_id: str = ""   # 12 hex of the layer's DiffID
    step: int = 0        # the Dockerfile step that made it (0: the base image)
    cached: bool = False
    new: bool = False    # committed in the frame shown
    detail: str = ""


@dataclass
class BuildStep:
    position: int        # 1..n, the frame number
    number: int          # the Dockerfile step number (Step N/M)
    total: int
    instruction: str
    cached: bool
    container: str       # the temporary container shown ('' when there is none)
    changes: list[Change]
    more_changes: int
    layer_short: str     # '' for an empty (metadata-only) layer
    image_short: str     # legacy: the intermediate image this step left
    stage: int           # 0-based build stage (multi-stage builds)
    in_final: bool       # its stage is the image that was built
    cascade_from: int = 0   # the step number whose cache miss made this one run again
    first_miss: bool = False
    after_hits: bool = False   # earlier steps of this build came from the cache

    @property
    def keyword(self) -> str:
        return self.instruction.split(None, 1)[0].upper() if self.instruction.strip() else ""

    @property
    def empty(self) -> bool:
        return not self.layer_short

    @property
    def outcome(self) -> str:
        """cache hit · cache miss (where the cache broke after hits: the edited step) · ran."""
        if self.cached:
            return "cache hit"
        return "cache miss" if self.first_miss and self.after_hits else "ran"

    @property
    def outcome_text(self) -> str:
        """The outcome in the reader's language (`outcome` stays the English key for tests and CSS)."""
        return {"cache hit": _("cache hit"), "cache miss": _("cache miss"), "ran": _("ran")}[self.outcome]


@dataclass
class BuildView:
    legacy: bool
    image_id: str
    image_short: str
    tags: list[str]
    base_text: str
    base_layers: int
    steps: list[BuildStep]
    position: int
    stack: list[StackRow] = field(default_factory=list)   # top first, as of `position`

    @property
    def builder(self) -> str:
        return _("legacy builder") if self.legacy else "BuildKit"

    @property
    def last(self) -> int:
        return len(self.steps)

    @property
    def current(self) -> BuildStep | None:
        return self.steps[self.position - 1] if self.position else None

    @property
    def at_end(self) -> bool:
        return self.position == self.last

    @property
    def previous(self) -> int:
        return max(self.position - 1, 0)

    @property
    def next(self) -> int:
        return min(self.position + 1, self.last)

    @property
    def hits(self) -> int:
        return sum(1 for s in self.steps if s.cached)

    @property
    def misses(self) -> int:
        return len(self.steps) - self.hits

    @property
    def first_miss(self) -> BuildStep | None:
        return next((s for s in self.steps if s.first_miss), None)

    @property
    def name(self) -> str:
        return self.tags[0] if self.tags else self.image_short

    @property
    def note(self) -> str:
        return frame_note(self)

    @property
    def summary(self) -> str:
        """The whole build in one sentence (for screen readers and the step list's caption)."""
        steps = ngettext("%(num)s step after FROM", "%(num)s steps after FROM", len(self.steps))
        miss = self.first_miss
        if miss and self.hits:
            return _("%(builder)s build of %(name)s: %(steps)s, %(hits)s from the cache, %(misses)s ran; "
                     "the cache broke at step %(step)s, so every later step ran again.",
                     builder=self.builder, name=self.name, steps=steps, hits=self.hits, misses=self.misses,
                     step=miss.number)
        return _("%(builder)s build of %(name)s: %(steps)s, %(hits)s from the cache, %(misses)s ran.",
                 builder=self.builder, name=self.name, steps=steps, hits=self.hits, misses=self.misses)


def last_build(events: list[Event] | None) -> BuildFinished | None:
    """The build event among a command's events (the last one, if a line ran several builds)."""
    builds = [e for e in events or [] if isinstance(e, BuildFinished)]
    return builds[-1] if builds else None


def build_view(daemon, event: BuildFinished, position: int | None = None) -> BuildView:
    legacy = event.legacy
    image = daemon.images.get(event.image)
    stages = _stages([_with_layer(daemon, step, legacy) for step in event.steps])
    final_stage = _final_stage(stages, image)
    steps = _steps(stages, final_stage, legacy)
    base_layers, base_text = _base(daemon, image, stages[final_stage] if stages else [], legacy)
    n = len(steps)
    position = n if position is None else max(0, min(int(position), n))
    view = BuildView(legacy=legacy, image_id=event.image, image_short=short_digest(event.image),
                     tags=list(image.repo_tags) if image else [], base_text=base_text,
                     base_layers=base_layers, steps=steps, position=position)
    view.stack = _stack(view)
    return view


# ---------------------------------------------------------------- reading the event
def _stages(raw_steps: list[StepDone]) -> list[list[StepDone]]:
    """Steps grouped by build stage: a gap in the step numbers is a FROM line."""
    stages: list[list[StepDone]] = []
    expected = None
    for step in raw_steps:
        number = step.number
        if expected is None or number != expected:
            stages.append([])
        stages[-1].append(step)
        expected = number + 1
    return stages


def _with_layer(daemon, step: StepDone, legacy: bool) -> StepDone:
    """A legacy cache hit's event carries no DiffID; its intermediate image shows whether it
    reused a layer (one more layer than its parent) or only metadata."""
    if step.layer or not (legacy and step.cached):
        return step
    image = daemon.images.get(step.image)
    parent = daemon.images.get(image.parent or "") if image else None
    if image is not None and parent is not None and len(image.diff_ids) > len(parent.diff_ids):
        return replace(step, layer=image.diff_ids[-1])
    return step


def _final_stage(stages: list[list[StepDone]], image) -> int:
    """The stage whose layers end the built image (the last one, unless it added none of them)."""
    if not stages:
        return 0
    if image is not None:
        for index in range(len(stages) - 1, -1, -1):
            layers = [s.layer for s in stages[index] if s.layer]
            if not layers or image.diff_ids[-len(layers):] == layers:
                return index
    return len(stages) - 1


def _steps(stages: list[list[StepDone]], final_stage: int, legacy: bool) -> list[BuildStep]:
    out: list[BuildStep] = []
    miss_at = 0   # the step number where the cache broke
    for stage_no, stage in enumerate(stages):
        for raw in stage:
            changes = [Change(*_split_change(c)) for c in raw.changes]
            cached, instruction = raw.cached, raw.instruction
            keyword = instruction.split(None, 1)[0].upper() if instruction.strip() else ""
            step = BuildStep(position=len(out) + 1, number=raw.number, total=raw.total,
                             instruction=instruction, cached=cached,
                             container=_shown_container(raw, keyword, legacy, cached),
                             changes=changes[:MAX_CHANGES], more_changes=max(len(changes) - MAX_CHANGES, 0),
                             layer_short=short_digest(raw.layer) if raw.layer else "",
                             image_short=short_digest(raw.image) if raw.image else "",
                             stage=stage_no, in_final=stage_no == final_stage)
            if not cached:
                if miss_at:
                    step.cascade_from = miss_at
                else:
                    miss_at, step.first_miss = step.number, True
                    step.after_hits = any(s.cached for s in out)
            out.append(step)
    return out


def _shown_container(raw: StepDone, keyword: str, legacy: bool, cached: bool) -> str:
    """The legacy builder runs a container for every uncached step (COPY too); BuildKit runs one
    only for RUN, in its own runtime (never a `docker ps` container)."""
    if cached or not raw.container:
        return ""
    if legacy or keyword == "RUN":
        return raw.container[:12]
    return ""


def _split_change(text: str) -> tuple[str, str]:
    kind, _, path = str(text).partition(" ")
    return (kind, path) if path else ("C", kind)


def _base(daemon, image, final_steps: list[StepDone], legacy: bool) -> tuple[int, str]:
    """How many of the image's layers came from FROM, and what to call that base."""
    if image is None:
        return 0, _("the base image (no longer in the daemon)")
    own_layers = sum(1 for s in final_steps if s.layer)
    count = max(len(image.diff_ids) - own_layers, 0)
    base_ids = image.diff_ids[:count]
    base = None
    if legacy and final_steps and final_steps[0].image in daemon.images:
        base = daemon.images.get(daemon.images[final_steps[0].image].parent or "")
    if base is None:
        candidates = [i for i in daemon.images.values() if i.diff_ids == base_ids and i.id != image.id]
        base = next((i for i in candidates if i.repo_tags), candidates[0] if candidates else None)
    if count == 0 and base is None:
        return 0, _("scratch (no layers)")
    name = base.repo_tags[0] if base is not None and base.repo_tags else (
        _("image %(id)s", id=base.short_id) if base is not None else _("the base image"))
    size = sum(daemon.layers[d].size for d in base_ids if d in daemon.layers)
    return count, f"{name} · " + ngettext("%(num)s layer", "%(num)s layers", count) + f" · {size_text(size)}"


# ---------------------------------------------------------------- one frame
def _stack(view: BuildView) -> list[StackRow]:
    """The read-only stack as of the frame shown, top first: the base, then each step so far."""
    current = view.current
    final_stage = next((s.stage for s in view.steps if s.in_final), 0)
    stage = current.stage if current else final_stage
    final = stage == final_stage
    rows = [StackRow("base", f"FROM {view.base_text}" if final else "FROM … " + _("(an earlier build stage)"))]
    for step in view.steps:
        if step.stage != stage or step.position > view.position:
            continue
        rows.append(StackRow("empty" if step.empty else "layer", step.instruction, step.layer_short, step.number,
                             cached=step.cached, new=step.position == view.position,
                             detail=_("cache hit") if step.cached else (_("no layer") if step.empty
                                                                        else _("new layer"))))
    return list(reversed(rows))


def frame_note(view: BuildView) -> str:
    """What happened in the frame shown, in the article's words."""
    step = view.current
    if step is None:
        return _("Step 1: FROM. The build starts from the base image's read-only layers (%(base)s); "
                 "every later step adds on top of them.", base=view.base_text)
    parts = [_step_note(step, view.legacy)]
    if step.first_miss and step.after_hits:
        parts.append(_("The cache broke here: this step (or a file it copies) changed since the last build, "
                       "so it runs, and every step after it runs again."))
    elif step.first_miss and step.position > 1 and not step.cached:
        parts.append(_("Nothing in the cache matches this step, so it and every later step run."))
    elif step.cascade_from:
        parts.append(_("It runs again because step %(step)s missed the cache: "
                       "a step's cache key includes everything below it.", step=step.cascade_from))
    if view.at_end and step.in_final:
        tags = ", ".join(view.tags) if view.tags else _("no tag")
        parts.append(_("Done: this stack is image %(id)s (%(tags)s).", id=view.image_short, tags=tags))
    if not step.in_final:
        parts.append(_("This step belongs to an earlier build stage: only what `COPY --from` takes of it "
                       "reaches the final image."))
    return " ".join(parts)


def _step_note(step: BuildStep, legacy: bool) -> str:
    count = len(step.changes) + step.more_changes
    changed = ngettext("%(num)s change", "%(num)s changes", count)
    if step.cached:
        what = _("layer %(id)s", id=step.layer_short) if step.layer_short else _("its history row (no layer)")
        image = _(" (intermediate image %(id)s)", id=step.image_short) if legacy and step.image_short else ""
        return _("Cache hit: an earlier build ran this very step on this very stack, so %(what)s%(image)s "
                 "is reused. No container runs.", what=what, image=image)
    if legacy:
        image = _(" = intermediate image %(id)s", id=step.image_short) if step.image_short else ""
        if step.empty:
            return _("A temporary container %(id)s was created and committed, but no file changed: "
                     "only the image config changed (a history row, no layer)%(image)s. "
                     "The container was removed.", id=step.container, image=image)
        return _("A temporary container %(id)s ran the step; its read-write layer got %(changed)s. "
                 "The commit copied those changes into read-only layer %(layer)s%(image)s; "
                 "the container was removed.", id=step.container, changed=changed, layer=step.layer_short,
                 image=image)
    if step.empty:
        return _("BuildKit only changes the image config: no container, no layer, only a history row.")
    if step.container:
        return _("BuildKit ran the command in its own container %(id)s (never shown by `docker ps`); "
                 "its %(changed)s became read-only layer %(layer)s.", id=step.container, changed=changed,
                 layer=step.layer_short)
    return _("BuildKit wrote the files straight into a new read-only layer %(layer)s: no container.",
             layer=step.layer_short)


__all__ = ["build_view", "last_build", "BuildView", "BuildStep", "StackRow", "Change", "frame_note"]

"""The article's figures for the commands that change nothing on the stage: what `history`, `inspect`,
`save`, `export` and `image ls [-a]` show, drawn from the engine's own state (pure: no Flask, no I/O).

    figure(daemon, host, invocations, events, line="") -> Figure | None
    figure_for(sandbox, last) -> Figure | None     (the page's stored last command, web/sandboxes.py)

`invocations` are the last line's parsed docker commands (engine/invocation.py): the figure is the
one for the last of them that has a figure and succeeded; None when there is none. The texts are
made when read (properties), so a template renders them in the request's language. Everything a
figure shows is computed by the engine functions that printed the command's output (history rows,
inspect JSON, the archive bytes written to the host directory), never re-parsed from the text.
"""
from __future__ import annotations

import io
import json
import tarfile
from dataclasses import dataclass

from engine.cli.container.inspect import graph_driver
from engine.cli.formatter.display import ellipsis, human_size
from engine.cli.image.commands import image_rows, image_summaries
from engine.cli.image.info import history_items, history_row
from engine.daemon import images as images_ops
from engine.daemon.model import Daemon, Image
from engine.errors import DockerError
from engine.events import Event, HostFileWritten, events_from_json
from engine.invocation import Invocation

from .i18n import _, ngettext

CREATED_BY_WIDTH = 45     # docker history's CREATED BY column (formatter_history.go Ellipsis)
MAX_TOP_LEVEL = 24        # export: top-level entries named before "… and N more"


def stand_in_note() -> str:
    return _("LayerLab keeps a short stand-in for each file's contents, so this tar is much smaller than the "
             "image's SIZE; its layout is Docker's.")


def short_digest(digest: str) -> str:
    """`sha256:` and the first 12 hex digits, as the figures print a digest."""
    algo, _sep, hex_ = digest.partition(":")
    return f"{algo}:{hex_[:12]}…" if hex_ else digest[:12]


def short_overlay_path(path: str) -> str:
    """/var/lib/docker/overlay2/<64 hex>[-init]/diff → …/overlay2/<12 hex>…[-init]/diff."""
    _head, marker, rest = path.partition("/overlay2/")
    if not marker:
        return path
    name, _sep, tail = rest.partition("/")
    init = name.endswith("-init")
    stem = name[:-5] if init else name
    return f"…/overlay2/{stem[:12]}…{'-init' if init else ''}/{tail}"


def command_text(inv: Invocation) -> str:
    return " ".join(["docker", inv.typed, *inv.args])


# ---- history ---------------------------------------------------------------------------------------
@dataclass
class HistoryRow:
    image_id: str          # as printed: 12 hex digits or "<missing>"
    created_by: str        # as printed (cut to 45 columns unless --no-trunc)
    size: str              # as printed
    comment: str
    layer: int | None      # index in RootFS.Layers (0 = bottom) of the layer this row made, None = no layer

    @property
    def missing(self) -> bool:
        return self.image_id == "<missing>"


@dataclass
class HistoryFigure:
    command: str
    image: str                 # the name as typed
    rows: list[HistoryRow]     # newest first, as printed
    kind: str = "history"

    @property
    def layers(self) -> int:
        return sum(1 for r in self.rows if r.layer is not None)

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows if r.missing)

    @property
    def parents(self) -> int:
        """Rows below the top that show an ID: parent images found locally."""
        return sum(1 for r in self.rows[1:] if not r.missing)

    @property
    def title(self) -> str:
        return _("The stack of %(image)s, newest step on top", image=self.image)

    @property
    def counts(self) -> str:
        made = ngettext("%(num)s made a read-only layer (solid)", "%(num)s made a read-only layer (solid)",
                        self.layers)
        config = ngettext("%(num)s only changed the image's config: no layer (dashed)",
                          "%(num)s only changed the image's config: no layer (dashed)", len(self.rows) - self.layers)
        return ngettext("%(num)s history row: %(made)s, %(config)s.", "%(num)s history rows: %(made)s, %(config)s.",
                        len(self.rows), made=made, config=config)

    @property
    def lead(self) -> list[str]:
        """Read before the stack: what solid, dashed and <missing> mean."""
        lead = [self.counts]
        if self.missing:
            lead.append(_("<missing> is not an error: that step is in the image's history but is not a local "
                           "image of its own. Docker fills the IMAGE column by following the parent chain; a pulled "
                           "image or a BuildKit build has no parent, so only its top row has an ID."))
        return lead

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.parents:
            notes.append(ngettext("%(num)s row below the top shows a parent image's ID: the legacy builder "
                                  "(DOCKER_BUILDKIT=0) keeps one image per step, and docker commit keeps the "
                                  "container's image as the parent.",
                                  "%(num)s rows below the top show a parent image's ID: the legacy builder "
                                  "(DOCKER_BUILDKIT=0) keeps one image per step, and docker commit keeps the "
                                  "container's image as the parent.", self.parents))
        return notes


def history_figure(daemon: Daemon, inv: Invocation) -> HistoryFigure | None:
    image = _image(daemon, inv.args[0]) if inv.args else None
    if image is None:
        return None
    trunc, human = not inv.option("no-trunc", False), bool(inv.option("human", True))
    items = history_items(daemon, image)          # newest first, as the daemon answers
    layer_of = _layer_index_per_entry(image)      # oldest first
    rows = []
    for item, layer in zip(items, reversed(layer_of)):
        row = history_row(item, trunc, human, daemon.now)
        rows.append(HistoryRow(row["ID"], row["CreatedBy"], row["Size"], row["Comment"], layer))
    return HistoryFigure(command_text(inv), inv.args[0], rows)


def _layer_index_per_entry(image: Image) -> list[int | None]:
    """For each history entry, oldest first: the RootFS.Layers index it made, None for empty_layer."""
    out, counter = [], 0
    for entry in image.history:
        if entry.get("empty_layer"):
            out.append(None)
        else:
            out.append(counter if counter < len(image.diff_ids) else None)
            counter += 1
    return out


def _made_by(image: Image | None) -> dict[int, str]:
    """RootFS.Layers index -> the history line (cut as docker history prints it) that made the layer."""
    if image is None:
        return {}
    return {layer: ellipsis(entry.get("created_by", "").replace("\t", " "), CREATED_BY_WIDTH)
            for entry, layer in zip(image.history, _layer_index_per_entry(image)) if layer is not None}


# ---- inspect ---------------------------------------------------------------------------------------
@dataclass
class StackRow:
    """One level of the drawn stack, top first: a read-only layer, the init layer, the read-write layer
    or the merged view, with the GraphDriver key and directory the inspect output names for it."""
    role: str                # "merged" | "rw" | "init" | "layer"
    key: str                 # GraphDriver.Data key: MergedDir, UpperDir, LowerDir (or "" for none)
    path: str                # the directory, shortened
    layer: int | None = None  # RootFS.Layers index (0 = bottom) for image layers
    diff_id: str = ""        # shortened DiffID
    made_by: str = ""        # the history line that made it
    size: str = ""


@dataclass
class InspectFigure:
    command: str
    object_kind: str           # "image" | "container"
    name: str                  # as typed
    object_id: str             # shortened: image sha256:…, container 12 hex
    image_id: str              # the image (for a container: the one it was created from)
    config: list[tuple[str, str]]      # a few Config keys as printed (compact JSON)
    layers: list[str]          # RootFS.Layers, bottom first, shortened (what inspect printed)
    stack: list[StackRow]      # top first
    rw_changes: int = 0
    kind: str = "inspect"

    @property
    def title(self) -> str:
        if self.object_kind == "container":
            return _("Container %(name)s: its image's layers, an init layer and its read-write layer", name=self.name)
        return _("Image %(name)s: its config and the RootFS.Layers list", name=self.name)

    @property
    def notes(self) -> list[str]:
        if self.object_kind == "container":
            return [
                _("GraphDriver (overlay2) names the directories that overlayfs stacks: LowerDir lists the "
                  "read-only ones, nearest first (the init layer, then the image's layers); UpperDir is the "
                  "container's read-write layer; MergedDir is the union of them all, the root filesystem its "
                  "processes see."),
                _("The init layer holds the mount points Docker adds to every container (/.dockerenv, /etc/hosts, "
                  "/etc/hostname, /etc/resolv.conf, /dev, /proc, /sys); docker diff does not list it."),
                _("Directory names are the layers' cache ids, not their DiffIDs; paths are shortened here."),
            ]
        return [
            _("Id is the sha256 of the image's config JSON. Its rootfs part lists the layers by DiffID "
              "(the sha256 of each layer's uncompressed tar), bottom first: inspect prints it as RootFS.Layers."),
            _("Each DiffID points at one read-only layer of the stack; another image that uses the same layer "
              "lists the same DiffID."),
            _("GraphDriver names the top layer's directory as UpperDir and the ones below as LowerDir: for an "
              "image they are all read-only. Paths are shortened here."),
        ]


def inspect_figure(daemon: Daemon, inv: Invocation) -> InspectFigure | None:
    """The first object the command inspected (container first for plain `docker inspect`)."""
    if not inv.args:
        return None
    ref, kind = inv.args[0], {"image inspect": "image", "container inspect": "container"}.get(inv.path)
    kind = kind or inv.option("type") or ""
    if kind in ("", "container"):
        try:
            return _container_inspect(daemon, inv, daemon.find_container(ref))
        except DockerError:
            if kind:
                return None
    if kind in ("", "image"):
        image = _image(daemon, ref)
        return _image_inspect(daemon, inv, image) if image else None
    return None


def _image_inspect(daemon: Daemon, inv: Invocation, image: Image) -> InspectFigure:
    made_by = _made_by(image)
    gd = images_ops.image_graph_driver_data(image.diff_ids) or {}
    lower = gd.get("LowerDir", "").split(":") if gd.get("LowerDir") else []
    stack = []
    for index in reversed(range(len(image.diff_ids))):
        top = index == len(image.diff_ids) - 1
        path = gd.get("UpperDir", "") if top else lower[len(image.diff_ids) - 2 - index]
        stack.append(StackRow("layer", "UpperDir" if top else "LowerDir", short_overlay_path(path), index,
                              short_digest(image.diff_ids[index]), made_by.get(index, ""),
                              human_size(daemon.layer(image.diff_ids[index]).size)))
    return InspectFigure(command_text(inv), "image", inv.args[0], short_digest(image.id), short_digest(image.id),
                         _config_lines(image.run_config), [short_digest(d) for d in image.diff_ids], stack)


def _container_inspect(daemon: Daemon, inv: Invocation, container) -> InspectFigure:
    image = daemon.images.get(container.image_id)
    made_by = _made_by(image) if image and image.diff_ids == container.diff_ids else {}
    data = graph_driver(container)["Data"]
    lower = data["LowerDir"].split(":")
    changes = len(daemon.rw_changes(container))
    stack = [StackRow("merged", "MergedDir", short_overlay_path(data["MergedDir"])),
             StackRow("rw", "UpperDir", short_overlay_path(data["UpperDir"])),
             StackRow("init", "LowerDir", short_overlay_path(lower[0]))]
    count = len(container.diff_ids)
    for position, path in enumerate(lower[1:]):
        index = count - 1 - position
        stack.append(StackRow("layer", "LowerDir", short_overlay_path(path), index,
                              short_digest(container.diff_ids[index]), made_by.get(index, ""),
                              human_size(daemon.layer(container.diff_ids[index]).size)))
    return InspectFigure(command_text(inv), "container", inv.args[0], container.short_id,
                         short_digest(container.image_id), _config_lines(container.config),
                         [short_digest(d) for d in container.diff_ids], stack, rw_changes=changes)


_CONFIG_KEYS = ("Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts")   # Env is long: the terminal has it


def _config_lines(config: dict) -> list[tuple[str, str]]:
    """A few Config keys in inspect's order of interest, values as compact JSON (as Go marshals them)."""
    out = []
    for key in _CONFIG_KEYS:
        value = config.get(key)
        if value in (None, "", [], {}):
            continue
        if key == "ExposedPorts":
            value = dict(sorted(value.items()))
        out.append((key, json.dumps(value, ensure_ascii=False, separators=(",", ":"))))
    return out


# ---- save ------------------------------------------------------------------------------------------
@dataclass
class ArchiveEntry:
    path: str          # shortened member name
    role: str          # oci-layout | index | manifest-json | repositories | manifest | config | layer | v1
    size: str
    layer: int | None = None   # layer number, 1 = bottom
    made_by: str = ""
    count: int = 1             # v1: how many legacy JSON blobs this row stands for

    @property
    def label(self) -> str:
        labels = {
            "oci-layout": _("marks the tar as an OCI image layout"),
            "index": _("OCI index: points at each image's manifest, with its tags"),
            "manifest-json": _("Docker's own index: per image, its config and its layer tars in order"),
            "repositories": _("tag → top layer, for older loaders"),
            "manifest": _("OCI manifest: the config's digest and the layers' digests, bottom first"),
            "config": _("the image config: Cmd, Env…, the history and rootfs.diff_ids; its sha256 is the image ID"),
            "layer": _("layer %(n)s", n=self.layer),
            "v1": ngettext("%(num)s legacy v1 JSON file (one per layer, for compatibility)",
                           "%(num)s legacy v1 JSON files (one per layer, for compatibility)", self.count),
        }
        return labels[self.role]


@dataclass
class SaveFigure:
    command: str
    file: str
    size: str
    images: list[str]          # tags (or short ids) saved
    entries: list[ArchiveEntry]
    layers: int
    kind: str = "save"

    @property
    def title(self) -> str:
        return _("%(file)s: the image as files in one tar", file=self.file)

    @property
    def notes(self) -> list[str]:
        return [
            _("Each layer is a tar of that layer's files, uncompressed, named by its DiffID (the tar's sha256); "
              "layer 1 is the bottom one."),
            ngettext("Every read-only layer is kept: %(num)s layer tar, plus the config that holds the history "
                     "and the list of DiffIDs. docker load rebuilds the same image: same ID, same layers, same history.",
                     "Every read-only layer is kept: %(num)s layer tars, plus the config that holds the history "
                     "and the list of DiffIDs. docker load rebuilds the same image: same ID, same layers, same history.",
                     self.layers),
            stand_in_note(),
            _("The article (2019) says save compresses the layers; Docker 28.5 writes each layer as an uncompressed "
              "tar and stores the metadata once, in the image config (the v1 JSON files are only for compatibility)."),
        ]


# The host file is read again on every page view, and the learner may have replaced it since (the
# Files panel, an upload): anything that is not the archive save wrote gives no figure, never an error.
_UNREADABLE = (tarfile.TarError, EOFError, OSError, KeyError, IndexError, TypeError, ValueError, AttributeError)


def save_figure(daemon: Daemon, host, inv: Invocation, events: list[Event]) -> SaveFigure | None:
    path = _written_file(inv, events)
    data = _host_bytes(host, path)
    if data is None:
        return None
    try:
        return _save_figure(daemon, inv, path, data)
    except _UNREADABLE:
        return None


def _save_figure(daemon: Daemon, inv: Invocation, path: str, data: bytes) -> SaveFigure:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        docker_manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
        index = json.loads(tar.extractfile(members["index.json"]).read())
    entries = [ArchiveEntry(name, role, human_size(members[name].size))
               for name, role in (("oci-layout", "oci-layout"), ("index.json", "index"),
                                  ("manifest.json", "manifest-json"), ("repositories", "repositories"))
               if name in members]
    named: set[str] = set(e.path for e in entries)
    images, layers = [], 0
    manifests = {m["digest"].split(":", 1)[1] for m in index.get("manifests", [])}
    for hex_ in sorted(manifests):
        name = "blobs/sha256/" + hex_
        if name in members:
            entries.append(ArchiveEntry(_short_blob(name), "manifest", human_size(members[name].size)))
            named.add(name)
    for item in docker_manifest:
        config_name = item["Config"]
        image = daemon.images.get("sha256:" + config_name.rsplit("/", 1)[-1])
        images += item.get("RepoTags") or [short_digest("sha256:" + config_name.rsplit("/", 1)[-1])]
        if config_name in members and config_name not in named:
            entries.append(ArchiveEntry(_short_blob(config_name), "config", human_size(members[config_name].size)))
            named.add(config_name)
        made_by = _made_by(image)
        for number, layer_name in enumerate(item["Layers"], start=1):
            if layer_name in members and layer_name not in named:
                entries.append(ArchiveEntry(_short_blob(layer_name), "layer", human_size(members[layer_name].size),
                                            number, made_by.get(number - 1, "")))
                named.add(layer_name)
                layers += 1
    rest = [n for n in members if n.startswith("blobs/") and n not in named]
    if rest:
        entries.append(ArchiveEntry("blobs/sha256/…", "v1", human_size(sum(members[n].size for n in rest)),
                                    count=len(rest)))
    return SaveFigure(command_text(inv), path, human_size(len(data)), images, entries, layers)


def _short_blob(name: str) -> str:
    head, _sep, hex_ = name.rpartition("/")
    return f"{head}/{hex_[:12]}…"


# ---- export ----------------------------------------------------------------------------------------
@dataclass
class ExportFigure:
    command: str
    container: str
    file: str
    size: str
    entries: int               # members in the tar
    top_level: list[str]       # its top-level names ("bin/", ".dockerenv"…)
    more_top_level: int
    image_layers: int
    rw_changes: int            # what docker diff lists for the container
    deleted: int               # of those, deletions (absent from the tar)
    kind: str = "export"

    @property
    def title(self) -> str:
        return _("%(file)s: the container's files as one flat filesystem", file=self.file)

    @property
    def notes(self) -> list[str]:
        notes = [
            ngettext("One tar of the merged view: %(num)s entry, no layers, no history, no image config.",
                     "One tar of the merged view: %(num)s entries, no layers, no history, no image config.",
                     self.entries),
            _("It also holds the init layer's placeholders: /.dockerenv and the empty /etc/hosts, /etc/hostname "
              "and /etc/resolv.conf."),
        ]
        if self.deleted:
            notes.append(ngettext("The %(num)s file or directory the container deleted is simply absent: no whiteout.",
                                  "The %(num)s files or directories the container deleted are simply absent: no whiteouts.",
                                  self.deleted))
        notes.append(stand_in_note())
        notes.append(_("docker import makes a new image of it with one layer and one history row; docker save "
                       "and docker load keep an image's layers and history instead."))
        return notes


def export_figure(daemon: Daemon, host, inv: Invocation, events: list[Event]) -> ExportFigure | None:
    if not inv.args:
        return None
    try:
        container = daemon.find_container(inv.args[0])
    except DockerError:
        return None
    path = _written_file(inv, events)
    data = _host_bytes(host, path)
    if data is None:
        return None
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            members = tar.getmembers()
    except _UNREADABLE:
        return None
    top: list[str] = []
    for member in members:
        first, slash, _rest = member.name.strip("/").partition("/")
        label = first + "/" if slash or member.isdir() else first
        if first and label not in top:
            top.append(label)
    changes = daemon.rw_changes(container)
    return ExportFigure(command_text(inv), container.name, path, human_size(len(data)), len(members),
                        top[:MAX_TOP_LEVEL], max(0, len(top) - MAX_TOP_LEVEL), len(container.diff_ids),
                        len(changes), sum(1 for kind, _p in changes if kind == "D"))


# ---- image ls [-a] -----------------------------------------------------------------------------------
@dataclass
class ListRow:
    repository: str
    tag: str
    image_id: str
    size: str
    layers: int
    intermediate: bool = False     # untagged with children: only -a lists it
    step: str = ""                 # intermediate: the build step (history line) that made it
    child_of: str = ""             # intermediate: the tagged image it leads to


@dataclass
class ImageListFigure:
    command: str
    all: bool
    rows: list[ListRow]
    hidden: int                    # without -a: intermediate images not listed
    kind: str = "images"

    @property
    def added(self) -> int:
        return sum(1 for r in self.rows if r.intermediate)

    @property
    def title(self) -> str:
        if self.all:
            return _("Every image, the intermediate ones too")
        return _("The images, one row per tag")

    @property
    def notes(self) -> list[str]:
        notes = [_("SIZE adds up all of an image's layers, the ones it shares with other images too.")]
        if self.all and self.added:
            notes.append(ngettext("-a adds %(num)s intermediate image (marked): untagged, and the parent of another "
                                  "image. The legacy builder (DOCKER_BUILDKIT=0) leaves one per step; it shares its "
                                  "layers with the final image, it is no copy.",
                                  "-a adds %(num)s intermediate images (marked): untagged, and the parents of other "
                                  "images. The legacy builder (DOCKER_BUILDKIT=0) leaves one per step; they share "
                                  "their layers with the final image, they are no copies.", self.added))
        elif self.all:
            notes.append(_("-a adds nothing here: no image is an untagged parent of another. BuildKit, the default "
                           "builder, leaves no intermediate images; the legacy builder (DOCKER_BUILDKIT=0) does."))
        elif not self.hidden:   # hidden ones are drawn as a dashed row under the list
            notes.append(_("Without -a, Docker 28.5 hides only intermediate images (untagged parents of other "
                           "images); there are none now. Untagged images without children (<none>) are listed."))
        return notes


def image_list_figure(daemon: Daemon, inv: Invocation) -> ImageListFigure | None:
    if inv.args or inv.option("filter"):
        return None   # a filtered list: the figure would draw images the command did not list
    show_all = bool(inv.option("all", False))
    listed = image_summaries(daemon, show_all, {})
    everything = listed if show_all else image_summaries(daemon, True, {})
    shown_ids = {s["image"].id for s in listed}
    rows = []
    for summary in listed:
        image = summary["image"]
        untagged = not summary["tags"] and not summary["digests"]
        intermediate = untagged and bool(daemon.children(image))
        for row in image_rows(summary, True, False, daemon.now):   # one row per repo:tag, as printed
            rows.append(ListRow(row["Repository"], row["Tag"], row["ID"], row["Size"], len(image.diff_ids),
                                intermediate, _last_step(image) if intermediate else "",
                                _tagged_descendant(daemon, image) if intermediate else ""))
    hidden = sum(1 for s in everything if s["image"].id not in shown_ids)
    return ImageListFigure(command_text(inv), show_all, rows, hidden)


def _last_step(image: Image) -> str:
    return ellipsis(image.history[-1].get("created_by", "").replace("\t", " "), CREATED_BY_WIDTH) if image.history else ""


def _tagged_descendant(daemon: Daemon, image: Image) -> str:
    """The first tagged image found below this one in the parent links (breadth first)."""
    queue, seen = list(daemon.children(image)), set()
    while queue:
        child = queue.pop(0)
        if child.id in seen:
            continue
        seen.add(child.id)
        if child.repo_tags:
            return child.repo_tags[0]
        queue += daemon.children(child)
    return ""


# ---- the last command's figure -------------------------------------------------------------------
Figure = HistoryFigure | InspectFigure | SaveFigure | ExportFigure | ImageListFigure


def figure(daemon: Daemon, host, invocations: list[Invocation], events: list[Event] | None = None,
           line: str = "") -> Figure | None:
    """The figure for the last docker command of the line that has one and succeeded, else None.
    `line` is the terminal line as typed (shown on the figure); default: the command rebuilt from its
    parsed words, without its flags."""
    for inv in reversed(invocations or []):
        if not inv.ok:
            continue
        drawn = _draw(daemon, host, inv, events or [])
        if drawn is not None:
            if line:
                drawn.command = line
            return drawn
    return None


def figure_for(sandbox, last: dict | None) -> Figure | None:
    """The page's figure: the sandbox as it is and its stored last command (web/sandboxes.py keeps
    its invocations and events as JSON; an undone command has none)."""
    if not last or last.get("undone"):
        return None
    invocations = invocations_of(last)
    if not any(inv.ok and inv.is_(*_FIGURE_PATHS) for inv in invocations):   # most commands: no figure,
        return None                                                         # no events to read
    return figure(sandbox.daemon, sandbox.host, invocations, events_from_json(last.get("events")),
                  last.get("command") or "")


# the commands _draw() draws a figure for
_FIGURE_PATHS = ("image history", "image inspect", "container inspect", "inspect", "image save",
                 "container export", "image ls", "images")


def _draw(daemon: Daemon, host, inv: Invocation, events: list[Event]) -> Figure | None:
    if inv.is_("image history"):
        return history_figure(daemon, inv)
    if inv.is_("image inspect", "container inspect", "inspect"):
        return inspect_figure(daemon, inv)
    if inv.is_("image save"):
        return save_figure(daemon, host, inv, events)
    if inv.is_("container export"):
        return export_figure(daemon, host, inv, events)
    if inv.is_("image ls", "images"):
        return image_list_figure(daemon, inv)
    return None


def invocations_of(last: dict | None) -> list[Invocation]:
    """The invocations kept with the page's last command (web/sandboxes.py stores them as JSON)."""
    if not last or last.get("undone"):
        return []
    return [Invocation.from_json(i) for i in last.get("invocations") or [] if isinstance(i, dict)]


# ---- helpers -----------------------------------------------------------------------------------------
def _image(daemon: Daemon, ref: str) -> Image | None:
    try:
        return images_ops.resolve_image(daemon, ref)
    except DockerError:
        return None


def _written_file(inv: Invocation, events: list[Event]) -> str:
    """The host file the command wrote: -o, else the `>` redirect (its host_file event)."""
    written = [e.path for e in events if isinstance(e, HostFileWritten)]
    return inv.option("output") or (written[-1] if written else "")


def _host_bytes(host, path: str) -> bytes | None:
    if not path or host is None:
        return None
    try:
        return host.read(path)
    except DockerError:   # gone since (rm), or a path the host refuses: no figure, never an error
        return None

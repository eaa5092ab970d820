"""`docker save`, `load`, `export` and `import`: archives as real tar files in the host directory.

The archive formats live in engine/archive/formats.py; this module finds the objects, writes the files and
updates the daemon, with docker/cli's output and error texts (cli/command/image/save.go, load.go,
import.go, cli/command/container/export.go) and the daemon's (moby tarexport, daemon/export.go).
"""
from __future__ import annotations

import json
import shlex

from engine import events as ev
from engine import limits
from engine.archive import formats as archive, tar as archive_tar
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops
from engine.daemon.model import Image, config_bytes
from engine.errors import ArchiveError, Conflict, DaemonError, DockerError, HostError, NoSuchImage, NotFound
from engine.layers.fs import Layer
from engine.layers.unionfs import UnionFS
from engine.refs import InvalidReference, looks_like_id, parse as parse_ref, parse_or_daemon_error

REFUSE_TTY = "cowardly refusing to save to a terminal. Use the -o flag or redirect"
INIT_LAYER = Layer.from_changes(archive.INIT_LAYER_CHANGES)
CHANGE_COMMANDS = ("cmd", "entrypoint", "healthcheck", "env", "expose", "label", "onbuild",
                   "stopsignal", "user", "volume", "workdir")  # moby validCommitCommands


def _emit(ctx, data: bytes, output: str) -> None:
    """Write an archive to -o FILE in the working directory, or to the redirected stdout."""
    if output:
        try:
            path = ctx.host.write(output, data)
        except HostError as err:
            raise DockerError(f"failed to save image: {err}") from None
        ctx.events.append(ev.HostFileWritten(path=path))
    else:
        ctx.out_bytes.extend(data)


def _read_host(ctx, path: str) -> bytes:
    try:
        return ctx.host.read(path)
    except HostError:
        raise DockerError(f"open {path}: no such file or directory") from None


# ------------------------------------------------------------------------------------------ save
def _save_targets(daemon, names: list[str]) -> list[tuple[Image, list[str]]]:
    """Images to save, first mention first, each with the tags named (tarexport parseNames)."""
    chosen: dict[str, tuple[Image, list[str]]] = {}

    def add(image: Image, tag: str | None) -> None:
        entry = chosen.setdefault(image.id, (image, []))
        if tag and tag not in entry[1]:
            entry[1].append(tag)

    for name in names:
        ref = None if name.startswith("sha256:") or len(name) == 64 and looks_like_id(name) \
            else _parse_or_none(name)
        if ref is not None and ref.tag is None and ref.digest is None:
            tagged = [(i, t) for i in daemon.images.values() for t in i.repo_tags
                      if t.rpartition(":")[0] == ref.repository]
            if tagged:  # a bare repository name saves every tag of it
                for image, tag in tagged:
                    add(image, tag)
                continue
        if ref is not None and ref.tag and ref.digest is None:
            image = daemon.image_or_none(ref.tagged)
            if image is None:  # refstore Get: ErrDoesNotExist (reference/store.go)
                raise NotFound("reference does not exist")
            add(image, ref.tagged)
            continue
        try:
            image = daemon.find_image(name)  # id, id prefix or digest
        except NotFound:  # image store Search: the name as given, no ":latest" added
            raise NoSuchImage(name) from None
        add(image, None)
    return list(chosen.values())


def _parse_or_none(name: str):
    try:
        return parse_ref(name)
    except InvalidReference:
        return None


def save(ctx, opts, args) -> int:
    if not opts["output"] and not ctx.stdout_redirected:
        raise DockerError(REFUSE_TTY)
    daemon = ctx.daemon
    targets = _save_targets(daemon, args)
    saved_ids = {image.id for image, _ in targets}
    items = []
    for image, tags in targets:
        items.append(archive.SaveItem(
            image.config, config_bytes(image.config), daemon.layers_of(image.diff_ids), tags,
            [parse_ref(t).full_name for t in tags], image.parent if image.parent in saved_ids else ""))
    try:
        data = archive.save_archive(items, daemon.now)
    except ArchiveError as err:
        raise DaemonError(str(err)) from None
    _emit(ctx, data, opts["output"])
    return 0


# ------------------------------------------------------------------------------------------ load
def load(ctx, opts, args) -> int:
    if opts["input"]:
        data = _read_host(ctx, opts["input"])
    elif ctx.stdin is None:
        raise DockerError("requested load from stdin, but stdin is empty")
    else:
        data = ctx.stdin
    # The daemon streams its answer, so its errors reach the terminal without a prefix.
    try:
        loaded = archive.read_archive(data)
    except ArchiveError as err:
        raise DockerError(str(err)) from None
    id_lines, tag_count = [], 0
    for item in loaded:
        try:
            image = _load_image(ctx, item)
        except ArchiveError as err:
            raise DockerError(str(err)) from None
        id_lines.append(f"Loaded image ID: {image.id}")
        tag_count = 0  # load.go resets the count per image: only the last one decides
        for repo_tag in item.repo_tags:
            _set_loaded_tag(ctx, image, repo_tag)
            ctx.print(f"Loaded image: {parse_ref(repo_tag).tagged}")
            tag_count += 1
    if tag_count == 0:
        for line in id_lines:
            ctx.print(line)
    return 0


def _load_image(ctx, item: archive.LoadedImage) -> Image:
    daemon = ctx.daemon
    if config_bytes(item.config) != item.config_bytes:
        raise ArchiveError("LayerLab: this image's config JSON is not in the canonical form LayerLab "
                           "stores (key order, spacing or escaping), so its image ID could not be kept")
    layers, fresh = [], []
    for index, (diff_id, blob) in enumerate(zip(item.config["rootfs"]["diff_ids"], item.layer_blobs)):
        if diff_id in daemon.layers:  # same layer already stored: reused, as load.go's lss.Get(chainID)
            layers.append(daemon.layers[diff_id])
            continue
        layer = archive_tar.parse_layer(blob, diff_id, index)
        layers.append(layer)
        fresh.append(layer)
    image = Image.from_config(item.config)
    for layer in fresh:
        limits.check_layer(layer.changes)
    limits.check_new_layers(daemon, [layer.diff_id for layer in layers])
    limits.check_new_images(daemon, 0 if image.id in daemon.images else 1)
    for layer in layers:
        if daemon.add_layer(layer):
            ctx.events.append(ev.LayerAdded(layer=layer.diff_id, image=image.id))
        else:
            ctx.events.append(ev.LayerReused(layer=layer.diff_id))
    if image.id in daemon.images:
        return daemon.images[image.id]
    if item.parent in daemon.images:
        image.parent = item.parent
    image.last_tag_time = daemon.now
    daemon.images[image.id] = image
    ctx.events.append(ev.ImageAdded(image=image.id))
    return image


def _set_loaded_tag(ctx, image: Image, repo_tag: str) -> None:
    try:
        ref = parse_ref(repo_tag)
    except InvalidReference as err:
        raise DockerError(str(err)) from None
    if ref.tag is None:
        raise DockerError(f'invalid tag "{repo_tag}"')
    tagged = ref.tagged
    old = ctx.daemon.image_by_tag(tagged)
    if old is not None and old.id != image.id:
        ctx.print(f"The image {tagged} already exists, renaming the old one with ID {old.id} to empty string")
        old.repo_tags.remove(tagged)
        ctx.events.append(ev.Untagged(image=old.id, tag=tagged))
    if tagged not in image.repo_tags:
        image.repo_tags.append(tagged)
        image.last_tag_time = ctx.daemon.now
        ctx.events.append(ev.Tagged(image=image.id, tag=tagged))


# ------------------------------------------------------------------------------------------ export
def export(ctx, opts, args) -> int:
    if not opts["output"] and not ctx.stdout_redirected:
        raise DockerError(REFUSE_TTY)
    daemon = ctx.daemon
    container = daemon.find_container(args[0])
    if container.dead:
        raise Conflict(f"You cannot export container {container.id} which is Dead")
    # image layers, then the container's -init layer, then its read-write layer (daemon/export.go)
    tree = UnionFS(daemon.layers_of(container.diff_ids) + [INIT_LAYER], container.rw).walk()
    _emit(ctx, archive.export_tar(tree), opts["output"])
    return 0


# ------------------------------------------------------------------------------------------ import
def import_(ctx, opts, args) -> int:
    source = args[0]
    if source.startswith(("http://", "https://")):
        raise DaemonError("LayerLab has no network: import a tar file from the working directory")
    if source == "-":
        if ctx.stdin is None:
            raise DockerError("LayerLab: `docker import -` reads the archive given with `< file`")
        data = ctx.stdin
    else:
        data = _read_host(ctx, source)  # the CLI streams the file: the daemon sees source "-"
    ref = None
    if len(args) > 1:
        ref = parse_or_daemon_error(args[1])
        if ref.digest:
            raise DaemonError("cannot import digest reference")
    run_config = _apply_changes(opts["change"])
    try:
        layer = archive.import_layer(data)
    except ArchiveError as err:
        raise DaemonError(str(err)) from None
    daemon = ctx.daemon
    message = opts["message"] or "Imported from -"
    config = archive.import_config(layer, daemon.now, message, run_config)
    image = Image.from_config(config)
    image = daemon.images.get(image.id, image)
    limits.check_layer(layer.changes)
    limits.check_new_layers(daemon, [layer.diff_id])
    limits.check_new_images(daemon, 0 if image.id in daemon.images else 1)
    if daemon.add_layer(layer):
        ctx.events.append(ev.LayerAdded(layer=layer.diff_id, image=image.id))
    else:
        ctx.events.append(ev.LayerReused(layer=layer.diff_id))
    if image.id not in daemon.images:
        image.last_tag_time = daemon.now
        daemon.images[image.id] = image
        ctx.events.append(ev.ImageAdded(image=image.id))
    if ref is not None:
        images_ops.tag_image(ctx.daemon, image, ref.tagged, ctx.events)
    ctx.print(image.id)
    return 0


def _apply_changes(changes: list[str]) -> dict:
    """`-c 'CMD ["sh"]'`: the Dockerfile instructions BuildFromConfig accepts, applied to an empty config."""
    config: dict = {}
    for change in changes:
        keyword, _, rest = change.strip().partition(" ")
        word, rest = keyword.lower(), rest.strip()
        if word not in CHANGE_COMMANDS:
            raise DaemonError(f"{word} is not a valid change command")
        if word in ("cmd", "entrypoint"):
            config["Cmd" if word == "cmd" else "Entrypoint"] = _command_form(rest)
        elif word == "env":
            env = [e for e in config.get("Env") or []]
            for key, value in _pairs(rest, legacy=True):
                env = [e for e in env if e.split("=", 1)[0] != key] + [f"{key}={value}"]
            config["Env"] = env
        elif word == "label":
            config["Labels"] = {**(config.get("Labels") or {}), **dict(_pairs(rest))}
        elif word == "expose":
            ports = config.get("ExposedPorts") or {}
            config["ExposedPorts"] = {**ports, **{(p if "/" in p else p + "/tcp"): {} for p in rest.split()}}
        elif word == "volume":
            vols = _command_form(rest) if rest.startswith("[") else rest.split()
            config["Volumes"] = {**(config.get("Volumes") or {}), **{v: {} for v in vols}}
        elif word == "workdir":
            config["WorkingDir"] = rest
        elif word == "user":
            config["User"] = rest
        elif word == "stopsignal":
            config["StopSignal"] = rest
        elif word == "onbuild":
            config["OnBuild"] = (config.get("OnBuild") or []) + [rest]
    return config


def _command_form(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            value = json.loads(rest)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return value
        except (ValueError, RecursionError):
            pass
    return ["/bin/sh", "-c", rest]


def _pairs(rest: str, legacy: bool = False) -> list[tuple[str, str]]:
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if legacy and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [tuple(w.split("=", 1)) if "=" in w else (w, "") for w in words]


# ------------------------------------------------------------------------------------------ specs
PLATFORM_HELP = 'Save only the given platform(s). Formatted as a comma-separated list of "os[/arch[/variant]]" ' \
                '(e.g., "linux/amd64,linux/arm64/v8")'
COMMANDS = [
    Command("docker image save", "docker image save [OPTIONS] IMAGE [IMAGE...]",
            "Save one or more images to a tar archive (streamed to STDOUT by default)", save,
            [Flag("output", "o", "string", "Write to a file, instead of STDOUT", type_name="string"),
             Flag("platform", "", "list", PLATFORM_HELP, type_name="stringSlice")],
            aliases=["docker save"], min_args=1),
    Command("docker image load", "docker image load [OPTIONS]", "Load an image from a tar archive or STDIN", load,
            [Flag("input", "i", "string", "Read from tar archive file, instead of STDIN", type_name="string"),
             Flag("platform", "", "string", 'Load only the given platform variant. Formatted as '
                  '"os[/arch[/variant]]" (e.g., "linux/amd64")', type_name="string"),
             Flag("quiet", "q", "bool", "Suppress the load output")],
            aliases=["docker load"], max_args=0),
    Command("docker container export", "docker container export [OPTIONS] CONTAINER",
            "Export a container's filesystem as a tar archive", export,
            [Flag("output", "o", "string", "Write to a file, instead of STDOUT", type_name="string")],
            aliases=["docker export"], min_args=1, max_args=1),
    Command("docker image import", "docker image import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
            "Import the contents from a tarball to create a filesystem image", import_,
            [Flag("change", "c", "list", "Apply Dockerfile instruction to the created image", type_name="list"),
             Flag("message", "m", "string", "Set commit message for imported image", type_name="string"),
             Flag("platform", "", "string", "Set platform if server is multi-platform capable", type_name="string")],
            aliases=["docker import"], min_args=1),
]

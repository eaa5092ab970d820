"""`docker commit` (a container's read-write layer becomes an image layer) and `docker cp`."""
from __future__ import annotations

import copy
import posixpath
from dataclasses import replace

from engine import events as ev
from engine import limits
from engine.build import dockerfile
from engine.cli.formatter.display import human_size, rfc3339nano
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops, lifecycle
from engine.daemon.model import Image
from engine.daemon.rw_layer import restore_rw
from engine.errors import DaemonError, DockerError, FsError, InvalidArgument, LimitError, NotFound
from engine.host import HOME
from engine.layers.fs import DIR, EMPTY_LAYER_DIFF_ID, FILE, SYMLINK, Layer, entry_bytes, normpath
from engine.refs import InvalidReference, parse as parse_ref

# builder/dockerfile/builder.go validCommitCommands
COMMIT_CHANGES = {"CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME",
                  "WORKDIR"}
IMAGE_CONFIG_KEYS = ("User", "ExposedPorts", "Env", "Cmd", "Volumes", "WorkingDir", "Entrypoint", "OnBuild",
                     "Labels", "StopSignal")


# ---- commit -------------------------------------------------------------------------------
def apply_change(config: dict, text: str) -> None:
    """One `-c` Dockerfile instruction applied to an image config (BuildFromConfig)."""
    keyword, _, rest = text.strip().partition(" ")
    if keyword.upper() not in COMMIT_CHANGES:
        raise InvalidArgument(f"{keyword.lower()} is not a valid change command")
    try:
        ins = dockerfile._instruction(keyword.upper(), rest.strip(), 1)
    except dockerfile.DockerfileError as err:
        raise InvalidArgument(str(err)) from None
    kw, args = ins.keyword, ins.args
    if kw in ("CMD", "ENTRYPOINT"):
        config["Cmd" if kw == "CMD" else "Entrypoint"] = args if ins.json_form else ["/bin/sh", "-c", args[0]]
        if kw == "ENTRYPOINT" and "Cmd" in config and not ins.json_form:
            config["Cmd"] = None
    elif kw in ("ENV", "LABEL"):
        pairs = dockerfile.key_values(args, kw, 1)
        if kw == "ENV":
            env = {e.split("=", 1)[0]: e for e in config.get("Env") or []}
            env.update({k: f"{k}={v}" for k, v in pairs})
            config["Env"] = list(env.values())
        else:
            config["Labels"] = {**(config.get("Labels") or {}), **dict(pairs)}
    elif kw == "EXPOSE":
        ports = dict(config.get("ExposedPorts") or {})
        ports.update({(p if "/" in p else p + "/tcp"): {} for p in args})
        config["ExposedPorts"] = ports
    elif kw == "VOLUME":
        config["Volumes"] = {**(config.get("Volumes") or {}), **{v: {} for v in args}}
    elif kw == "WORKDIR":
        config["WorkingDir"] = posixpath.join(config.get("WorkingDir") or "/", args[0])
    elif kw == "USER":
        config["User"] = args[0]
    elif kw == "STOPSIGNAL":
        config["StopSignal"] = args[0]
    elif kw == "ONBUILD":
        config["OnBuild"] = (config.get("OnBuild") or []) + [ins.raw]


def _image_gone(image_id: str) -> str:
    """The image store's error when the parent image's config file is gone (moby image/fs.go Get,
    returned by daemon/images/image_commit.go CommitImage)."""
    hex_id = image_id.split(":", 1)[1]
    return (f"failed to get digest {image_id}: open /var/lib/docker/image/overlay2/imagedb/content/"
            f"sha256/{hex_id}: no such file or directory")


def commit_container(daemon, container, *, reference: str = "", message: str = "", author: str = "",
                     changes=()) -> tuple[Image, list[dict]]:
    """The container's config and read-write layer as a new image whose parent is its image."""
    base = daemon.images.get(container.image_id)
    if base is None and container.image_id:  # its image was force-removed (`rmi -f`)
        raise NotFound(_image_gone(container.image_id))
    base_config = base.config if base else {"architecture": "amd64", "os": "linux", "history": [],
                                            "rootfs": {"type": "layers", "diff_ids": list(container.diff_ids)}}
    image_config = {k: copy.deepcopy(container.config[k]) for k in IMAGE_CONFIG_KEYS if k in container.config}
    for change in changes:
        apply_change(image_config, change)
    events = []
    limits.check_layer(container.rw)
    layer = Layer.from_changes(dict(container.rw))
    empty = layer.diff_id == EMPTY_LAYER_DIFF_ID or not container.rw
    limits.check_new_layers(daemon, [] if empty else [layer.diff_id])
    limits.check_new_images(daemon, 1)  # its id depends on the time: always a new image
    diff_ids = list(container.diff_ids)
    if not empty:
        diff_ids.append(layer.diff_id)
        if daemon.add_layer(layer):
            events.append(ev.LayerAdded(layer.diff_id))
    history = {"created": rfc3339nano(daemon.now),
               "created_by": " ".join(container.config.get("Cmd") or [])}
    if author:
        history["author"] = author
    if message:
        history["comment"] = message
    if empty:
        history["empty_layer"] = True
    config = {"created": history["created"], "container": container.id, "docker_version": "28.5.2"}
    if author:
        config["author"] = author
    config.update({"config": image_config, "architecture": base_config.get("architecture", "amd64"),
                   "os": base_config.get("os", "linux"),
                   "rootfs": {"type": "layers", "diff_ids": diff_ids},
                   "history": list(base_config.get("history", [])) + [history]})
    image = daemon.images.get(Image.from_config(config).id) or Image.from_config(
        config, parent=base.id if base else "", built_locally=True)
    daemon.images[image.id] = image
    events = [replace(e, image=image.id) for e in events]
    events.append(ev.ImageAdded(image.id))
    if reference:
        images_ops.tag_image(daemon, image, reference, events)
    return image, events


def commit_cmd(ctx, opts, args):
    container = ctx.daemon.find_container(args[0])
    reference = ""
    if len(args) > 1:
        try:
            ref = parse_ref(args[1])
        except InvalidReference as err:
            raise DockerError(str(err)) from None
        if ref.digest:
            raise DockerError("refusing to create a tag with a digest reference")
        reference = ref.tagged
    lifecycle.check("commit", container, args[0])
    # A running container is paused while its layer is read and unpaused after (daemon/commit.go):
    # nothing a learner can see changes, so no state event is recorded.
    image, events = commit_container(ctx.daemon, container, reference=reference, message=opts["message"] or "",
                                     author=opts["author"] or "", changes=opts["change"])
    ctx.events.extend(e if e.container_id else replace(e, container=container.id) for e in events)
    ctx.print(image.id)


# ---- cp -----------------------------------------------------------------------------------
def split_cp_arg(arg: str) -> tuple[str, str]:
    """splitCpArg (cp.go): CONTAINER:PATH unless the argument is absolute or starts with '.'."""
    if arg.startswith("/"):
        return "", arg
    container, sep, path = arg.partition(":")
    if not sep or container.startswith("."):
        return "", arg
    return container, path


def tar_size(files: list[tuple[str, int]], dirs: int = 0) -> int:
    """Bytes of the tar stream the CLI counts: 512-byte header per entry, data padded to 512, 1024 end."""
    return 512 * dirs + sum(512 + -(-size // 512) * 512 for _, size in files) + 1024


def host_abs(local: str) -> str:
    """resolveLocalPath: absolute, keeping a trailing '/.' or '/' as typed."""
    path = local if local.startswith("/") else posixpath.normpath(posixpath.join(HOME, local))
    if local.endswith("/.") or local == ".":
        path = path.rstrip("/") + "/."
    elif local.endswith("/") and not path.endswith("/"):
        path += "/"
    return path


def _host_rel(absolute: str) -> str:
    rel = posixpath.normpath(absolute)
    if rel == HOME:
        return ""
    if not rel.startswith(HOME + "/"):
        raise DockerError(f"LayerLab: {absolute}: only the working directory {HOME} can be used")
    return rel[len(HOME) + 1:]


def _host_is_dir(host, rel: str) -> bool:
    return rel == "" or any(name.startswith(rel + "/") for name in host.names())


def copy_from_container(ctx, container, src: str, dest: str, typed: str, quiet: bool = False) -> None:
    fs = ctx.daemon.container_fs(container)
    path = normpath(src)
    try:
        entry = fs.stat(path)
    except FsError:
        raise DaemonError(f"Could not find the file {path} in container {typed}") from None
    if entry.kind == DIR:
        prefix = path.rstrip("/") + "/"
        files = [(p, e) for p, e in fs.walk().items() if p.startswith(prefix) and e.kind in (FILE, SYMLINK)]
        dirs = 1 + sum(1 for p, e in fs.walk().items() if p.startswith(prefix) and e.kind == DIR)
    else:
        files, dirs = [(path, entry)], 0
    target = host_abs(dest)
    rel = _host_rel(target.rstrip("/.") if target.endswith("/.") else target.rstrip("/"))
    into_dir = _host_is_dir(ctx.host, rel) or target.endswith("/")
    if target.endswith("/") and not _host_is_dir(ctx.host, rel) and entry.kind != DIR:
        raise DockerError(f'destination "{target}" does not exist')
    base = posixpath.join(rel, posixpath.basename(path)) if into_dir else rel
    for file_path, file_entry in files:
        name = base if file_path == path else posixpath.join(base, file_path[len(path) + 1:])
        ctx.host.write(name, entry_bytes(file_path, file_entry) if file_entry.kind == FILE
                       else file_entry.target.encode())
        ctx.events.append(ev.HostFileWritten(path=name))
    size = tar_size([(p, e.size) for p, e in files], dirs)
    if not quiet:
        ctx.eprint(f"Successfully copied {human_size(size)} to {target}")


def copy_to_container(ctx, container, src: str, dest: str, typed: str, quiet: bool = False) -> None:
    rel = _host_rel(host_abs(src).rstrip("/."))
    if rel and ctx.host.exists(rel):
        sources = {posixpath.basename(rel): ctx.host.read(rel)}
        single = True
    elif _host_is_dir(ctx.host, rel) and ctx.host.under(rel or "."):
        name = posixpath.basename(rel) or posixpath.basename(HOME)
        sources = {posixpath.join(name, k): v for k, v in ctx.host.under(rel or ".").items()}
        single = False
    else:
        raise DockerError(f"lstat {host_abs(src)}: no such file or directory")
    fs = ctx.daemon.container_fs(container)
    before = dict(container.rw)  # a copy that hits a sandbox limit is refused as a whole
    try:
        _write_copies(fs, sources, dest, single, typed)
    except LimitError:
        restore_rw(container, before)
        raise
    ctx.events.extend(replace(e, container=container.id) for e in fs.events)
    size = tar_size([(n, len(d)) for n, d in sources.items()], 0 if single else 1)
    if not quiet:
        ctx.eprint(f"Successfully copied {human_size(size)} to {typed}:{dest}")


def _write_copies(fs, sources: dict, dest: str, single: bool, typed: str) -> None:
    target = normpath(dest)
    target_is_dir = fs.is_dir(target)
    if not target_is_dir and not fs.is_dir(posixpath.dirname(target)):
        raise DaemonError(f"Could not find the file {posixpath.dirname(target)} in container {typed}")
    for name, data in sources.items():
        if single:
            where = posixpath.join(target, name) if target_is_dir else target
        else:
            where = posixpath.join(target, name) if target_is_dir else posixpath.join(target, name.split("/", 1)[1])
        if not fs.is_dir(posixpath.dirname(where)):
            fs.mkdir(posixpath.dirname(where), parents=True)
        fs.write_file(where, data.decode(errors="replace"))


def cp_cmd(ctx, opts, args):
    src_container, src_path = split_cp_arg(args[0])
    dst_container, dst_path = split_cp_arg(args[1])
    if src_container and dst_container:
        raise DockerError("copying between containers is not supported")
    if not src_container and not dst_container:
        raise DockerError("must specify at least one container source")
    if "-" in (src_path, dst_path) and not (src_container and dst_container):
        raise DockerError("LayerLab: streaming a tar through `-` is not supported; use a file name")
    if src_container:
        container = ctx.daemon.find_container(src_container)
        copy_from_container(ctx, container, src_path, dst_path, src_container, opts["quiet"])
    else:
        container = ctx.daemon.find_container(dst_container)
        copy_to_container(ctx, container, src_path, dst_path, dst_container, opts["quiet"])


COMMANDS = [
    Command("docker container commit", "docker container commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
            "Create a new image from a container's changes", commit_cmd, [
                Flag("author", "a", "string", 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
                     type_name="string"),
                Flag("change", "c", "list", "Apply Dockerfile instruction to the created image", type_name="list"),
                Flag("message", "m", "string", "Commit message", type_name="string"),
                Flag("pause", "p", "bool", "Pause container during commit", True)],
            ["docker commit"], 1, 2),
    Command("docker container cp", "docker container cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                                   "\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
            "Copy files/folders between a container and the local filesystem", cp_cmd, [
                Flag("archive", "a", "bool", "Archive mode (copy all uid/gid information)"),
                Flag("follow-link", "L", "bool", "Always follow symbol link in SRC_PATH"),
                Flag("quiet", "q", "bool", "Suppress progress output during copy. Progress output is "
                                           "automatically suppressed if no terminal is attached")],
            ["docker cp"], 2, 2),
]

"""`docker pull` (and the pull that `docker run`/`create` do for a missing image).

Daemon side after moby distribution/pull_v2.go + xfer/download.go (v28.5): "<tag>: Pulling from
library/x", per layer "Already exists" while the stacked chain id is already in the layer store (the
check stops at the first missing layer) else "Pull complete", "Digest: …", then "Status: Downloaded
newer image for x" when the tag was added or moved, "Status: Image is up to date for x" when it
already pointed at this image. CLI side after docker/cli cli/command/image/pull.go.

The lines are the final screen of a terminal pull (one line per layer); a real pull into a pipe also
prints the intermediate "Pulling fs layer"/"Verifying Checksum"/"Download complete" lines.
"""
from __future__ import annotations

from engine import events as ev
from engine import limits, refs
from engine.cli.context import Context
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops
from engine.daemon.model import Image
from engine.errors import DockerError, PullError
from engine.layers.fs import chain_ids
from engine.registry import catalog as registry


def _registry_path(repository: str) -> str:
    """What 'Pulling from' names: the repository path in the registry ('library/alpine')."""
    return repository if "/" in repository else "library/" + repository


def _remote_image(ref: refs.Ref) -> registry.RemoteImage:
    if ref.digest:
        remote = _by_digest(ref.repository, ref.digest)
        if remote is None:
            raise PullError(f"manifest for {ref.repository}@{ref.digest} not found: "
                            "manifest unknown: manifest unknown")
        return remote
    tag = ref.tag or "latest"
    remote = registry.lookup(ref.repository, tag)
    if remote is not None:
        return remote
    if ref.repository in registry.repositories():
        raise PullError(f"manifest for {ref.repository}:{tag} not found: manifest unknown: manifest unknown")
    # Docker Hub answers an unknown (or private) repository with "denied" (distribution/errors.go)
    raise PullError(f"pull access denied for {ref.repository}, repository does not exist or may require "
                    "'docker login': denied: requested access to the resource is denied")


def _by_digest(repository: str, digest: str) -> registry.RemoteImage | None:
    return registry.lookup_digest(repository, digest)


def pull(ctx: Context, ref_text: str, *, for_run: bool = False) -> Image:
    """Pull ref_text into the daemon and return the image.

    `docker pull` prints progress on stdout and ends with the full reference; `docker run`/`create`
    (for_run=True) print the progress on stderr and no final line. Errors are raised (PullError,
    DockerError for a malformed reference) before anything changed.
    """
    emit = ctx.eprint if for_run else ctx.print
    ref = refs.parse(ref_text)  # client-side: "invalid reference format" (no daemon prefix)
    if not for_run and not ref.tag and not ref.digest:
        emit("Using default tag: latest")
    remote = _remote_image(ref)
    daemon = ctx.daemon
    limits.check_new_layers(daemon, [layer.diff_id for layer in remote.layers])
    limits.check_new_images(daemon, 0 if registry.image_id(remote.config) in daemon.images else 1)
    emit(f"{ref.digest or ref.tag or 'latest'}: Pulling from {_registry_path(ref.repository)}")
    downloaded = _fetch_layers(ctx, remote, emit)
    emit(f"Digest: {remote.manifest_digest}")
    image, updated = _store_image(ctx, ref, remote)
    # real pulls take time: a few seconds when layers came over the network, about one otherwise
    daemon.clock.advance(daemon.ids.number(2, 6, "pull") if downloaded else 1)
    status = "Downloaded newer image for" if updated else "Image is up to date for"
    emit(f"Status: {status} {ref.tagged}")
    return image


def _fetch_layers(ctx: Context, remote: registry.RemoteImage, emit) -> bool:
    daemon = ctx.daemon
    present = daemon.referenced_chains()
    chains = chain_ids([layer.diff_id for layer in remote.layers])
    missing = False
    for layer, chain, compressed in zip(remote.layers, chains, remote.compressed_digests):
        short = compressed.split(":", 1)[1][:12]
        if not missing and chain in present:
            emit(f"{short}: Already exists")
            ctx.events.append(ev.LayerReused(layer=layer.diff_id))
            continue
        missing = True
        emit(f"{short}: Pull complete")
        daemon.add_layer(layer)
        ctx.events.append(ev.LayerAdded(layer=layer.diff_id, image=registry.image_id(remote.config)))
    return missing


def _store_image(ctx: Context, ref: refs.Ref, remote: registry.RemoteImage) -> tuple[Image, bool]:
    """Register the image, its digest reference and the tag (pull_v2.go pullTag's reference updates)."""
    daemon = ctx.daemon
    image_id = registry.image_id(remote.config)
    image = daemon.images.get(image_id)
    if image is None:
        image = Image.from_config(remote.config)
        daemon.images[image.id] = image
        ctx.events.append(ev.ImageAdded(image=image.id))
    digest_ref = f"{ref.repository}@{remote.manifest_digest}"
    if ref.digest:
        updated = digest_ref not in image.repo_digests
        if updated:
            image.repo_digests.append(digest_ref)
        return image, updated
    tagged = ref.tagged
    if daemon.image_by_tag(tagged) is image:
        _add_digest(image, digest_ref)
        return image, False
    _add_digest(image, digest_ref)
    events: list = []
    images_ops.add_tag(daemon, image, tagged, events)
    ctx.events.extend(events)
    return image, True


def _add_digest(image: Image, digest_ref: str) -> None:
    if digest_ref not in image.repo_digests:
        image.repo_digests.append(digest_ref)


def _cmd_pull(ctx: Context, opts: dict, args: list[str]) -> int:
    if opts["all-tags"]:
        raise DockerError("LayerLab does not support --all-tags: pull one tag at a time")
    text = args[0]
    try:
        ref = refs.parse(text)
    except refs.InvalidReference as err:
        raise DockerError(err.message) from None
    if opts["quiet"]:
        quiet = Context(ctx.daemon, ctx.host)
        pull(quiet, text)
        ctx.events.extend(quiet.events)
    else:
        pull(ctx, text)
    ctx.print(ref.full_name if (ref.tag or ref.digest) else refs.Ref(ref.repository, "latest").full_name)
    return 0


COMMANDS = [
    Command("docker image pull", "docker image pull [OPTIONS] NAME[:TAG|@DIGEST]",
            "Download an image from a registry", _cmd_pull,
            flags=[Flag("all-tags", "a", help="Download all tagged images in the repository"),
                   Flag("disable-content-trust", "", help="Skip image verification", default=True),
                   Flag("platform", "", "string", "Set platform if server is multi-platform capable",
                        type_name="string"),
                   Flag("quiet", "q", help="Suppress verbose output")],
            aliases=["docker pull"], min_args=1, max_args=1),
]

__all__ = ["pull", "PullError", "COMMANDS"]

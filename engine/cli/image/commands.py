"""Image commands: images/image ls, rmi/image rm, tag, image prune (+ pull, history, inspect from
image_pull.py and image_info.py). Texts after docker/cli v28.5 (cli/command/image) and moby v28.5
(daemon/images, graph-driver store)."""
from __future__ import annotations

import re

from engine import patterns, refs
from engine.cli.context import Context
from engine.cli.formatter.display import human_size, human_size4, rfc3339, since
from engine.cli.image import info as image_info, pull as image_pull
from engine.cli.image.pull import pull  # re-exported: `docker build` pulls its FROM image through it
from engine.cli.listing import render_rows
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops
from engine.daemon.model import Image
from engine.errors import DaemonError, DockerError, NotFound

# ---- docker images ---------------------------------------------------------------------------

IMAGE_TABLE = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
               "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
IMAGE_TABLE_DIGEST = ("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                      "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
IMAGE_RAW = "repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\n" \
    "virtual_size: {{.Size}}\n"
IMAGE_RAW_DIGEST = "repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\n" \
    "created_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
IMAGE_HEADERS = {"Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST", "ID": "IMAGE ID",
                 "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "VirtualSize": "SIZE",
                 "Containers": "CONTAINERS", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"}
# docker/cli printAmbiguousHint: `docker images ls` lists images named "ls"
IMAGE_SUBCOMMANDS = {"build", "history", "import", "inspect", "list", "load", "ls", "prune", "pull", "push",
                     "rm", "save", "tag"}
IMAGE_FILTERS = {"before", "dangling", "label", "reference", "since", "until"}


def path_match(pattern: str, name: str) -> bool:
    """Go's path.Match for the reference filter: '*' and '?' never cross a '/'."""
    regex = "".join("[^/]*" if ch == "*" else "[^/]" if ch == "?" else patterns.escape(ch) for ch in pattern)
    return patterns.glob_fullmatch(regex, name)  # RE2: `*a*a*a…b` cannot backtrack


def _reference_matches(patterns: list[str], ref: str) -> bool:
    """reference.FamiliarMatch: the familiar string, then the familiar name."""
    name = refs.parse(ref).repository
    return any(path_match(p, ref) or path_match(p, name) for p in patterns)


def _parse_filters(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        if "=" not in value:
            raise DockerError(f"bad format of filter (expected name=value)")
        key, val = value.split("=", 1)
        filters.setdefault(key.strip().lower(), []).append(val)
    for key in filters:
        if key not in IMAGE_FILTERS:
            raise DaemonError(f"invalid filter '{key}'")
    return filters


def image_summaries(daemon, all_images: bool, filters: dict[str, list[str]]) -> list[dict]:
    """daemon/images/image_list.go Images(): what the API returns, newest first."""
    dangling_values = filters.get("dangling", [])
    dangling_only = _bool_filter("dangling", dangling_values)
    before = _bound(daemon, filters.get("before", []), min)
    since_ = _bound(daemon, filters.get("since", []), max)
    out = []
    for image in daemon.images.values():
        has_children = bool(daemon.children(image))
        if dangling_only and has_children:
            continue  # imageStore.Heads(): images without children
        created = image.created_ns
        if before is not None and not created < before:
            continue
        if since_ is not None and not created > since_:
            continue
        tags, digests = [], []
        for ref in images_ops.references(image):
            if "reference" in filters and not _reference_matches(filters["reference"], ref):
                continue
            (digests if images_ops.is_canonical(ref) else tags).append(ref)
        if not tags and not digests:
            if not (all_images or not has_children):
                continue
            if dangling_values and not dangling_only:
                continue
            if "reference" in filters:
                continue
        elif dangling_only and tags:
            continue
        out.append({"image": image, "tags": tags, "digests": digests, "size": daemon.image_size(image),
                    "containers": len(daemon.containers_using(image))})
    out.sort(key=lambda s: s["image"].created_ns, reverse=True)
    return out


def _bool_filter(key: str, values: list[str]) -> bool:
    """moby api/types/filters Args.GetBoolOrDefault: one truthy or falsy meaning, or
    invalidFilter, whose text prints the values as a Go []string (errors.go)."""
    if not values:
        return False
    is_true, is_false = bool({"1", "true"} & set(values)), bool({"0", "false"} & set(values))
    if is_true == is_false:
        # Args.Get ranges over a Go map: the order is random in Docker, sorted here
        raise DaemonError(f"invalid filter '{key}=[{' '.join(sorted(set(values)))}]'")
    return is_true


def _bound(daemon, values: list[str], pick):
    times = [images_ops.resolve_image(daemon, v).created_ns for v in values]
    return pick(times) if times else None


def image_rows(summary: dict, trunc: bool, show_digests: bool, now: int, need_digest: bool | None = None) -> list[dict]:
    """formatter.imageFormat: a row per repo:tag (digest-only repos get a <none> tag row).
    need_digest: --digests or a format containing "{{.Digest}}" fills the Digest of tagged rows
    (formatter/image.go needDigest); digest-only rows follow --digests alone."""
    need_digest = show_digests if need_digest is None else need_digest
    image: Image = summary["image"]
    base = {"ID": image.short_id if trunc else image.id,
            "CreatedSince": since(now, image.created_ns // 10**9 * 10**9),
            "CreatedAt": _created_at(image), "Size": human_size(summary["size"]),
            "Containers": str(summary["containers"]),
            "SharedSize": "N/A", "UniqueSize": "N/A",
            "VirtualSize": human_size4(summary["size"])}  # units.HumanSize: 4 significant digits
    if not summary["tags"] and not summary["digests"]:
        return [{**base, "Repository": "<none>", "Tag": "<none>", "Digest": "<none>"}]
    repo_tags: dict[str, list[str]] = {}
    repo_digests: dict[str, list[str]] = {}
    for ref in summary["tags"]:
        parsed = refs.parse(ref)
        repo_tags.setdefault(parsed.repository, []).append(parsed.tag)
    for ref in summary["digests"]:
        parsed = refs.parse(ref)
        repo_digests.setdefault(parsed.repository, []).append(parsed.digest)
    rows = []
    for repo in sorted(repo_tags):  # Docker walks a Go map here: the order among repos is random
        digests = repo_digests.pop(repo, []) if need_digest else (repo_digests.pop(repo, None) and [])
        for tag in repo_tags[repo]:
            for digest in digests or ["<none>"]:
                rows.append({**base, "Repository": repo, "Tag": tag, "Digest": digest})
    for repo in sorted(repo_digests):
        for digest in (repo_digests[repo] if show_digests else [""]):
            rows.append({**base, "Repository": repo, "Tag": "<none>", "Digest": digest})
    return rows


def _created_at(image: Image) -> str:
    """imageContext.CreatedAt: time.Unix(created, 0).String() in UTC."""
    stamp = rfc3339(image.created_ns)
    return stamp[:10] + " " + stamp[11:19] + " +0000 UTC"


def _cmd_images(called_as: str):
    def handler(ctx: Context, opts: dict, args: list[str]) -> int:
        filters = _parse_filters(opts["filter"])
        if args:
            filters.setdefault("reference", []).append(args[0])
        summaries = image_summaries(ctx.daemon, opts["all"], filters)
        fmt = opts["format"] or "table"
        if fmt == "table":  # formatter.NewImageFormat
            fmt = "{{.ID}}" if opts["quiet"] else IMAGE_TABLE_DIGEST if opts["digests"] else IMAGE_TABLE
        elif fmt == "raw":
            fmt = "image_id: {{.ID}}" if opts["quiet"] else IMAGE_RAW_DIGEST if opts["digests"] else IMAGE_RAW
        elif fmt.startswith("table") and opts["digests"] and "{{.Digest}}" not in fmt:
            fmt += "\t{{.Digest}}"
        rows = [row for s in summaries
                for row in image_rows(s, not opts["no-trunc"], opts["digests"], ctx.daemon.now,
                                      need_digest=opts["digests"] or "{{.Digest}}" in fmt)]
        ctx.write(render_rows(fmt, rows, IMAGE_HEADERS, "*formatter.imageContext"))
        if args and not summaries and called_as == "images" and args[0] in IMAGE_SUBCOMMANDS:
            ctx.eprint(f'\nNo images found matching "{args[0]}": did you mean "docker image {args[0]}"?')
        return 0
    return handler


LIST_FLAGS = [
    Flag("all", "a", help="Show all images (default hides intermediate images)"),
    Flag("digests", "", help="Show digests"),
    Flag("filter", "f", "list", "Filter output based on conditions provided", type_name="filter"),
    Flag("format", "", "string", "Format output using a custom template:\n"
         "'table':            Print output in table format with column headers (default)\n"
         "'table TEMPLATE':   Print output in table format using the given Go template\n"
         "'json':             Print in JSON format\n"
         "'TEMPLATE':         Print output using the given Go template.\n"
         "Refer to https://docs.docker.com/go/formatting/ for more information about formatting templates",
         type_name="string"),
    Flag("no-trunc", "", help="Don't truncate output"),
    Flag("quiet", "q", help="Only show image IDs"),
    Flag("tree", "", help="List multi-platform images as a tree (EXPERIMENTAL)", hidden=True),
]

# ---- docker rmi ----------------------------------------------------------------------------------


def _cmd_rmi(ctx: Context, opts: dict, args: list[str]) -> int:
    """cli/command/image/remove.go: records per name, errors joined at the end; with -f, 'not found'
    errors are printed but the exit code stays 0."""
    errors, fatal = [], False
    for name in args:
        try:
            result = images_ops.delete_image(ctx.daemon, name, force=opts["force"], prune=not opts["no-prune"])
        except DockerError as err:
            fatal = fatal or not isinstance(err, NotFound)
            errors.append(str(err))
            continue
        for line in result.lines():
            ctx.print(line)
        ctx.events.extend(result.events)
    if errors:
        ctx.eprint("\n".join(errors))
        if not opts["force"] or fatal:
            return 1
    return 0


# ---- docker tag ----------------------------------------------------------------------------------


def _cmd_tag(ctx: Context, opts: dict, args: list[str]) -> int:
    """client.ImageTag checks both references, then the daemon resolves the source (404 if unknown)."""
    source, target = args
    if not re.fullmatch(r"(sha256:)?[0-9a-f]{64}", source):  # ParseAnyReference accepts a full id
        _parse_for_tag(source)
    parsed = _parse_for_tag(target)
    if parsed.digest:
        raise DockerError("refusing to create a tag with a digest reference")
    image = images_ops.resolve_image(ctx.daemon, source)
    events: list = []
    images_ops.tag_image(ctx.daemon, image, parsed.tagged, events)
    ctx.events.extend(events)
    return 0


def _parse_for_tag(text: str) -> refs.Ref:
    try:
        return refs.parse(text)
    except refs.InvalidReference as err:
        raise DockerError(f'Error parsing reference: "{text}" is not a valid repository/tag: {err.message}') from None


# ---- docker image prune ------------------------------------------------------------------------------

DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
ALL_WARNING = ("WARNING! This will remove all images without at least one container associated to them.\n"
               "Are you sure you want to continue?")


def confirmed(ctx: Context, message: str) -> bool:
    """internal/prompt Confirm: '<message> [y/N] ' on stdout; only 'y'/'Y' on the first input line is yes
    (no input at all, as in LayerLab's terminal without `< file`, is a no)."""
    ctx.write(message + " [y/N] ")
    first = (ctx.stdin or b"").decode(errors="replace").split("\n", 1)[0].strip()
    return first.lower() == "y"


def prune_images(daemon, all_images: bool) -> tuple[list[str], list, int]:
    """daemon/images/image_prune.go ImagesPrune: (records, events, reclaimed bytes).
    Dangling mode looks at images without children and deletes those with no tag."""
    lines, events, reclaimed = [], [], 0
    candidates = [i for i in daemon.images.values() if all_images or not daemon.children(i)]
    for image in sorted(candidates, key=lambda i: i.created_ns, reverse=True):
        if image.id not in daemon.images:
            continue  # already deleted as an untagged parent of an earlier one
        ref_list = images_ops.references(image)
        if not ref_list and daemon.children(image):
            continue
        if ref_list and not all_images and any(not images_ops.is_canonical(r) for r in ref_list):
            continue
        for target in ref_list or [image.id.split(":", 1)[1]]:
            try:
                result = images_ops.delete_image(daemon, target, force=False, prune=True)
            except DockerError:
                continue  # conflicts are skipped silently (imageDeleteFailed)
            lines += [f"{kind.lower()}: {value}" for kind, value in result.records]
            events += result.events
            reclaimed += result.freed_bytes
    return lines, events, reclaimed


def _cmd_image_prune(ctx: Context, opts: dict, args: list[str]) -> int:
    for value in opts["filter"]:
        key = value.split("=", 1)[0]
        if key not in ("until", "label", "label!"):
            raise DaemonError(f"invalid filter '{key}'")
    if not opts["force"] and not confirmed(ctx, ALL_WARNING if opts["all"] else DANGLING_WARNING):
        return 1  # cancelled: docker exits 1 and prints nothing more
    lines, events, reclaimed = prune_images(ctx.daemon, opts["all"])
    ctx.events.extend(events)
    if lines:
        ctx.print("Deleted Images:\n" + "".join(line + "\n" for line in lines))
    ctx.print(f"Total reclaimed space: {human_size4(reclaimed)}")
    return 0


COMMANDS = image_pull.COMMANDS + image_info.COMMANDS + [
    Command("docker image ls", "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", "List images",
            _cmd_images("ls"), flags=LIST_FLAGS, aliases=["docker image list"], max_args=1),
    # a separate spec so the handler knows it was called as `docker images` (the ambiguity hint)
    Command("docker images", "docker images [OPTIONS] [REPOSITORY[:TAG]]", "List images",
            _cmd_images("images"), flags=LIST_FLAGS, max_args=1),
    Command("docker image rm", "docker image rm [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
            _cmd_rmi, flags=[Flag("force", "f", help="Force removal of the image"),
                             Flag("no-prune", "", help="Do not delete untagged parents"),
                             Flag("platform", "", "list", 'Remove only the given platform variant. Formatted '
                                  'as "os[/arch[/variant]]" (e.g., "linux/amd64")', type_name="strings")],
            aliases=["docker image remove", "docker rmi"], min_args=1),
    Command("docker image tag", "docker image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", _cmd_tag,
            aliases=["docker tag"], min_args=2, max_args=2, interspersed=False),
    Command("docker image prune", "docker image prune [OPTIONS]", "Remove unused images", _cmd_image_prune,
            flags=[Flag("all", "a", help="Remove all unused images, not just dangling ones"),
                   Flag("filter", "", "list", 'Provide filter values (e.g. "until=<timestamp>")', type_name="filter"),
                   Flag("force", "f", help="Do not prompt for confirmation")],
            max_args=0),
]

__all__ = ["COMMANDS", "pull", "image_summaries", "prune_images"]

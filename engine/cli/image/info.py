"""`docker history` and `docker image inspect`, plus the inspect JSON that `docker inspect` reuses.

history: moby daemon/images/image_history.go (rows newest first, every row "<missing>" except the ids
found by walking the local Parent chain) and docker/cli cli/command/image/formatter_history.go.
inspect: moby api/types/image/image_inspect.go + api/server/router/image (v28.5, API 1.51).
"""
from __future__ import annotations

from engine.cli.context import Context
from engine.cli.formatter.display import ellipsis, human_size, rfc3339, rfc3339nano, since
from engine.cli.formatter.gojson import go_json, json_indent
from engine.cli.formatter.goprint import GoNil, GoTime
from engine.cli.gotemplate import template as gotemplate
from engine.cli.listing import render_rows
from engine.cli.parser import Command, Flag
from engine.clock import parse_rfc3339
from engine.daemon import images as images_ops
from engine.daemon.model import Daemon, Image
from engine.errors import DockerError

# ---- history -------------------------------------------------------------------------------------

HISTORY_TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
HISTORY_TABLE_RAW = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
HISTORY_HEADERS = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                   "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"}
EPOCH_2000 = 946684800  # formatter_history.go: dates up to 2000-01-01 print as N/A


def history_items(daemon: Daemon, image: Image) -> list[dict]:
    """ImageHistory: (ID, Created seconds, CreatedBy, Comment, Size, Tags), newest first."""
    items, diff_ids, counter = [], image.diff_ids, 0
    for entry in image.history:
        size = 0
        if not entry.get("empty_layer"):
            if counter >= len(diff_ids):
                raise DockerError("Error response from daemon: too many non-empty layers in History section")
            size = daemon.layer(diff_ids[counter]).size  # DiffSize: the layer's own size
            counter += 1
        created = parse_rfc3339(entry["created"]) // 10**9 if entry.get("created") else 0
        items.insert(0, {"ID": "<missing>", "Created": created, "CreatedBy": entry.get("created_by", ""),
                         "Comment": entry.get("comment", ""), "Size": size, "Tags": []})
    current: Image | None = image
    for item in items:
        item["ID"] = current.id
        item["Tags"] = list(current.repo_tags)
        current = daemon.images.get(current.parent) if current.parent else None
        if current is None:
            break
    return items


def history_row(item: dict, trunc: bool, human: bool, now: int) -> dict:
    created_at = rfc3339(item["Created"] * 10**9) if item["Created"] else "1970-01-01T00:00:00Z"
    if not human:
        created_since = created_at
    elif item["Created"] <= EPOCH_2000:
        created_since = "N/A"
    else:
        created_since = since(now, item["Created"] * 10**9)
    created_by = item["CreatedBy"].replace("\t", " ")
    return {"ID": _truncate_id(item["ID"]) if trunc else item["ID"],
            "CreatedSince": created_since, "CreatedAt": created_at,
            "CreatedBy": ellipsis(created_by, 45) if trunc else created_by,
            "Size": human_size(item["Size"]) if human else str(item["Size"]),
            "Comment": item["Comment"]}


def _truncate_id(image_id: str) -> str:
    return image_id.split(":", 1)[-1][:12]


def _cmd_history(ctx: Context, opts: dict, args: list[str]) -> int:
    image = images_ops.resolve_image(ctx.daemon, args[0])
    items = history_items(ctx.daemon, image)
    template = opts["format"] or "table"
    if template == "table":
        template = "{{.ID}}" if opts["quiet"] else HISTORY_TABLE if opts["human"] else HISTORY_TABLE_RAW
    rows = [history_row(i, not opts["no-trunc"], opts["human"], ctx.daemon.now) for i in items]
    ctx.write(render_rows(template, rows, HISTORY_HEADERS, "*image.historyContext"))
    return 0


# ---- image inspect -----------------------------------------------------------------------------------

# api/server/router/image/inspect_response.go legacyConfigFields["current"] (API >= 1.50): always present
LEGACY_CONFIG = {"Cmd": GoNil("[]string"), "Entrypoint": GoNil("[]string"), "Env": GoNil("[]string"),
                 "Labels": GoNil("map[string]string"), "OnBuild": GoNil("[]string"), "User": "",
                 "Volumes": GoNil("map[string]struct {}"), "WorkingDir": ""}


def _sorted_maps(value):
    """Go marshals maps with sorted keys; the Config object is such a map in the v28 response."""
    if isinstance(value, dict):
        return {k: _sorted_maps(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_maps(v) for v in value]
    return value


def _image_config(image: Image) -> dict:
    """The image's Config with omitempty fields dropped, merged over the legacy always-present keys."""
    merged = dict(LEGACY_CONFIG)
    for key, value in image.run_config.items():
        if value not in (None, "", [], {}, False):
            merged[key] = value
    return _sorted_maps(merged)


def image_inspect_json(daemon: Daemon, image: Image) -> dict:
    """GET /images/{name}/json as Docker 28.5 (graph driver, API 1.51) returns it, keys in order.

    The v1.50+ compat marshaller re-encodes the response with Config as a map, so Config comes last
    with its keys sorted (inspect_response.go), and Go's json.Marshal escapes <, >, & in strings.
    """
    config = image.config
    comment = config.get("comment", "") or (image.history[-1].get("comment", "") if image.history else "")
    data: dict = {
        "Id": image.id,
        "RepoTags": [r for r in images_ops.references(image) if not images_ops.is_canonical(r)],
        "RepoDigests": [r for r in images_ops.references(image) if images_ops.is_canonical(r)],
        "Parent": image.parent,
        "Comment": comment,
    }
    if config.get("created"):
        data["Created"] = rfc3339nano(parse_rfc3339(config["created"]))
    data["DockerVersion"] = config.get("docker_version", "")
    data["Author"] = config.get("author", "")
    data["Architecture"] = config.get("architecture", "")
    if config.get("variant"):
        data["Variant"] = config["variant"]
    data["Os"] = config.get("os", "")
    if config.get("os.version"):
        data["OsVersion"] = config["os.version"]
    data["Size"] = daemon.image_size(image)
    graph = images_ops.image_graph_driver_data(image.diff_ids)
    data["GraphDriver"] = {"Data": graph if graph is not None else GoNil("map[string]string"), "Name": "overlay2"}
    data["RootFS"] = {"Type": config.get("rootfs", {}).get("type", "layers")}
    if image.diff_ids:
        data["RootFS"]["Layers"] = image.diff_ids
    # the CLI runs a template over the typed InspectResponse: LastTagTime is a time.Time
    data["Metadata"] = {"LastTagTime": GoTime(image.last_tag_time)}
    data["Config"] = _image_config(image)
    return data


def inspect_text(objects: list[dict], template: str | None, errors: list[str]) -> str:
    """cli/command/inspect/inspector.go: an indented JSON array, or the template once per object
    (over the decoded JSON, so a missing key is an error). Template failures join `errors`."""
    if template and template != "json":
        parsed = gotemplate.parse(template)
        out = []
        for obj in objects:
            try:
                out.append(parsed.execute(obj, missingkey="error") + "\n")
            except gotemplate.TemplateError as err:
                errors.append(err.docker_message)
        return "".join(out) or "\n"
    if not objects:
        return "[]\n"
    if template == "json":
        return "[" + ",".join(go_json(o) for o in objects) + "]\n"
    return json_indent(objects, escape_html=True) + "\n"  # Marshal (HTML-escaped) + json.Indent


def check_template(template: str | None) -> None:
    """A template that does not parse fails before any lookup, with exit code 64."""
    if template and template != "json":
        try:
            gotemplate.parse(template)
        except gotemplate.TemplateError as err:
            raise DockerError(err.docker_message, 64) from None


def inspect_objects(ctx: Context, refs: list[str], template: str | None, lookup) -> int:
    """The inspect commands' shared loop: lookup(ref) -> JSON dict; missing ones are reported
    after the output, and the exit code is 1 if any was missing (cli/command/inspect/inspector.go)."""
    check_template(template)
    objects, errors = [], []
    for ref in refs:
        try:
            objects.append(lookup(ref))
        except DockerError as err:
            errors.append(str(err))
    ctx.write(inspect_text(objects, template, errors))
    if errors:
        ctx.eprint("\n".join(errors))
        return 1
    return 0


def _cmd_image_inspect(ctx: Context, opts: dict, args: list[str]) -> int:
    return inspect_objects(ctx, args, opts["format"], lambda name: image_inspect_json(
        ctx.daemon, images_ops.resolve_image(ctx.daemon, name)))


FORMAT_HELP = ("Format output using a custom template:\n"
               "'json':             Print in JSON format\n"
               "'TEMPLATE':         Print output using the given Go template.\n"
               "Refer to https://docs.docker.com/go/formatting/ for more information about formatting templates")

COMMANDS = [
    Command("docker image history", "docker image history [OPTIONS] IMAGE", "Show the history of an image",
            _cmd_history,
            flags=[Flag("format", "", "string", FORMAT_HELP.replace("'json':", "'table':            Print "
                        "output in table format with column headers (default)\n'table TEMPLATE':   Print output "
                        "in table format using the given Go template\n'json':"), type_name="string"),
                   Flag("human", "H", help="Print sizes and dates in human readable format", default=True),
                   Flag("no-trunc", "", help="Don't truncate output"),
                   Flag("platform", "", "string", 'Show history for the given platform. Formatted as '
                        '"os[/arch[/variant]]" (e.g., "linux/amd64")', type_name="string"),
                   Flag("quiet", "q", help="Only show image IDs")],
            aliases=["docker history"], min_args=1, max_args=1),
    Command("docker image inspect", "docker image inspect [OPTIONS] IMAGE [IMAGE...]",
            "Display detailed information on one or more images", _cmd_image_inspect,
            flags=[Flag("format", "f", "string", FORMAT_HELP, type_name="string"),
                   Flag("platform", "", "string", "Inspect a specific platform of the multi-platform image.",
                        type_name="string")],
            min_args=1),
]

"""The article's figures (present/figures.py), from real engine states: every figure draws what the
command printed (checked against its own output here) and what the engine really holds (the archive
bytes written to the host directory, the inspect data), and only for a command that succeeded."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from babel.support import Translations

from engine.sandbox import Sandbox
from present.figures import figure, figure_for, invocations_of, short_overlay_path
from present.i18n import translating

CATALOG = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"), ["zh_Hans"])
DOCKERFILE = b'FROM alpine\nENV A=1\nRUN echo hi > /greeting\nCMD ["cat", "/greeting"]\n'


@pytest.fixture
def article():
    return Sandbox.create(seed=0, scenario="article")


def run(sandbox: Sandbox, line: str):
    """Run a line; returns (its figure, its result)."""
    result = sandbox.run(line)
    return figure(sandbox.daemon, sandbox.host, result.invocations, result.events, line), result


def printed(sandbox: Sandbox, line: str) -> str:
    result = sandbox.run(line)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def legacy_build(sandbox: Sandbox) -> None:
    sandbox.host_write("Dockerfile", DOCKERFILE)
    assert sandbox.run("DOCKER_BUILDKIT=0 docker build -t hello .").exit_code == 0


# ---- history ----------------------------------------------------------------------------------------
def test_history_draws_each_printed_row_newest_first_with_the_layers_marked(article):
    fig, result = run(article, "docker image history nginx")
    header, *lines = result.stdout.splitlines()
    column = header.index("CREATED BY")
    assert fig.kind == "history" and fig.command == "docker image history nginx"
    assert [r.image_id for r in fig.rows] == [line.split()[0] for line in lines]
    assert [line[column:].startswith(row.created_by) for row, line in zip(fig.rows, lines)] == [True] * 17
    image = article.daemon.find_image("nginx")
    assert fig.layers == len(image.diff_ids) == 7
    # layers are numbered from the bottom; the top row (CMD) made none, the bottom row (debian) is layer 0
    assert fig.rows[0].layer is None and fig.rows[-1].layer == 0 and fig.rows[-1].size == "74.8MB"
    assert [r.layer for r in fig.rows if r.layer is not None] == list(range(6, -1, -1))
    # a pulled image has no parent: every row but the first is <missing>, and the figure says why
    assert fig.missing == len(fig.rows) - 1 and fig.parents == 0
    assert any(note.startswith("<missing> is not an error") for note in fig.lead) and fig.notes == []
    assert fig.lead[0] == "17 history rows: 7 made a read-only layer (solid), 10 only changed the image's " \
                           "config: no layer (dashed)."


def test_history_of_a_legacy_build_shows_the_parent_ids_and_says_where_they_come_from(article):
    legacy_build(article)
    fig, _result = run(article, "docker history hello")
    assert [r.image_id for r in fig.rows] == printed(article, "docker history -q hello").split()
    assert fig.parents == 3 and fig.missing == 1   # 2 intermediates + alpine; alpine's own base row has none
    assert any("legacy builder" in note for note in fig.notes)


def test_history_with_no_trunc_draws_the_full_lines(article):
    fig, _result = run(article, "docker history --no-trunc nginx")
    assert fig.rows[0].image_id.startswith("sha256:") and not any(r.created_by.endswith("…") for r in fig.rows)


# ---- inspect ----------------------------------------------------------------------------------------
def test_image_inspect_points_each_rootfs_layer_at_its_level_of_the_stack(article):
    fig, _result = run(article, "docker image inspect nginx")
    layers = json.loads(printed(article, "docker image inspect --format '{{json .RootFS.Layers}}' nginx"))
    data = json.loads(printed(article, "docker image inspect --format '{{json .GraphDriver.Data}}' nginx"))
    assert fig.kind == "inspect" and fig.object_kind == "image"
    assert fig.layers == [d[:19] + "…" for d in layers]          # bottom first, as printed
    assert [row.layer for row in fig.stack] == list(range(6, -1, -1))   # drawn top first
    assert fig.stack[0].key == "UpperDir" and fig.stack[0].path == short_overlay_path(data["UpperDir"])
    assert [row.path for row in fig.stack[1:]] == [short_overlay_path(p) for p in data["LowerDir"].split(":")]
    assert fig.stack[-1].made_by.startswith("# debian.sh")
    assert dict(fig.config)["Cmd"] == '["nginx","-g","daemon off;"]'


def test_container_inspect_draws_merged_upper_init_and_the_image_layers_from_graphdriver(article):
    fig, _result = run(article, "docker container inspect web")
    data = json.loads(printed(article, "docker inspect --format '{{json .GraphDriver.Data}}' web"))
    assert fig.object_kind == "container"
    assert [row.role for row in fig.stack[:3]] == ["merged", "rw", "init"]
    assert [row.key for row in fig.stack[:3]] == ["MergedDir", "UpperDir", "LowerDir"]
    assert fig.stack[0].path == short_overlay_path(data["MergedDir"])
    assert fig.stack[1].path == short_overlay_path(data["UpperDir"])
    assert [row.path for row in fig.stack[2:]] == [short_overlay_path(p) for p in data["LowerDir"].split(":")]
    assert fig.stack[2].path.endswith("-init/diff")
    assert fig.rw_changes == len(printed(article, "docker diff web").splitlines())


@pytest.mark.parametrize("line, kind", [("docker inspect web", "container"), ("docker inspect alpine", "image"),
                                        ("docker inspect --type image nginx", "image")])
def test_plain_inspect_draws_what_docker_found_first(article, line, kind):
    fig, _result = run(article, line)
    assert fig.object_kind == kind


# ---- save and export: the archive the command really wrote ---------------------------------------------
def members_of(sandbox: Sandbox, path: str) -> dict[str, int]:
    with tarfile.open(fileobj=io.BytesIO(sandbox.host.read(path))) as tar:
        return {m.name: m.size for m in tar.getmembers() if m.isfile()}


@pytest.mark.parametrize("line, path", [("docker image save -o nginx.tar nginx", "nginx.tar"),
                                        ("docker save nginx > out.tar", "out.tar")])
def test_save_lists_the_members_of_the_tar_it_wrote(article, line, path):
    fig, _result = run(article, line)
    members = members_of(article, path)
    image = article.daemon.find_image("nginx")
    assert fig.kind == "save" and fig.file == path and fig.images == ["nginx:latest"]
    roles = [e.role for e in fig.entries]
    assert roles[:4] == ["oci-layout", "index", "manifest-json", "repositories"]
    assert roles.count("config") == 1 and roles.count("manifest") == 1 and roles.count("layer") == 7 == fig.layers
    config = next(e for e in fig.entries if e.role == "config")
    assert config.path == "blobs/sha256/" + image.id[7:19] + "…"
    layers = [e for e in fig.entries if e.role == "layer"]
    assert [e.path for e in layers] == ["blobs/sha256/" + d[7:19] + "…" for d in image.diff_ids]   # bottom first
    assert layers[0].made_by.startswith("# debian.sh")
    v1 = next(e for e in fig.entries if e.role == "v1")   # every other blob: the legacy v1 JSON, one per layer
    blobs = [n for n in members if n.startswith("blobs/")]
    assert v1.count == len(blobs) - 7 - 2 == 7


def test_export_is_one_flat_tree_without_what_the_container_deleted(article):
    assert article.run("docker exec web rm /docker-entrypoint.sh").exit_code == 0
    fig, _result = run(article, "docker export -o web.tar web")
    with tarfile.open(fileobj=io.BytesIO(article.host.read("web.tar"))) as tar:
        names = tar.getnames()
    assert fig.kind == "export" and fig.entries == len(names) and fig.image_layers == 7
    assert ".dockerenv" in fig.top_level and "etc/" in fig.top_level and "docker-entrypoint.sh" not in fig.top_level
    assert fig.deleted == 1 and any("simply absent" in note for note in fig.notes)


# ---- image ls [-a] --------------------------------------------------------------------------------------
def test_image_ls_counts_the_hidden_intermediates_and_ls_a_marks_them(article):
    legacy_build(article)
    plain, result = run(article, "docker image ls")
    assert [r.image_id for r in plain.rows] == [line.split()[2] for line in result.stdout.splitlines()[1:]]
    assert plain.hidden == 2 and not any(r.intermediate for r in plain.rows)
    assert plain.notes == ["SIZE adds up all of an image's layers, the ones it shares with other images too."]
    every, result = run(article, "docker images -a")
    assert [r.image_id for r in every.rows] == [line.split()[2] for line in result.stdout.splitlines()[1:]]
    added = [r for r in every.rows if r.intermediate]
    assert len(added) == every.added == 2 and every.hidden == 0
    assert {r.step for r in added} == {"/bin/sh -c echo hi > /greeting", "/bin/sh -c #(nop)  ENV A=1"}
    assert all(r.child_of == "hello:latest" and r.repository == r.tag == "<none>" for r in added)


def test_image_ls_a_without_intermediates_says_buildkit_leaves_none(article):
    fig, _result = run(article, "docker image ls -a")
    assert fig.added == 0 and "BuildKit" in fig.notes[1]


# ---- when there is no figure ---------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["docker ps", "docker history nosuch", "docker inspect nosuch",
                                  "docker image ls --filter dangling=true", "docker pull alpine",
                                  "docker save nginx", "ls"])
def test_no_figure_for_other_or_failed_commands(article, line):
    fig, _result = run(article, line)
    assert fig is None


def test_a_line_of_several_commands_draws_its_last_figure(article):
    fig, _result = run(article, "docker history nginx && docker ps")
    assert fig.kind == "history" and fig.command == "docker history nginx && docker ps"


def test_the_stored_last_command_gives_the_same_figure_and_an_undone_one_none(article):
    result = article.run("docker inspect web")
    last = {"command": result.command, "events": result.events,
            "invocations": [json.loads(json.dumps(i.to_json())) for i in result.invocations]}
    assert figure_for(article, last).object_kind == "container"
    assert invocations_of({**last, "undone": True}) == [] and figure_for(article, {**last, "undone": True}) is None
    assert figure_for(article, None) is None


def test_the_figure_speaks_chinese_when_asked(article):
    fig, _result = run(article, "docker history nginx")
    with translating(CATALOG.gettext, CATALOG.ngettext):
        assert fig.title == "nginx 的层栈，最新的步骤在最上面"
        assert fig.lead[1].startswith("<missing> 不是错误")
    assert fig.title == "The stack of nginx, newest step on top"


@pytest.mark.parametrize("replacement", [b"not a tar", b"", None])
def test_an_archive_replaced_since_gives_no_figure_and_no_error(article, replacement):
    result = article.run("docker save -o nginx.tar nginx")
    last = {"command": result.command, "events": result.events, "invocations": [i.to_json() for i in result.invocations]}
    if replacement is None:   # a tar with a manifest.json that is not what save writes
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for name, data in (("manifest.json", b'[{"Config": 5}]'), ("index.json", b'{"manifests": [{}]}')):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        replacement = buf.getvalue()
    article.host_write("nginx.tar", replacement)
    assert figure_for(article, last) is None

"""docker save / load / export / import: real tar bytes, checked entry by entry."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from engine.archive import formats as archive, tar as archive_tar
from engine.archive.formats import ArchiveError
from engine.daemon.model import Image, config_bytes
from engine.events import HostFileWritten, ImageAdded, LayerReused
from engine.layers import fs
from engine.layers.fs import WHITEOUT, Entry, Layer
from engine.sandbox import Sandbox

HEX = "0123456789abcdef"


def members(data: bytes) -> dict[str, tuple[tarfile.TarInfo, bytes]]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for info in tar:
            name = info.name + "/" if info.isdir() else info.name  # as `tar -t` lists it
            out[name] = (info, tar.extractfile(info).read() if info.isreg() else b"")
    return out


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hand_image(tag: str = "demo:1") -> tuple[Image, list[Layer]]:
    base = Layer.from_changes({"/etc": Entry.dir(), "/etc/motd": Entry.file("hello\n"),
                               "/bin": Entry.dir(), "/bin/sh": Entry.file(None, 0o755, size=4096)})
    top = Layer.from_changes({"/etc": Entry.dir(), "/etc/motd": Entry.whiteout(),
                              "/app": Entry.dir(opaque=True), "/app/a.txt": Entry.file("a\n")})
    config = {"architecture": "amd64", "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
              "created": "2025-01-02T03:04:05Z",
              "history": [{"created": "2025-01-02T03:04:05Z", "created_by": "ADD base /"},
                          {"created": "2025-01-02T03:04:05Z", "created_by": "RUN rm /etc/motd && x > y"}],
              "os": "linux", "rootfs": {"type": "layers", "diff_ids": [base.diff_id, top.diff_id]}}
    return Image.from_config(config, repo_tags=[tag]), [base, top]


def save_item(image, layers, tags=("demo:1",)):
    return archive.SaveItem(image.config, config_bytes(image.config), layers, list(tags),
                            [f"docker.io/library/{t}" for t in tags])


@pytest.fixture
def box():
    sandbox = Sandbox.create(seed=7)
    assert sandbox.run("docker pull alpine").exit_code == 0
    return sandbox


def run(box, line, code=0):
    result = box.run(line)
    assert result.exit_code == code, (line, result.stdout, result.stderr)
    return result


# ------------------------------------------------------------------------------------ save (pure)
def test_save_layout_is_the_docker_25_oci_layout_with_digests_matching_content():
    image, layers = hand_image()
    data = archive.save_archive([save_item(image, layers)], now_ns=1_700_000_000 * 10**9)
    tar = members(data)
    names = list(tar)
    assert names[:2] == ["blobs/", "blobs/sha256/"]
    assert names[-4:] == ["index.json", "manifest.json", "oci-layout", "repositories"]
    for name, (info, payload) in tar.items():  # OCI layout: blobs/sha256/<hex> holds bytes hashing to <hex>
        if name.startswith("blobs/sha256/") and info.isreg():
            assert sha(payload) == name.rsplit("/", 1)[1]
        assert (info.uid, info.gid) == (0, 0)
    config_hex = image.id.split(":")[1]
    assert tar["blobs/sha256/" + config_hex][1] == config_bytes(image.config)
    for layer in layers:
        assert tar["blobs/sha256/" + layer.diff_id.split(":")[1]][1] == layer.tar()
    assert tar["oci-layout"][1] == b'{"imageLayoutVersion": "1.0.0"}'
    manifest = json.loads(tar["manifest.json"][1])
    assert manifest[0]["Config"] == "blobs/sha256/" + config_hex
    assert manifest[0]["RepoTags"] == ["demo:1"]
    assert manifest[0]["Layers"] == ["blobs/sha256/" + l.diff_id.split(":")[1] for l in layers]
    assert json.loads(tar["repositories"][1]) == {"demo": {"1": layers[1].diff_id.split(":")[1]}}
    index = json.loads(tar["index.json"][1])
    entry = index["manifests"][0]
    assert entry["annotations"] == {"io.containerd.image.name": "docker.io/library/demo:1",
                                    "org.opencontainers.image.ref.name": "1"}
    oci_manifest = json.loads(tar["blobs/sha256/" + entry["digest"].split(":")[1]][1])
    assert oci_manifest["config"] == {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": image.id, "size": len(config_bytes(image.config))}
    assert [l["digest"] for l in oci_manifest["layers"]] == [l.diff_id for l in layers]
    # generated files carry the Unix epoch, blobs the image's creation time (save.go)
    assert tar["manifest.json"][0].mtime == 0
    assert tar["blobs/sha256/" + config_hex][0].mtime == 1735787045


def test_layer_blob_encodes_whiteouts_and_opaque_dirs():
    image, layers = hand_image()
    names = list(members(layers[1].tar()))
    assert names == ["app/", "app/.wh..wh..opq", "app/a.txt", "etc/", "etc/.wh.motd"]


def test_save_is_deterministic_and_untagged_images_have_null_repotags():
    image, layers = hand_image()
    first = archive.save_archive([save_item(image, layers, ())], 5 * 10**9)
    assert first == archive.save_archive([save_item(image, layers, ())], 5 * 10**9)
    tar = members(first)
    assert b'"RepoTags":null' in tar["manifest.json"][1]
    assert "repositories" not in tar
    assert "annotations" not in json.loads(tar["index.json"][1])["manifests"][0]


def test_save_of_an_image_without_layers_is_not_implemented():
    image, _ = hand_image()
    with pytest.raises(ArchiveError, match="^empty export - not implemented$"):
        archive.save_archive([save_item(image, [])], 0)


# ------------------------------------------------------------------------------------ load (pure)
def test_read_archive_round_trips_config_tags_and_layers():
    image, layers = hand_image()
    loaded = archive.read_archive(archive.save_archive([save_item(image, layers)], 0))
    assert len(loaded) == 1
    item = loaded[0]
    assert item.config_bytes == config_bytes(image.config) and item.repo_tags == ["demo:1"]
    parsed = [archive_tar.parse_layer(b, d, i) for i, (b, d) in enumerate(zip(item.layer_blobs, image.diff_ids))]
    assert [p.diff_id for p in parsed] == image.diff_ids
    assert parsed[1].changes["/etc/motd"].kind == WHITEOUT
    assert parsed[1].changes["/app"].opaque
    assert parsed[0].changes["/bin/sh"] == Entry.file(None, 0o755, size=4096)  # binary stand-in kept its size


def test_tampered_layer_gives_dockers_diffid_error():
    image, layers = hand_image()
    with pytest.raises(ArchiveError) as err:
        archive_tar.parse_layer(layers[0].tar()[:-1024] + b"x" * 1024, image.diff_ids[0], 0)
    assert str(err.value) == (f'invalid diffID for layer 0: expected "{image.diff_ids[0]}", '
                              f'got "sha256:{sha(layers[0].tar()[:-1024] + b"x" * 1024)}"')


def test_older_layout_with_layer_tar_directories_loads():
    image, layers = hand_image()
    legacy = [archive_tar.Member("abc/", "dir", mode=0o755), archive_tar.Member("abc/VERSION", data=b"1.0"),
              archive_tar.Member("abc/layer.tar", data=layers[0].tar()),
              archive_tar.Member("def/layer.tar", data=layers[1].tar()),
              archive_tar.Member(image.id[7:] + ".json", data=config_bytes(image.config)),
              archive_tar.Member("manifest.json", data=json.dumps(
                  [{"Config": image.id[7:] + ".json", "RepoTags": ["demo:1"],
                    "Layers": ["abc/layer.tar", "def/layer.tar"]}]).encode()),
              archive_tar.Member("repositories", data=b'{"demo":{"1":"def"}}')]
    item = archive.read_archive(archive_tar.write_members(legacy))[0]
    assert item.layer_blobs == [layers[0].tar(), layers[1].tar()]


@pytest.mark.parametrize("data, message", [
    (b"this is not a tar file\n", "unexpected EOF"),
    (b"garbage!" * 200, "archive/tar: invalid tar header"),
    (b"", "invalid archive: does not contain a manifest.json"),
])
def test_garbage_input_errors_like_go_archive_tar(data, message):
    with pytest.raises(ArchiveError) as err:
        archive.read_archive(data)
    assert str(err.value) == message


def test_truncated_archive_is_unexpected_eof():
    image, layers = hand_image()
    data = archive.save_archive([save_item(image, layers)], 0)
    with pytest.raises(ArchiveError, match="^unexpected EOF$"):
        archive.read_archive(data[:3000])


def test_limits_are_reported_not_crashes():
    with pytest.raises(ArchiveError, match="archive too large"):
        archive_tar.read_tar(b"\1" * (archive_tar.MAX_ARCHIVE_BYTES + 1))
    many = archive_tar.write_members([archive_tar.Member(f"f{i}") for i in range(archive_tar.MAX_ENTRIES + 1)])
    with pytest.raises(ArchiveError, match="too many entries"):
        archive_tar.read_tar(many)


def test_missing_manifest_and_bad_counts():
    with pytest.raises(ArchiveError, match="^invalid archive: does not contain a manifest.json$"):
        archive.read_archive(archive_tar.write_members([archive_tar.Member("repositories", data=b"{}")]))
    image, layers = hand_image()
    bad = [archive_tar.Member("c.json", data=config_bytes(image.config)), archive_tar.Member("l.tar", data=layers[0].tar()),
           archive_tar.Member("manifest.json", data=b'[{"Config":"c.json","RepoTags":null,"Layers":["l.tar"]}]')]
    with pytest.raises(ArchiveError, match="^invalid manifest, layers length mismatch: expected 1, got 2$"):
        archive.read_archive(archive_tar.write_members(bad))


# ------------------------------------------------------------------------------------ commands
def test_save_refuses_a_terminal_and_reports_missing_images(box):
    result = run(box, "docker save alpine", 1)
    assert result.stderr == "cowardly refusing to save to a terminal. Use the -o flag or redirect\n"
    result = run(box, "docker save -o x.tar nosuch", 1)
    # tarexport/save.go parseNames: a bare name goes to the image store's Search (no ":latest"),
    # a missing tag to the reference store (ErrDoesNotExist), moby v28.5.2
    assert result.stderr == "Error response from daemon: No such image: nosuch\n"
    result = run(box, "docker save -o x.tar alpine:nosuch", 1)
    assert result.stderr == "Error response from daemon: reference does not exist\n"
    assert "x.tar" not in box.host_files()


def test_save_to_file_and_redirect_give_the_same_bytes_and_host_event(box):
    result = run(box, "docker save -o a.tar alpine && docker save alpine > b.tar")
    assert box.host_read("a.tar") == box.host_read("b.tar")
    assert HostFileWritten("a.tar") in result.events
    tar = members(box.host_read("a.tar"))
    image_id = box.daemon.find_image("alpine").id
    assert sha(tar["blobs/sha256/" + image_id[7:]][1]) == image_id[7:]


def test_load_round_trips_ids_tags_and_whiteout_layers(box):
    run(box, 'docker run --name d1 alpine sh -c "echo hi > /root/x; rm /etc/motd"')
    run(box, "docker commit d1 mine:1")
    mine = box.daemon.find_image("mine:1")
    run(box, "docker save -o m.tar mine:1 alpine")
    layer_blob = members(box.host_read("m.tar"))["blobs/sha256/" + mine.diff_ids[-1][7:]][1]
    assert "etc/.wh.motd" in members(layer_blob)
    run(box, "docker rm d1")
    run(box, "docker rmi mine:1 alpine")
    result = run(box, "docker load -i m.tar")
    assert result.stdout == "Loaded image: mine:1\nLoaded image: alpine:latest\n"
    loaded = box.daemon.find_image("mine:1")
    assert (loaded.id, loaded.diff_ids) == (mine.id, mine.diff_ids)
    assert box.daemon.layers[mine.diff_ids[-1]].changes["/etc/motd"].kind == WHITEOUT
    assert ImageAdded(mine.id) in result.events
    again = run(box, "docker load < m.tar")
    assert again.stdout == result.stdout
    assert LayerReused(mine.diff_ids[0]) in again.events


def test_load_moves_a_tag_and_untagged_images_print_their_id(box):
    alpine = box.daemon.find_image("alpine")
    run(box, "docker save -o a.tar alpine")
    run(box, f"docker save -o id.tar {alpine.id[7:19]}")
    run(box, 'docker run --name d1 alpine touch /x')
    run(box, "docker commit d1 alpine:latest")
    newer = box.daemon.find_image("alpine")
    result = run(box, "docker load -i a.tar")
    assert result.stdout == (f"The image alpine:latest already exists, renaming the old one with ID {newer.id} "
                             "to empty string\nLoaded image: alpine:latest\n")
    assert box.daemon.find_image("alpine").id == alpine.id and newer.repo_tags == []
    assert run(box, "docker load -i id.tar").stdout == f"Loaded image ID: {alpine.id}\n"


def test_load_errors(box):
    assert run(box, "docker load", 1).stderr == "requested load from stdin, but stdin is empty\n"
    assert run(box, "docker load -i nope.tar", 1).stderr == "open nope.tar: no such file or directory\n"
    box.host_write("notes.txt", b"hello\n")
    assert run(box, "docker load -i notes.txt", 1).stderr == "unexpected EOF\n"


def test_export_is_the_merged_filesystem_without_deleted_files(box):
    run(box, 'docker run --name d1 alpine sh -c "echo hi > /root/x; rm /etc/motd"')
    assert run(box, "docker export d1", 1).stderr.startswith("cowardly refusing to save to a terminal")
    result = run(box, "docker export -o d.tar d1")
    assert result.stdout == "" and HostFileWritten("d.tar") in result.events
    tar = members(box.host_read("d.tar"))
    assert "etc/motd" not in tar and not any(".wh." in n for n in tar)
    assert tar["root/x"][1] == b"hi\n"
    assert tar[".dockerenv"][0].size == 0 and tar["etc/hosts"][1] == b""  # the -init layer's mount points
    assert "bin/busybox" in tar


def test_import_makes_one_layer_image_with_imported_from_history(box):
    run(box, "docker create --name c1 alpine")
    run(box, "docker export c1 > fs.tar")
    result = run(box, "docker import fs.tar imported:v1")
    image = box.daemon.find_image("imported:v1")
    assert result.stdout == image.id + "\n"
    assert len(image.diff_ids) == 1 and image.parent == ""
    assert image.diff_ids[0] == "sha256:" + sha(box.host_read("fs.tar"))  # the tar's own digest
    assert [h.get("comment") for h in image.history] == ["Imported from -"]
    assert image.run_config["Cmd"] is None and image.config["comment"] == "Imported from -"
    piped = run(box, "docker import -m note -c 'CMD [\"sh\"]' - < fs.tar")
    other = box.daemon.find_image(piped.stdout.strip())
    assert other.history[0]["comment"] == "note" and other.run_config["Cmd"] == ["sh"]
    assert other.repo_tags == []
    assert run(box, "docker import -c 'ADD x /' fs.tar", 1).stderr == \
        "Error response from daemon: add is not a valid change command\n"
    assert run(box, "docker import nope.tar", 1).stderr == "open nope.tar: no such file or directory\n"


def test_layer_tar_is_what_tarfile_writes_for_its_members():
    # layer_tar assembles the tar from per-member blocks; the DiffID is its sha256, so it must be
    # tarfile's own output to the byte: long and non-ASCII names (PAX headers), whiteouts, opaque
    # directories, symlinks, files around the 512-byte block and over the memo's size limit
    changes = {"/etc": Entry.dir(opaque=True), "/etc/x": Entry.file("a" * 512), "/etc/y": Entry.file("b" * 513),
               "/big": Entry.file("c" * 9000), "/gone": Entry(WHITEOUT), "/日本/é": Entry.file("é\n"),
               "/" + "d" * 120: Entry.file(""), "/link": Entry.symlink("t" * 150), "/bin/x": Entry.file(None, size=7)}
    layer = Layer.from_changes(changes)
    expected = io.BytesIO()
    with tarfile.open(fileobj=expected, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, entry, data in fs.tar_members(layer.changes):
            info = fs._tar_info(name, entry, data)
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    assert layer.tar() == expected.getvalue()
    assert layer.tar() == expected.getvalue()  # again, from the memoised blocks
    assert layer.diff_id == "sha256:" + hashlib.sha256(expected.getvalue()).hexdigest()

"""The registry catalog: real tags, sizes, layer sharing and image configs (docker-behaviour §6.5, §8.1)."""
import re

import pytest

from engine.layers.fs import DIR, SYMLINK, EMPTY_LAYER_DIFF_ID
from engine.registry import catalog as registry, files as registry_files

TAGS = [("alpine", "latest"), ("alpine", "3.22"), ("busybox", "latest"), ("busybox", "1.37"),
        ("ubuntu", "latest"), ("ubuntu", "24.04"), ("ubuntu", "noble"), ("debian", "bookworm-slim"),
        ("debian", "12-slim"), ("nginx", "latest"), ("nginx", "1.27"), ("python", "3.12-slim"),
        ("python", "3.12-slim-bookworm"), ("hello-world", "latest")]
# (repository, tag, layer count, size as `docker images` shows it in bytes)
SIZES = [("alpine", "latest", 1, 8_300_000), ("busybox", "latest", 1, 4_400_000),
         ("ubuntu", "latest", 1, 78_000_000), ("debian", "bookworm-slim", 1, 74_800_000),
         ("nginx", "latest", 7, 192_000_000), ("python", "3.12-slim", 4, 124_000_000)]


@pytest.mark.parametrize("repository, tag", TAGS)
def test_every_listed_tag_resolves(repository, tag):
    image = registry.lookup(repository, tag)
    assert image is not None and image.repository == repository and tag in image.tags


def test_unknown_names_and_tags_are_not_found_and_library_prefix_is_accepted():
    assert registry.lookup("nosuchimage", "latest") is None
    assert registry.lookup("alpine", "2.0") is None
    assert registry.lookup("library/nginx", "latest") is registry.lookup("nginx", "latest")
    assert registry.repositories() == sorted(["alpine", "busybox", "debian", "hello-world", "nginx",
                                              "python", "ubuntu"])


@pytest.mark.parametrize("repository, tag, count, size", SIZES)
def test_layer_counts_and_sizes_match_docker_hub(repository, tag, count, size):
    image = registry.lookup(repository, tag)
    assert len(image.layers) == count
    assert abs(sum(layer.size for layer in image.layers) - size) <= size * 0.02


def test_nginx_and_python_share_the_debian_base_layer():
    debian = registry.lookup("debian", "bookworm-slim")
    nginx, python = registry.lookup("nginx", "latest"), registry.lookup("python", "3.12-slim")
    base = debian.layers[0]
    assert nginx.layers[0] is base and python.layers[0] is base
    assert nginx.config["rootfs"]["diff_ids"][0] == python.config["rootfs"]["diff_ids"][0] == base.diff_id
    # the same blob is pulled once: same compressed digest everywhere
    assert nginx.compressed_digests[0] == python.compressed_digests[0] == debian.compressed_digests[0]
    assert nginx.layers[1].diff_id != python.layers[1].diff_id


@pytest.mark.parametrize("repository, tag", TAGS)
def test_config_shape_history_and_rootfs_agree(repository, tag):
    image = registry.lookup(repository, tag)
    config = image.config
    assert list(config) == ["architecture", "config", "created", "history", "os", "rootfs"]
    assert config["architecture"] == "amd64" and config["os"] == "linux"
    assert config["rootfs"] == {"type": "layers", "diff_ids": [layer.diff_id for layer in image.layers]}
    non_empty = [h for h in config["history"] if not h.get("empty_layer")]
    assert len(non_empty) == len(image.layers)
    assert re.fullmatch(r"2025-\d\d-\d\dT[\d:.]+Z", config["created"])
    for digest in image.compressed_digests + (image.manifest_digest,):
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest)
    assert EMPTY_LAYER_DIFF_ID not in config["rootfs"]["diff_ids"]


def test_image_id_is_the_config_digest_and_stable():
    nginx = registry.lookup("nginx", "latest")
    first = registry.image_id(nginx.config)
    assert first == registry.image_id(registry.lookup("nginx", "1.27").config)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", first)
    import hashlib
    assert first == "sha256:" + hashlib.sha256(registry.config_bytes(nginx.config)).hexdigest()
    assert registry.config_bytes({"a": "é", "b": [1]}) == '{"a":"é","b":[1]}'.encode()
    assert len({registry.image_id(registry.lookup(r, t).config) for r, t in TAGS}) == 7


def test_nginx_config_and_history_follow_the_upstream_dockerfile():
    config = registry.lookup("nginx", "latest").config
    inner = config["config"]
    assert inner["Entrypoint"] == ["/docker-entrypoint.sh"]
    assert inner["Cmd"] == ["nginx", "-g", "daemon off;"]
    assert inner["ExposedPorts"] == {"80/tcp": {}} and inner["StopSignal"] == "SIGQUIT"
    assert "NGINX_VERSION=1.27.5" in inner["Env"]
    created_by = [h["created_by"] for h in config["history"]]
    assert created_by[0] == "# debian.sh --arch 'amd64' out/ 'bookworm' '@1763337600'"
    assert created_by[-4:] == ['ENTRYPOINT ["/docker-entrypoint.sh"]', "EXPOSE map[80/tcp:{}]",
                               "STOPSIGNAL SIGQUIT", 'CMD ["nginx" "-g" "daemon off;"]']
    assert "COPY docker-entrypoint.sh / # buildkit" in created_by
    assert config["history"][-1] == {"created": config["created"], "created_by": 'CMD ["nginx" "-g" "daemon off;"]',
                                     "comment": "buildkit.dockerfile.v0", "empty_layer": True}


def test_alpine_and_hello_world_configs():
    alpine = registry.lookup("alpine", "3.22").config
    assert [h["created_by"] for h in alpine["history"]] == [
        "ADD alpine-minirootfs-3.22.2-x86_64.tar.gz / # buildkit", 'CMD ["/bin/sh"]']
    assert alpine["config"]["Cmd"] == ["/bin/sh"]
    hello = registry.lookup("hello-world", "latest")
    assert hello.config["config"]["Cmd"] == ["/hello"]
    assert list(hello.layers[0].changes) == ["/hello"]
    assert registry_files.HELLO_WORLD_TEXT.startswith("\nHello from Docker!\nThis message shows that your installation")


def _resolve(image, path):
    """Follow symlinks through the merged image tree (top layer wins)."""
    merged = {}
    for layer in image.layers:
        merged.update(layer.changes)
    for _ in range(10):
        entry = merged.get(path)
        if entry is None or entry.kind != SYMLINK:
            return entry
        target = entry.target
        path = target if target.startswith("/") else path.rsplit("/", 1)[0] + "/" + target
        path = re.sub(r"/[^/]+/\.\./", "/", path)
    return None


@pytest.mark.parametrize("repository", ["alpine", "ubuntu", "debian", "nginx", "python"])
def test_distro_images_have_os_release_and_a_shell(repository):
    image = registry.lookup(repository, {"debian": "bookworm-slim", "python": "3.12-slim"}.get(repository, "latest"))
    release = _resolve(image, "/etc/os-release")
    assert release is not None and "PRETTY_NAME=" in release.content
    assert _resolve(image, "/bin/sh").kind == "file"
    tmp = [layer.changes["/tmp"] for layer in image.layers if "/tmp" in layer.changes][0]
    assert tmp.kind == DIR and tmp.mode == 0o1777


def test_busybox_has_a_shell_but_no_os_release_like_the_real_image():
    image = registry.lookup("busybox", "latest")
    assert image.layers[0].changes["/bin/sh"].target == "busybox"
    assert _resolve(image, "/etc/os-release") is None


def test_os_release_texts_name_the_real_releases():
    assert "VERSION_ID=3.22.2" in _resolve(registry.lookup("alpine", "latest"), "/etc/os-release").content
    assert 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' in _resolve(
        registry.lookup("nginx", "latest"), "/etc/os-release").content
    assert "VERSION_CODENAME=noble" in _resolve(registry.lookup("ubuntu", "latest"), "/etc/os-release").content


def test_nginx_serves_the_welcome_page_and_logs_to_stdout():
    changes = registry.lookup("nginx", "latest").layers[1].changes
    assert "<h1>Welcome to nginx!</h1>" in changes["/usr/share/nginx/html/index.html"].content
    assert changes["/var/log/nginx/access.log"].target == "/dev/stdout"
    assert "nginx:x:101:101:nginx user:/nonexistent:/bin/false" in changes["/etc/passwd"].content


def test_layers_are_found_by_diff_id():
    for repository, tag in TAGS:
        for layer in registry.lookup(repository, tag).layers:
            assert registry.layer_by_diff_id(layer.diff_id) is layer
    assert registry.layer_by_diff_id("sha256:" + "0" * 64) is None


def test_images_stay_small_and_believable():
    for repository in registry.repositories():
        image = registry._images()[repository]
        entries = sum(len(layer.changes) for layer in image.layers)
        assert entries <= 140, repository

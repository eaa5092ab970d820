"""Union view over two small layers: reads, copy-up, whiteouts, opaque dirs and `docker diff`."""
import pytest

from engine.errors import FsError
from engine.events import CopiedUp, FileAdded, FileChanged, OpaqueDir, RemovedFromUpper
from engine.layers.diff import diff
from engine.layers.fs import Entry, Layer, chain_ids, normpath, parent_dirs
from engine.layers.unionfs import UnionFS
from engine.layers.view import merge

BASE = Layer.from_changes({
    "/bin": Entry.dir(),
    "/bin/busybox": Entry.file(None, 0o755, size=1_000_000),
    "/bin/sh": Entry.symlink("/bin/busybox"),
    "/etc": Entry.dir(),
    "/etc/motd": Entry.file("Welcome!\n"),
    "/etc/nginx": Entry.dir(),
    "/etc/nginx/nginx.conf": Entry.file("worker_processes auto;\n"),
    "/opt": Entry.dir(),
    "/opt/app": Entry.dir(),
    "/opt/app/main.py": Entry.file("print('hi')\n"),
    "/opt/app/lib": Entry.dir(),
    "/opt/app/lib/util.py": Entry.file(""),
    "/tmp": Entry.dir(0o1777),
    "/var": Entry.dir(),
    "/var/run": Entry.symlink("/run"),
    "/run": Entry.dir(),
})
TOP = Layer.from_changes({
    "/etc/motd": Entry.file("Hello from layer 1\n"),
    "/opt/app/lib": Entry.whiteout(),
    "/opt/app/data.txt": Entry.file("42\n"),
})


def make_fs(upper=None):
    return UnionFS([BASE, TOP], {} if upper is None else upper)


def lines(changes):
    return [f"{kind} {path}" for kind, path in changes]


def test_merge_applies_whiteouts_and_knows_the_source_layer():
    tree = merge([BASE, TOP])
    assert tree["/etc/motd"] == (Entry.file("Hello from layer 1\n"), 1)
    assert tree["/etc/nginx/nginx.conf"][1] == 0
    assert "/opt/app/lib" not in tree and "/opt/app/lib/util.py" not in tree
    assert all(entry.kind != "whiteout" for entry, _ in tree.values())


def test_merge_opaque_dir_and_file_replacing_dir():
    top = Layer.from_changes({"/opt/app": Entry.dir(opaque=True), "/opt/app/new": Entry.file("n"),
                              "/etc/nginx": Entry.file("now a file\n")})
    tree = merge([BASE, top])
    assert sorted(p for p in tree if p.startswith("/opt/app")) == ["/opt/app", "/opt/app/new"]
    assert tree["/etc/nginx"][0].kind == "file" and "/etc/nginx/nginx.conf" not in tree


def test_reads_follow_symlinks_and_report_sources():
    fs = make_fs()
    assert fs.read("/etc/motd") == "Hello from layer 1\n"
    assert fs.source("/etc/motd") == 1 and fs.source("/etc/nginx") == 0
    assert fs.resolve("/var/run/x.pid") == "/run/x.pid"
    assert fs.stat("/bin/sh").kind == "file" and fs.lookup("/bin/sh").kind == "symlink"
    assert fs.listdir("/opt/app") == ["data.txt", "main.py"]
    assert fs.read("/bin/busybox").startswith("LayerLab stand-in for /bin/busybox")
    with pytest.raises(FsError) as err:
        fs.listdir("/etc/motd")
    assert err.value.errno == "ENOTDIR"
    with pytest.raises(FsError) as err:
        fs.read("/nope")
    assert err.value.errno == "ENOENT"


def test_symlink_loop_is_an_error():
    fs = make_fs()
    fs.symlink("/tmp/b", "/tmp/a")
    fs.symlink("/tmp/a", "/tmp/b")
    with pytest.raises(FsError) as err:
        fs.stat("/tmp/a")
    assert err.value.errno == "ELOOP"


def test_read_only_view_refuses_writes():
    fs = UnionFS([BASE, TOP])
    with pytest.raises(FsError) as err:
        fs.write_file("/tmp/x", "x")
    assert err.value.errno == "EROFS"


def test_first_write_to_a_lower_file_copies_it_up_with_its_directory_chain():
    upper = {}
    fs = make_fs(upper)
    fs.write_file("/etc/nginx/nginx.conf", "worker_processes 2;\n", append=True)
    assert upper == {
        "/etc": Entry.dir(), "/etc/nginx": Entry.dir(),
        "/etc/nginx/nginx.conf": Entry.file("worker_processes auto;\nworker_processes 2;\n"),
    }
    fs.write_file("/etc/nginx/nginx.conf", "x\n")
    assert fs.events == [CopiedUp("/etc/nginx/nginx.conf"), FileChanged("/etc/nginx/nginx.conf")]
    assert fs.read("/etc/nginx/nginx.conf") == "x\n"
    assert lines(diff(fs.lower_merged, upper)) == [
        "C /etc", "C /etc/nginx", "C /etc/nginx/nginx.conf"]


def test_new_file_needs_its_parent_directory():
    fs = make_fs()
    with pytest.raises(FsError) as err:
        fs.write_file("/data/x", "x")
    assert err.value.errno == "ENOENT"
    fs.mkdir("/data/a", parents=True)
    fs.touch("/data/a/f")
    assert lines(diff(fs.lower_merged, fs.upper)) == ["A /data", "A /data/a", "A /data/a/f"]


def test_touch_new_file_in_tmp_matches_docker_diff_example():
    fs = make_fs()
    fs.touch("/tmp/x")
    assert fs.upper == {"/tmp": Entry.dir(0o1777), "/tmp/x": Entry.file("")}
    assert lines(diff(fs.lower_merged, fs.upper)) == ["C /tmp", "A /tmp/x"]
    assert fs.events == [FileAdded("/tmp/x")]


def test_deleting_a_lower_file_leaves_a_whiteout():
    fs = make_fs()
    fs.remove("/etc/motd")
    assert fs.upper == {"/etc": Entry.dir(), "/etc/motd": Entry.whiteout()}
    assert not fs.exists("/etc/motd")
    assert lines(diff(fs.lower_merged, fs.upper)) == ["C /etc", "D /etc/motd"]


def test_deleting_a_lower_dir_lists_only_the_top_path_and_needs_recursive():
    fs = make_fs()
    with pytest.raises(FsError) as err:
        fs.remove("/opt/app")
    assert err.value.errno == "EISDIR"
    fs.write_file("/opt/app/new.txt", "n")
    fs.remove("/opt/app", recursive=True)
    assert fs.upper == {"/opt": Entry.dir(), "/opt/app": Entry.whiteout()}
    assert lines(diff(fs.lower_merged, fs.upper)) == ["C /opt", "D /opt/app"]


def test_recreated_dir_is_opaque_and_hides_lower_children():
    fs = make_fs()
    fs.remove("/etc/nginx", recursive=True)
    fs.mkdir("/etc/nginx")
    assert fs.upper["/etc/nginx"] == Entry.dir(opaque=True)
    assert fs.listdir("/etc/nginx") == []
    assert fs.events[-1] == OpaqueDir("/etc/nginx")
    assert lines(diff(fs.lower_merged, fs.upper)) == [
        "C /etc", "C /etc/nginx", "D /etc/nginx/nginx.conf"]


def test_deleting_an_upper_only_path_just_drops_it():
    fs = make_fs()
    fs.mkdir("/data")
    fs.write_file("/data/x", "1")
    fs.remove("/data", recursive=True)
    assert fs.upper == {}
    assert fs.events[-1] == RemovedFromUpper("/data")
    assert diff(fs.lower_merged, fs.upper) == []


def test_nginx_like_changes_list_every_ancestor_as_in_the_reference():
    fs = make_fs()
    fs.mkdir("/var/lib/nginx/tmp", parents=True)
    fs.mkdir("/var/lib/nginx/tmp/client_body")
    fs.mkdir("/var/log/nginx", parents=True)
    fs.write_file("/var/log/nginx/access.log", "")
    fs.write_file("/var/run/nginx.pid", "1\n")
    # /var/lib and /var/log are new here, so they are A (the reference's image had them).
    assert lines(diff(fs.lower_merged, fs.upper)) == [
        "C /run", "A /run/nginx.pid", "C /var", "A /var/lib", "A /var/lib/nginx",
        "A /var/lib/nginx/tmp", "A /var/lib/nginx/tmp/client_body", "A /var/log",
        "A /var/log/nginx", "A /var/log/nginx/access.log"]


def test_chmod_copies_up_and_dir_mode_change_is_c():
    fs = make_fs()
    fs.chmod("/opt/app/main.py", 0o755)
    fs.chmod("/tmp", 0o755)
    assert fs.upper["/opt/app/main.py"] == Entry.file("print('hi')\n", 0o755)
    assert lines(diff(fs.lower_merged, fs.upper)) == [
        "C /opt", "C /opt/app", "C /opt/app/main.py", "C /tmp"]


def test_copy_into_directory_and_recursive_copy():
    fs = make_fs()
    assert fs.copy("/etc/motd", "/tmp") == "/tmp/motd"
    with pytest.raises(FsError) as err:
        fs.copy("/opt/app", "/tmp/app")
    assert err.value.errno == "EISDIR"
    fs.copy("/opt/app", "/tmp/app", recursive=True)
    assert fs.listdir("/tmp/app") == ["data.txt", "main.py"]
    assert fs.read("/tmp/motd") == "Hello from layer 1\n"


def test_move_lower_file_is_a_new_file_plus_whiteout():
    fs = make_fs()
    fs.move("/etc/motd", "/tmp/motd")
    assert fs.upper["/etc/motd"] == Entry.whiteout()
    assert fs.read("/tmp/motd") == "Hello from layer 1\n"
    assert lines(diff(fs.lower_merged, fs.upper)) == ["C /etc", "D /etc/motd", "C /tmp", "A /tmp/motd"]


def test_write_over_deleted_file_replaces_whiteout_and_counts_as_changed():
    fs = make_fs()
    fs.remove("/etc/motd")
    fs.write_file("/etc/motd", "new\n")
    assert fs.upper["/etc/motd"] == Entry.file("new\n")
    assert lines(diff(fs.lower_merged, fs.upper)) == ["C /etc", "C /etc/motd"]


def test_walk_shows_merged_tree_in_path_order_and_put_makes_parents():
    fs = make_fs()
    fs.put("/usr/bin/curl", Entry.file(None, 0o755, size=250_000))
    walked = fs.walk()
    assert list(walked)[:3] == ["/bin", "/bin/busybox", "/bin/sh"]
    assert walked["/usr/bin/curl"].size == 250_000
    assert [e.kind for e in fs.events] == ["dir_added", "dir_added", "file_added"]


def test_mkdir_errors():
    fs = make_fs()
    with pytest.raises(FsError) as err:
        fs.mkdir("/etc")
    assert err.value.errno == "EEXIST"
    fs.mkdir("/etc", parents=True)  # -p accepts an existing dir
    with pytest.raises(FsError) as err:
        fs.mkdir("/a/b")
    assert err.value.errno == "ENOENT"


@pytest.mark.parametrize("path, cwd, expected", [
    ("/etc/nginx", "/", "/etc/nginx"), ("/etc/.profile", "/", "/etc/.profile"), ("/a/b/", "/", "/a/b"),
    ("//a//b", "/", "/a/b"), ("/a/./b/../c", "/", "/a/c"), ("/..", "/", "/"), ("rel/x", "/srv", "/srv/rel/x"),
    ("", "/srv", "/srv"), ("/", "/srv", "/")])
def test_normpath_gives_one_absolute_spelling(path, cwd, expected):
    assert normpath(path, cwd) == expected


def test_parent_dirs_and_chain_ids_are_fresh_values():
    assert parent_dirs("/a/b/c") == ["/a", "/a/b"] and parent_dirs("/a") == [] and parent_dirs("a//b") == ["/a", "/a/"]
    first = chain_ids(["sha256:aa", "sha256:bb"])
    first.append("changed by a caller")  # the memo behind chain_ids must not see this
    assert chain_ids(["sha256:aa", "sha256:bb"]) == first[:2] and len(first[:2]) == 2
    assert chain_ids(["sha256:aa"]) == ["sha256:aa"]

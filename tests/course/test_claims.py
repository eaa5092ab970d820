"""Each prediction's right answer is what the engine does on the lesson's own solution path, and the
facts the lessons' texts state hold in the engine (docs/teaching-claims.md lists where each is taught).

A question is checked by running its lesson's start and solution and reading the outputs and the
state the answer is about; the chosen answer index is asserted next to the fact, so swapping choices
without the facts fails here.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile

from course.lessons import find


class Path_:
    """A lesson's start, then its solution, with each command's result kept by its text."""

    def __init__(self, slug: str):
        self.lesson = find(slug)
        assert self.lesson is not None, slug
        self.sandbox = self.lesson.start()
        self.results = {}
        for command in self.lesson.solution:
            result = self.sandbox.run(command)
            assert result.exit_code == 0, (command, result.stderr)
            self.results[command] = result

    def out(self, command: str) -> str:
        """The command's output on the solution path; a command the solution no longer has runs now,
        after it (so a reworded solution does not hide the fact being checked)."""
        if command not in self.results:
            result = self.sandbox.run(command)
            assert result.exit_code == 0, (command, result.stderr)
            self.results[command] = result
        return self.results[command].stdout

    def run(self, command: str):
        return self.sandbox.run(command)

    def answer(self, index: int = 0) -> str:
        question = self.lesson.questions[index]
        return question.choices[question.answer].en

    def container(self, name: str):
        return next(c for c in self.sandbox.daemon.containers.values() if c.name == name)

    def image(self, ref: str):
        return self.sandbox.daemon.image_or_none(ref)


def test_01_a_shared_layer_already_exists_and_pull_ids_are_not_diffids():
    p = Path_("01-layers")
    pulled = p.out("docker pull python:3.12-slim")
    assert len(re.findall(r"^\w{12}: Already exists$", pulled, re.M)) == 1
    assert "Already exists" in p.answer()
    # the pull lines name compressed blobs; inspect lists DiffIDs of the uncompressed tars: different
    pull_ids = re.findall(r"^(\w{12}): (?:Pull complete|Already exists)$", pulled, re.M)
    diff_ids = p.image("python:3.12-slim").diff_ids
    assert pull_ids and not any(d.split(":")[1].startswith(i) for i in pull_ids for d in diff_ids)


def test_02_config_only_rows_are_history_rows_without_a_layer():
    p = Path_("02-metadata")
    rows = p.out("docker image history nginx").splitlines()[1:]
    zero = [r for r in rows if re.search(r"\s0B\s", r)]
    assert len(rows) == 17 and len(p.image("nginx").diff_ids) == 7 and len(rows) - len(zero) == 7
    assert all(re.search(r"\s(CMD|ENV|EXPOSE|LABEL|STOPSIGNAL|ENTRYPOINT) ", r) for r in zero)
    assert p.answer().startswith("Instructions that change only the config")
    config = json.loads(p.out("docker image inspect nginx"))[0]
    assert len(config["RootFS"]["Layers"]) == 7 and "Cmd" in config["Config"]
    # one config per image; the order of RootFS.Layers (bottom first) is the stacking, no pointers
    assert config["RootFS"]["Layers"] == p.image("nginx").diff_ids and "Parent" not in json.dumps(config["RootFS"])
    assert p.answer(1).startswith("One config for the whole image")


def test_03_create_starts_no_process():
    p = Path_("03-create")
    box = p.container("box")
    assert box.status == "created" and box.processes == [] and p.answer() == "None"


def test_04_start_adds_a_process_space_not_a_layer():
    p = Path_("04-start-run")
    web = p.container("web")
    assert web.status == "running" and web.diff_ids == p.image("nginx").diff_ids
    assert web.processes[0].command.startswith("nginx: master")
    assert "PID 1" in p.answer(0) and p.answer(1).startswith("Adds a read-write layer")


def test_05_a_deleted_lower_file_is_a_whiteout_and_stays_in_the_image():
    p = Path_("05-copy-up")
    assert re.search(r"^D /etc/nginx/conf.d/default.conf$", p.out("docker diff web"), re.M)
    assert "server" in p.sandbox.daemon.image_fs(p.image("nginx")).read("/etc/nginx/conf.d/default.conf")
    assert "whiteout" in p.answer()


def _rows(listing: str) -> list[str]:
    return listing.splitlines()[1:]


def _ids(listing: str) -> list[str]:
    return [row.split()[2] for row in _rows(listing)]


def test_06_ls_a_adds_the_legacy_builds_intermediate_images():
    p = Path_("06-image-ls")
    plain, every = _rows(p.out("docker image ls")), _rows(p.out("docker image ls -a"))
    extra = [r for r in every if r not in plain and not any(r.split()[2] == x.split()[2] for x in plain)]
    assert len(extra) == 2 and all(r.startswith("<none>       <none>") for r in extra)
    assert "intermediate images" in p.answer(1)
    # without -a: one row per repository:tag, however many layers myapp:1 has
    assert [r.split()[:2] for r in plain] == [["myapp", "1"], ["alpine", "latest"]]
    assert len(p.image("myapp:1").diff_ids) == 3 and p.answer(0).startswith("One row, myapp 1")


def test_07_rmi_of_a_parent_only_untags_and_the_image_stays():
    p = Path_("07-image-rm")
    out = p.out("docker image rm alpine")
    assert out and all(line.startswith("Untagged: ") for line in out.splitlines())
    alpine_id = find("07-image-rm").start().daemon.image_or_none("alpine").id
    listed = [row.split() for row in _rows(p.out("docker image ls -a"))]
    assert ["<none>", "<none>", alpine_id.split(":")[1][:12]] in [row[:3] for row in listed]   # untagged, kept
    assert p.answer().startswith("Only the tag alpine:latest: the image stays")


def test_08_the_second_legacy_build_is_all_cache():
    p = Path_("08-build")
    second = p.out("DOCKER_BUILDKIT=0 docker build -t myapp:2 .")
    assert second.count("Using cache") == 3 and "Running in" not in second
    assert p.image("myapp:1").id == p.image("myapp:2").id
    assert "Using cache" in p.answer()


def test_09_save_writes_uncompressed_layer_tars_named_by_diffid_export_one_flat_tar():
    p = Path_("09-save-export")
    with tarfile.open(fileobj=io.BytesIO(p.sandbox.host_read("alpine.tar"))) as saved:
        manifest = json.loads(saved.extractfile("manifest.json").read())
        layer_name = manifest[0]["Layers"][0]
        data = saved.extractfile(layer_name).read()
    assert data[:2] != b"\x1f\x8b"                        # not gzip
    tarfile.open(fileobj=io.BytesIO(data), mode="r:")      # a plain tar
    assert "sha256:" + hashlib.sha256(data).hexdigest() == p.image("alpine").diff_ids[0]
    assert layer_name == "blobs/sha256/" + hashlib.sha256(data).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(p.sandbox.host_read("box.tar"))) as flat:
        names = flat.getnames()
    assert "hello" in names and "manifest.json" not in names
    assert p.answer().startswith("One: the merged file system")


def test_10_history_ids_follow_local_parents_and_pulled_history_is_missing():
    p = Path_("10-history")
    ids = [row.split()[0] for row in _rows(p.out("docker image history myapp:1"))]
    assert ids[:4] == [i for i in ids[:4] if i != "<missing>"] and ids[4:] == ["<missing>"]
    assert ids[3] == p.image("alpine").id.split(":")[1][:12]
    assert p.answer().startswith("The history that came with alpine")


def test_11_kill_is_137_and_stop_of_sleep_as_pid1_waits_then_kills():
    p = Path_("11-stop-kill")
    assert p.container("worker").exit_code == 137 and p.answer(0).startswith("137")
    assert p.container("web").exit_code == 0
    assert p.image("nginx").config["config"]["StopSignal"] == "SIGQUIT"   # the stop signal stop sends nginx
    fresh = find("11-stop-kill").start()
    fresh.run("docker container stop worker")
    worker = next(c for c in fresh.daemon.containers.values() if c.name == "worker")
    assert worker.exit_code == 137 and worker.last_signal == "SIGKILL"
    assert "SIGKILL: 137" in p.answer(1)


def test_12_pause_freezes_without_killing():
    p = Path_("12-pause")
    web = p.container("web")
    assert web.status == "paused" and web.processes and "(Paused)" in p.out("docker container ls")
    assert p.answer().startswith("The cgroup freezer freezes them")


def test_13_rm_of_a_running_container_is_refused():
    lesson = find("13-rm")
    sandbox = lesson.start()
    result = sandbox.run("docker container rm web")
    assert result.exit_code == 1 and "container is running" in result.stderr
    assert any(c.name == "web" for c in sandbox.daemon.containers.values())
    p = Path_("13-rm")
    assert p.answer().startswith("Refuses")


def test_14_commit_adds_one_layer_and_the_container_keeps_its_own():
    p = Path_("14-commit")
    mine, nginx = p.image("mynginx:1"), p.image("nginx")
    assert len(mine.diff_ids) == len(nginx.diff_ids) + 1 and mine.diff_ids[:-1] == nginx.diff_ids
    assert mine.parent == nginx.id
    web = p.container("web")
    assert web.status == "running" and "/usr/share/nginx/html/index.html" in web.rw
    assert p.answer().startswith("nginx's layers plus one")


def test_15_exec_runs_in_the_same_container():
    p = Path_("15-exec")
    top = p.out("docker container top web")
    assert "nginx: master" in top and "sleep 1000" in top and "/tmp/from-exec" in p.container("web").rw
    assert p.answer().startswith("Inside web's existing process isolation space")


def test_16_image_inspect_is_metadata_not_files():
    p = Path_("16-inspect")
    config = json.loads(p.out("docker image inspect nginx"))[0]
    assert config["RootFS"]["Layers"] == p.image("nginx").diff_ids and config["Config"]["Cmd"]
    assert p.answer(1).startswith("Metadata")
    # State.Status is the state word; the "Up …" text is container ls's summary of it
    assert p.out("docker container inspect -f '{{.State.Status}}' web").strip() == "running" == p.answer(0)
    assert re.search(r"\bUp \d+ seconds?\b", p.out("docker container ls"))


def test_17_every_container_reports_the_hosts_one_kernel():
    p = Path_("17-bootfs-kernel")
    alpine, debian = p.out("docker run --name alp alpine uname -r"), p.out("docker run --name deb nginx uname -r")
    assert alpine == debian and alpine.strip()
    assert p.run("docker run --rm alpine ls /boot").exit_code != 0   # no bootfs in the image
    assert p.answer().startswith("The same version")


def test_18_graphdriver_names_the_union_mount():
    p = Path_("18-union-mount")
    data = json.loads(p.out("docker container inspect -f '{{json .GraphDriver.Data}}' web"))
    lower = data["LowerDir"].split(":")
    assert len(lower) == 8 and lower[0].endswith("-init/diff")
    assert data["UpperDir"].endswith("/diff") and data["MergedDir"].endswith("/merged")
    assert data["UpperDir"].rsplit("/", 2)[0] == data["MergedDir"].rsplit("/", 2)[0]   # one mount per container
    assert p.answer(0).startswith("UpperDir") and p.answer(1).startswith("8")


def test_19_rmi_frees_every_layer_but_the_shared_one():
    p = Path_("19-shared-layer")
    deleted = re.findall(r"^Deleted: (sha256:\w+)$", p.out("docker image rm nginx"), re.M)
    assert len(deleted) == 1 + 6                        # the image's id, then the six layers nginx alone used
    python = p.image("python:3.12-slim")
    assert "Debian" in p.sandbox.daemon.image_fs(python).read("/etc/os-release")
    assert p.answer().startswith("6")


def test_20_buildkit_leaves_no_intermediate_images_the_legacy_builder_does():
    p = Path_("20-image-ls-all")
    sandbox = find("20-image-ls-all").start()
    sandbox.run("docker build -t fast:1 .")
    assert _ids(sandbox.run("docker image ls").stdout) == _ids(sandbox.run("docker image ls -a").stdout)
    sandbox.run("DOCKER_BUILDKIT=0 docker build -t classic:1 .")
    plain, every = _ids(sandbox.run("docker image ls").stdout), _ids(sandbox.run("docker image ls -a").stdout)
    assert len(every) - len(plain) == 2
    assert p.answer().startswith("Nothing")


def test_21_rmi_of_the_committed_base_only_untags():
    p = Path_("21-challenge")
    out = p.out("docker image rm alpine")
    assert all(line.startswith("Untagged: ") for line in out.splitlines())
    assert p.image("greeter:1").parent and p.answer().startswith("Yes")


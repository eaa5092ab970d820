"""Checks that cannot be fooled: every lesson's solution passes and its near misses do not; every
question is answered by the engine the way its `answer` says, and only by a command that
succeeded on the right object in the state the question assumes."""
from __future__ import annotations

import io
import json
import re
import tarfile

import pytest

from course.checks import attempt
from course.lessons import all_lessons, find
from engine.events import SignalSent

LESSONS = all_lessons()


def _output(entry: dict) -> str:
    return "".join(text for _stream, text in entry["output"])


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_the_solution_passes_and_the_start_does_not(lesson):
    assert not attempt(lesson, []).goal_met, "the start state must not already satisfy the goal"
    result = attempt(lesson, list(lesson.solution))
    assert result.goal_met, [t.en for t, met in result.subgoals if not met]
    assert all(met for _t, met in result.subgoals)


# Plausible wrong solutions: each reaches something close to the goal, and none may pass.
NEAR_MISSES = {
    "01-layers": [["docker pull nginx"], ["docker pull nginx", "docker pull python"],
                  ["docker pull nginx", "docker pull python:3.12"]],
    "02-metadata": [["docker image history alpine", "docker image inspect nginx"],   # another image
                    ["docker image histroy nginx", "docker image inspect nginx"],   # a typo
                    ["docker image history nginx"],
                    ["docker image history nginx", "docker image inspect ngnix"]],
    "03-create": [["docker run --name box alpine"], ["docker create alpine"],
                  ["docker create --name box alpine", "docker start box"], ["docker create --name boxx alpine"]],
    "04-start-run": [["docker container start web", "docker create --name web2 nginx", "docker start web2"],
                     ["docker container run -d --name web2 nginx"],
                     ["docker container start web", "docker run --name web2 alpine"]],
    "15-exec": [["docker exec web touch /tmp/from-exec"],
                ["docker exec -d web sleep 1000"],
                ["docker exec web sleep 1", "docker exec web touch /tmp/from-exec"],
                ["docker run -d --name web2 nginx", "docker exec -d web2 sleep 1000",
                 "docker exec web2 touch /tmp/from-exec"]],
    "05-copy-up": [["docker exec web touch /tmp/hello"],
                   ["docker exec web touch /tmp/hello", "docker exec web rm /etc/nginx/nginx.conf"],
                   ["docker rm -f web", "docker run -d --name web nginx", "docker exec web touch /tmp/hello"]],
    "08-build": [["docker build -t myapp:1 .", "docker build -t myapp:2 ."],            # BuildKit: no parents
                 ["DOCKER_BUILDKIT=0 docker build -t myapp:1 .", "docker tag myapp:1 myapp:2"],
                 ["DOCKER_BUILDKIT=0 docker build -t myapp:1 ."]],
    "06-image-ls": [["docker image ls"], ["docker image ls -a"], ["docker image ls", "docker image ls -q"],
                    ["docker image ls", "docker container ls -a"]],
    "07-image-rm": [["docker image rm myapp:1"], ["docker image rm alpine:3.20"],
                    ["docker image rm myapp:1", "docker image rm alpine"]],
    "10-history": [["docker image history alpine"], ["docker image history myapp:2"], ["docker history myap:1"]],
    "09-save-export": [["docker image save -o alpine.tar alpine", "docker image save -o box.tar alpine"],
                       ["docker container export -o alpine.tar box", "docker container export -o box.tar box"],
                       ["docker image save -o alpine.tar alpine"]],
    "11-stop-kill": [["docker container stop web", "docker container stop worker"],   # 137 too, but not a kill
                     ["docker container kill web", "docker container kill worker"],
                     ["docker container stop web", "docker container kill -s TERM worker"],
                     ["docker container stop web", "docker rm -f worker"]],
    "12-pause": [["docker container stop web"], ["docker container kill -s STOP web"], ["docker pause nginx"]],
    "13-rm": [["docker container stop web"], ["docker container rm web"],
              ["docker container rm -f web", "docker image rm nginx"]],
    "14-commit": [["docker container commit web mynginx"], ["docker container commit web"],
                  ["docker image tag nginx mynginx:1"],
                  ["docker exec web rm /usr/share/nginx/html/index.html", "docker commit web mynginx:1"]],
    "16-inspect": [["docker container inspect web"], ["docker image inspect nginx"],
                   ["docker container inspect web", "docker image inspect alpine"]],
    "17-bootfs-kernel": [["docker run --name alp alpine uname -r"],
                         ["docker run --name alp alpine uname -r", "docker run --name deb nginx echo hi"],
                         ["docker run --name alp alpine uname -r", "docker run --name deb alpine uname -r"]],
    "18-union-mount": [["docker exec web touch /tmp/hello"],
                       ["docker container inspect web", "docker exec web touch /tmp/hello"],   # looked too early
                       ["docker exec web touch /tmp/hello", "docker image inspect nginx"]],
    "19-shared-layer": [["docker image rm python:3.12-slim"], ["docker image rm -f nginx", "docker pull nginx"],
                        ["docker run --name keeper nginx true", "docker image rm nginx"]],
    "20-image-ls-all": [["docker build -t fast:1 .", "DOCKER_BUILDKIT=0 docker build -t classic:1 ."],
                        ["DOCKER_BUILDKIT=0 docker build -t fast:1 .", "DOCKER_BUILDKIT=0 docker build -t classic:1 .",
                         "docker image ls -a"],
                        ["docker build -t fast:1 .", "docker tag fast:1 classic:1", "docker image ls -a"]],
    "21-challenge": [
        ["docker run --name maker alpine sh -c 'echo hello > /greeting'", "docker commit maker greeter:1",
         "docker run -d --name app greeter:1 sleep 1000", "docker exec app touch /tmp/visited",
         "docker save -o greeter.tar greeter:1", "docker image rm alpine"],                  # not paused
        ["docker run --name maker alpine sh -c 'echo hello > /greeting'", "docker commit maker greeter:1",
         "docker run -d --name app greeter:1 sleep 1000", "docker exec app touch /tmp/visited",
         "docker pause app", "docker save -o greeter.tar greeter:1"],                         # alpine kept
        ["docker tag alpine greeter:1", "docker run -d --name app greeter:1 sleep 1000",
         "docker exec app touch /tmp/visited", "docker pause app", "docker save -o greeter.tar greeter:1",
         "docker image rm alpine"],                                                            # no /greeting
    ],
}


def _lesson(slug):
    """The lesson, or a skip: entries may wait here for a lesson another branch brings."""
    lesson = find(slug)
    if lesson is None:
        pytest.skip(f"no lesson {slug} on this branch")
    return lesson


def test_every_lesson_has_near_misses():
    assert {lesson.slug for lesson in LESSONS} <= set(NEAR_MISSES)


@pytest.mark.parametrize("slug, commands", [(slug, c) for slug, misses in NEAR_MISSES.items() for c in misses],
                         ids=[f"{slug}-{i}" for slug, misses in NEAR_MISSES.items() for i in range(len(misses))])
def test_a_near_miss_does_not_pass(slug, commands):
    assert not attempt(_lesson(slug), commands).goal_met


# Questions the solution path does not answer: the experiment that does.
EXPERIMENTS = {("11-stop-kill", 1): ["docker container stop worker"], ("13-rm", 0): ["docker container rm web"]}


def _answered(lesson, index):
    """The attempt that answers question `index` (the solution, or its experiment) and the entry of
    the command that answered it."""
    commands = EXPERIMENTS.get((lesson.slug, index), list(lesson.solution))
    for n in range(1, len(commands) + 1):
        result = attempt(lesson, commands[:n])
        if index in result.revealed:
            return result, result.transcript[-1]
    raise AssertionError(f"{lesson.slug}: nothing answers question {index}")


def _images(result):
    return {tag: image for image in result.world.sandbox.daemon.images.values() for tag in image.repo_tags}


def _container(result, name):
    return next(c for c in result.world.sandbox.daemon.containers.values() if c.name == name)


# What the engine must show for the answer each question gives (choice index -> evidence).
def _pull_reuses(result, entry):
    assert "Already exists" in _output(entry)


def _history_zero_rows_are_config(result, entry):
    rows = [r for r in _output(entry).splitlines()[1:] if re.search(r"\s0B\s", r)]
    assert rows and all(re.search(r"\b(CMD|ENV|EXPOSE|STOPSIGNAL|ENTRYPOINT|LABEL|WORKDIR|USER|ARG)\b", r)
                        for r in rows), rows


def _no_process(result, entry):
    assert _container(result, "box").processes == []


def _start_adds_process_not_layer(result, entry):
    web = _container(result, "web")
    assert web.status == "running" and len(web.processes) == 1 and len(_images(result)) == 1


def _run_adds_layer_first(result, entry):
    web2 = _container(result, "web2")
    assert result.world.steps[-1].made == ((web2.id, "container run"),) and web2.status == "running"


def _exec_in_same_space(result, entry):
    web = _container(result, "web")
    assert len(result.world.sandbox.daemon.containers) == 1 and len(web.processes) >= 2


def _whiteout_hides(result, entry):
    assert ("D", "/etc/nginx/conf.d/default.conf") in result.world.sandbox.daemon.rw_changes(_container(result, "web"))


def _ls_one_row_per_tag(result, entry):
    rows = _output(entry).splitlines()[1:]
    assert [r.split()[:2] for r in rows] == [["myapp", "1"], ["alpine", "latest"]]


def _layer_list_in_order(result, entry):
    data = json.loads(_output(entry))
    assert data[0]["RootFS"]["Layers"] == _images(result)["nginx:latest"].diff_ids


def _status_is_running(result, entry):
    assert _output(entry).strip() == "running"


def _ls_a_shows_intermediates(result, entry):
    assert "<none>" in _output(entry)


def _rm_only_untags(result, entry):
    text = _output(entry)
    assert "Untagged: alpine:latest" in text and "Deleted" not in text


def _cache_same_id(result, entry):
    text = _output(entry)
    assert text.count("Using cache") == 3 and _images(result)["myapp:2"].id == _images(result)["myapp:1"].id


def _export_one_fs(result, entry):
    with tarfile.open(fileobj=io.BytesIO(result.world.sandbox.host.read("box.tar"))) as tar:
        names = tar.getnames()
    assert "manifest.json" not in names and "hello" in names and "etc/os-release" in names


def _missing_below_alpine(result, entry):
    rows = _output(entry).splitlines()[1:]
    ids = [r.split()[0] for r in rows]
    alpine = _images(result)["alpine:latest"].id.removeprefix("sha256:")[:12]
    at = ids.index(alpine)
    assert "<missing>" not in ids[:at + 1] and set(ids[at + 1:]) == {"<missing>"}


def _killed_137(result, entry):
    assert _container(result, "worker").exit_code == 137


def _stop_waits_then_kills(result, entry):
    worker = _container(result, "worker")
    assert (worker.exit_code, worker.last_signal) == (137, "SIGKILL")
    assert result.world.steps[-1].ended == ((worker.id, "container stop"),)


def _paused_frozen(result, entry):
    web = _container(result, "web")
    assert web.status == "paused" and web.processes


def _rm_refused(result, entry):
    assert entry["exit_code"] == 1 and "stop the container before removing or force remove" in _output(entry)
    assert _container(result, "web").status == "running"


def _commit_adds_one(result, entry):
    images = _images(result)
    assert len(images["mynginx:1"].diff_ids) == len(images["nginx:latest"].diff_ids) + 1


def _inspect_metadata(result, entry):
    data = json.loads(_output(entry))
    assert data[0]["Config"]["Cmd"] and data[0]["RootFS"]["Layers"]


def _greeter_survives(result, entry):
    assert "greeter:1" in _images(result) and "alpine:latest" not in _images(result)
    assert "hello" in result.world.sandbox.daemon.image_fs(_images(result)["greeter:1"]).read("/greeting")


def _same_kernel(result, entry):
    assert _output(entry) == _output(result.transcript[0]) and re.fullmatch(r"\d+\.\d+\S*\n", _output(entry))


def _upper_dir(result, entry):
    data = json.loads(re.search(r"\{.*\}", _output(entry), re.S).group(0))
    graph = data.get("Data") or data.get("GraphDriver", {}).get("Data") or data
    assert graph["UpperDir"].endswith("/diff") and "-init" not in graph["UpperDir"]


def _lower_dir_has_init_and_7(result, entry):
    data = json.loads(re.search(r"\{.*\}", _output(entry), re.S).group(0))
    graph = data.get("Data") or data.get("GraphDriver", {}).get("Data") or data
    lower = graph["LowerDir"].split(":")
    assert len(lower) == 8 and lower[0].endswith("-init/diff")


def _six_layers_deleted(result, entry):
    deleted = [line for line in _output(entry).splitlines() if line.startswith("Deleted: ")]
    assert len(deleted) == 1 + 6     # nginx's image config, then 6 of its 7 layers: the shared one stays


def _buildkit_no_intermediates(result, entry):
    assert "<none>" not in _output(entry)


EVIDENCE = {
    ("01-layers", 0): (1, _pull_reuses), ("02-metadata", 0): (1, _history_zero_rows_are_config),
    ("02-metadata", 1): (1, _layer_list_in_order),
    ("03-create", 0): (1, _no_process), ("04-start-run", 0): (1, _start_adds_process_not_layer),
    ("04-start-run", 1): (0, _run_adds_layer_first), ("15-exec", 0): (1, _exec_in_same_space),
    ("05-copy-up", 0): (1, _whiteout_hides), ("06-image-ls", 0): (1, _ls_one_row_per_tag),
    ("06-image-ls", 1): (1, _ls_a_shows_intermediates),
    ("07-image-rm", 0): (1, _rm_only_untags), ("08-build", 0): (1, _cache_same_id),
    ("09-save-export", 0): (1, _export_one_fs), ("10-history", 0): (1, _missing_below_alpine),
    ("11-stop-kill", 0): (1, _killed_137), ("11-stop-kill", 1): (1, _stop_waits_then_kills),
    ("12-pause", 0): (1, _paused_frozen), ("13-rm", 0): (1, _rm_refused), ("14-commit", 0): (1, _commit_adds_one),
    ("16-inspect", 0): (1, _status_is_running), ("16-inspect", 1): (1, _inspect_metadata),
    ("17-bootfs-kernel", 0): (1, _same_kernel), ("18-union-mount", 0): (1, _upper_dir),
    ("18-union-mount", 1): (1, _lower_dir_has_init_and_7), ("19-shared-layer", 0): (1, _six_layers_deleted),
    ("20-image-ls-all", 0): (1, _buildkit_no_intermediates), ("21-challenge", 0): (1, _greeter_survives),
}
QUESTIONS = [(lesson, i) for lesson in LESSONS for i in range(len(lesson.questions))]


def test_every_question_has_its_evidence():
    assert {(lesson.slug, i) for lesson, i in QUESTIONS} <= set(EVIDENCE)


@pytest.mark.parametrize("lesson, index", QUESTIONS, ids=[f"{l.slug}-q{i}" for l, i in QUESTIONS])
def test_the_revealed_answer_is_what_the_engine_does(lesson, index):
    answer, evidence = EVIDENCE[(lesson.slug, index)]
    assert lesson.questions[index].answer == answer
    result, entry = _answered(lesson, index)
    evidence(result, entry)


def _answering_line(lesson, index):
    result, entry = _answered(lesson, index)
    commands = EXPERIMENTS.get((lesson.slug, index), list(lesson.solution))
    return commands[:len(result.transcript) - 1], entry["command"]


@pytest.mark.parametrize("lesson, index", QUESTIONS, ids=[f"{l.slug}-q{i}" for l, i in QUESTIONS])
def test_a_typo_or_another_object_answers_nothing(lesson, index):
    before, line = _answering_line(lesson, index)
    typo = line.replace("docker ", "dokcer ", 1)
    assert index not in attempt(lesson, before + [typo]).revealed
    target = lesson.questions[index].reveal.target
    if target:
        other = re.sub(rf"(?<![\w.:/-]){re.escape(target)}(?![\w.:/-])", "nosuch99", line)
        assert other != line
        assert index not in attempt(lesson, before + [other]).revealed


# The same command in a state the question does not assume answers nothing.
WRONG_STATE = {
    ("01-layers", 0): ["docker pull python:3.12-slim"],                        # no nginx yet
    ("04-start-run", 0): ["docker rm web", "docker run -d --name web nginx", "docker stop web",
                          "docker start web"],                                 # exited, not just created
    ("08-build", 0): ["DOCKER_BUILDKIT=0 docker build -t myapp:2 ."],          # no myapp:1 to hit the cache of
    ("11-stop-kill", 0): ["docker stop worker", "docker kill worker"],         # already exited: kill fails
    ("11-stop-kill", 1): ["docker kill worker", "docker stop worker"],        # already exited
    ("13-rm", 0): ["docker stop web", "docker rm web"],                        # stopped: rm just works
    ("12-pause", 0): ["docker stop web", "docker pause web"],
    ("06-image-ls", 0): ["docker image rm myapp:1", "docker image ls"],         # no hidden images left
    ("16-inspect", 0): ["docker stop web", "docker container inspect web"],    # not running any more                  # not running: pause fails
    ("21-challenge", 0): ["docker image rm alpine"],                           # no greeter:1 built on it
    ("07-image-rm", 0): ["docker image rm myapp:1", "docker image rm alpine"],  # nothing uses alpine any more
    ("17-bootfs-kernel", 0): ["docker run --name deb nginx uname -r"],          # nothing to compare with yet
    ("18-union-mount", 0): ["docker container inspect web"],                    # no /tmp/hello written yet
    ("19-shared-layer", 0): ["docker image rm python:3.12-slim", "docker image rm nginx"],  # nothing shared left
    ("20-image-ls-all", 0): ["docker image ls -a"],                             # nothing built yet
}


@pytest.mark.parametrize("key", WRONG_STATE, ids=[f"{s}-q{i}" for s, i in WRONG_STATE])
def test_a_command_in_the_wrong_state_answers_nothing(key):
    slug, index = key
    assert index not in attempt(_lesson(slug), WRONG_STATE[key]).revealed


# What the success message says the learner learned, checked where the engine can show it.
def test_learned_stop_sends_the_images_stop_signal_then_sigkill_after_the_grace_period():
    lesson = find("11-stop-kill")
    assert "SIGQUIT" in lesson.learned.en and "10 seconds" in lesson.learned.en
    sandbox = lesson.start()
    web = sandbox.run("docker stop web")
    worker = sandbox.run("docker stop worker")
    assert [e.signal for e in web.events if isinstance(e, SignalSent)] == ["SIGQUIT"]
    assert [(e.signal, e.after_seconds) for e in worker.events if isinstance(e, SignalSent)] == \
        [("SIGTERM", None), ("SIGKILL", 10)]


def test_learned_an_image_a_container_needs_is_not_removed():
    lesson = find("07-image-rm")
    assert "container needs it" in lesson.learned.en
    sandbox = lesson.start()
    sandbox.run("docker create --name holder alpine")
    refused = sandbox.run("docker image rm alpine")
    assert refused.exit_code == 1 and "is using its referenced image" in refused.stderr

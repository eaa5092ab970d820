"""Fuzzing: random and adversarial command lines never crash the engine or the API.

Lines mix raw random text (unicode, RTL marks, emoji, control characters, NUL), shell syntax
(`$(…)`, backticks, `;&&||><`, unbalanced quotes), huge words, and every flag of every docker
command (from engine.cli.dispatch.index()) with random values, between sequences of valid commands
that create real objects. Assertions after every line:
- engine: no "LayerLab internal error", an int exit code, str outputs, invariants.check == [];
- API: never a 5xx; 200 with stdout/stderr/exit_code, or 400 for a malformed body / too long line;
  the stored sandbox (GET + the engine) keeps its invariants.

Profiles: quick by default; LAYERLAB_HYPOTHESIS=thorough runs thousands of lines.
"""
from __future__ import annotations

import json
import os
import shlex

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.cli import dispatch
from engine.daemon import invariants
from engine.sandbox import Sandbox
from engine.terminal import MAX_LINE

THOROUGH = os.environ.get("LAYERLAB_HYPOTHESIS") == "thorough"
COMMON = dict(deadline=None, database=None, derandomize=not THOROUGH,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
ENGINE = settings(max_examples=3000 if THOROUGH else 300, **COMMON)
API = settings(max_examples=600 if THOROUGH else 60, **COMMON)

# ---- strategies ---------------------------------------------------------------------------------
FRAGMENTS = ["'", '"', "\\", "$(", ")", "$(docker ps -aq)", "`", "`docker ps -q`", ";", "&&", "||", ">", ">>",
             "<", "|", "&", "2>&1", "\x00", "\x1b[31m", "\r", "\t", "\n", "\u202e", "\u200f", "مرحبا", "🐳",
             "👨‍👩‍👧", "\ufeff", "\udcff"[:0] + "\ud7ff", "--", "-", "=", "{{", "}}", "{{.Id}}", "{{json .}}",
             "{{range .}}", "{{end}}", "{{.Config.Cmd}}", "%s", "%999999999d", "..", "/", ":", "@sha256:",
             "sha256:", "*", "?", "[", "~", "$HOME", "${a:-b}", "$#", "a=b", "-f", "-a", "-it", "--rm",
             "web", "box", "hello", "alpine", "nginx", "busybox", "alpine:latest", "img:1", ".", "s.tar",
             "Dockerfile", "0", "-1", "99999999999999999999", "1e9", "sh", "-c", "echo", "sleep", "1000"]
WORDS = ["docker"] * 6 + ["ls", "cat", "tar", "rm", "echo", "pwd", "help", "clear", "DOCKER_BUILDKIT=0"]

COMMANDS = {}
for _path, _cmd in dispatch.index().items():
    COMMANDS.setdefault(id(_cmd), (_path, _cmd))
COMMAND_LIST = sorted(COMMANDS.values(), key=lambda pc: pc[0])

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
nasty = st.lists(st.sampled_from(FRAGMENTS), max_size=8).map(" ".join)
values = st.one_of(st.sampled_from(FRAGMENTS), texts, st.integers(-2**70, 2**70).map(str),
                   st.sampled_from(["{{.State.Status}}", "json", "table {{.ID}}", "dangling=true",
                                    "status=running", "KEY=VALUE", "CMD [\"x\"]", "ENV A=b", "SIGHUP", "9",
                                    "-1", "2", "plain", "auto", "linux/amd64", "always", "/tmp", "root"]))
huge = st.integers(1, MAX_LINE - 20).map(lambda n: "docker run -d --name " + "x" * n)


def quote(word: str) -> str:
    return word if word and all(c.isalnum() or c in "-_.:/=@{}" for c in word) else "'" + word.replace("'", "") + "'"


@st.composite
def flagged_command(draw) -> str:
    """Any docker command with random flags (long, short, =value, bundled) and random arguments."""
    path, cmd = draw(st.sampled_from(COMMAND_LIST))
    words = ["docker", *path]
    for flag in draw(st.lists(st.sampled_from(cmd.flags), max_size=4)) if cmd.flags else []:
        value = draw(values)
        form = draw(st.sampled_from(["long", "short", "eq", "bare"]))
        name = f"-{flag.short}" if form == "short" and flag.short else f"--{flag.long}"
        if flag.kind == "bool" and form != "eq":
            words.append(name)
        elif form == "eq":
            words.append(f"--{flag.long}={quote(value)}")
        else:
            words += [name, quote(value)]
    words += [quote(draw(values)) for _ in range(draw(st.integers(0, 3)))]
    return " ".join(words)


VALID = ["docker pull alpine", "docker run -d --name web2 nginx", "docker run --name once alpine echo hi",
         "docker exec web sh -c 'echo x > /tmp/x'", "docker commit web img:1", "docker tag alpine img:2",
         "docker stop web", "docker start web", "docker pause web", "docker unpause web", "docker rm -f box",
         "docker rmi img:1", "docker build -t built .", "DOCKER_BUILDKIT=0 docker build -t built .",
         "docker save -o s.tar alpine", "docker load -i s.tar", "docker export -o e.tar hello",
         "docker import e.tar imp", "docker image prune -f", "docker container prune -f", "docker ps -a",
         "docker images -a", "docker system df", "docker history img:2", "docker diff web"]

SHELL_BITS = ["echo", "cat", "ls -la", "rm -rf", "mkdir -p", "cp -r", "mv", "ln -s", "touch", "printf", "head -n 1",
              "tail", "wc -l", "grep -v", "sort", "env", "${", "}", "${A:-x}", "$((1+1))", "<<EOF", "2>", ">&2",
              "2>&1", "|", "&&", "||", ";", "/etc", "/tmp/x", "/", "..", "*", "/etc/*", "'", '"', "$PATH", "$?",
              "apk add curl", "apt-get update", "apt-get install -y curl", "pip install flask", "exit 3", "sh -c",
              "cd /tmp", "export A=b", "set -e", "unset A", "test -f /etc/os-release", "[ -d / ]", "true", "false",
              "sleep 1", "sleep 1000", "nginx", "python3 -c 'print(1)'", "chmod 000", "chmod +x", "/bin/sh",
              "which sh", "id", "whoami", "hostname", "date", "uname -a", "x=$x$x", "a b c", "\\", "~", "-", "--"]
scripts = st.lists(st.one_of(st.sampled_from(SHELL_BITS), texts), min_size=1, max_size=10).map(" ".join)
shell_lines = st.tuples(st.sampled_from(["docker exec web sh -c", "docker exec -d web sh -c",
                                         "docker run --rm alpine sh -c", "docker run -d busybox sh -c",
                                         "docker run --name fz ubuntu bash -c", "docker exec -w /tmp web sh -c"]),
                        scripts).map(lambda t: f"{t[0]} {shlex.quote(t[1])}")
object_words = st.sampled_from(["web", "box", "hello", "alpine", "nginx", "busybox", "alpine:latest", "nginx:latest",
                                "web:/etc/hostname", "x.txt", "box:/tmp", "hello:/", ".", "-"])
on_objects = st.tuples(st.sampled_from([" ".join(("docker",) + p) for p, _ in COMMAND_LIST]),
                       st.lists(st.one_of(object_words, st.sampled_from(FRAGMENTS)), max_size=4)).map(
    lambda t: " ".join([t[0], *map(quote, t[1])]))

lines = st.one_of(
    texts, nasty, flagged_command(), flagged_command(), huge, st.sampled_from(VALID), shell_lines, shell_lines,
    on_objects, on_objects,
    st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(FRAGMENTS), texts), min_size=1, max_size=10)
    .map(" ".join),
    st.tuples(flagged_command(), st.sampled_from([";", "&&", "||", "> out.txt ;", "| "]), flagged_command())
    .map(" ".join),
)


# ---- engine level ---------------------------------------------------------------------------------
def new_sandbox() -> Sandbox:
    sb = Sandbox.create(11, "article")
    sb.host_write("Dockerfile", b"FROM alpine\nRUN echo hi > /hi\nCOPY x.txt /x.txt\nCMD [\"cat\", \"/hi\"]\n")
    sb.host_write("x.txt", b"x\n")
    return sb


def assert_sound_result(sb: Sandbox, line: str, result) -> None:
    assert "LayerLab internal error" not in result.stderr, (line, result.stderr)
    assert isinstance(result.exit_code, int) and isinstance(result.stdout, str) and isinstance(result.stderr, str)
    problems = invariants.check(sb.daemon)
    assert problems == [], (line, problems)


@ENGINE
@given(st.lists(lines, min_size=1, max_size=6))
def test_engine_survives_random_lines(batch):
    sb = new_sandbox()
    for line in batch:
        assert_sound_result(sb, line, sb.run(line))
    assert_sound_result(sb, "docker ps -a", sb.run("docker ps -a"))
    restored = Sandbox.from_json(json.loads(json.dumps(sb.to_json())))
    assert invariants.check(restored.daemon) == []


DOCKERFILE_BITS = ["FROM alpine", "FROM scratch", "FROM nginx AS web", "FROM web", "FROM busybox:latest AS b",
                   "RUN echo hi > /hi", "RUN false", "RUN apk add curl", "RUN rm -rf /etc", "RUN mkdir -p /a/b",
                   "COPY x.txt /x", "COPY . /app", "COPY --from=b /bin/sh /sh", "ADD x.txt /", "WORKDIR /app",
                   "WORKDIR relative", "ENV A=1 B=\"two words\"", "ARG V=1", "ARG V", "LABEL a=b", "EXPOSE 80/tcp",
                   "USER nobody", "CMD [\"sh\"]", "CMD echo $V", "ENTRYPOINT [\"x\"", "STOPSIGNAL SIGKILL",
                   "VOLUME /data", "ONBUILD RUN x", "HEALTHCHECK NONE", "SHELL [\"/bin/sh\", \"-c\"]", "# comment",
                   "\\", "RUN echo a \\", "  ", "FROM", "RUN", "COPY", "MAINTAINER me", "from alpine",
                   "RUN [\"sh\", \"-c\", \"echo x > /y\"]", "RUN <<EOF", "EOF", "# syntax=docker/dockerfile:1"]
dockerfiles = st.lists(st.one_of(st.sampled_from(DOCKERFILE_BITS), texts), min_size=0, max_size=8).map("\n".join)


@ENGINE
@given(dockerfiles, st.sampled_from(["docker build -t fz .", "DOCKER_BUILDKIT=0 docker build -t fz .",
                                     "docker build --no-cache --target web -t fz .", "docker build -q ."]),
       st.booleans())
def test_engine_builds_random_dockerfiles(dockerfile, line, twice):
    sb = new_sandbox()
    sb.host_write("Dockerfile", dockerfile.encode())
    for _ in range(2 if twice else 1):
        assert_sound_result(sb, line, sb.run(line))


# ---- API level ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from app import create_app
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path_factory.mktemp("fuzz") / "db.sqlite3"),
                      "SECRET_KEY": "x", "SANDBOXES_PER_MINUTE": 10**9})  # the fuzz makes many
    return app.test_client()


def stored_sandbox(client, sandbox_id: str) -> Sandbox:
    """The sandbox as the store keeps it (the same record the next command will load)."""
    from web import sandboxes
    app = client.application
    with app.app_context():
        from web import current_store
        return sandboxes.load(current_store(), sandbox_id).sandbox


@API
@given(st.lists(lines, min_size=1, max_size=5))
def test_api_never_answers_5xx(client, batch):
    created = client.post("/api/sandboxes", json={"scenario": "article", "seed": 3})
    assert created.status_code == 201
    sandbox_id = created.get_json()["id"]
    for line in batch:
        answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": line})
        assert answer.status_code in (200, 400), (line, answer.status_code, answer.get_data(as_text=True)[:500])
        body = answer.get_json()
        if answer.status_code == 400:
            assert set(body) == {"error"}
            continue
        assert set(body) >= {"stdout", "stderr", "exit_code"} and isinstance(body["exit_code"], int)
        assert "LayerLab internal error" not in body["stderr"], (line, body["stderr"])
    state = client.get(f"/api/sandboxes/{sandbox_id}")
    assert state.status_code == 200
    assert invariants.check(stored_sandbox(client, sandbox_id).daemon) == []


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b'{"command": 5}', b'{"command": null}',
                                  b"\xff\xfe", b'{"command": "' + b"x" * 5000 + b'"}', b"[" * 100_000])
def test_api_malformed_bodies_are_400(client, body):
    sandbox_id = client.post("/api/sandboxes", json={}).get_json()["id"]
    answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", data=body,
                         content_type="application/json")
    assert answer.status_code == 400 and set(answer.get_json()) == {"error"}


# ---- regressions: inputs the fuzz found, each once a crash ------------------------------------------
def run_one(line: str):
    sb = new_sandbox()
    result = sb.run(line)
    assert_sound_result(sb, line, result)
    return result


def test_version_with_a_template_that_does_not_parse():
    # was: TemplateError escaped (LayerLab internal error). docker/cli version.go: StatusError 64,
    # errors.Wrap(err, "template parsing error") of a template named "version".
    result = run_one("docker version --format {{")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "", "template parsing error: template: version:1: unclosed action\n", 64)


@pytest.mark.parametrize("dockerfile", [b"ARG V=1", b"ARG V=1\nRUN echo x"])
def test_build_of_args_without_a_stage(dockerfile):
    sb = new_sandbox()
    sb.host_write("Dockerfile", dockerfile)
    assert_sound_result(sb, "docker build .", sb.run("docker build ."))


def test_legacy_build_of_a_bare_scratch_stage():
    sb = new_sandbox()
    sb.host_write("Dockerfile", b"FROM scratch\n")
    assert_sound_result(sb, "docker build .", sb.run("DOCKER_BUILDKIT=0 docker build ."))

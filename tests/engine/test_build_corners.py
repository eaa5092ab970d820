"""Build corners of Docker 28.5 (moby builder/dockerfile at v28.5.2; reference §6.6)."""
import pytest

from engine.sandbox import Sandbox

LEGACY = "DOCKER_BUILDKIT=0 "


@pytest.fixture
def sb():
    s = Sandbox.create(9)
    s.run("docker pull alpine")
    return s


def build(sb, dockerfile: str, line: str):
    sb.host_write("ctx/Dockerfile", dockerfile.encode())
    return sb.run(line + " ctx")


def test_failed_legacy_run_shows_its_container_and_exits_with_its_code(sb):
    # the step's container id before its output; the CLI exits with the daemon's JSON error code
    # (docker/cli cli/command/image/build.go: StatusError{StatusCode: jerr.Code})
    r = build(sb, "FROM alpine\nRUN echo hi && exit 3\n", LEGACY + "docker build")
    left = [c for c in sb.daemon.containers.values()][0]
    assert r.exit_code == 3
    assert r.stdout.endswith(f"Step 2/2 : RUN echo hi && exit 3\n ---> Running in {left.id[:12]}\nhi\n")
    assert r.stderr.endswith("The command '/bin/sh -c echo hi && exit 3' returned a non-zero code: 3\n")


def test_arg_before_from_is_a_legacy_step(sb):
    # builder.go: meta ARGs are printed and counted, with no " ---> " line
    r = build(sb, "ARG V=3\nFROM alpine\nRUN true\n", LEGACY + "docker build")
    assert "Step 1/3 : ARG V=3\nStep 2/3 : FROM alpine\n ---> " in r.stdout


def test_unused_build_args_warning(sb):
    # buildargs.go WarnOnUnusedBuildArgs: sorted, before "Successfully built"
    r = build(sb, "FROM alpine\nARG USED\nENV E=img\nRUN true\n",
              LEGACY + "docker build --build-arg Z=1 --build-arg E=x --build-arg USED=1 --build-arg HTTP_PROXY=p")
    assert "\n[Warning] One or more build-args [E Z] were not consumed\nSuccessfully built " in r.stdout


def test_env_wins_over_a_build_arg_of_the_same_name(sb):
    r = build(sb, "FROM alpine\nARG E=arg\nENV E=env\nRUN echo $E > /e\n", LEGACY + "docker build -t t --build-arg E=cli")
    assert r.exit_code == 0
    assert sb.run("docker run --rm t cat /e").stdout == "env\n"


def test_user_applies_to_later_steps(sb):
    # dispatchers.go dispatchUser sets the run config's User, which RUN uses
    build(sb, "FROM alpine\nRUN whoami > /before\nUSER nobody\nRUN whoami > /after\n", "docker build -t u")
    assert sb.run("docker run --rm u cat /before /after").stdout == "root\nnobody\n"
    assert sb.run("docker run --rm u id").stdout == "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n"


MULTI = "FROM alpine AS a\nRUN echo a > /a\nFROM alpine AS b\nRUN echo b > /b\nFROM alpine AS c\nCOPY --from=a /a /a\n"


def test_legacy_target_cuts_the_stage_list(sb):
    r = build(sb, MULTI, LEGACY + "docker build --target b")
    assert "Step 4/4 : RUN echo b > /b" in r.stdout and "COPY" not in r.stdout
    r = build(sb, MULTI, LEGACY + "docker build --target nope")
    assert (r.exit_code, r.stderr.splitlines()[-1]) == (
        1, 'Error response from daemon: target stage "nope" could not be found')
    assert "Step 1/" not in r.stdout


def test_buildkit_skips_stages_the_target_does_not_reach(sb):
    r = build(sb, MULTI, "docker build")
    assert "[a 2/2] RUN echo a > /a" in r.stderr and "echo b" not in r.stderr
    assert r.stderr.count("load metadata for docker.io/library/alpine:latest") == 1
    r = build(sb, MULTI, "docker build --target nope")
    assert r.stderr == 'ERROR: failed to build: failed to solve: target stage "nope" could not be found\n'


def test_run_mount_needs_buildkit(sb):
    # dispatchers.go:338 (v28.5.2)
    r = build(sb, "FROM alpine\nRUN --mount=type=cache,target=/x true\n", LEGACY + "docker build")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == ("the --mount option requires BuildKit. Refer to "
                                         "https://docs.docker.com/go/buildkit/ to learn how to build images "
                                         "with BuildKit enabled")
    assert not sb.daemon.containers


def test_healthcheck_override_note_comes_before_the_step_container(sb):
    # moby v28.5.2 builder/dockerfile/dispatchers.go:467 prints the note, then b.commit (internals.go:34)
    # probes the cache (" ---> Using cache", internals.go:337) or creates the step's container
    # (" ---> Running in <id>", internals.go:363): the note is first either way, and BuildKit prints none
    dockerfile = "FROM alpine\nHEALTHCHECK CMD true\nHEALTHCHECK --interval=5s CMD [\"false\"]\n"
    r = build(sb, dockerfile, LEGACY + "docker build")
    step3 = r.stdout.split("Step 3/3 : ")[1].splitlines()
    assert step3[0] == 'HEALTHCHECK --interval=5s CMD ["false"]'
    assert step3[1] == "Note: overriding previous HEALTHCHECK: [CMD-SHELL true]"
    assert step3[2].startswith(" ---> Running in ") and step3[3].startswith(" ---> Removed intermediate container ")
    assert "Note:" not in r.stdout.split("Step 3/3")[0]  # the first HEALTHCHECK overrides nothing
    again = build(sb, dockerfile, LEGACY + "docker build").stdout.split("Step 3/3 : ")[1].splitlines()
    assert again[1:3] == ["Note: overriding previous HEALTHCHECK: [CMD-SHELL true]", " ---> Using cache"]
    r = build(sb, dockerfile, "docker build --no-cache")
    assert "overriding" not in r.stdout + r.stderr


def test_healthcheck_none_is_not_overridden_with_a_note(sb):
    # dispatchers.go:466: no note when the previous test is NONE
    r = build(sb, "FROM alpine\nHEALTHCHECK NONE\nHEALTHCHECK CMD true\n", LEGACY + "docker build")
    assert r.exit_code == 0 and "Note:" not in r.stdout

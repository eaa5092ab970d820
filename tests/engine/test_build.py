"""docker build, both builders: transcripts, intermediate images, the cache cascade, history forms."""
import re

import pytest

from engine.events import BuildFinished
from engine.sandbox import Sandbox

DOCKERFILE = b'''FROM alpine
RUN echo "hello from a layer" > /greeting
COPY app.txt /app/
RUN rm /etc/motd
CMD ["cat", "/greeting"]
'''
LEGACY = "DOCKER_BUILDKIT=0 docker build -t hello ."


@pytest.fixture
def sb():
    sandbox = Sandbox.create(seed=7)
    sandbox.host_write("Dockerfile", DOCKERFILE)
    sandbox.host_write("app.txt", b"v1\n")
    assert sandbox.run("docker pull alpine").exit_code == 0
    return sandbox


def ids(text):
    return re.sub(r"\b[0-9a-f]{12}\b", "<id>", text)


def test_legacy_build_transcript_and_banner(sb):
    r = sb.run(LEGACY)
    assert r.exit_code == 0
    assert r.stderr.startswith("DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
                               "            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0\n")
    assert ids(r.stdout) == (
        "Sending build context to Docker daemon  3.072kB\n"
        "Step 1/5 : FROM alpine\n ---> <id>\n"
        'Step 2/5 : RUN echo "hello from a layer" > /greeting\n'
        " ---> Running in <id>\n ---> Removed intermediate container <id>\n ---> <id>\n"
        "Step 3/5 : COPY app.txt /app/\n ---> <id>\n"
        "Step 4/5 : RUN rm /etc/motd\n"
        " ---> Running in <id>\n ---> Removed intermediate container <id>\n ---> <id>\n"
        'Step 5/5 : CMD ["cat", "/greeting"]\n'
        " ---> Running in <id>\n ---> Removed intermediate container <id>\n ---> <id>\n"
        "Successfully built <id>\nSuccessfully tagged hello:latest\n")
    run = sb.run("docker run --rm hello")
    assert run.stdout == "hello from a layer\n"


def test_legacy_build_leaves_intermediate_images_and_history_ids(sb):
    sb.run(LEGACY)
    plain = sb.run("docker images").stdout.splitlines()
    everything = sb.run("docker images -a").stdout.splitlines()
    assert len(plain) == 3  # header, hello, alpine
    assert len(everything) == 3 + 3  # + three untagged intermediates (a <none> row per step image)
    assert sum(line.startswith("<none>") for line in everything) == 3
    history = sb.run("docker history hello").stdout.splitlines()
    assert history[0].split() == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"]
    assert '/bin/sh -c #(nop)  CMD ["cat" "/greeting"]' in history[1]
    assert "/bin/sh -c rm /etc/motd" in history[2]
    assert re.search(r"/bin/sh -c #\(nop\) COPY file:[0-9a-f]{16}…", history[3])
    assert history[-1].startswith("<missing>")  # below the pulled base, ids are unknown
    assert all(not row.startswith("<missing>") for row in history[1:6])  # built steps + base keep ids


def test_rebuild_uses_cache_and_an_edited_file_invalidates_the_rest(sb):
    sb.run(LEGACY)
    again = sb.run(LEGACY).stdout
    assert again.count(" ---> Using cache") == 4
    sb.host_write("app.txt", b"v2\n")
    edited = sb.run(LEGACY).stdout
    steps = edited.split("Step ")[1:]
    assert " ---> Using cache" in steps[1]  # RUN echo: before the change
    assert all("Using cache" not in s for s in steps[2:])  # COPY changed: it and every later step re-run
    no_cache = sb.run(LEGACY + " --no-cache").stdout
    assert "Using cache" not in no_cache


def test_buildkit_is_default_progress_on_stderr_cached_rebuild_same_id(sb):
    first = sb.run("docker build -t hello:bk .")
    assert first.exit_code == 0 and first.stdout == ""
    assert first.stderr.splitlines()[0].startswith("[+] Building ")
    assert " => [2/4] RUN echo \"hello from a layer\" > /greeting" in first.stderr
    assert " => => naming to docker.io/library/hello:bk" in first.stderr
    second = sb.run("docker build -t hello:bk .")
    assert " => CACHED [2/4] RUN" in second.stderr
    image_id = re.search(r"writing image (sha256:[0-9a-f]{64})", first.stderr).group(1)
    assert image_id in second.stderr
    history = sb.run("docker history --no-trunc hello:bk").stdout
    assert "RUN /bin/sh -c rm /etc/motd # buildkit" in history
    assert "buildkit.dockerfile.v0" in history
    assert sb.run("docker images -a").stdout.count("<none>") == 0  # BuildKit keeps no intermediates


def test_failed_run_step(sb):
    sb.host_write("Dockerfile", b"FROM alpine\nRUN false\n")
    legacy = sb.run(LEGACY)
    assert legacy.exit_code == 1
    assert legacy.stderr.endswith("The command '/bin/sh -c false' returned a non-zero code: 1\n")
    assert "Exited (1)" in sb.run("docker ps -a").stdout  # the failed step's container stays
    kit = sb.run("docker build .")
    assert kit.stderr.endswith("ERROR: failed to build: failed to solve: process \"/bin/sh -c false\" "
                               "did not complete successfully: exit code: 1\n")
    assert " 2 | >>> RUN false" in kit.stderr


def test_parse_error_in_both_builders(sb):
    sb.host_write("Dockerfile", b"FROM alpine\nRUNN echo\n")
    legacy = sb.run(LEGACY)
    assert legacy.stderr.endswith("Error response from daemon: dockerfile parse error on line 2: "
                                  "unknown instruction: RUNN (did you mean RUN?)\n")
    kit = sb.run("docker build .")
    assert kit.stderr.endswith("ERROR: failed to build: failed to solve: dockerfile parse error on line 2: "
                               "unknown instruction: RUNN (did you mean RUN?)\n")


def test_multi_stage_copy_from(sb):
    sb.host_write("Dockerfile", b"FROM alpine AS builder\nRUN echo built > /out.txt\n"
                                b"FROM alpine\nCOPY --from=builder /out.txt /app/out.txt\nCMD [\"cat\", \"/app/out.txt\"]\n")
    assert sb.run("docker build -t multi .").exit_code == 0
    assert sb.run("docker run --rm multi").stdout == "built\n"


def test_build_is_deterministic(sb):
    sb.run(LEGACY)
    again = Sandbox.replay(sb.seed, sb.scenario, sb.log, sb.uploads)
    assert again.daemon.to_json() == sb.daemon.to_json()


@pytest.mark.parametrize("dockerfile, legacy_error, buildkit_error", [
    (b"ARG V=1\n", "Error response from daemon: dockerfile contains no stages to build\n",
     "ERROR: failed to build: failed to solve: dockerfile contains no stages to build\n"),
    (b"ARG V=1\nRUN echo x\n",
     "Error response from daemon: dockerfile parse error on line 2: no build stage in current context\n",
     "ERROR: failed to build: failed to solve: dockerfile parse error on line 2: no build stage in current context\n"),
    (b"FROM scratch\n", "No image was generated. Is your Dockerfile empty?\n", None),
])
def test_dockerfiles_without_a_usable_stage(sb, dockerfile, legacy_error, buildkit_error):
    sb.host_write("Dockerfile", dockerfile)
    legacy = sb.run(LEGACY)
    assert legacy.exit_code == 1 and legacy.stderr.endswith(legacy_error)
    kit = sb.run("docker build .")
    if buildkit_error:
        assert kit.exit_code == 1 and kit.stderr.endswith(buildkit_error)
    else:  # BuildKit exports an empty image from scratch
        assert kit.exit_code == 0


def test_build_event_names_each_steps_layer_also_on_cache_hits(sb):
    first = next(e for e in sb.run(LEGACY).events if isinstance(e, BuildFinished))
    again = next(e for e in sb.run(LEGACY).events if isinstance(e, BuildFinished))
    assert [s.layer for s in again.steps] == [s.layer for s in first.steps]
    assert [s.cached for s in again.steps] == [True] * 4
    assert [bool(s.layer) for s in first.steps] == [True, True, True, False]  # CMD: empty layer


def test_the_dockerfile_is_read_even_when_dockerignore_lists_it_and_f_is_relative_to_cwd(sb):
    sb.host_write(".dockerignore", b"Dockerfile\n")
    assert sb.run(LEGACY).exit_code == 0
    sb.host_write("sub/app.Dockerfile", b"FROM alpine\nCMD [\"echo\", \"from sub\"]\n")
    assert sb.run("docker build -f sub/app.Dockerfile -t sub .").exit_code == 0
    assert sb.run("docker run --rm sub").stdout == "from sub\n"

"""The build on the stage (present/build.py), the Files panel's model (present/files.py) and the
build explanations (present/explain.py), from real builds run through the engine's Sandbox."""
from __future__ import annotations

import pytest

from engine.events import BuildFinished, ImageAdded, Tagged
from engine.sandbox import Sandbox
from present.build import build_view, last_build
from present.explain import explain
from present.files import STARTER_DOCKERFILE, file_kind, files_view, normalise_text

LEGACY = "DOCKER_BUILDKIT=0 docker build -t app ."
APP = (b'FROM alpine\nRUN echo "hello from a layer" > /greeting\nWORKDIR /app\nCOPY app.py .\n'
       b'ENV MODE=demo\nCMD ["cat", "/greeting"]\n')


def build(sandbox: Sandbox, line: str = LEGACY):
    result = sandbox.run(line)
    assert result.exit_code == 0, result.stderr
    event = last_build(result.events)
    assert event is not None
    return event


@pytest.fixture
def sandbox() -> Sandbox:
    box = Sandbox.create()
    box.host_write("Dockerfile", APP)
    box.host_write("app.py", b"print('hi')\n")
    return box


def texts(view) -> list[str]:
    return [row.text for row in view.stack]


# ---- the first build: every step runs in a temporary container and is committed ----------------
def test_first_legacy_build_ends_at_the_final_image_with_every_layer(sandbox):
    view = build_view(sandbox.daemon, build(sandbox))
    assert view.builder == "legacy builder" and view.tags == ["app:latest"]
    assert view.position == view.last == 5
    assert texts(view) == ['CMD ["cat", "/greeting"]', "ENV MODE=demo", "COPY app.py .", "WORKDIR /app",
                           'RUN echo "hello from a layer" > /greeting', "FROM alpine:latest · 1 layer · 8.31MB"]
    assert [row.kind for row in view.stack] == ["empty", "empty", "layer", "layer", "layer", "base"]
    assert [s.outcome for s in view.steps] == ["ran"] * 5
    assert view.summary == ("legacy builder build of app:latest: 5 steps after FROM, 0 from the cache, 5 ran.")
    image = sandbox.daemon.image_by_tag("app:latest")
    assert view.image_short == image.short_id
    assert [row.short_id for row in view.stack if row.kind == "layer"] == [d.split(":")[1][:12] for d in image.diff_ids[1:]][::-1]


def test_a_run_step_shows_its_temporary_container_changes_and_the_commit(sandbox):
    event = build(sandbox)
    view = build_view(sandbox.daemon, event, 1)
    step = view.current
    assert (step.number, step.total, step.instruction) == (2, 6, 'RUN echo "hello from a layer" > /greeting')
    assert [(c.kind, c.path) for c in step.changes] == [("A", "/greeting")]
    assert step.container == event.steps[0].container and len(step.container) == 12
    assert step.image_short == event.steps[0].image.split(":")[1][:12]
    assert view.stack[0].new and view.stack[0].detail == "new layer"
    assert texts(view) == ['RUN echo "hello from a layer" > /greeting', "FROM alpine:latest · 1 layer · 8.31MB"]
    assert view.note == (f"A temporary container {step.container} ran the step; its read-write layer got 1 change. "
                         f"The commit copied those changes into read-only layer {step.layer_short} = intermediate image "
                         f"{step.image_short}; the container was removed.")


def test_a_metadata_step_leaves_a_history_row_and_no_layer(sandbox):
    view = build_view(sandbox.daemon, build(sandbox), 4)
    step = view.current
    assert step.instruction == "ENV MODE=demo" and step.empty and step.changes == []
    assert view.stack[0].kind == "empty" and view.stack[0].detail == "no layer"
    assert "no file changed: only the image config changed (a history row, no layer)" in view.note


def test_frame_zero_is_the_base_image_alone(sandbox):
    view = build_view(sandbox.daemon, build(sandbox), 0)
    assert view.current is None and view.previous == 0 and view.next == 1
    assert texts(view) == ["FROM alpine:latest · 1 layer · 8.31MB"]
    assert view.note.startswith("Step 1: FROM. The build starts from the base image's read-only layers")


@pytest.mark.parametrize("asked, shown", [(-3, 0), (99, 5), (2, 2)])
def test_the_position_is_kept_inside_the_build(sandbox, asked, shown):
    assert build_view(sandbox.daemon, build(sandbox), asked).position == shown


# ---- rebuilding: cache hits, the edited step, and the cascade after it ---------------------------
def test_an_edited_copied_file_breaks_the_cache_at_its_copy_and_every_later_step_runs(sandbox):
    first = build_view(sandbox.daemon, build(sandbox))
    sandbox.host_write("app.py", b"print('hello')\n")
    view = build_view(sandbox.daemon, build(sandbox))
    assert [s.outcome for s in view.steps] == ["cache hit", "cache hit", "cache miss", "ran", "ran"]
    assert [s.cascade_from for s in view.steps] == [0, 0, 0, 4, 4]
    # the reused layers are the very layers of the first build
    assert [r.short_id for r in view.stack if r.cached] == [r.short_id for r in first.stack if r.step in (2, 3)]
    assert view.summary.endswith("2 from the cache, 3 ran; the cache broke at step 4, so every later step ran again.")
    unchanged = build_view(sandbox.daemon, build(sandbox))
    assert [s.outcome for s in unchanged.steps] == ["cache hit"] * 5 and unchanged.first_miss is None


def test_a_cache_hit_runs_no_container_and_says_so(sandbox):
    build(sandbox)
    view = build_view(sandbox.daemon, build(sandbox), 1)
    step = view.current
    assert step.cached and step.container == "" and step.outcome == "cache hit"
    assert view.note.startswith(f"Cache hit: an earlier build ran this very step on this very stack, so layer "
                                f"{step.layer_short} (intermediate image {step.image_short}) is reused. No container runs.")
    assert view.stack[0].cached and view.stack[0].detail == "cache hit"


def test_the_edited_step_and_the_steps_after_it_are_explained(sandbox):
    build(sandbox)
    sandbox.host_write("Dockerfile", APP.replace(b"ENV MODE=demo", b"ENV MODE=class"))
    event = build(sandbox)
    edited = build_view(sandbox.daemon, event, 4)
    assert edited.current.outcome == "cache miss"
    assert "The cache broke here: this step (or a file it copies) changed since the last build" in edited.note
    after = build_view(sandbox.daemon, event, 5)
    assert after.current.outcome == "ran" and after.current.cascade_from == 5
    assert "It runs again because step 5 missed the cache" in after.note
    assert "Done: this stack is image" in after.note and "(app:latest)" in after.note


# ---- BuildKit and multi-stage ---------------------------------------------------------------------
def test_buildkit_copies_without_a_container_and_changes_only_config_for_env(sandbox):
    view = build_view(sandbox.daemon, build(sandbox, "docker build -t app ."))
    assert view.builder == "BuildKit" and not view.legacy
    by_instruction = {s.instruction: s for s in view.steps}
    assert by_instruction["COPY app.py ."].container == ""
    assert by_instruction["ENV MODE=demo"].container == ""
    assert len(by_instruction['RUN echo "hello from a layer" > /greeting'].container) == 12
    assert all(s.image_short == "" for s in view.steps)  # no intermediate images
    copy = build_view(sandbox.daemon, build(sandbox, "docker build --no-cache -t app ."), 3)
    assert copy.note.startswith(f"BuildKit wrote the files straight into a new read-only layer "
                                f"{copy.current.layer_short}: no container. It runs again because step 2 missed")


def test_multi_stage_steps_of_an_earlier_stage_are_not_in_the_final_stack():
    sandbox = Sandbox.create()
    sandbox.host_write("Dockerfile", b"FROM alpine AS builder\nRUN echo built > /out\n"
                                     b"FROM alpine\nCOPY --from=builder /out /out\nCMD [\"cat\", \"/out\"]\n")
    event = build(sandbox)
    view = build_view(sandbox.daemon, event)
    assert [(s.number, s.stage, s.in_final) for s in view.steps] == [(2, 0, False), (4, 1, True), (5, 1, True)]
    assert texts(view) == ['CMD ["cat", "/out"]', "COPY --from=builder /out /out", "FROM alpine:latest · 1 layer · 8.31MB"]
    earlier = build_view(sandbox.daemon, event, 1)
    assert texts(earlier) == ["RUN echo built > /out", "FROM … (an earlier build stage)"]
    assert "belongs to an earlier build stage" in earlier.note


def test_last_build_finds_the_build_event_only():
    assert last_build([ImageAdded("sha256:x")]) is None
    assert last_build(None) is None
    event = BuildFinished(steps=(), image="sha256:" + "a" * 64, legacy=True)
    assert last_build([Tagged("sha256:x", "a:1"), event, ImageAdded("sha256:x")]) is event


# ---- the explain panel ----------------------------------------------------------------------------
def test_explain_tells_the_legacy_loop_and_what_buildkit_does_differently(sandbox):
    legacy = sandbox.run(LEGACY)
    text = explain(LEGACY, 0, legacy.events, "en")
    assert text.kind == "build" and "run a temporary container from the image so far" in text.text
    assert "`Using cache`" in text.text and "`docker image ls -a`" in text.text
    assert text.facts[:2] == ["steps after FROM: 5 · from the cache: 0 · ran: 5",
                              "new intermediate images: 5 (`docker image ls -a`)"]
    kit = sandbox.run("docker build -t app2 .")
    text = explain("docker build -t app2 .", 0, kit.events, "en")
    for words in ("no intermediate images", "`CACHED`", "stderr", "`# buildkit`", "`docker ps` never shows"):
        assert words in text.text
    zh = explain("docker build -t app2 .", 0, kit.events, "zh")
    assert "BuildKit" in zh.text and "中间镜像" in zh.text and zh.facts[0].startswith("步骤 5 个")


def test_a_failed_build_is_explained_by_the_builder_its_command_line_names():
    assert explain("DOCKER_BUILDKIT=0 docker build .", 1, [], "en").failed
    assert "legacy builder" in explain("DOCKER_BUILDKIT=0 docker build .", 0, [], "en").text
    assert "BuildKit, Docker's default builder" in explain("docker build .", 0, [], "en").text


# ---- the Files panel's model -----------------------------------------------------------------------
def test_files_view_tells_text_from_archives_and_highlights_what_a_command_wrote(sandbox):
    build(sandbox)
    saved = sandbox.run("docker save -o app.tar app")
    sandbox.run("docker create --name web app")
    sandbox.run("docker export -o fs.tar web")
    files = {name: sandbox.host_read(name) for name in sandbox.host_files()}
    view = files_view(files, saved.events, open_path="Dockerfile")
    rows = {f.name: f for f in view.files}
    assert [(n, rows[n].kind, rows[n].archive) for n in sorted(rows)] == [
        ("Dockerfile", "text", ""), ("app.py", "text", ""), ("app.tar", "tar", "image"), ("fs.tar", "tar", "filesystem")]
    assert rows["app.tar"].new and not rows["fs.tar"].new and view.new_names == ["app.tar"]
    assert view.open_name == "Dockerfile" and view.open_text == APP.decode()
    assert not rows["app.tar"].editable and rows["Dockerfile"].editable


def test_files_view_does_not_open_a_tar_or_a_missing_file():
    tar_view = files_view({"x.tar": b"\0" * 600}, [], open_path="x.tar")
    assert tar_view.open_name == "" and tar_view.files[0].kind == "binary"
    missing = files_view({}, [], open_path="gone.txt")
    assert missing.open_missing and missing.empty and not missing.has_dockerfile


def test_textarea_line_ends_become_lf_and_names_are_quoted_for_the_shell():
    assert normalise_text("FROM alpine\r\nRUN true\r\n") == b"FROM alpine\nRUN true\n"
    assert files_view({"my file": b"x"}).files[0].quoted == "'my file'"
    assert file_kind(STARTER_DOCKERFILE) == "text" and file_kind(b"\xff\xfe") == "binary"

"""A learner builds an image in the browser: edits the Dockerfile in the Files panel, builds it with
the legacy builder, watches each step's layer appear (Back/Forward and the ← / → keys), edits a
file, rebuilds and sees which steps re-ran, saves the image with `docker save -o app.tar app` and
downloads app.tar. Screenshots go to test-artifacts/build/ (1366×768, key steps at 1920×1080)."""
from __future__ import annotations

import hashlib
import io
import json
import pathlib
import tarfile

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "build"
BUILD = "DOCKER_BUILDKIT=0 docker build -t app ."
DOCKERFILE = ('FROM alpine\nRUN echo "hello from a layer" > /greeting\nWORKDIR /app\nCOPY app.py .\n'
              'ENV MODE=demo\nCMD ["cat", "/greeting"]\n')


class Learner:
    def __init__(self, page, size: dict):
        self.page = page
        self.size = size
        page.set_viewport_size(size)
        page.goto("/")
        self.prompt = page.locator("#command-input")
        self.entries = page.locator("#transcript .entry")
        self.build = page.locator("#build")
        self.shots = 0

    def run(self, command: str):
        entry = type_command(self.page, command)
        expect(entry.locator(".entry-command")).to_have_text("$ " + command)
        return entry

    def edit(self, name: str, text: str):
        """Open (or create) a file, replace its text, save; wait until the panel says it is saved."""
        page = self.page
        files_tab = page.get_by_role("tab", name="Files")
        if files_tab.get_attribute("aria-selected") != "true":
            files_tab.click()
        expect(files_tab).to_have_attribute("aria-selected", "true")
        label = page.locator(".editor-label")
        if not (label.count() and label.inner_text() == f"Editing ~/{name}"):
            with page.expect_response(lambda r: "/files" in r.url):
                if page.locator(f'.file-row[data-file="{name}"]').count():
                    page.locator(f'.file-row[data-file="{name}"] a.file-name').click()
                else:
                    page.fill("#new-file-name", name)
                    page.locator(".files-new button").click()
        expect(label).to_have_text(f"Editing ~/{name}")
        page.fill("#file-content", text)
        page.locator("#file-editor button[type=submit]").click()
        expect(page.locator(".files-notice")).to_have_text(f"Saved {name} ({len(text.encode())} bytes).")

    def shot(self, name: str):
        self.shots += 1
        self.page.wait_for_timeout(700)   # let the arrival animations end
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        size = f"{self.size['width']}x{self.size['height']}"
        self.page.screenshot(path=str(ARTIFACTS / f"{size}-{self.shots:02d}-{name}.png"))

    def outcomes(self) -> list[str]:
        return self.build.locator(".build-steprow[data-outcome]").evaluate_all(
            "rows => rows.map(r => r.dataset.outcome)")


@pytest.mark.parametrize("size", [{"width": 1366, "height": 768}, {"width": 1920, "height": 1080}],
                         ids=["1366x768", "1920x1080"])
def test_edit_build_step_through_rebuild_save_and_download(page, size, tmp_path):
    learner = Learner(page, size)
    build = learner.build
    expect(build).to_be_hidden()   # the side panel opens on What happened

    # the empty working directory (the Files tab) offers the article's Dockerfile; the learner extends it
    page.get_by_role("tab", name="Files").click()
    page.get_by_role("button", name="Start with the article's Dockerfile").click()
    expect(page.locator("#file-content")).to_have_value(
        'FROM alpine\nRUN echo "hello from a layer" > /greeting\nCMD ["cat", "/greeting"]\n')
    learner.edit("Dockerfile", DOCKERFILE)
    learner.edit("app.py", "print('hi')\n")
    learner.shot("files")

    # the legacy build: the panel opens at the final image, every step ran
    learner.run(BUILD)
    expect(page.get_by_role("tab", name="Build")).to_have_attribute("aria-selected", "true")   # opened by the build
    expect(build).to_be_visible()
    expect(build).to_have_attribute("data-builder", "legacy")
    expect(build).to_have_attribute("data-position", "5")
    expect(build.locator(".build-final")).to_contain_text("app:latest")
    assert learner.outcomes() == ["ran"] * 5
    expect(page.locator("#explain .explain-text")).to_contain_text("run a temporary container from the image so far")
    learner.shot("built")

    # step back to FROM with the keyboard: one layer leaves the stack per step
    build.focus()
    for position in range(4, -1, -1):
        page.keyboard.press("ArrowLeft")
        expect(build).to_have_attribute("data-position", str(position))
        expect(build.locator(".build-layer")).to_have_count(position + 1)
    expect(build.locator(".build-note")).to_contain_text("Step 1: FROM.")
    # and forward with the button: step 2 is the RUN, in its temporary container
    page.locator("#build-next").click()
    expect(build).to_have_attribute("data-position", "1")
    expect(build.locator(".build-rw-title")).to_contain_text("temporary container")
    expect(build.locator(".build-changes")).to_have_text("A /greeting")
    expect(build.locator(".build-layer.is-new")).to_contain_text('RUN echo "hello from a layer" > /greeting')
    learner.shot("step-run")
    for position in (2, 3, 4):   # one click per answer: a click before the swap would hit the old link
        page.locator("#build-next").click()
        expect(build).to_have_attribute("data-position", str(position))
    expect(build.locator(".build-instr")).to_contain_text("ENV MODE=demo")
    expect(build.locator(".build-layer.is-new")).to_have_class("build-layer build-layer-empty is-new")

    # a changed file: the cache holds until its COPY, then every later step runs again
    learner.edit("app.py", "print('hello')\n")
    learner.run(BUILD)
    expect(build).to_have_attribute("data-position", "5")
    assert learner.outcomes() == ["cache hit", "cache hit", "cache miss", "ran", "ran"]
    expect(build.locator(".build-summary")).to_contain_text("the cache broke at step 4")
    expect(learner.entries.last).to_contain_text("---> Using cache")
    page.locator(".build-steprow.is-first-miss a").click()
    expect(build).to_have_attribute("data-position", "3")
    expect(build.locator(".build-note")).to_contain_text("The cache broke here")
    learner.shot("rebuilt-miss")

    # save the image and download the archive from the Files panel
    learner.run("docker save -o app.tar app")
    row = page.locator('.file-row.file-new[data-file="app.tar"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("image archive")
    learner.shot("saved")
    with page.expect_download() as info:
        row.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "app.tar"
    data = pathlib.Path(download.path()).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest[0]["RepoTags"] == ["app:latest"]
        config = tar.extractfile(manifest[0]["Config"]).read()
    image_id = "sha256:" + hashlib.sha256(config).hexdigest()
    learner.run("docker image inspect --format '{{.Id}}' app")
    expect(learner.entries.last.locator("pre.stdout")).to_have_text(image_id)

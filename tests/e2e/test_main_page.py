"""The main page as a class sees it: the stage fully in sight at 1366×768 and 1920×1080 with images and
containers on it, the side panel's tabs (a build opens Build, a saved archive opens Files), the
keyboard, both languages, and axe-core's check with the stage included. Screenshots of every state
go to test-artifacts/main/ (look at them)."""
from __future__ import annotations

import pathlib
import re

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "main"
ARTICLE = ["docker pull nginx", "docker run -d --name web nginx", "docker create --name box alpine",
           "docker exec web touch /hello.txt"]
BUILD = "DOCKER_BUILDKIT=0 docker build -t hello ."
SIZES = {"1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}


def run(page, command: str):
    type_command(page, command)


def axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)   # the whole page, the stage's SVG included
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def shot(page, name: str):
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def fresh(browser, base_url):
    """A new browser context (its own sandbox) per size and language, with motion reduced."""
    contexts = []

    def open_page(size: str, locale: str = "en-US"):
        context = browser.new_context(base_url=base_url, viewport=SIZES[size], locale=locale,
                                      reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        return page

    yield open_page
    for context in contexts:
        context.close()


# One size here: the four sizes are measured in test_stage_sizes.py (text size, overflow, the change
# in view, axe); this walks the build → save flow through the side panel in both languages.
@pytest.mark.parametrize("size", ["1366x768"])
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_stage_stays_in_sight_and_the_page_has_no_axe_violations(fresh, size, locale):
    page = fresh(size, locale)
    lang = "zh" if locale.startswith("zh") else "en"
    for command in ARTICLE:
        run(page, command)
    expect(page.locator("#stage .obj")).to_have_count(4)
    # the object the last command changed (web, its R/W layer) is in sight, above the terminal and
    # beside the side panel
    web = page.locator('#stage .container-card[data-name="web"]')
    expect(web).to_have_class(re.compile(r"\bchanged\b"))
    box = web.bounding_box()
    terminal = page.locator(".terminal").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= terminal["y"], (box, terminal)
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.locator(".side-panel").bounding_box()["x"]
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans" if lang == "zh" else "en")
    expect(page.locator("#tab-explain")).to_have_text("发生了什么" if lang == "zh" else "What happened")
    shot(page, f"{size}-{lang}-1-article")
    assert axe_violations(page) == []

    # the article's Dockerfile, built with the legacy builder: the Build tab opens on its last step
    page.locator("#tab-files").click()
    page.locator(".files-starter button").click()
    expect(page.locator("#file-content")).to_be_visible()
    run(page, BUILD)
    expect(page.locator("#tab-build")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#build")).to_be_visible()
    expect(page.locator("#build")).to_have_attribute("data-position", "2")
    shot(page, f"{size}-{lang}-2-build")
    assert axe_violations(page) == []

    # the next command goes back to the tab the learner chose (Files, clicked above), not Build;
    # a saved archive opens Files with the new file marked
    run(page, "docker image ls -a")
    expect(page.locator("#tab-files")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#build")).to_have_attribute("data-builder", "legacy")
    run(page, "docker save -o hello.tar hello")
    expect(page.locator("#tab-files")).to_have_attribute("aria-selected", "true")
    expect(page.locator('.file-row.file-new[data-file="hello.tar"]')).to_be_visible()
    shot(page, f"{size}-{lang}-3-saved")
    assert axe_violations(page) == []


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_presentation_mode_has_no_axe_violations(fresh, locale):
    page = fresh("1920x1080", locale)
    page.goto("/walkthrough?step=6&present=1")
    expect(page.locator("#stage .obj").first).to_be_visible()
    shot(page, f"1920x1080-{locale[:2]}-4-present")
    assert axe_violations(page) == []


def test_the_tabs_by_keyboard_with_a_visible_focus_ring(fresh):
    page = fresh("1366x768")
    page.locator("#tab-explain").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-files")).to_be_focused()
    expect(page.locator("#tab-files")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-files")).to_be_visible()
    expect(page.locator("#panel-explain")).to_be_hidden()
    outline = page.locator("#tab-files").evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
    assert outline == "solid 3px"
    page.keyboard.press("End")
    expect(page.locator("#tab-commands")).to_be_focused()
    expect(page.locator("#panel-commands").get_by_role("link", name="docker pull nginx", exact=True)).to_be_visible()
    page.keyboard.press("ArrowRight")   # wraps round
    expect(page.locator("#tab-explain")).to_be_focused()
    # only the shown tab is in the Tab order (roving tabindex); the choice survives a reload
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#tab-commands")).to_have_attribute("tabindex", "0")
    expect(page.locator("#tab-explain")).to_have_attribute("tabindex", "-1")
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(page.locator("#tab-commands")).to_have_attribute("aria-selected", "true")


def test_the_language_switch_on_the_main_page(fresh):
    page = fresh("1366x768")
    page.get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#tab-build")).to_have_text("构建")
    run(page, "docker pull alpine")
    expect(page.locator("#explain .explain-text")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#transcript .stdout").last).to_contain_text("Downloaded newer image for alpine:latest")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#tab-build")).to_have_text("Build")

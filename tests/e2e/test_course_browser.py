"""A student and a teacher in the browser: a lesson solved at the keyboard, hints and predictions,
the walkthrough stepped with the arrow keys and shown in presentation mode, the language switch,
and axe-core's accessibility check on the course pages."""
from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command


@pytest.fixture(scope="module")
def course_url(tmp_path_factory):
    """The app with the course blueprint (registered here until create_app does it), behind waitress."""
    from waitress.server import create_server

    from app import create_app
    from web import course_routes

    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("course") / "db.sqlite3"), "SECRET_KEY": "e2e"})
    if "course" not in app.blueprints:
        app.register_blueprint(course_routes.bp)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def test_a_student_solves_a_lesson_at_the_keyboard(page, course_url):
    page.goto(course_url + "/lessons/12-pause")
    expect(page.locator("#lesson-status")).to_contain_text("Not there yet")
    type_command(page, "docker ps")
    expect(page.locator("#lesson-status")).to_contain_text("Not there yet")
    type_command(page, "docker pause web")
    expect(page.locator("#lesson-status")).to_contain_text("Goal reached. Well done!")
    expect(page.locator("#next-lesson-link")).to_have_attribute("href", "/lessons/13-rm")
    expect(page.locator("#stage")).to_contain_text("web")
    expect(page.locator("#command-input")).to_be_focused()


def test_hints_and_a_prediction_without_leaving_the_page(page, course_url):
    page.goto(course_url + "/lessons/03-create")
    page.locator("#hint-button").click()
    expect(page.locator(".hint-list li")).to_have_count(1)
    page.get_by_label("None").check()
    page.locator("#predict-0").click()
    expect(page.locator("#question-0")).to_contain_text("Now run the command and see what happens.")
    type_command(page, "docker container create --name box alpine")
    expect(page.locator("#question-0 .verdict-right")).to_contain_text("Right!")
    expect(page.locator("#lesson-status")).to_contain_text("Goal reached")


def press(page, key):
    """A key that moves to another step: wait until that page has loaded (and its keys work)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_the_walkthrough_by_keyboard_and_in_presentation_mode(page, course_url):
    page.goto(course_url + "/walkthrough")
    expect(page.locator(".walk-counter")).to_have_text("Step 1 of 26")
    press(page, "ArrowRight")
    expect(page.locator(".walk-counter")).to_have_text("Step 2 of 26")
    expect(page.locator(".walk-line code")).to_have_text("docker pull nginx")
    press(page, " ")
    expect(page.locator(".walk-counter")).to_have_text("Step 3 of 26")
    press(page, "ArrowLeft")
    expect(page.locator(".walk-counter")).to_have_text("Step 2 of 26")
    expect(page.locator("#stage")).to_contain_text("nginx")
    press(page, "Home")
    expect(page.locator(".walk-counter")).to_have_text("Step 1 of 26")
    with page.expect_navigation():
        page.locator("#walk-present-toggle").click()
    expect(page).to_have_url(re.compile(r"present=1"))
    expect(page.locator(".topbar")).to_have_count(0)
    press(page, "ArrowRight")
    expect(page).to_have_url(re.compile(r"step=1.*present=1|present=1.*step=1"))
    size = page.locator(".caption-main").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 30   # readable from the back of a room
    press(page, "Escape")
    expect(page.locator(".topbar")).to_have_count(1)


def test_the_language_switch(page, course_url):
    page.goto(course_url + "/lessons")
    page.get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("课程")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Lessons")


@pytest.mark.parametrize("path", ["/lessons", "/lessons/05-copy-up", "/walkthrough?step=6",
                                  "/walkthrough?step=6&present=1", "/timeline", "/share"])
def test_axe_finds_no_accessibility_violations(page, course_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(course_url + path)
    results = Axe().run(page)   # the whole page, the stage's SVG included
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]] == []

"""A student and a teacher in the browser: a lesson solved at the keyboard, hints and predictions,
the walkthrough stepped with the arrow keys and shown in presentation mode, the language switch,
and axe-core's accessibility check on the course pages."""
from __future__ import annotations

import re
import threading
from pathlib import Path

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


def _in_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 1 \
        and box["y"] + box["height"] <= size["height"] + 1, (selector, box, size)
    return box


def test_the_goal_stands_beside_the_stage_and_ticks_live(page, course_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(course_url + "/lessons/11-stop-kill")
    stage, goal = _in_viewport(page, ".lesson-stage"), _in_viewport(page, ".lesson-goal")
    assert goal["x"] >= stage["x"] + stage["width"] - 1 and abs(goal["y"] - stage["y"]) < 5   # beside it
    goal_picture = page.locator(".goal-stage")                        # the solved state: one drawing per object
    expect(goal_picture.locator("svg.obj-svg").first).to_be_visible()
    expect(goal_picture).to_contain_text("web")
    expect(goal_picture).to_contain_text("worker")
    items = page.locator("#lesson-checklist .subgoal")
    expect(items).to_have_count(2)
    expect(page.locator("#lesson-checklist .is-met")).to_have_count(0)
    type_command(page, "docker stop web")
    expect(page.locator("#lesson-checklist .is-met")).to_have_count(1)
    expect(items.nth(0)).to_have_class(re.compile("is-met"))
    type_command(page, "docker stop worker")            # the near miss: exit 137, but not by kill
    expect(page.locator("#lesson-checklist .is-met")).to_have_count(1)
    expect(page.locator("#lesson-status")).to_contain_text("1 of 2 parts done")


def test_success_appears_by_the_terminal_with_what_was_learned(page, course_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(course_url + "/lessons/12-pause")
    type_command(page, "docker pause web")
    expect(page.locator("#lesson-success")).to_be_visible()
    _in_viewport(page, "#lesson-success")
    expect(page.locator("#lesson-success .learned")).to_contain_text("cgroup freezer")
    success, terminal = page.locator("#lesson-success").bounding_box(), page.locator("#terminal-screen").bounding_box()
    assert abs(success["y"] + success["height"] - terminal["y"]) < 60     # right above the prompt's screen


def test_hints_climb_a_ladder_one_rung_at_a_time(page, course_url):
    page.goto(course_url + "/lessons/03-create")
    expect(page.locator(".hint-ladder .rung")).to_have_count(0)
    expect(page.locator("#hint-button")).to_contain_text("The idea")
    page.locator("#hint-button").click()
    expect(page.locator(".hint-ladder .rung")).to_have_count(1)
    expect(page.locator(".hint-ladder .rung-name").first).to_have_text("The idea")
    expect(page.locator("#hint-button")).to_contain_text("Which command")
    page.locator("#hint-button").click()
    expect(page.locator(".hint-ladder .rung")).to_have_count(2)


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


# to test-artifacts/ (ignored by git), like the other browser tests: a test run leaves the work tree
# clean; docs/lessons/ keeps the chosen copies
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "lessons"


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_of_a_lesson_in_progress_and_solved(browser, course_url, lang, width, height):
    """test-artifacts/lessons/*.png: the goal beside the stage, the checklist part-ticked with a hint shown,
    then success in view; every panel inside the window."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN" if lang == "zh" else "en-US",
                                  extra_http_headers={"Accept-Language": "zh-Hans" if lang == "zh" else "en"})
    page = context.new_page()
    page.goto(course_url + "/lessons/11-stop-kill")
    page.locator("#hint-button").click()
    expect(page.locator(".hint-ladder .rung")).to_have_count(1)
    type_command(page, "docker stop web")
    expect(page.locator("#lesson-checklist .is-met")).to_have_count(1)
    for selector in (".lesson-stage", ".lesson-goal", "#lesson-checklist", "#command-input"):
        _in_viewport(page, selector)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"lesson-progress-{lang}-{width}x{height}.png"))
    type_command(page, "docker kill worker")
    expect(page.locator("#lesson-success")).to_be_visible()
    _in_viewport(page, "#lesson-success")
    page.screenshot(path=str(SHOTS / f"lesson-solved-{lang}-{width}x{height}.png"))
    context.close()


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

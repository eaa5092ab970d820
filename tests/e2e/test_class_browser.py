"""Class mode in real browsers: a teacher and three students, each in their own browser context."""
from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command


@pytest.fixture(scope="module")
def class_url(tmp_path_factory):
    """The app behind waitress, with "stuck" after 2 s instead of 3 minutes so the test can see it."""
    from waitress.server import create_server

    from app import create_app

    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("class") / "db.sqlite3"), "SECRET_KEY": "e2e",
                      "SANDBOXES_PER_MINUTE": 10_000, "CLASS_STUCK_SECONDS": 2})
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def join(browser, url, code, name):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(url + "/class")
    page.get_by_label("Class code").fill(code.lower())    # typed as heard: case does not matter
    page.get_by_label("Your name, as the class will see it").fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".class-bar")).to_contain_text("Following the teacher")
    return page


def test_a_teacher_runs_a_live_class(browser, class_url):
    teacher = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    teacher.goto(class_url + "/class")
    teacher.get_by_role("button", name="Start a class").click()
    expect(teacher).to_have_url(re.compile(r"/class/teach/[\w-]{20,}$"))
    dashboard = teacher.url
    code = teacher.locator(".join-code").inner_text()
    assert re.fullmatch(r"[23456789BCDFGHJKMNPQRSTVWXYZ]{6}", code)
    expect(teacher.locator(".class-qr svg")).to_be_visible()

    ana, bo, cy = (join(browser, class_url, code, name) for name in ("Ana", "Bo", "Cy"))
    expect(teacher.locator(".class-table tbody tr")).to_have_count(3, timeout=8000)   # the table polls

    # the teacher sends the class to a lesson: every following student's page goes there
    teacher.get_by_label("Send the class to").select_option("12-pause")
    teacher.get_by_role("button", name="Send", exact=True).click()
    for student in (ana, bo, cy):
        expect(student).to_have_url(re.compile(r"/lessons/12-pause$"), timeout=8000)

    type_command(ana, "docker pause web")                            # Ana solves it
    for _ in range(3):
        type_command(bo, "docker pase web")                          # Bo keeps making the same typo
    row = teacher.locator(".class-table tbody tr", has_text="Ana")
    expect(row).to_contain_text("met", timeout=8000)
    expect(row.locator("td").nth(2)).to_have_text("1")
    bo_row = teacher.locator(".class-table tbody tr", has_text="Bo")
    expect(bo_row).to_contain_text("docker pase web")
    expect(bo_row).to_contain_text("Stuck", timeout=10000)
    expect(teacher.locator(".class-errors")).to_contain_text("docker pase")

    # follow me: Cy breaks away, the teacher presents the walkthrough, Ana and Bo follow its steps
    cy.get_by_role("button", name="Break away").click()
    expect(cy.locator(".class-bar")).to_contain_text("On your own")
    teacher.get_by_role("link", name="Present the walkthrough (the class follows)").click()
    expect(teacher).to_have_url(re.compile(r"/walkthrough\?step=0&present=1$"))
    teacher.wait_for_load_state()
    with teacher.expect_navigation():
        teacher.keyboard.press("ArrowRight")
    with teacher.expect_navigation():
        teacher.keyboard.press("ArrowRight")
    for student in (ana, bo):
        expect(student).to_have_url(re.compile(r"/walkthrough\?step=2$"), timeout=8000)
    expect(cy).to_have_url(re.compile(r"/lessons/12-pause$"))
    cy.get_by_role("button", name="Rejoin the class").click()
    expect(cy).to_have_url(re.compile(r"/walkthrough\?step=2$"), timeout=8000)

    # the teacher looks at a student's stage; students never get the teacher's pages
    teacher.goto(dashboard)
    teacher.locator(".class-table tbody tr", has_text="Ana").get_by_role("link", name=re.compile("^Look")).click()
    expect(teacher.locator("#stage")).to_contain_text("web")
    assert ana.goto(class_url + "/class/teach/guessed-link").status == 404
    assert dashboard.rsplit("/", 1)[1] not in ana.content()


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_class_pages_pass_axe(browser, class_url, lang):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=lang,
                                  extra_http_headers={"Accept-Language": lang})
    teacher = context.new_page()
    teacher.goto(class_url + "/class")
    assert Axe().run(teacher).violations_count == 0
    teacher.locator("form[action='/class'] button").click()
    expect(teacher.locator(".join-code")).to_be_visible()
    results = Axe().run(teacher)
    assert results.violations_count == 0, results.generate_report()

"""A learner at the keyboard: commands, output, history, completion, undo, reset, persistence."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def stage_html(page) -> str:
    """What the stage says (all its text, hidden parts too), whitespace-normalised: it differs when
    the drawn state differs, and does not depend on how the panel arrived (page load or swap)."""
    return page.locator("#stage").evaluate("e => e.textContent.replace(/\\s+/g, ' ').trim()")


def test_type_a_command_and_see_its_output_and_the_stage(terminal):
    empty_stage = stage_html(terminal.page)
    entry = terminal.run("docker pull alpine")
    expect(entry.locator(".entry-command")).to_have_text("$ docker pull alpine")
    expect(entry.locator(".stdout")).to_contain_text("Status: Downloaded newer image for alpine:latest")
    assert stage_html(terminal.page) != empty_stage
    expect(terminal.page.locator("#explain")).to_contain_text("docker pull alpine")
    expect(terminal.prompt).to_have_value("")
    expect(terminal.prompt).to_be_focused()


def test_stderr_is_red_and_the_exit_code_discreet(terminal):
    entry = terminal.run("docker start nosuch")
    stderr = entry.locator(".stderr")
    expect(stderr).to_have_text(
        "Error response from daemon: No such container: nosuch\nError: failed to start containers: nosuch\n")
    color = stderr.evaluate("e => getComputedStyle(e).color")
    red, green, blue = map(int, re.findall(r"\d+", color)[:3])
    assert red > 200 and green < 180 and blue < 180, color
    expect(entry.locator(".exit-code")).to_have_text("exit 1")


def test_a_successful_buildkit_build_writes_its_progress_to_stderr_in_a_neutral_colour(terminal):
    """BuildKit prints its progress on stderr (docker/buildx's progress printer) and exits 0: not an error."""
    terminal.page.request.post("/files/starter", form={"csrf_token": terminal.page.evaluate(
        "() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")})
    entry = terminal.run("docker build -t hello .")
    stderr = entry.locator(".stderr").first
    expect(stderr).to_contain_text("FINISHED")
    red, green, blue = map(int, re.findall(r"\d+", stderr.evaluate("e => getComputedStyle(e).color"))[:3])
    assert abs(red - green) < 30 and abs(green - blue) < 30, (red, green, blue)   # grey, not red
    expect(entry.locator(".exit-code")).to_have_count(0)


def test_history_with_arrow_keys(terminal):
    terminal.run("docker ps")
    terminal.run("docker images")
    terminal.prompt.fill("docker ver")
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker images")
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker ps")
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker ps")
    terminal.prompt.press("ArrowDown")
    expect(terminal.prompt).to_have_value("docker images")
    terminal.prompt.press("ArrowDown")
    expect(terminal.prompt).to_have_value("docker ver")


def test_history_survives_a_reload(terminal):
    terminal.run("docker ps -a")
    terminal.page.reload()
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker ps -a")


def test_tab_completes_a_subcommand(terminal):
    terminal.prompt.fill("docker ver")
    terminal.prompt.press("Tab")
    expect(terminal.prompt).to_have_value("docker version ")
    expect(terminal.prompt).to_be_focused()


def test_tab_lists_candidates_when_there_are_several(terminal):
    terminal.prompt.fill("docker im")
    terminal.prompt.press("Tab")
    expect(terminal.page.locator("#completions .completion")).to_have_text(["image", "images", "import"])
    expect(terminal.prompt).to_have_value("docker im")


def test_tab_completes_container_names(terminal):
    terminal.run("docker pull alpine")
    terminal.run("docker create --name my-box alpine")
    terminal.prompt.fill("docker start my")
    terminal.prompt.press("Tab")
    expect(terminal.prompt).to_have_value("docker start my-box ")


def test_commands_typed_quickly_run_in_order(terminal):
    for name in ("one", "two", "three"):
        terminal.prompt.fill(f"docker start {name}")
        terminal.prompt.press("Enter")
    expect(terminal.entries).to_have_count(3)
    expect(terminal.page.locator("#transcript .entry-command")).to_have_text(
        ["$ docker start one", "$ docker start two", "$ docker start three"])


def test_clear_empties_the_terminal(terminal):
    terminal.run("docker ps")
    terminal.prompt.fill("clear")
    terminal.prompt.press("Enter")
    expect(terminal.entries).to_have_count(0)
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker ps")


def test_an_article_button_fills_the_prompt(terminal):
    terminal.page.get_by_role("tab", name="Commands").click()
    terminal.page.get_by_role("link", name="docker image ls", exact=True).click()
    expect(terminal.prompt).to_have_value("docker image ls")
    expect(terminal.prompt).to_be_focused()
    terminal.prompt.press("Enter")
    expect(terminal.entries.last.locator(".stdout")).to_contain_text("REPOSITORY")


def test_undo_steps_back(terminal):
    stage = terminal.page.locator("#stage")
    terminal.run("docker pull alpine")
    terminal.run("docker pull busybox")
    expect(stage).to_contain_text("busybox")
    with terminal.page.expect_response("**/undo"):
        terminal.page.get_by_role("button", name="Undo").click()
    expect(terminal.entries).to_have_count(1)
    expect(terminal.page.locator("#explain")).to_contain_text("Undone: docker pull busybox")
    expect(stage).not_to_contain_text("busybox")
    expect(stage).to_contain_text("alpine")


def test_undo_takes_only_its_entries_off_and_the_history_follows(terminal):
    """An undo's answer does not draw the terminal again: it removes the entries it took back (the
    change and the read-only line after it), and ↑ no longer offers them; Redo appends its entry."""
    page = terminal.page
    terminal.run("docker pull alpine")
    terminal.run("docker tag alpine mine")
    terminal.run("docker images")
    terminal.entries.first.evaluate("entry => { entry.dataset.kept = 'yes'; }")
    with page.expect_response("**/undo"):
        page.get_by_role("button", name="Undo").click()
    expect(terminal.entries).to_have_count(1)
    expect(terminal.entries.first).to_contain_text("docker pull alpine")
    expect(terminal.entries.first).to_have_attribute("data-kept", "yes")   # not drawn again
    terminal.prompt.click()
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker pull alpine")
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker pull alpine")
    terminal.prompt.fill("")
    with page.expect_response("**/redo"):
        page.get_by_role("button", name="Redo").click()
    expect(terminal.entries).to_have_count(2)
    expect(terminal.entries.last).to_contain_text("docker tag alpine mine")
    terminal.prompt.press("ArrowUp")
    expect(terminal.prompt).to_have_value("docker tag alpine mine")


def test_reset_starts_over(terminal):
    terminal.page.on("dialog", lambda dialog: dialog.accept())
    empty_stage = stage_html(terminal.page)
    terminal.run("docker pull alpine")
    with terminal.page.expect_response("**/reset"):
        terminal.page.get_by_role("button", name="Reset").click()
    expect(terminal.entries).to_have_count(0)
    assert stage_html(terminal.page) == empty_stage


def test_new_sandbox_from_the_article_scenario(terminal):
    terminal.page.on("dialog", lambda dialog: dialog.accept())
    empty_stage = stage_html(terminal.page)
    terminal.page.select_option("#scenario-select", "article")
    with terminal.page.expect_response("**/new"):
        terminal.page.get_by_role("button", name="New sandbox").click()
    entry = terminal.run("docker ps -a --format '{{.Names}}'")
    expect(entry.locator(".stdout")).to_contain_text("web")
    assert stage_html(terminal.page) != empty_stage


def test_reload_keeps_the_state(terminal):
    terminal.run("docker pull alpine")
    with_alpine = stage_html(terminal.page)
    terminal.page.reload()
    expect(terminal.entries).to_have_count(1)
    assert stage_html(terminal.page) == with_alpine


def test_a_second_browser_gets_a_different_sandbox(terminal, browser, base_url):
    empty_stage = stage_html(terminal.page)
    terminal.run("docker pull alpine")
    other = browser.new_context(base_url=base_url)
    try:
        page = other.new_page()
        page.goto("/")
        expect(page.locator("#transcript .entry")).to_have_count(0)
        assert stage_html(page) == empty_stage
    finally:
        other.close()


def test_the_page_works_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        page.locator("#command-input").fill("docker pull alpine")
        page.locator("#command-input").press("Enter")
        page.wait_for_url(re.compile(r"/#prompt$"))
        expect(page.locator("#transcript .entry")).to_have_count(1)
        expect(page.locator("#transcript .stdout")).to_contain_text("Downloaded newer image for alpine:latest")
        page.get_by_role("tab", name="Commands").click()      # a plain link: ?panel=commands
        expect(page.get_by_role("tab", name="Commands")).to_have_attribute("aria-selected", "true")
        page.get_by_role("link", name="docker image ls", exact=True).click()
        expect(page.locator("#command-input")).to_have_value("docker image ls")
    finally:
        context.close()

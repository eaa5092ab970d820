"""The article's figures in the browser: after history, inspect, save, export and image ls [-a] the
figure is on the page and in view, its smallest rendered text meets the size for the screen (12 px at
1024x768, 14 px at 1366x768, 11 px at 390x844, 20 px in presentation mode), it never overflows
sideways, and axe finds nothing in it. Screenshots go to test-artifacts/figures/ (look at them;
docs/figures/ keeps a chosen set)."""
from __future__ import annotations

import pathlib

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "figures"
SIZES = {"390x844": {"width": 390, "height": 844}, "1024x768": {"width": 1024, "height": 768},
         "1366x768": {"width": 1366, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
SMALLEST = {"390x844": 11, "1024x768": 12, "1366x768": 14, "1920x1080": 14}

# (command, the figure it draws, a text the figure must show), in the article's order
STEPS = [
    ("docker image history nginx", "history", "<missing>"),
    ("docker image inspect nginx", "inspect", "RootFS.Layers"),
    ("docker container inspect web", "inspect", "UpperDir"),
    ("docker image save -o nginx.tar nginx", "save", "manifest.json"),
    ("docker container export -o web.tar web", "export", "web.tar"),
    ("DOCKER_BUILDKIT=0 docker build -t hello .", None, None),
    ("docker image ls", "images", "hello"),
    ("docker image ls -a", "images", "<none>"),
]

# The smallest text actually drawn inside an element: every visible text node's font size, times the
# scale its box is drawn at (a transform or zoom would change it), from the rendered boxes.
SMALLEST_TEXT_JS = """el => {
  let smallest = Infinity, where = '';
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const parent = node.parentElement;
    const range = document.createRange(); range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) continue;   // visually hidden
    let scale = parent.offsetWidth ? parent.getBoundingClientRect().width / parent.offsetWidth : 1;
    if (Math.abs(scale - 1) < 0.05) scale = 1;   // offsetWidth is rounded to whole pixels
    const size = parseFloat(getComputedStyle(parent).fontSize) * scale;
    if (size < smallest) { smallest = size; where = node.textContent.trim().slice(0, 40); }
  }
  return [smallest, where];
}"""

# Anything inside the figure wider than its box, or the figure wider than the window.
OVERFLOW_JS = """el => {
  const out = [];
  if (el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5) out.push('figure past the window');
  for (const node of [el, ...el.querySelectorAll('*')]) {
    if (node.getBoundingClientRect().width <= 1) continue;   // visually hidden
    if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== 'visible') out.push(node.className);
    const r = node.getBoundingClientRect(), box = el.getBoundingClientRect();
    if (r.width && (r.right > box.right + 0.5 || r.left < box.left - 0.5)) out.push('outside: ' + node.className + ' ' + node.textContent.slice(0, 30));
  }
  return out;
}"""


def shot(locator_or_page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator_or_page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# The page's panels scroll; for a picture of the whole figure they are let out for a moment
# (through the CSSOM, which the CSP allows) and put back.
UNCLIP_JS = """on => { for (const el of document.querySelectorAll('html, body, .workspace, .stage-panel')) {
  for (const p of ['overflow', 'height', 'max-height']) { if (on) el.style.setProperty(p, p === 'overflow' ? 'visible' : 'auto'); else el.style.removeProperty(p); } } }"""


def figure_shot(page, name: str) -> None:
    page.evaluate(UNCLIP_JS, True)
    shot(page.locator("#figure"), name)
    page.evaluate(UNCLIP_JS, False)


@pytest.fixture
def article_page(browser, base_url):
    """A new browser (its own sandbox) at a size and language, started from the article's scenario."""
    contexts = []

    def open_page(size: str, locale: str = "en-US"):
        context = browser.new_context(base_url=base_url, viewport=SIZES[size], locale=locale, reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        # the New sandbox form, posted plainly (no confirmation dialog): the page reloads on the article's start
        page.eval_on_selector("#scenario-select", "s => { s.value = 'article'; s.form.submit(); }")
        page.wait_for_load_state("load")
        expect(page.locator("#scenario-select")).to_have_value("article")
        return page

    yield open_page
    for context in contexts:
        context.close()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    view = page.viewport_size
    return box is not None and 0 <= box["y"] < view["height"] - 40 and box["x"] >= 0


@pytest.mark.parametrize("size", ["390x844", "1024x768", "1366x768"])
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_each_figure_is_in_view_readable_and_never_overflows(article_page, size, locale):
    page = article_page(size, locale)
    lang = locale[:2]
    for number, (command, kind, text) in enumerate(STEPS):
        type_command(page, command)
        figure = page.locator("#figure")
        if kind is None:
            expect(figure).to_have_count(0)   # a build has its own view (the Build tab), no figure
            continue
        expect(figure).to_have_attribute("data-figure", kind)
        expect(figure).to_contain_text(text)
        assert in_view(page, page.locator("#figure-title")), (command, page.locator("#figure-title").bounding_box())
        smallest, where = figure.evaluate(SMALLEST_TEXT_JS)
        assert smallest >= SMALLEST[size], (command, smallest, where)
        assert figure.evaluate(OVERFLOW_JS) == [], command
        if size == "1366x768":
            shot(page, f"{number}-{kind}-{size}-{lang}")
        if size != "1024x768":
            figure_shot(page, f"{number}-{kind}-{size}-{lang}-figure")


def test_a_reload_draws_the_same_figure_and_undo_takes_it_away(article_page):
    page = article_page("1366x768")
    type_command(page, "docker history nginx")
    page.reload()
    expect(page.locator("#figure")).to_have_attribute("data-figure", "history")
    with page.expect_response("**/undo"):
        page.get_by_role("button", name="Undo").click()
    expect(page.locator("#figure")).to_have_count(0)


def test_a_look_after_a_figure_takes_the_figure_away_and_leaves_the_stage_in_place(article_page):
    """After `docker history`, `docker logs` changes nothing on the stage: the answer leaves the stage
    out (the same element stays on the page) and swaps only the figure's slot, now empty."""
    page = article_page("1366x768")
    type_command(page, "docker history nginx")
    expect(page.locator("#figure")).to_have_attribute("data-figure", "history")
    page.evaluate("document.getElementById('stage').dataset.marked = 'before'")
    type_command(page, "docker logs web")
    expect(page.locator("#figure")).to_have_count(0)
    assert page.evaluate("document.getElementById('stage').dataset.marked") == "before"
    type_command(page, "docker image inspect nginx")   # a figure again, the stage still in place
    expect(page.locator("#figure")).to_have_attribute("data-figure", "inspect")
    assert page.evaluate("document.getElementById('stage').dataset.marked") == "before"
    assert in_view(page, page.locator("#figure-title"))


def test_a_failed_command_has_no_figure(article_page):
    page = article_page("1366x768")
    type_command(page, "docker history nosuch")
    expect(page.locator("#figure")).to_have_count(0)


@pytest.mark.parametrize("size", ["1366x768", "1920x1080"])
@pytest.mark.parametrize("command, kind", [("docker image history nginx", "history"),
                                           ("docker container inspect web", "inspect")])
def test_presentation_mode_shows_what_was_printed_at_20px(article_page, size, command, kind):
    page = article_page(size)
    type_command(page, command)
    page.goto("/?present=1")
    figure = page.locator("#figure")
    expect(figure).to_have_class("figure figure-" + kind + " figure-present")
    smallest, where = figure.evaluate(SMALLEST_TEXT_JS)
    assert smallest >= 20, (smallest, where)
    assert figure.evaluate(OVERFLOW_JS) == []
    if kind == "history":   # what docker history printed: the IDs and CREATED BY lines, as printed
        expect(figure.locator(".fig-id").nth(1)).to_have_text("1cbb6f5d78fd")
        expect(figure.locator(".fig-by").nth(1)).to_have_text('CMD ["nginx" "-g" "daemon off;"]')
    figure.scroll_into_view_if_needed()
    shot(page, f"present-{kind}-{size}")


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_axe_finds_nothing_in_any_figure(article_page, locale):
    from axe_playwright_python.sync_playwright import Axe

    page = article_page("1366x768", locale)
    axe = Axe()
    for command, kind, _text in STEPS:
        type_command(page, command)
        if kind is None:
            continue
        results = axe.run(page, context="#figure")
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]] == [], command


@pytest.mark.parametrize("command, kind", [("docker image history nginx", "history"),
                                           ("docker image ls -a", "images"),
                                           ("docker image save -o myapp.tar myapp:2", "save"),
                                           ("docker container export -o web.tar web", "export")])
def test_the_walkthrough_slide_of_a_figure_command_shows_its_figure_at_20px(browser, base_url, command, kind):
    from course.walkthrough import walkthrough

    index = next(i for i, step in enumerate(walkthrough().steps) if command in step.commands)
    context = browser.new_context(base_url=base_url, viewport=SIZES["1920x1080"], reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"/walkthrough?step={index}&present=1")
    figure = page.locator("#figure")
    expect(figure).to_have_attribute("data-figure", kind)
    smallest, where = figure.evaluate(SMALLEST_TEXT_JS)
    assert smallest >= 20, (smallest, where)
    assert figure.evaluate(OVERFLOW_JS) == []
    figure.scroll_into_view_if_needed()
    shot(page, f"walk-present-{index}-{kind}")
    context.close()


def test_a_dockerfile_payload_in_the_history_figure_stays_text(article_page):
    page = article_page("1366x768")
    type_command(page, """echo 'FROM alpine' > Dockerfile""")
    type_command(page, """echo 'RUN echo "<svg onload=alert(6)>" > "/<b>x"' >> Dockerfile""")
    type_command(page, "docker build -t xss .")
    type_command(page, "docker image history --no-trunc xss")
    figure = page.locator("#figure")
    expect(figure).to_contain_text('RUN /bin/sh -c echo "<svg onload=alert(6)>" > "/<b>x" # buildkit')
    assert figure.locator("svg, b, [onload]").count() == 0

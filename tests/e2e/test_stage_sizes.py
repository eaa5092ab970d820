"""The stage at the sizes our learners really have (a phone, a 1024×768 projector, a 1366×768 laptop,
a 1920×1080 screen), in English and Chinese, measured from the rendered page:

- no horizontal overflow;
- the smallest text drawn on the stage, as rendered (an SVG text's font size times its drawing's
  scale), at least 11 px on the phone, 12 px at 1024, 14 px from 1366 on, 20 px in presentation mode;
- after each command the object it changed is inside the window (and inside the stage's scrolling
  box when it fits there);
- one tab stop per object in the diagram; forward Tab leaves an empty prompt;
- axe-core finds no violation.

Over the article's commands (pull → create → start → exec → pause → stop → commit → history → rm →
rmi) and over a sandbox of 10 images and 20 containers. Screenshots go to test-artifacts/sizes/.
"""
from __future__ import annotations

import pathlib

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "sizes"
SIZES = {"390x844": (390, 844, 11), "1024x768": (1024, 768, 12), "1366x768": (1366, 768, 14),
         "1920x1080": (1920, 1080, 14)}
ARTICLE = ["docker pull nginx", "docker create --name web nginx", "docker start web",
           "docker exec web touch /hello.txt", "docker pause web", "docker unpause web", "docker stop web",
           "docker commit web my-nginx", "docker history my-nginx", "docker rm web", "docker rmi my-nginx"]

# The smallest rendered text on the stage, in CSS px: SVG text scaled as its drawing is drawn.
SMALLEST_TEXT = """() => {
  let min = Infinity, what = '';
  const seen = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const e of document.querySelectorAll('#stage *')) {
    if (e.closest('.visually-hidden') || !seen(e)) continue;
    let size;
    if (e instanceof SVGTextContentElement) {
      const svg = e.ownerSVGElement;
      size = parseFloat(getComputedStyle(e).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    } else if (!(e instanceof SVGElement) && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) {
      size = parseFloat(getComputedStyle(e).fontSize);
    } else continue;
    if (size < min) { min = size; what = (e.textContent || '').trim().slice(0, 40); }
  }
  return [min, what];
}"""

# Where the changed object is, against the window and its scrolling box.
CHANGED_BOX = """() => {
  const id = document.getElementById('stage-focus')?.dataset.focus;
  const obj = id && document.getElementById(id);
  if (!obj) return null;
  const r = obj.getBoundingClientRect();
  let box = document.querySelector('.stage-panel');
  const scroller = getComputedStyle(box).overflowY === 'auto' ? box.getBoundingClientRect() : null;
  return {id, top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height,
          vw: innerWidth, vh: innerHeight, scroller: scroller && {top: scroller.top, bottom: scroller.bottom, height: scroller.height}};
}"""

# Everything in the stage that Tab stops at.
TAB_STOPS = """() => [...document.querySelectorAll('#stage a[href], #stage button, #stage input, #stage select, #stage [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.closest('[hidden]') && e.getClientRects().length).map(e => e.id || e.tagName)"""


def overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def assert_readable(page, min_px: float) -> None:
    smallest, text = page.evaluate(SMALLEST_TEXT)
    assert smallest >= min_px - 0.01, f"{text!r} is drawn at {smallest:.2f} px (< {min_px})"
    assert overflow(page) <= 0, "the page scrolls sideways"


def assert_change_in_view(page, command: str) -> None:
    page.wait_for_timeout(50)   # the scroll happens on the frame after the swap
    box = page.evaluate(CHANGED_BOX)
    if box is None:
        return
    assert box["left"] >= -1 and box["right"] <= box["vw"] + 1, (command, box)
    scroller = box["scroller"]
    top, bottom = (max(0, scroller["top"]), min(box["vh"], scroller["bottom"])) if scroller else (0, box["vh"])
    if box["height"] <= bottom - top:
        assert top - 1 <= box["top"] and box["bottom"] <= bottom + 1, (command, box)
    else:   # taller than the room it has: its top edge is in sight
        assert top - 1 <= box["top"] <= bottom, (command, box)


def assert_one_tab_stop_per_object(page) -> None:
    stops = page.evaluate(TAB_STOPS)
    objects = page.locator("#stage .obj").count()
    assert len(stops) == objects, stops


def assert_tab_leaves_an_empty_prompt(page) -> None:
    prompt = page.locator("#command-input")
    prompt.fill("")
    prompt.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") != "command-input"


def axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def sized(browser, base_url):
    contexts = []

    def open_page(size: str, locale: str, path: str = "/"):
        width, height, _ = SIZES[size]
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                      locale=locale, reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("size", SIZES)
def test_the_article_reads_at_every_size_with_the_change_in_view(sized, size, locale):
    page = sized(size, locale)
    min_px = SIZES[size][2]
    for command in ARTICLE:
        type_command(page, command)
        assert_readable(page, min_px)
        assert_change_in_view(page, command)
    expect(page.locator("#stage .obj.ghost")).to_have_count(1)   # my-nginx, just removed
    assert_one_tab_stop_per_object(page)
    assert_tab_leaves_an_empty_prompt(page)
    shot(page, f"{size}-{locale[:2]}-article")
    assert axe_violations(page) == []


def crowd(page) -> None:
    """10 images and 20 containers, made through the command route (quicker than typing them)."""
    token = page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    images = ["alpine", "busybox", "nginx", "debian:bookworm-slim", "python:3.12-slim", "ubuntu", "hello-world"]
    lines = [f"docker pull {name}" for name in images]
    lines += [f"docker run -d --name c{i:02d} {images[i % 3]} sleep 1000" for i in range(20)]
    lines += ["docker exec c00 touch /x", "docker commit c00 x0", "docker commit c01 x1", "docker commit c02 x2"]
    for line in lines:
        answer = page.request.post("/commands", form={"command": line, "csrf_token": token})
        assert answer.ok, line
    page.reload()


@pytest.mark.parametrize("size,locale", [("390x844", "zh-CN"), ("1024x768", "en-US"), ("1366x768", "zh-CN"),
                                         ("1920x1080", "en-US")])
def test_ten_images_and_twenty_containers_an_overview_with_the_change_in_focus(sized, size, locale):
    page = sized(size, locale)
    crowd(page)
    expect(page.locator("#stage .image-card")).to_have_count(10)
    expect(page.locator("#stage .container-card")).to_have_count(20)
    for command in ["docker stop c07", "docker run -d --name late alpine sleep 1000"]:
        type_command(page, command)
        assert_readable(page, SIZES[size][2])
        assert_change_in_view(page, command)
    # the overview names every object and marks the one that changed
    expect(page.locator(".stage-overview .ov")).to_have_count(31)
    expect(page.locator(".stage-overview .ov.changed")).to_have_text("late")
    expect(page.locator("#stage .container-card.changed")).to_have_attribute("data-name", "late")
    # each container stands in its image's column
    column = page.locator("#stage .column", has=page.locator('.container-card[data-name="late"]'))
    expect(column.locator(".image-card")).to_have_attribute("data-name", "alpine:latest")
    assert_one_tab_stop_per_object(page)
    assert_tab_leaves_an_empty_prompt(page)
    shot(page, f"{size}-{locale[:2]}-crowded")
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", ["1024x768", "1920x1080"])
def test_presentation_mode_in_the_playground_draws_20px_text_framed_on_the_change(sized, size):
    page = sized(size, "en-US", "/?present=1")
    expect(page.locator("#workspace")).to_have_class("workspace presenting")
    for command in ["docker pull alpine", "docker run -d --name web alpine sleep 1000",
                    "docker exec web touch /hello.txt"]:
        type_command(page, command)
        assert_readable(page, 20)
        assert_change_in_view(page, command)
    shot(page, f"{size}-en-present")
    assert axe_violations(page) == []
    # P leaves presentation mode (outside the prompt) and comes back
    page.locator("#stage .obj").first.focus()
    page.keyboard.press("p")
    expect(page.locator("#workspace")).not_to_have_class("workspace presenting")
    assert "present=1" not in page.url
    page.keyboard.press("p")
    expect(page.locator("#workspace")).to_have_class("workspace presenting")


def test_the_keyboard_moves_through_objects_undoes_and_never_traps(sized):
    page = sized("1366x768", "en-US")
    for command in ["docker pull alpine", "docker create --name box alpine"]:
        type_command(page, command)
    prompt = page.locator("#command-input")
    # Tab completes while the prompt holds text with candidates
    prompt.fill("docker ima")
    page.wait_for_timeout(400)   # the candidates are looked up while typing
    prompt.press("Tab")
    expect(prompt).to_have_value("docker image")   # image, images: as far as they agree
    expect(prompt).to_be_focused()
    # the prompt's focus is visible; the hint says how to leave
    ring = page.locator("#prompt").evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
    assert ring == "solid 3px"
    expect(page.locator("#terminal-hint")).to_contain_text("Tab")
    # Esc then Tab leaves even with text in the prompt
    prompt.press("Escape")
    prompt.press("Tab")
    expect(prompt).not_to_be_focused()
    # one tab stop per object; the arrow keys walk its links; Esc goes back to the object
    box = page.locator('#stage .container-card[data-name="box"]')
    box.focus()
    expect(box).to_have_attribute("tabindex", "0")
    outline = box.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("ArrowDown")
    first = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert first == "Explore container box"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.getAttribute('data-command')") == "docker start box"
    page.keyboard.press("Escape")
    expect(box).to_be_focused()
    page.keyboard.press("Tab")   # on to the next object (the image under it), not into its links
    expect(page.locator('#stage .image-card[data-name="alpine:latest"]')).to_be_focused()
    # Alt+Z undoes, Alt+Shift+Z redoes, from anywhere (the terminal's own keys are left alone)
    expect(page.locator("#undo-button")).to_contain_text("Alt+Z")
    prompt.focus()
    page.keyboard.press("Alt+z")
    expect(page.locator('#stage .container-card[data-name="box"]')).to_have_count(0)
    page.keyboard.press("Alt+Shift+Z")
    expect(page.locator('#stage .container-card[data-name="box"]')).to_have_count(1)


def test_only_the_changed_drawings_travel(sized):
    """The answer carries the objects whose drawing changed; the others stay the very same nodes."""
    page = sized("1366x768", "en-US")
    for command in ["docker pull alpine", "docker pull busybox", "docker run -d --name web alpine sleep 1000"]:
        type_command(page, command)
    page.evaluate("() => { document.querySelector('#stage .image-card[data-name=\"busybox:latest\"]').dataset.mark = 'kept'; }")
    sizes = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.url.endswith("/commands") else None)
    type_command(page, "docker exec web touch /x")
    expect(page.locator('#stage .image-card[data-name="busybox:latest"]')).to_have_attribute("data-mark", "kept")
    expect(page.locator('#stage .container-card[data-name="web"] .rw-line.fresh')).to_have_count(1)
    assert sizes and sizes[-1] < 16 * 1024, sizes
    # the kept drawing's links still work through htmx (no page load: the window's mark survives)
    page.evaluate("() => { window.samePage = true; }")
    page.locator('#stage .image-card[data-name="busybox:latest"] a.caption-link').click()
    expect(page.locator("#explorer")).to_have_attribute("data-target", "busybox:latest")
    assert page.evaluate("() => window.samePage === true")


def test_browser_zoom_enlarges_the_stage_text(browser, base_url):
    """200 % zoom at 1366×768 is a 683×384 CSS-pixel window drawn at 2 device pixels per CSS pixel:
    the stage's text must come out larger in device pixels, not shrink to fit."""
    drawn = []
    for width, height, scale in ((1366, 768, 1), (683, 384, 2)):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                      device_scale_factor=scale)
        page = context.new_page()
        page.goto("/")
        type_command(page, "docker pull alpine")
        drawn.append(page.evaluate(SMALLEST_TEXT)[0] * scale)
        assert overflow(page) <= 0
        context.close()
    assert drawn[1] > drawn[0] * 1.4, drawn


@pytest.mark.parametrize("size", ["390x844", "1024x768"])
def test_the_explorer_reads_at_the_stage_size_and_its_changes_are_a_table(sized, size):
    page = sized(size, "en-US")
    type_command(page, "docker run -d --name lab nginx")
    type_command(page, "docker exec lab rm /etc/nginx/nginx.conf")
    page.locator('#stage .container-card[data-name="lab"] .rw-layer').click()
    row = page.locator('#explorer tr.change[data-marker="D"]')
    expect(row).to_have_count(1)
    assert row.evaluate("e => getComputedStyle(e).display") == "table-row"   # not the Files panel's flex rows
    assert_readable(page, SIZES[size][2])

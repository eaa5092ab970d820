"""The article, walked in a browser: after each command the stage shows that command's figure.

pull → create → start → exec writing a file → diff → pause → unpause → stop → commit → history →
rm → rmi, asserted through the stage's data attributes, roles and text; screenshots of each step
go to test-artifacts/stage/ (at 1366×768, and the key steps again at 1920×1080).
"""
from __future__ import annotations

import pathlib
import re
import threading

import pytest
from playwright.sync_api import expect

from e2e_helpers import type_command, wait_for_new_entry

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "stage"


@pytest.fixture(scope="module")
def stage_server(tmp_path_factory):
    from waitress.server import create_server

    from app import create_app
    from web import stage_routes

    app = create_app({"DATABASE": str(tmp_path_factory.mktemp("stage") / "db.sqlite3"), "SECRET_KEY": "e2e"})
    if "stage" not in app.blueprints:   # until app.py registers it
        app.register_blueprint(stage_routes.bp)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


class Stage:
    def __init__(self, page, url: str):
        self.page = page
        page.goto(url + "/")
        self.prompt = page.locator("#command-input")
        self.entries = page.locator("#transcript .entry")
        self.step = 0

    def run(self, command: str):
        entry = type_command(self.page, command)
        expect(entry.locator(".entry-command")).to_have_text("$ " + command)
        return entry

    def shot(self, name: str):
        self.step += 1
        self.page.wait_for_timeout(1000)   # let the highlight animations finish: show the end state
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        self.page.screenshot(path=str(ARTIFACTS / f"{size['width']}x{size['height']}-{self.step:02d}-{name}.png"))

    def image(self, name: str):
        return self.page.locator(f'#stage .image-card[data-name="{name}"]')

    def container(self, name: str):
        return self.page.locator(f'#stage .container-card[data-name="{name}"]')


def walk_the_article(stage: Stage) -> None:
    page = stage.page
    diagram = page.locator("#stage .stage-columns")

    stage.run("docker pull nginx")
    nginx = stage.image("nginx:latest")
    expect(nginx).to_have_attribute("data-layers", "7")
    expect(nginx.locator(".layer.hl-added").first).to_be_visible()
    expect(diagram).to_have_attribute("role", "group")   # it holds links: not an image
    expect(diagram).to_have_accessible_name("1 image built from 7 distinct read-only layers; 0 containers.")
    expect(nginx).to_have_attribute("aria-label", re.compile(r"^Image nginx:latest \(id "))
    expect(nginx.locator(".visually-hidden")).to_contain_text("7 read-only layers, base first.")
    # the largest layer (nginx's packages, 117MB) is drawn, not folded away
    expect(nginx.locator(".layer-size", has_text="117MB")).to_have_count(1)
    expect(nginx).to_have_class(re.compile(r"\bchanged\b"))   # what the command was about
    expect(page.locator("#explain .explain-text")).to_contain_text("Already exists")
    stage.shot("pull")

    stage.run("docker pull python:3.12-slim")
    base = stage.image("python:3.12-slim").locator('.layer[data-shared="2"]')
    expect(base).to_have_count(1)
    expect(base).to_have_attribute("data-highlight", "reused")
    expect(stage.image("nginx:latest").locator(".shared-badge")).to_have_text("shared ×2")
    stage.shot("pull-shared-layer")

    stage.run("docker create --name web nginx")
    web = stage.container("web")
    # the container stands on its image: same column, right above its stack
    column = page.locator("#stage .column", has=page.locator('.container-card[data-name="web"]'))
    expect(column.locator(".image-card")).to_have_attribute("data-name", "nginx:latest")
    web_box, image_box = web.bounding_box(), column.locator(".image-card").bounding_box()
    assert abs(web_box["y"] + web_box["height"] - image_box["y"]) < 2, (web_box, image_box)
    expect(web).to_have_attribute("data-state", "created")
    expect(web.locator(".space")).to_have_count(0)
    expect(web.locator(".rw-layer .rw-tag-text")).to_have_text("R/W")
    expect(page.locator("#explain .explain-text")).to_contain_text("read-write layer")
    stage.shot("create")

    stage.run("docker start web")
    expect(web).to_have_attribute("data-state", "running")
    expect(web.locator(".space-title")).to_have_text("process isolation space")
    expect(web.locator(".process")).to_have_count(1)
    expect(web.locator(".process").first).to_contain_text("PID 1")
    stage.shot("start")

    stage.run("docker exec web sh -c 'echo hello > /hello.txt'")
    expect(web.locator(".rw-line.fresh", has_text="A /hello.txt")).to_have_count(1)
    changes = int(web.get_attribute("data-changes"))
    assert changes >= 1
    stage.shot("exec-write")

    stage.run("docker diff web")
    expect(stage.entries.last.locator(".stdout")).to_contain_text("A /hello.txt")
    expect(web).to_have_attribute("data-changes", str(changes))
    stage.shot("diff")

    stage.run("docker pause web")
    expect(web).to_have_attribute("data-state", "paused")
    expect(web.locator(".space.frozen .space-title")).to_have_text("❄ frozen process space")
    stage.shot("pause")

    stage.run("docker unpause web")
    expect(web).to_have_attribute("data-state", "running")
    expect(web.locator(".space.frozen")).to_have_count(0)

    stage.run("docker stop web")
    expect(web).to_have_attribute("data-state", "exited")
    expect(web.locator(".space")).to_have_count(0)
    expect(web.locator(".status")).to_contain_text("Exited (0)")
    expect(web).to_have_attribute("data-signals", "SIGQUIT")   # nginx's STOPSIGNAL
    expect(web).to_have_attribute("data-changes", str(changes))   # the R/W layer survives a stop
    stage.shot("stop")

    stage.run("docker commit web my-nginx")
    mine = stage.image("my-nginx:latest")
    expect(mine).to_have_attribute("data-layers", "8")
    expect(mine.locator(".layer.hl-added")).to_have_count(1)
    expect(page.locator("#explain .explain-text")).to_contain_text("new read-only layer")
    stage.shot("commit")

    stage.run("docker history my-nginx")
    expect(page.locator("#explain .explain-text")).to_contain_text("Reads the history kept in the image's config, newest first")
    stage.shot("history")

    stage.run("docker rm web")
    expect(stage.container("web")).to_have_count(0)
    expect(page.locator('#stage .ghost[data-ghost="container"]')).to_have_count(1)
    stage.shot("rm")

    stage.run("docker rmi my-nginx")
    expect(stage.image("my-nginx:latest")).to_have_count(0)
    expect(page.locator('#stage .ghost[data-ghost="image"]')).to_contain_text("my-nginx:latest")
    expect(stage.image("nginx:latest")).to_have_count(1)   # soft delete: nginx's layers stay
    expect(page.locator("#explain .explain-facts")).to_contain_text("layers really deleted: 1")
    stage.shot("rmi")


def test_the_article_on_the_stage(page, stage_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    walk_the_article(Stage(page, stage_server))


def test_the_article_on_a_projector(page, stage_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    walk_the_article(Stage(page, stage_server))


def test_clicking_a_stage_button_types_and_runs_the_command(page, stage_server):
    stage = Stage(page, stage_server)
    stage.run("docker create --name box alpine")
    start = stage.container("box").locator('a.pill[data-command="docker start box"]')
    expect(start).to_have_count(1)
    count = stage.entries.count()
    start.click()
    wait_for_new_entry(page, count)
    expect(stage.entries.last.locator(".entry-command")).to_have_text("$ docker start box")
    expect(stage.container("box")).to_have_attribute("data-state", "exited")


def test_the_explorer_shows_layers_changes_and_docker_diff(page, stage_server):
    stage = Stage(page, stage_server)
    stage.run("docker run -d --name lab nginx")
    stage.run("docker exec lab rm /etc/nginx/nginx.conf")
    page.locator('#stage .container-card[data-name="lab"] .rw-layer').click()
    explorer = page.locator("#explorer")
    expect(explorer).to_have_attribute("data-layer", "R/W")
    expect(explorer.locator('tr.change[data-marker="D"]', has_text="etc/nginx/.wh.nginx.conf")).to_have_count(1)
    expect(explorer.locator(".docker-diff")).to_contain_text("D /etc/nginx/nginx.conf")
    expect(explorer.locator("[data-wasted]")).not_to_have_text("0B")
    stage.shot("explorer-rw")
    explorer.get_by_role("link", name="Merged view up to here").click()
    expect(page.locator("#explorer")).to_have_attribute("data-view", "merged")
    expect(page.locator("#explorer .tree")).to_contain_text("nginx")
    stage.shot("explorer-merged")
    # the selection follows the next command
    stage.run("docker exec lab touch /new.txt")
    expect(page.locator("#explorer")).to_have_attribute("data-view", "merged")
    expect(page.locator("#explorer .tree")).to_contain_text("new.txt")


# #stage as a fresh page would draw it: what htmx and stage.js add while swapping and for the
# keyboard (tabindex) taken out, the whitespace between tags too, and the forms' CSRF tokens (a new
# one, equally valid, on every page).
STAGE_AS_DRAWN = """() => {
  const stage = document.getElementById('stage').cloneNode(true);
  for (const e of [stage, ...stage.querySelectorAll('*')]) {
    e.classList.remove('htmx-added', 'htmx-settling', 'htmx-swapping', 'htmx-request', 'same-layer');
    if (e.getAttribute('class') === '') e.removeAttribute('class');
    e.removeAttribute('tabindex');
    if (e.name === 'csrf_token') e.removeAttribute('value');
  }
  return stage.innerHTML.replace(/>\\s+</g, '><').replace(/\\s+/g, ' ');
}"""
# htmx done swapping, and static/stage.js done after it (it marks the overview's chip of the focus)
SETTLED = """() => {
  if (document.querySelector('#stage .htmx-settling, #stage .htmx-added, #stage [hx-preserve]')) return false;
  const focus = document.getElementById('stage-focus')?.dataset.focus;
  const marked = [...document.querySelectorAll('.stage-overview .ov.changed')].map(a => a.getAttribute('href'));
  return !document.querySelector('.stage-overview') || marked.join() === (focus ? '#' + focus : '');
}"""


def test_the_parts_an_answer_swaps_in_add_up_to_the_stage_a_fresh_page_draws(page, stage_server):
    """An answer that keeps the stage's layout swaps only the parts that changed (a card, the focus,
    the overview, the summary, the explorer, the figure); one that changes it swaps the whole stage
    with the held objects moved into place. Either way the page must end up with exactly the stage a
    reload draws, command after command."""
    stage = Stage(page, stage_server)
    fresh = page.context.new_page()   # the same session: the same sandbox, drawn whole
    commands = ["docker pull alpine", "docker run -d --name web alpine sleep 1000", "docker ps",
                "docker exec -d web sleep 500", "docker tag alpine mine:v1", "docker stop web",
                "docker history alpine", "docker start web", "docker exec web touch /x", "docker rmi mine:v1",
                "docker create --name box alpine", "docker ps", "docker rm -f box", "docker pause web",
                "docker ps -a", "docker unpause web"]
    patched = 0
    for command in commands:
        with page.expect_response(lambda r: r.url.endswith("/commands")) as answer:
            stage.run(command)
        patched += 'id="stage"' not in answer.value.text()
        page.wait_for_function(SETTLED)
        fresh.goto(stage_server + "/")
        assert page.evaluate(STAGE_AS_DRAWN) == fresh.evaluate(STAGE_AS_DRAWN), command
    # a crowded stage (more than 12 objects) has its one-line overview: the page marks the focus's chip
    many = " && ".join(f"docker create --name extra{i} alpine" for i in range(12))
    for command in [many, "docker tag alpine mine:v2", "docker stop web", "docker start web",
                    "docker exec web touch /z", "docker ps"]:
        stage.run(command)
        page.wait_for_function(SETTLED)
        fresh.goto(stage_server + "/")
        assert page.evaluate(STAGE_AS_DRAWN) == fresh.evaluate(STAGE_AS_DRAWN), command
    expect(page.locator(".stage-overview .ov")).to_have_count(14)
    # the explorer open, then a change it shows: swapped on its own too
    page.locator('#stage .container-card[data-name="web"] .rw-layer').click()
    expect(page.locator("#explorer")).to_have_attribute("data-layer", "R/W")
    stage.run("docker exec web touch /y")
    expect(page.locator("#explorer")).to_contain_text("y")
    page.wait_for_function(SETTLED)
    fresh.goto(stage_server + "/")
    assert page.evaluate(STAGE_AS_DRAWN) == fresh.evaluate(STAGE_AS_DRAWN)
    assert patched >= 8   # most of these commands kept the layout

"""Only what changed is redrawn: the answer to a command carries the drawings the browser does not
already show (web/redraw.py); the others come as empty hx-preserve placeholders, or not at all."""
from __future__ import annotations

import re

HX = {"HX-Request": "true"}
DIGEST = re.compile(r'<[^>]*?\bid="([^"]+)"[^>]*?\bdata-digest="([0-9a-f]+)"')


def held(html: str) -> str:
    return " ".join(f"{i}:{d}" for i, d in DIGEST.findall(html))


def post(client, command: str, holding: str = ""):
    return client.post("/commands", data={"command": command, "held": holding}, headers=HX).get_data(as_text=True)


def objects(html: str) -> dict[str, str]:
    """dom id -> 'drawn' or 'kept' for each stage object in an answer."""
    out = {}
    for match in re.finditer(r'<div id="(obj-[^"]+)"([^>]*)>', html):
        out[match.group(1)] = "kept" if "hx-preserve" in match.group(2) else "drawn"
    return out


def test_an_answer_sends_only_the_objects_whose_drawing_changed(client):
    client.get("/")
    post(client, "docker pull alpine")
    post(client, "docker pull busybox")
    post(client, "docker ps")            # busybox is no longer the last command's news
    page = client.get("/").get_data(as_text=True)
    answer = post(client, "docker create --name box alpine", held(page))
    shown = objects(answer)
    # the new container is drawn (and alpine, which it stands on); busybox travels as a placeholder
    assert 'data-name="box"' in answer and 'data-name="alpine:latest"' in answer
    assert 'data-name="busybox:latest"' not in answer
    assert sorted(shown.values()) == ["drawn", "drawn", "kept"]
    # a command that changes nothing: the stage and the unchanged side panels stay on screen; only
    # the figure `docker images` draws comes, swapped on its own
    post(client, "docker ps")
    page = client.get("/").get_data(as_text=True)
    quiet = post(client, "docker images", held(page))
    assert 'id="stage"' not in quiet and objects(quiet) == {}
    assert re.search(r'<div id="figure-slot"[^>]*hx-swap-oob="true"', quiet) and 'data-figure="images"' in quiet
    assert 'id="explain"' in quiet       # the explanation of `docker images` is new
    assert 'id="files-list"' not in quiet and 'id="build"' not in quiet


def out_of_band(html: str) -> list[str]:
    """The ids of the elements an answer swaps on their own."""
    return re.findall(r'<\w+ id="([^"]+)"[^>]*?hx-swap-oob="true"', html)


def test_the_stage_is_left_out_only_while_nothing_on_it_changed(client):
    client.get("/")
    post(client, "docker run -d --name web alpine sleep 1000")
    post(client, "docker ps")     # the run's highlights are gone: the stage is drawn once more
    page = client.get("/").get_data(as_text=True)
    logs = post(client, "docker logs web", held(page))
    assert 'id="stage"' not in logs and out_of_band(logs) == ["explain"]   # not even the stage's parts
    # the figure's own digest: after `docker history` took the stage's figure, the next command takes it away
    history = post(client, "docker history alpine", held(page))
    assert 'id="stage"' not in history and 'data-figure="history"' in history
    screen = dict(DIGEST.findall(page)) | dict(DIGEST.findall(history))   # what the page holds now
    after = post(client, "docker ps", " ".join(f"{i}:{d}" for i, d in screen.items()))
    assert 'id="stage"' not in after and re.search(r'<div id="figure-slot"[^>]*hx-swap-oob="true"[^>]*>\s*</div>', after)
    assert objects(after) == {}


def test_a_change_in_place_swaps_only_what_changed_and_a_new_layout_redraws_the_stage(client):
    client.get("/")
    post(client, "docker run -d --name web alpine sleep 1000")
    post(client, "docker ps")
    page = client.get("/").get_data(as_text=True)
    web, alpine = (re.search(rf'<div id="(obj-{kind}-[^"]+)"', page).group(1) for kind in ("container", "image"))
    # one process more in `web`: its drawing alone (the focus moves to it), not the stage around it
    exec_answer = post(client, "docker exec -d web sleep 500", held(page))
    assert 'id="stage"' not in exec_answer
    assert objects(exec_answer) == {web: "drawn"}
    assert out_of_band(exec_answer)[:2] == ["stage-focus", web]
    assert f'data-focus="{web}"' in exec_answer
    # a tag: the image's drawing; the container still shows its image by the name it was run with
    tag_answer = post(client, "docker tag alpine mine:v1", held(page))
    assert 'id="stage"' not in tag_answer and alpine in objects(tag_answer) and 'mine:v1' in tag_answer
    # a stop: the container's state, and the diagram's accessible name (one running fewer)
    stop_answer = post(client, "docker stop web", held(page))
    assert 'id="stage-summary"' in stop_answer and "0 containers running" not in stop_answer
    assert re.search(r'<span id="stage-summary"[^>]*>[^<]*; 1 container\.</span>', stop_answer)
    # a new object changes the layout: the whole stage comes, what the browser holds as placeholders
    run_answer = post(client, "docker create --name box alpine", held(page))
    assert 'id="stage"' in run_answer and objects(run_answer)[web] in ("kept", "drawn")
    # so does opening the explorer, and a browser that holds an old layout, or none
    client.get("/explore?target=web")
    assert 'id="stage"' in post(client, "docker ps", held(page))
    assert 'id="stage"' in post(client, "docker ps", "stage-columns:0123456789abcdef")
    assert 'id="stage"' in post(client, "docker ps")


def test_without_held_digests_or_without_htmx_everything_is_drawn(client):
    client.get("/")
    post(client, "docker pull alpine")
    assert set(objects(post(client, "docker ps")).values()) == {"drawn"}
    page = client.get("/").get_data(as_text=True)
    assert "hx-preserve" not in page                 # a page load never leaves anything out
    bogus = post(client, "docker ps", "obj-image-nope:0000 nonsense :: " + "x" * 5000)
    assert set(objects(bogus).values()) == {"drawn"}


def test_a_drawing_changes_its_digest_when_its_object_changes(client):
    client.get("/")
    post(client, "docker run -d --name web alpine sleep 100")
    before = dict(DIGEST.findall(client.get("/").get_data(as_text=True)))
    post(client, "docker exec web touch /x")
    after = dict(DIGEST.findall(client.get("/").get_data(as_text=True)))
    container = next(i for i in before if i.startswith("obj-container-"))
    assert before[container] != after[container]


class Page:
    """A browser on the page: it sends the id:digest pairs it holds, and keeps what answers send."""

    def __init__(self, client):
        self.client = client
        self.held = dict(DIGEST.findall(client.get("/").get_data(as_text=True)))

    def post(self, path: str, **data) -> str:
        holding = " ".join(f"{i}:{d}" for i, d in self.held.items())
        html = self.client.post(path, data={**data, "held": holding}, headers=HX).get_data(as_text=True)
        self.held.update(DIGEST.findall(html))
        return html

    def run(self, command: str) -> str:
        return self.post("/commands", command=command)


def sent(html: str) -> set[str]:
    """The side panels an answer carries."""
    return {p for p in ("side-tabs", "explain", "files-list", "build") if f'id="{p}"' in html}


def test_each_side_panel_is_sent_when_what_it_draws_changed_and_only_then(client):
    page = Page(client)
    page.run("docker pull alpine")
    assert "explain" in sent(page.run("docker images"))
    assert sent(page.run("docker images")) == set()              # the same explanation: nothing to send
    # a file written by a command: the Files list (and its tab opened, for this answer)
    answer = page.run("docker save -o alpine.tar alpine")
    assert {"files-list", "side-tabs", "explain"} <= sent(answer) and "alpine.tar" in answer
    # back to the chosen tab, and the file is no longer the last command's news (its "new" badge goes)
    answer = page.run("docker ps")
    assert sent(answer) == {"side-tabs", "explain", "files-list"} and "file-new" not in answer
    assert sent(page.run("docker images")) == {"explain"}
    assert "files-list" in sent(page.run("rm alpine.tar"))
    # a build: the Build panel, then nothing until what it draws changes (its image's tags)
    page.client.post("/files/starter", headers=HX)
    answer = page.run("DOCKER_BUILDKIT=0 docker build -t app .")
    assert "build" in sent(answer)
    assert "build" not in sent(page.run("docker ps"))
    answer = page.run("docker tag app app:v2")
    assert "build" in sent(answer) and "app:v2" in answer[answer.index('id="build"'):]
    assert "build" in sent(page.post("/undo"))                    # the tag taken back: drawn without it


def test_a_panel_the_browser_does_not_hold_is_sent_even_when_unchanged(client):
    page = Page(client)
    page.run("docker pull alpine")
    page.held = {}                                                 # a browser that holds nothing
    assert sent(page.run("docker images")) == {"side-tabs", "explain", "files-list", "build"}
    page.held["explain"] = "0000000000000000"                      # a stale digest
    assert sent(page.run("docker images")) == {"explain"}


def test_the_explorer_is_redrawn_when_its_object_changes(client):
    page = Page(client)
    page.run("docker run -d --name web alpine sleep 1000")
    page.run("docker images")                      # the new container is no longer the last command's news
    explored = client.get("/explore?target=web", headers=HX).get_data(as_text=True)
    page.held.update(DIGEST.findall(explored))
    assert 'id="stage"' not in page.run("docker ps")       # nothing changed: the stage is held whole
    # another object changes: the stage is redrawn, the explorer of `web` travels as a placeholder
    assert '<div id="explorer" hx-preserve="true"></div>' in page.run("docker create --name other alpine")
    answer = page.run("docker exec web touch /new-file")
    assert 'id="explorer" class="explorer"' in answer and "new-file" in answer

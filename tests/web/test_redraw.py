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
    # a command that changes nothing: every object and the unchanged side panels stay on screen
    post(client, "docker ps")
    page = client.get("/").get_data(as_text=True)
    quiet = post(client, "docker images", held(page))
    assert set(objects(quiet).values()) == {"kept"}
    assert 'id="explain"' in quiet       # the explanation of `docker images` is new
    assert 'id="files-list"' not in quiet and 'id="build"' not in quiet


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

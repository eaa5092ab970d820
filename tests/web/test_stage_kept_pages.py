"""The page drawn from a process's kept view models and drawings (present/stage.py Kept,
web/redraw.py drawing) is the page a cold process draws for the same sandbox, through commands,
undo, redo, a language switch and an explorer selection made in another process."""
from __future__ import annotations

import re

from web import redraw

HX = {"HX-Request": "true"}
DIGEST = re.compile(r'<[^>]*?\bid="([^"]+)"[^>]*?\bdata-digest="([0-9a-f]+)"')
TOKEN = re.compile(r'name="csrf_token" value="[^"]*"|"X-CSRF-Token": "[^"]*"')
STEPS = [("/commands", "docker run -d --name w0 nginx"), ("/commands", "docker exec w0 touch /a"),
         ("/commands", "docker ps"), ("/lang/zh", ""), ("/commands", "docker tag alpine t0"),
         ("/commands", "docker stop -t 1 w0"), ("/undo", ""), ("/redo", ""), ("/explore", "w0"),
         ("/commands", "docker rmi t0"), ("/lang/en", ""), ("/commands", "docker rm -f w0"),
         ("/undo", ""), ("/commands", "docker images")]


def stage_of(page: str) -> str:
    start = page.index('id="stage"')
    return TOKEN.sub("", page[start:page.index("</main>", start)] if "</main>" in page[start:] else page[start:])


def test_a_warm_process_draws_the_page_a_cold_one_draws(make_app, monkeypatch):
    warm = make_app()
    browser = warm.test_client()
    first = browser.get("/").get_data(as_text=True)
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', first).group(1)
    held = dict(DIGEST.findall(first))
    for path, arg in STEPS:
        if path.startswith("/lang"):
            browser.get(f"{path}?next=/")
        elif path == "/explore":
            browser.get(f"/explore?target={arg}")
        else:
            answer = browser.post(path, data={"command": arg, "held": " ".join(f"{k}:{v}" for k, v in held.items())},
                                  headers={**HX, "X-CSRF-Token": token})
            assert answer.status_code == 200
            held.update(DIGEST.findall(answer.get_data(as_text=True)))
        warm_page = browser.get("/").get_data(as_text=True)
        monkeypatch.setattr(redraw, "_DRAWINGS", type(redraw._DRAWINGS)())   # nothing drawn before
        cold = make_app().test_client()
        cold.set_cookie("layerlab", browser.get_cookie("layerlab").value)
        cold_page = cold.get("/").get_data(as_text=True)
        assert stage_of(warm_page) == stage_of(cold_page), (path, arg)

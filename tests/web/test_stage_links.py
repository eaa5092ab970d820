"""The stage's links are built without url_for per link (speed); they must read exactly as url_for's."""
from __future__ import annotations

import pytest
from flask import url_for

from web.stage_routes import explore_href, fill_href

TRICKY = ["sha256:0123abcd", "", "rw", "my image:v1", "a&b=c", "ü/ä?#%", 'docker run -d --name "x" nginx']


@pytest.mark.parametrize("target", TRICKY)
@pytest.mark.parametrize("layer", ["", "rw", "sha256:ff", "a b&c"])
def test_explore_href_equals_url_for(app, target, layer):
    with app.test_request_context("/"):
        assert explore_href(target, layer) == url_for("stage.explore", target=target, layer=layer)


@pytest.mark.parametrize("command", TRICKY)
def test_fill_href_equals_url_for(app, command):
    with app.test_request_context("/"):
        assert fill_href(command) == url_for("pages.index", fill=command)


def test_the_stage_links_to_the_explorer_and_fills_the_prompt(client):
    client.get("/")
    html = client.post("/commands", data={"command": "docker run -d --name web nginx"},
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'href="/explore?target=' in html and '&amp;layer=rw" hx-get="/explore?target=' in html
    assert 'href="/?fill=docker+exec+web+touch+/hello.txt#prompt"' in html



def test_stage_facts_list_the_changes_the_diagram_draws_and_how_many_more(client):
    client.get("/")
    for line in ["docker run -d --name web nginx"] + [f"docker exec web touch /f{i}" for i in range(5)]:
        html = client.post("/commands", data={"command": line}, headers={"HX-Request": "true"}).get_data(as_text=True)
    # the container's facts in words, inside its figure (for screen readers)
    figure = html[html.index('data-kind="container"'):]
    facts = figure[figure.index('<div class="visually-hidden">'):]
    facts = facts[:facts.index("</div>")]
    # the three lines the R/W layer draws (the last command's file first), then the rest as a count
    assert "19 changes: A /f4, C /etc/nginx/conf.d/default.conf, A /f0 +16 more." in facts
    assert "/f1" not in facts

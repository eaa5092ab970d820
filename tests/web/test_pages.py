"""The learner's page: one sandbox per browser, htmx partial answers, plain forms that redirect."""
from __future__ import annotations

import json
import re

import pytest
from flask.sessions import SecureCookieSessionInterface

HX = {"HX-Request": "true"}


def session_sandbox_id(app, client) -> str:
    cookie = client.get_cookie("layerlab")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(cookie.value)["sandbox_id"]


def image_tags(app, client) -> set[str]:
    """The image tags in this browser's sandbox, read from the store (what the stage draws)."""
    from web import sandboxes

    outcome = sandboxes.load(app.extensions["sandbox_store"], session_sandbox_id(app, client))
    return {tag for image in outcome.sandbox.state()["images"] for tag in image["tags"]}


def run(client, command, htmx=True):
    return client.post("/commands", data={"command": command}, headers=HX if htmx else {})


def transcript_commands(html: str) -> list[str]:
    return re.findall(r'<div class="entry[^"]*" data-command="([^"]*)">', html)


# ---- the page ----------------------------------------------------------------------------
def test_first_visit_creates_a_sandbox_and_a_signed_httponly_lax_cookie(app, client):
    response = client.get("/")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("layerlab=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.extensions["sandbox_store"].get(session_sandbox_id(app, client)) is not None


def test_the_cookie_is_sent_again_when_the_session_changes_or_once_a_day(app, client, monkeypatch):
    """Its 30 days run from the learner's last day of use, without re-signing it for every command."""
    from web import security

    first = client.get("/").headers["Set-Cookie"]
    assert "Expires=" in first
    assert "Set-Cookie" not in run(client, "docker ps").headers          # the same day, nothing new
    now = security.time.time()
    monkeypatch.setattr(security.time, "time", lambda: now + 86400)
    # (a GET: the test client's CSRF helper opens the session itself before a POST)
    renewed = client.get("/").headers.get("Set-Cookie", "")
    assert renewed.startswith("layerlab=") and "Expires=" in renewed and renewed != first
    assert "Set-Cookie" not in client.get("/").headers
    assert "Set-Cookie" in client.get("/panel/files", headers=HX).headers   # the session changed (the chosen tab)


def test_the_page_has_its_parts(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert 'id="stage"' in html and 'id="explain"' in html and 'id="transcript"' in html
    assert '<form id="prompt" class="prompt" method="post" action="/commands"' in html
    for action in ("/undo", "/reset", "/new"):
        assert f'method="post" action="{action}"' in html
    assert "docker pull nginx" in html  # an article button
    assert "/static/htmx-2.0.11.min.js" in html


def test_the_page_has_no_inline_script_and_loads_nothing_from_elsewhere(client):
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", html)
    for attributes in scripts:
        assert 'src="/static/' in attributes, attributes
    assert " on" not in re.sub(r"\s+", " ", " ".join(re.findall(r"<[^>]+>", html))).replace(" one", "")  # no onclick=…
    assert "http://" not in html and "https://" not in html


def test_static_files_are_served(client):
    for name in ("app.css", "app.js", "htmx-2.0.11.min.js"):
        assert client.get(f"/static/{name}").status_code == 200


def test_a_second_visit_keeps_the_same_sandbox(app, client):
    client.get("/")
    first = session_sandbox_id(app, client)
    client.get("/")
    assert session_sandbox_id(app, client) == first
    assert app.extensions["sandbox_store"].count() == 1


def test_two_browsers_get_different_sandboxes(app):
    one, two = app.test_client(), app.test_client()
    one.get("/")
    two.get("/")
    assert session_sandbox_id(app, one) != session_sandbox_id(app, two)
    run(one, "docker pull alpine")
    assert image_tags(app, one) == {"alpine:latest"}
    assert "docker pull alpine" not in two.get("/").get_data(as_text=True)
    assert image_tags(app, two) == set()


def test_a_tampered_cookie_gets_a_new_sandbox_not_someone_elses(app, client):
    victim = app.test_client()
    victim.get("/")
    run(victim, "docker pull alpine")
    victim_id = session_sandbox_id(app, victim)
    client.set_cookie("layerlab", victim.get_cookie("layerlab").value[:-3] + "abc")
    html = client.get("/").get_data(as_text=True)
    assert session_sandbox_id(app, client) != victim_id
    assert "docker pull alpine" not in html


def test_fill_puts_a_command_in_the_prompt(client):
    html = client.get("/?fill=docker+image+ls").get_data(as_text=True)
    assert 'value="docker image ls"' in html


# ---- commands: htmx and plain --------------------------------------------------------------
def test_plain_post_runs_the_command_and_redirects_back(app, client):
    client.get("/")
    response = run(client, "docker pull alpine", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"] == "/#prompt"
    html = client.get("/").get_data(as_text=True)
    assert transcript_commands(html) == ["docker pull alpine"]
    assert "Status: Downloaded newer image for alpine:latest" in html
    assert image_tags(app, client) == {"alpine:latest"}


def test_htmx_post_answers_with_out_of_band_panels_only(client):
    client.get("/")
    response = run(client, "docker pull alpine")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<header" not in html
    assert '<div id="transcript" class="transcript" hx-swap-oob="true" data-history=' in html
    assert '<div id="stage" class="stage" tabindex="-1" hx-swap-oob="true">' in html
    assert 'id="explain" class="explain" aria-label="What happened" hx-swap-oob="true"' in html
    # the side panel's tabs, Files list and Build come along: nothing reloads itself afterwards
    assert '<div id="side-tabs" class="side-tabs" role="tablist"' in html
    assert '<div id="files-list" class="files-list" hx-swap-oob="true" data-digest="' in html
    assert re.search(r'<section id="build" class="build build-none" hx-swap-oob="true"', html)
    assert "hx-trigger" not in html
    assert transcript_commands(html) == ["docker pull alpine"]
    assert "Downloaded newer image for alpine:latest" in html


def test_post_without_a_session_creates_one(app):
    client = app.test_client()
    response = run(client, "docker ps")
    assert response.status_code == 200
    assert transcript_commands(response.get_data(as_text=True)) == ["docker ps"]


def test_stderr_is_marked_and_the_exit_code_shown(client):
    html = run(client, "docker start nosuch").get_data(as_text=True)
    assert '<pre class="stderr">Error response from daemon: No such container: nosuch\n' in html
    assert '<div class="exit-code" title="exit code">exit 1</div>' in html
    assert 'class="entry entry-failed"' in html


def test_successful_commands_show_no_exit_code(client):
    html = run(client, "docker ps").get_data(as_text=True)
    assert "exit-code" not in html


def test_command_text_and_output_are_escaped(client):
    html = run(client, "docker run <script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_history_is_sent_for_arrow_keys(client):
    run(client, "docker ps")
    run(client, "docker images")
    run(client, "docker images")
    html = client.get("/").get_data(as_text=True)
    assert """data-history='["docker ps", "docker images"]'""" in html


def test_a_command_sends_only_its_new_entry_appended_out_of_band(client):
    run(client, "docker pull alpine")
    html = run(client, "docker images").get_data(as_text=True)
    assert 'id="transcript"' not in html and "data-history" not in html
    assert html.count('<div hx-swap-oob="beforeend:#transcript-entries">') == 1
    assert transcript_commands(html) == ["docker images"]   # the entry carries its command for ↑/↓
    assert "Downloaded newer image" not in html              # the earlier entry is not sent again
    assert re.search(r"alpine\s+latest", html)


def test_a_blank_line_sends_no_transcript(client):
    run(client, "docker ps")
    html = run(client, "   ").get_data(as_text=True)
    assert "transcript" not in html and 'id="stage"' in html


@pytest.mark.parametrize("operation", ["clear", "/reset"])
def test_clear_and_reset_send_the_whole_transcript(client, operation):
    run(client, "docker pull alpine")
    run(client, "docker tag alpine mine")  # a change: undo takes back this line alone
    if operation.startswith("/"):
        html = client.post(operation, headers={"HX-Request": "true"}).get_data(as_text=True)
    else:
        html = run(client, operation).get_data(as_text=True)
    assert '<div id="transcript" class="transcript" hx-swap-oob="true" data-history=' in html
    assert "beforeend:#transcript-entries" not in html
    assert transcript_commands(html) == []


def undo_trim(html: str) -> tuple[int, list[str], list[str]]:
    """An undo's terminal answer: (entries removed from the end, entries put on top, new history)."""
    removed = re.findall(r'hx-swap-oob="delete:#transcript-entries &gt; \.entry:nth-last-child\(-n\+(\d+)\)"', html) or \
        re.findall(r'hx-swap-oob="delete:#transcript-entries > \.entry:nth-last-child\(-n\+(\d+)\)"', html)
    top = re.search(r'<div hx-swap-oob="afterbegin:#transcript-entries">(.*?)</div>\s*<div hx-swap-oob="beforeend:#transcript">',
                    html, re.S)
    history = re.search(r"<div id=\"history-update\" hidden data-history='([^']*)'>", html)
    return (int(removed[0]) if removed else 0, transcript_commands(top.group(1)) if top else [],
            json.loads(history.group(1).replace("&#34;", '"')) if history else None)


def test_undo_takes_only_its_entries_off_the_terminal(client):
    """The terminal is not drawn again after an undo: the entries it took back (the change and the
    read-only lines after it) leave the end of the terminal, and ↑/↓ gets the history without them."""
    for line in ("docker pull alpine", "docker ps", "docker tag alpine mine", "docker images", "docker ps"):
        run(client, line)
    html = client.post("/undo", headers=HX).get_data(as_text=True)
    assert 'id="transcript"' not in html and "beforeend:#transcript-entries" not in html
    assert "Downloaded newer image" not in html          # the entries that stay are not sent again
    assert undo_trim(html) == (3, [], ["docker pull alpine", "docker ps"])
    # the page drawn afresh shows what the trimmed terminal shows
    assert transcript_commands(client.get("/").get_data(as_text=True)) == ["docker pull alpine", "docker ps"]
    # nothing left to take back but the pull: then an empty terminal is drawn whole (its welcome text)
    html = client.post("/undo", headers=HX).get_data(as_text=True)
    assert '<div id="transcript" class="transcript" hx-swap-oob="true" data-history=' in html
    assert transcript_commands(html) == []
    # nothing to undo: the terminal is left as it is
    html = client.post("/undo", headers=HX).get_data(as_text=True)
    assert "transcript" not in html


def test_undo_brings_back_older_entries_into_a_full_terminal(app, client, monkeypatch):
    """The terminal shows the last TRANSCRIPT_SHOWN entries: after an undo the ones before come
    back into view at its top, as the whole terminal drawn afresh would show them."""
    from web import sandboxes

    monkeypatch.setattr(sandboxes, "TRANSCRIPT_SHOWN", 3)
    for line in ("docker pull alpine", "docker ps", "docker images", "docker tag alpine a", "docker tag alpine b"):
        run(client, line)
    html = client.post("/undo", headers=HX).get_data(as_text=True)
    removed, top, history = undo_trim(html)
    assert (removed, top) == (1, ["docker ps"])
    assert transcript_commands(client.get("/").get_data(as_text=True)) == ["docker ps", "docker images", "docker tag alpine a"]


def test_redo_appends_its_entry(client):
    run(client, "docker pull alpine")
    run(client, "docker tag alpine mine")
    client.post("/undo", headers=HX)
    html = client.post("/redo", headers=HX).get_data(as_text=True)
    assert 'id="transcript"' not in html
    assert html.count('<div hx-swap-oob="beforeend:#transcript-entries">') == 1
    assert transcript_commands(html) == ["docker tag alpine mine"]
    assert "transcript" not in client.post("/redo", headers=HX).get_data(as_text=True)   # nothing to redo


def test_clear_empties_the_terminal_but_keeps_history_and_state(app, client):
    run(client, "docker pull alpine")
    html = run(client, "clear").get_data(as_text=True)
    assert transcript_commands(html) == []
    assert '["docker pull alpine"]' in html
    assert image_tags(app, client) == {"alpine:latest"}
    html = run(client, "docker ps").get_data(as_text=True)
    assert transcript_commands(html) == ["docker ps"]


def test_explain_panel_names_the_last_command(client):
    html = run(client, "docker pull alpine").get_data(as_text=True)
    explain = html[html.index('id="explain"'):]
    assert "<code>docker pull alpine</code>" in explain


def test_an_overlong_command_is_refused(app, client):
    response = run(client, "x" * (app.config["MAX_COMMAND_LENGTH"] + 1))
    assert response.status_code == 400


# ---- undo, reset, new ----------------------------------------------------------------------
@pytest.mark.parametrize("htmx", [True, False])
def test_undo_steps_back_one_command(app, client, htmx):
    run(client, "docker pull alpine")
    run(client, "docker pull busybox")
    response = client.post("/undo", headers=HX if htmx else {})
    if htmx:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Undone: <code>docker pull busybox</code>" in html
        assert undo_trim(html)[0] == 1   # its entry leaves the terminal
    else:
        assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert transcript_commands(html) == ["docker pull alpine"]
    assert image_tags(app, client) == {"alpine:latest"}


@pytest.mark.parametrize("htmx", [True, False])
def test_redo_runs_again_what_undo_took_back(app, client, htmx):
    run(client, "docker pull alpine")
    run(client, "docker pull busybox")
    client.post("/undo", headers=HX if htmx else {})
    response = client.post("/redo", headers=HX if htmx else {})
    assert response.status_code == (200 if htmx else 303)
    html = client.get("/").get_data(as_text=True)
    assert transcript_commands(html) == ["docker pull alpine", "docker pull busybox"]
    assert image_tags(app, client) == {"alpine:latest", "busybox:latest"}
    client.post("/redo", headers=HX if htmx else {})  # nothing left to redo: no change
    assert transcript_commands(client.get("/").get_data(as_text=True)) == ["docker pull alpine", "docker pull busybox"]


@pytest.mark.parametrize("htmx", [True, False])
def test_reset_starts_the_same_sandbox_over(app, client, htmx):
    client.get("/")
    sandbox_id = session_sandbox_id(app, client)
    run(client, "docker pull alpine")
    response = client.post("/reset", headers=HX if htmx else {})
    assert response.status_code == (200 if htmx else 303)
    html = client.get("/").get_data(as_text=True)
    assert transcript_commands(html) == []
    assert image_tags(app, client) == set()
    assert session_sandbox_id(app, client) == sandbox_id


@pytest.mark.parametrize("htmx", [True, False])
def test_new_sandbox_from_a_scenario(app, client, htmx):
    client.get("/")
    old_id = session_sandbox_id(app, client)
    response = client.post("/new", data={"scenario": "article"}, headers=HX if htmx else {})
    assert response.status_code == (200 if htmx else 303)
    assert session_sandbox_id(app, client) != old_id
    html = client.get("/").get_data(as_text=True)
    assert {"nginx:latest", "alpine:latest"} <= image_tags(app, client)
    assert '<option value="article" title=' in html and " selected>" in html
    # Reset now goes back to the article's starting point
    run(client, "docker rmi -f nginx")
    assert "nginx:latest" not in image_tags(app, client)
    client.post("/reset")
    assert {"nginx:latest", "alpine:latest"} <= image_tags(app, client)


def test_new_sandbox_with_an_unknown_scenario_is_400(client):
    assert client.post("/new", data={"scenario": "nope"}).status_code == 400


# ---- completion --------------------------------------------------------------------------------
def test_tab_completion_of_subcommands(client):
    client.get("/")
    response = client.get("/complete", query_string={"line": "docker im"})
    assert response.status_code == 200
    assert response.get_json() == {"candidates": ["image", "images", "import"]}


def test_tab_completion_of_container_names(client):
    client.post("/new", data={"scenario": "article"})
    candidates = client.get("/complete", query_string={"line": "docker stop w"}).get_json()["candidates"]
    assert candidates == ["web"]


def test_tab_completion_without_a_session_is_empty(app):
    assert app.test_client().get("/complete?line=docker").get_json() == {"candidates": []}


# ---- persistence -------------------------------------------------------------------------------
def test_the_page_state_survives_a_restart(make_app, tmp_path):
    database = str(tmp_path / "restart.sqlite3")
    first = make_app(database)
    browser = first.test_client()
    run(browser, "docker pull alpine")
    cookie = browser.get_cookie("layerlab").value

    restarted_app = make_app(database)
    restarted = restarted_app.test_client()
    restarted.set_cookie("layerlab", cookie)
    html = restarted.get("/").get_data(as_text=True)
    assert transcript_commands(html) == ["docker pull alpine"]
    assert image_tags(restarted_app, restarted) == {"alpine:latest"}


def test_a_cleaned_up_sandbox_is_replaced_by_a_fresh_one(app, client):
    run(client, "docker pull alpine")
    app.extensions["sandbox_store"].delete(session_sandbox_id(app, client))
    html = run(client, "docker ps").get_data(as_text=True)
    assert transcript_commands(html) == ["docker ps"]


def test_html_errors_stay_html_outside_the_api(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"

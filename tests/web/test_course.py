"""The course's pages through the test client: lessons checked after every command, progress kept
in the store (surviving a restart), hints, predictions, the solution behind a confirmation, the
walkthrough, timeline, permalinks and both languages."""
from __future__ import annotations

import re

import pytest

from web import course_routes

HX = {"HX-Request": "true"}


@pytest.fixture
def make_course_app(make_app):
    def make(**config):
        app = make_app(**config)
        if "course" not in app.blueprints:      # until create_app registers it
            app.register_blueprint(course_routes.bp)
        return app
    return make


@pytest.fixture
def app(make_course_app):
    return make_course_app()


def run(client, slug, command, htmx=True):
    response = client.post(f"/lessons/{slug}/commands", data={"command": command}, headers=HX if htmx else {})
    assert response.status_code == (200 if htmx else 303)
    return response.get_data(as_text=True)


def test_the_lesson_list_names_every_lesson_and_the_final_challenge(client):
    page = client.get("/lessons").get_data(as_text=True)
    assert page.count('<li class="lesson-card') == 17
    assert "An image is a stack of read-only layers" in page and "Final challenge" in page
    assert "Solved: 0 of 17" in page


def test_a_lesson_starts_from_its_setup_and_is_not_solved(client):
    page = client.get("/lessons/03-create").get_data(as_text=True)
    assert "A container = an image + a read-write layer" in page
    assert "Not there yet. The goal is checked after every command." in page
    assert "<code>docker pull alpine</code>" in page          # how the lesson starts
    assert 'data-command="docker pull alpine"' not in page    # setup is not in the learner's terminal


def test_the_goal_is_checked_after_every_command_and_success_leads_on(client):
    first = run(client, "03-create", "docker container create --name wrong alpine")
    assert "Goal reached" not in first
    answer = run(client, "03-create", "docker container create --name box alpine")
    assert "Goal reached. Well done!" in answer
    assert 'href="/lessons/04-start-run"' in answer and "Next lesson: A running container: start and run" in answer
    assert "Solved: 1 of 17" in client.get("/lessons").get_data(as_text=True)


def test_progress_survives_a_server_restart(make_course_app, tmp_path):
    database = str(tmp_path / "kept.sqlite3")
    client = make_course_app(DATABASE=database).test_client()
    run(client, "12-pause", "docker pause web")
    restarted = make_course_app(DATABASE=database).test_client()
    with client.session_transaction() as old, restarted.session_transaction() as new:
        new.update(old)
    page = restarted.get("/lessons").get_data(as_text=True)
    assert "Solved: 1 of 17" in page


def test_leaving_a_lesson_and_coming_back_keeps_your_commands(client):
    run(client, "05-copy-up", "docker exec web touch /tmp/hello")
    client.get("/lessons/03-create")
    page = client.get("/lessons/05-copy-up").get_data(as_text=True)
    assert 'data-command="docker exec web touch /tmp/hello"' in page


def test_without_javascript_a_command_redirects_back_to_the_prompt(client):
    response = client.post("/lessons/12-pause/commands", data={"command": "docker pause web"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/lessons/12-pause#prompt")
    assert "Goal reached. Well done!" in client.get("/lessons/12-pause").get_data(as_text=True)


def test_undo_goes_back_but_never_past_the_setup(client):
    run(client, "12-pause", "docker pause web")
    client.post("/lessons/12-pause/undo", headers=HX)
    client.post("/lessons/12-pause/undo", headers=HX)          # nothing more of the learner's to undo
    page = client.get("/lessons/12-pause").get_data(as_text=True)
    assert "You solved this lesson before" in page
    run(client, "12-pause", "docker ps")
    assert "Up " in client.get("/lessons/12-pause").get_data(as_text=True)   # web is still running


def test_hints_are_revealed_one_at_a_time(client):
    page = client.get("/lessons/01-layers").get_data(as_text=True)
    assert "downloads an image layer by layer" not in page
    client.post("/lessons/01-layers/hint", headers=HX)
    page = client.get("/lessons/01-layers").get_data(as_text=True)
    assert "<code>docker pull nginx</code> downloads an image layer by layer" in page
    assert "look for the “Already exists” line" not in page and "Show another hint" in page


def test_the_solution_needs_a_confirmation(client):
    assert client.post("/lessons/01-layers/solution", data={}).status_code == 400
    assert "<li><code>docker pull python:3.12-slim</code></li>" not in client.get("/lessons/01-layers").get_data(as_text=True)
    client.post("/lessons/01-layers/solution", data={"confirm": "yes"})
    assert "<li><code>docker pull python:3.12-slim</code></li>" in client.get("/lessons/01-layers").get_data(as_text=True)


def test_predict_then_run(client):
    client.post("/lessons/03-create/answer", data={"question": "0", "choice": "0"}, headers=HX)
    page = client.get("/lessons/03-create").get_data(as_text=True)
    assert "Your prediction:" in page and "Now run the command and see what happens." in page
    page = run(client, "03-create", "docker container create --name box alpine")
    assert "Not quite. The answer:" in page and "<strong>None</strong>" in page
    assert "there is no isolated process space and no process until start" in page


def test_a_right_prediction_is_confirmed_after_the_run(client):
    client.post("/lessons/03-create/answer", data={"question": "0", "choice": "1"})
    page = run(client, "03-create", "docker create --name box alpine")
    assert "Right!" in page


@pytest.mark.parametrize("form", [{}, {"question": "0"}, {"question": "7", "choice": "0"}, {"question": "0", "choice": "x"}])
def test_a_malformed_answer_is_a_400(client, form):
    assert client.post("/lessons/03-create/answer", data=form).status_code == 400


def test_unknown_lesson_is_a_404(client):
    assert client.get("/lessons/99-nothing").status_code == 404
    assert client.post("/lessons/99-nothing/commands", data={"command": "docker ps"}).status_code == 404


def test_tab_completion_in_a_lesson(client):
    client.get("/lessons/12-pause")
    answer = client.get("/lessons/12-pause/complete", query_string={"line": "docker pause w"}).get_json()
    assert answer == {"candidates": ["web"]}


def test_the_goal_picture_shows_the_solved_state(client):
    page = client.get("/lessons/03-create/goal").get_data(as_text=True)
    assert "box" in page and "Goal picture" in page


# ---- languages ---------------------------------------------------------------------------------
def test_the_language_follows_accept_language(client):
    page = client.get("/lessons", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "已完成：0 / 17" in page and "镜像是一叠只读层" in page
    assert '<html lang="en">' in client.get("/lessons", headers={"Accept-Language": "fr, en;q=0.5"}).get_data(as_text=True)


def test_the_language_switch_wins_and_returns_to_the_page(client):
    response = client.get("/lang/zh_Hans", query_string={"next": "/lessons/01-layers"})
    assert response.status_code == 303 and response.headers["Location"] == "/lessons/01-layers"
    page = client.get("/lessons/01-layers", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "先预测，再运行" in page
    # Docker's own output stays English
    assert "Status: Downloaded newer image for nginx:latest" in run(client, "01-layers", "docker pull nginx")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_the_language_switch_never_leaves_the_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


# ---- walkthrough -------------------------------------------------------------------------------
def test_the_walkthrough_steps_through_the_article(client):
    page = client.get("/walkthrough?step=3").get_data(as_text=True)
    assert "Step 4 of 26" in page and "一个未被运行的容器的定义几乎和镜像是一模一样" in page
    assert "<code>docker container create --name web nginx</code>" in page
    assert 'data-prev="/walkthrough?step=2"' in page and 'data-next="/walkthrough?step=4"' in page


def test_presentation_mode_shows_only_caption_command_and_stage(client):
    page = client.get("/walkthrough?step=6&present=1").get_data(as_text=True)
    assert 'class="walk walk-present"' in page
    assert 'class="topbar' not in page and "walk-output" not in page
    assert 'data-next="/walkthrough?present=1&amp;step=7"' in page or 'data-next="/walkthrough?step=7&amp;present=1"' in page


@pytest.mark.parametrize("step", ["-5", "999", "abc"])
def test_a_step_outside_the_walkthrough_is_clamped(client, step):
    assert client.get(f"/walkthrough?step={step}").status_code == 200


# ---- timeline and permalinks -------------------------------------------------------------------
def _playground(client, *commands):
    client.get("/")
    for command in commands:
        client.post("/commands", data={"command": command}, headers=HX)


def test_the_timeline_shows_an_earlier_state_and_can_branch_from_it(client):
    _playground(client, "docker pull alpine", "docker create --name box alpine", "docker rm box")
    page = client.get("/timeline?at=2").get_data(as_text=True)
    assert "Continue from here (drop 1 later commands)" in page and ">box<" in page
    assert client.post("/timeline", data={"at": "2"}).status_code == 303
    state = client.get("/timeline").get_data(as_text=True)
    assert "<code>docker rm box</code>" not in state and "<code>docker create --name box alpine</code>" in state


def test_a_permalink_reproduces_the_state_for_someone_else(app, client):
    _playground(client, "docker pull alpine", "docker run --name hello alpine echo hi")
    page = client.get("/share").get_data(as_text=True)
    link = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', page).group(1)
    path = link.split("localhost", 1)[1]
    other = app.test_client()
    shared = other.get(path).get_data(as_text=True)
    assert "Someone shared this state with you: 2 commands." in shared and "hello" in shared
    assert other.post(path).status_code == 303
    assert "docker run --name hello alpine echo hi" in other.get("/").get_data(as_text=True)


@pytest.mark.parametrize("token", ["nonsense", "A" * 20000, "eJzLSM3JyQcABiwCFQ"])
def test_a_broken_permalink_is_a_400(client, token):
    assert client.get(f"/s/{token}").status_code == 400


# ---- the Chinese catalog is complete and compiled ---------------------------------------------------
def test_every_interface_string_has_a_chinese_translation_and_the_mo_is_compiled():
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    folder = root / "translations" / "zh_Hans" / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as f:
        po = read_po(f)
    with open(folder / "messages.mo", "rb") as f:
        mo = read_mo(f)
    used = set()
    # every page's templates (the main page, its partials and the stage's SVG too) and present/'s labels
    for sub, patterns in (("templates", [("**.html", "jinja2"), ("**.svg", "jinja2")]),
                          ("web", [("**.py", "python")]), ("present", [("**.py", "python")])):
        for _file, _line, message, _comments, _context in extract_from_dir(str(root / sub), patterns):
            used.add(message if isinstance(message, str) else message[0])
    assert len(used) > 250
    untranslated = [m for m in used if not (po.get(m) and po.get(m).string and all(_as_tuple(po.get(m).string)))]
    assert untranslated == []
    assert {_as_tuple(m.id): _as_tuple(m.string) for m in po if m.id and not m.fuzzy} == \
        {_as_tuple(m.id): _as_tuple(m.string) for m in mo if m.id}, "run pybabel compile -d translations"


def _as_tuple(value):
    """A plural entry's id and string are tuples in the .po, lists in the .mo."""
    return tuple(value) if isinstance(value, (list, tuple)) else value

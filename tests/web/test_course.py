"""The course's pages through the test client: lessons checked after every command, progress kept
in the store (surviving a restart), hints, predictions, the solution behind a confirmation, the
walkthrough, timeline, permalinks and both languages."""
from __future__ import annotations

import re

import pytest

from course.checks import run_step
from course.history import Step
from course.lessons import SEED, all_lessons, find
from web import course_routes, sandboxes

TOTAL = len(all_lessons())

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
    assert page.count('<li class="lesson-card') == TOTAL
    assert "An image is a stack of read-only layers" in page and "Final challenge" in page
    assert f"Solved: 0 of {TOTAL}" in page


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
    assert f"Solved: 1 of {TOTAL}" in client.get("/lessons").get_data(as_text=True)


def test_progress_survives_a_server_restart(make_course_app, tmp_path):
    database = str(tmp_path / "kept.sqlite3")
    client = make_course_app(DATABASE=database).test_client()
    run(client, "12-pause", "docker pause web")
    restarted = make_course_app(DATABASE=database).test_client()
    with client.session_transaction() as old, restarted.session_transaction() as new:
        new.update(old)
    page = restarted.get("/lessons").get_data(as_text=True)
    assert f"Solved: 1 of {TOTAL}" in page


def test_leaving_a_lesson_and_coming_back_keeps_your_commands(client):
    checklist = _checklist(run(client, "05-copy-up", "docker exec web touch /tmp/hello"))
    client.get("/lessons/03-create")
    page = client.get("/lessons/05-copy-up").get_data(as_text=True)
    assert 'data-command="docker exec web touch /tmp/hello"' in page
    run(client, "03-create", "docker create --name elsewhere alpine")   # now it moves to the other lesson
    assert "/tmp/hello" not in client.get("/lessons/03-create").get_data(as_text=True)
    for _visit in range(2):   # shown as it would be, then moved back for real by a command
        page = client.get("/lessons/05-copy-up").get_data(as_text=True)
        assert 'data-command="docker exec web touch /tmp/hello"' in page      # in the terminal, after the setup
        assert "elsewhere" not in page and _checklist(page) == checklist
        run(client, "05-copy-up", "")


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
    assert "Layers are shared" not in page
    client.post("/lessons/01-layers/hint", headers=HX)
    page = client.get("/lessons/01-layers").get_data(as_text=True)
    assert "Layers are shared: two images built on the same base layer" in page      # rung 1: the idea
    assert "Use <code>docker pull</code> twice" not in page and "Show another hint" in page


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
    assert "there is no process isolation space and no process until start" in page


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
    assert f"已完成：0 / {TOTAL}" in page and "镜像是一叠只读层" in page
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


# ---- checks that cannot be fooled, the goal beside the stage, the hint ladder ------------------------
def test_a_failed_or_mistyped_command_neither_reveals_nor_scores_a_prediction(client):
    client.post("/lessons/11-stop-kill/answer", data={"question": "0", "choice": "1"})
    for line in ["docker kill wrker", "dokcer kill worker", "docker kill web"]:   # wrong name, typo, other object
        page = run(client, "11-stop-kill", line)
        assert "Now run the command and see what happens." in page and "Right!" not in page
    page = run(client, "11-stop-kill", "docker kill worker")
    assert "Right!" in page


def test_a_prediction_after_the_experiment_is_not_recorded(client):
    run(client, "11-stop-kill", "docker kill worker")
    client.post("/lessons/11-stop-kill/answer", data={"question": "0", "choice": "1"})
    page = client.get("/lessons/11-stop-kill").get_data(as_text=True)
    assert "Your prediction:" not in page.split('id="question-0"')[1].split('id="question-1"')[0]
    assert "Right!" not in page and "The answer:" in page


def test_stop_alone_does_not_pass_the_lesson_that_asks_for_kill(client):
    page = run(client, "11-stop-kill", "docker stop web")
    page = run(client, "11-stop-kill", "docker stop worker")
    assert "Goal reached" not in page and "1 of 2 parts done." in page


def _checklist(page):
    return re.findall(r'<li class="subgoal( is-met)?">', page)


def test_the_checklist_ticks_after_each_command(client):
    page = client.get("/lessons/04-start-run").get_data(as_text=True)
    assert _checklist(page) == ["", ""] and 'class="goal-stage"' in page
    answer = run(client, "04-start-run", "docker start web")
    assert '<ul id="lesson-checklist" hx-swap-oob="innerHTML">' in answer and _checklist(answer) == [" is-met", ""]
    assert "made by <code>docker container run</code>" in answer
    answer = run(client, "04-start-run", "docker create --name web2 nginx")   # not run: the part stays open
    answer = run(client, "04-start-run", "docker start web2")
    assert _checklist(answer) == [" is-met", ""]


def test_success_says_what_was_learned(client):
    page = run(client, "12-pause", "docker pause web")
    assert "What you learned:" in page and "cgroup freezer" in page


def test_lessons_are_numbered_in_course_order(client):
    page = client.get("/lessons").get_data(as_text=True)
    assert page.index("/lessons/15-exec") < page.index("/lessons/05-copy-up")
    total = len(all_lessons())
    assert f"Lesson 5 of {total}" in client.get("/lessons/15-exec").get_data(as_text=True)


def test_hints_are_labelled_as_rungs_of_a_ladder(client):
    client.post("/lessons/01-layers/hint")
    page = client.get("/lessons/01-layers").get_data(as_text=True)
    assert '<span class="rung-name">The idea</span>' in page and "Show another hint · Which command" in page


def old_form_record(store, slug, lines, *, with_steps=True, **extra):
    """A course sandbox stored as records were before the course meta was typed: the whole meta in
    head["meta"]["course"], the sandbox in the snapshot (the lesson's start plus `lines`)."""
    lesson = find(slug)
    sandbox = lesson.start()
    since, steps = len(sandbox.transcript), []
    for line in lines:
        _result, step = run_step(lesson, sandbox, tuple(Step.from_json(s) for s in steps), line)
        steps.append(step.to_json())
    meta = {"lesson": slug, "since": since, "solved": [], "logs": {}, "hints": {}, "answers": {}, "solutions": [],
            **({"steps": steps} if with_steps else {}), **extra}
    head = {"scenario": None, "seed": SEED, "clear_from": since, "last": None, "meta": {"course": meta}}
    return sandboxes.create_from(store, sandbox, head)


def as_learner(client, sandbox_id):
    with client.session_transaction() as session:
        session[course_routes.COURSE_KEY] = sandbox_id


def test_a_record_kept_before_steps_were_is_rebuilt_on_the_next_visit(app, client):
    store = app.extensions["sandbox_store"]
    as_learner(client, old_form_record(store, "11-stop-kill", ["docker stop web", "docker kill worker"],
                                       with_steps=False))
    page = client.get("/lessons/11-stop-kill").get_data(as_text=True)
    assert "Goal reached" in page and _checklist(page) == [" is-met", " is-met"]


def test_a_record_in_the_old_form_loads_and_goes_on(make_course_app, tmp_path):
    """Course meta in head["meta"]["course"], the sandbox in the snapshot: read as it was, and the
    next change moves the meta to its own head fields; another process sees the same."""
    database = str(tmp_path / "old-form.sqlite3")
    app = make_course_app(DATABASE=database)
    store = app.extensions["sandbox_store"]
    sandbox_id = old_form_record(store, "04-start-run", ["docker start web"], solved=["12-pause"],
                                 hints={"04-start-run": 1}, answers={"03-create": {"0": 1}},
                                 logs={"05-copy-up": ["docker exec web touch /tmp/hello"]})
    client = app.test_client()
    as_learner(client, sandbox_id)
    page = client.get("/lessons/04-start-run").get_data(as_text=True)
    assert _checklist(page) == [" is-met", ""] and "Show another hint" in page
    assert 'data-command="docker start web"' in page
    assert f"Solved: 1 of {TOTAL}" in client.get("/lessons").get_data(as_text=True)
    answer = run(client, "04-start-run", "docker run -d --name web2 nginx")
    assert "Goal reached" in answer
    head = sandboxes.load(store, sandbox_id).record
    assert "course" not in head["meta"] and head["course"]["solved"] == ["12-pause", "04-start-run"]
    # another process (its own cache) reads the moved record the same
    other = make_course_app(DATABASE=database).test_client()
    as_learner(other, sandbox_id)
    page = other.get("/lessons/04-start-run").get_data(as_text=True)
    assert "Goal reached" in page and 'data-command="docker run -d --name web2 nginx"' in page
    # the lesson left earlier comes back with its commands
    assert 'data-command="docker exec web touch /tmp/hello"' in other.get("/lessons/05-copy-up").get_data(as_text=True)


def test_the_goal_picture_keeps_every_id_on_the_page_unique(client):
    page = client.get("/lessons/05-copy-up").get_data(as_text=True)
    ids = re.findall(r'(?<![\w-])id="([^"]+)"', page)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert 'id="goal-rw-stripes"' in page and 'id="goal-stage-title"' in page


def test_prefix_ids_renames_references_too():
    html = '<h2 id="t">x</h2><svg aria-labelledby="t other"><use href="#p"/><rect fill="url(#p)"/>' \
           '<pattern id="p"/></svg><a href="#elsewhere" data-id="t">'
    assert course_routes.prefix_ids(html, "g-") == \
        '<h2 id="g-t">x</h2><svg aria-labelledby="g-t other"><use href="#g-p"/><rect fill="url(#g-p)"/>' \
        '<pattern id="g-p"/></svg><a href="#elsewhere" data-id="t">'


def test_a_prediction_says_which_command_answers_it(client):
    client.post("/lessons/13-rm/answer", data={"question": "0", "choice": "1"})
    page = client.get("/lessons/13-rm").get_data(as_text=True)
    assert "It counts when this command is refused: <code>docker container rm web</code>" in page
    client.post("/lessons/11-stop-kill/answer", data={"question": "0", "choice": "1"})
    page = client.get("/lessons/11-stop-kill").get_data(as_text=True)
    assert "It counts when this command succeeds: <code>docker container kill worker</code>" in page


def test_a_dated_sentence_of_the_article_is_followed_by_what_docker_does_today(client):
    page = client.get("/lessons/09-save-export").get_data(as_text=True)
    assert "将镜像中的镜像层进行压缩" in page                               # the article's sentence, quoted
    assert "The article is from 2019. Docker 28.5 today:" in page and "does not compress" in page
    zh = client.get("/lessons/09-save-export", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "这篇文章写于 2019 年。今天的 Docker 28.5：" in zh and "并不压缩" in zh
    walk = client.get("/walkthrough?step=18").get_data(as_text=True)          # stop
    assert "Docker 28.5 today:" in walk and "SIGQUIT" in walk


def test_lesson_pages_and_posts_use_the_live_sandbox_without_decoding_or_encoding_it(app, client, monkeypatch):
    """Once the learner's sandbox is live in the process, a lesson's page, commands, undo, hints and
    predictions neither decode the record nor serialise the sandbox (each post stores one op row)."""
    from engine.sandbox import Sandbox

    run(client, "11-stop-kill", "docker ps")
    with client.session_transaction() as session:
        sandbox_id = session[course_routes.COURSE_KEY]
    store = app.extensions["sandbox_store"]
    version = store.version(sandbox_id)

    def refused(*args, **kwargs):
        raise AssertionError("the record was decoded or the sandbox serialised")

    monkeypatch.setattr(Sandbox, "from_json", classmethod(refused))
    monkeypatch.setattr(Sandbox, "to_json", refused)
    assert "docker ps" in client.get("/lessons/11-stop-kill").get_data(as_text=True)
    run(client, "11-stop-kill", "docker stop web")
    assert client.post("/lessons/11-stop-kill/undo", headers=HX).status_code == 200
    assert client.post("/lessons/11-stop-kill/hint", headers=HX).status_code == 200
    assert client.post("/lessons/11-stop-kill/answer", data={"question": "0", "choice": "1"}, headers=HX).status_code == 200
    page = run(client, "11-stop-kill", "docker kill worker")
    assert "Right!" in page and _checklist(page) == ["", " is-met"]
    assert store.version(sandbox_id) == version + 5 and store.load(sandbox_id).snap_version == 0   # op rows only


def test_a_course_sandbox_from_before_the_op_log_opens_its_lesson(make_course_app, tmp_path):
    """The course record in data/before-op-log.sql (one JSON document, progress kept before steps
    were: a command and a hint in lesson 1) is migrated on start and opens as it was left."""
    import sqlite3
    from pathlib import Path

    data = Path(__file__).parent / "data"
    database = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as db:
        db.executescript((data / "before-op-log.sql").read_text(encoding="utf-8"))
    app = make_course_app(DATABASE=str(database))
    client = app.test_client()
    as_learner(client, "Yb9hz1EILVCgeFAslrcTkw")
    page = client.get("/lessons/01-layers").get_data(as_text=True)
    assert 'data-command="docker images"' in page and "Layers are shared: two images built on the same base" in page
    run(client, "01-layers", "docker pull nginx")
    other = make_course_app(DATABASE=str(database)).test_client()
    as_learner(other, "Yb9hz1EILVCgeFAslrcTkw")
    page = other.get("/lessons/01-layers").get_data(as_text=True)
    assert page.index('data-command="docker images"') < page.index('data-command="docker pull nginx"')

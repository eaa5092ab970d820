"""Class mode over HTTP: start, join by code, the teacher's dashboard and API, follow me, safety."""
import re

import pytest

from web.class_store import RedisClassStore, SQLiteClassStore, StudentInfo, ClassFull, UnknownClass


def start(client):
    answer = client.post("/api/classes")
    assert answer.status_code == 201
    body = answer.get_json()
    assert re.fullmatch(r"[23456789BCDFGHJKMNPQRSTVWXYZ]{6}", body["code"]) and len(body["teacher_token"]) >= 32
    return body["code"], body["teacher_token"]


def test_api_contract(client, api):
    code, token = start(client)
    joined = client.post(f"/api/classes/{code}/join", json={"name": "Ana"})
    assert joined.status_code == 201
    sandbox_id = joined.get_json()["sandbox_id"]
    api.run(sandbox_id, "docker pull alpine")
    failed = api.run(sandbox_id, "docker stp web")
    assert failed["exit_code"] != 0

    view = client.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token})
    assert view.status_code == 200
    (ana,) = view.get_json()["students"]
    assert ana["name"] == "Ana" and ana["sandbox_id"] == sandbox_id
    assert (ana["last_command"], ana["last_exit_code"]) == ("docker stp web", failed["exit_code"])
    assert set(ana) == {"name", "sandbox_id", "lesson", "solved", "stuck", "last_command", "last_exit_code"}
    assert ana["stuck"] is False and ana["solved"] == []


@pytest.mark.parametrize("headers, status", [({}, 403), ({"X-Teacher-Token": "guess"}, 403)])
def test_dashboard_api_needs_the_teacher_token(client, headers, status):
    code, _ = start(client)
    assert client.get(f"/api/classes/{code}", headers=headers).status_code == status


def test_another_class_token_is_not_this_class(client):
    code, _ = start(client)
    _, other_token = start(client)
    assert client.get(f"/api/classes/{code}", headers={"X-Teacher-Token": other_token}).status_code == 403


@pytest.mark.parametrize("body", [None, [], {"name": 3}, {"name": ""}, {"name": "x" * 41}, {"nom": "Ana"}])
def test_join_with_a_bad_body_is_400(client, body):
    code, _ = start(client)
    answer = client.post(f"/api/classes/{code}/join", json=body) if body is not None else \
        client.post(f"/api/classes/{code}/join", data="not json")
    assert answer.status_code == 400 and "error" in answer.get_json()


def test_unknown_class_is_404(client):
    assert client.post("/api/classes/ZZZZZZ/join", json={"name": "Ana"}).status_code == 404
    assert client.get("/api/classes/ZZZZZZ", headers={"X-Teacher-Token": "x"}).status_code == 404


def test_class_size_limit_is_clear(make_app):
    client = make_app(CLASS_SIZE=2).test_client()
    code, _ = start(client)
    for name in ("A", "B"):
        assert client.post(f"/api/classes/{code}/join", json={"name": name}).status_code == 201
    full = client.post(f"/api/classes/{code}/join", json={"name": "C"})
    assert full.status_code == 409 and "full (2 students)" in full.get_json()["error"]


def test_join_is_rate_limited_per_address(make_app):
    client = make_app(CLASS_JOINS_PER_MINUTE=2).test_client()
    code, _ = start(client)
    statuses = [client.post(f"/api/classes/{code}/join", json={"name": f"s{i}"}).status_code for i in range(3)]
    assert statuses == [201, 201, 429]


def test_join_page_works_without_javascript_and_keeps_the_sandbox(client):
    code, token = start(client)
    page = client.get(f"/class?code={code}")
    assert page.status_code == 200 and f'value="{code}"' in page.get_data(as_text=True)
    bad = client.post("/class/join", data={"code": code, "name": "  "})
    assert bad.status_code == 400 and "display name" in bad.get_data(as_text=True)
    wrong = client.post("/class/join", data={"code": "BBBBBB", "name": "Li"})
    assert wrong.status_code == 400 and "BBBBBB" in wrong.get_data(as_text=True)
    done = client.post("/class/join", data={"code": code.lower(), "name": "Li <b>"})
    assert done.status_code == 303
    home = client.get("/class").get_data(as_text=True)
    assert "Li &lt;b&gt;" in home and "<b>" not in home
    with client.session_transaction() as s:
        sandbox_id = s["course_sandbox_id"]
    view = client.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token}).get_json()
    assert view["students"][0]["sandbox_id"] == sandbox_id
    client.post("/class/leave")
    with client.session_transaction() as s:
        assert "class" not in s and s["course_sandbox_id"] == sandbox_id     # their work stays theirs
    assert client.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token}).get_json()["students"] == []


def test_dashboard_shows_students_escaped_and_never_leaks_the_teacher_link(app):
    teacher, student = app.test_client(), app.test_client()
    started = teacher.post("/class")
    assert started.status_code == 303
    dashboard_url = started.headers["Location"]
    token = dashboard_url.rsplit("/", 1)[1]
    page = teacher.get(dashboard_url).get_data(as_text=True)
    code = re.search(r'class="join-code"[^>]*>([A-Z0-9]{6})<', page).group(1)
    assert "<svg" in page and 'class="qr"' in page
    student.post("/class/join", data={"code": code, "name": "<script>x</script>"})
    live = teacher.get(f"{dashboard_url}/live").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in live and "<script>x" not in live
    for path in ("/class", "/", "/lessons", "/walkthrough"):
        assert token not in student.get(path).get_data(as_text=True)
    assert student.get("/class/teach/not-the-token").status_code == 404


def test_follow_me_moves_following_students_and_not_those_who_broke_away(app):
    teacher, student = app.test_client(), app.test_client()
    token = teacher.post("/class").headers["Location"].rsplit("/", 1)[1]
    info = app.extensions["class_store"].by_teacher(token)
    student.post("/class/join", data={"code": info.code, "name": "Li"})
    first = student.get("/class/follow")
    etag = first.headers["ETag"]
    assert first.get_json()["target"] is None
    assert student.get("/class/follow", headers={"If-None-Match": etag}).status_code == 304
    teacher.get(f"/class/teach/{token}")                       # this browser leads the class now
    assert teacher.post("/class/lead", data={"step": "4"}).status_code == 204
    moved = student.get("/class/follow", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.get_json()["target"] == "/walkthrough?step=4"
    student.post("/class/following", data={"follow": "0"})
    assert student.get("/class/follow").get_json()["following"] is False
    teacher.post(f"/class/teach/{token}/send", data={"lesson": "walkthrough"})
    back = student.post("/class/following", data={"follow": "1"})
    assert back.headers["Location"] == "/walkthrough?step=0"
    assert student.post("/class/lead", data={"step": "2"}).status_code == 403   # a student cannot lead


def test_rotating_the_teacher_link_retires_the_old_one(client):
    token = client.post("/class").headers["Location"].rsplit("/", 1)[1]
    new = client.post(f"/class/teach/{token}/rotate").headers["Location"].rsplit("/", 1)[1]
    assert new != token
    assert client.get(f"/class/teach/{token}").status_code == 404
    assert client.get(f"/class/teach/{new}").status_code == 200


def test_student_stage_read_only_for_the_teacher(app):
    teacher = app.test_client()
    token = teacher.post("/class").headers["Location"].rsplit("/", 1)[1]
    info = app.extensions["class_store"].by_teacher(token)
    sandbox_id = teacher.post(f"/api/classes/{info.code}/join", json={"name": "Ana"}).get_json()["sandbox_id"]
    teacher.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker pull alpine"})
    student_id = app.extensions["class_store"].students(info.code)[0].student_id
    page = teacher.get(f"/class/teach/{token}/students/{student_id}?present=1")
    assert page.status_code == 200 and "alpine" in page.get_data(as_text=True)
    assert 'id="prompt"' not in page.get_data(as_text=True)       # read-only: no terminal


# ---- the store contract, SQLite and a real redis-server -------------------------------------------
@pytest.fixture(params=["sqlite", "redis"])
def class_store(request, tmp_path):
    now = [1000.0]
    if request.param == "sqlite":
        store = SQLiteClassStore(str(tmp_path / "c.sqlite3"), clock=lambda: now[0])
    else:
        import redis
        url, prefix = request.getfixturevalue("redis_url")
        store = RedisClassStore(redis.Redis.from_url(url), prefix=prefix, clock=lambda: now[0])
    return store, now


def test_store_contract(class_store):
    store, now = class_store
    info = store.create("BCDFGH", "tok", lifetime=100)
    with pytest.raises(KeyError):
        store.create("BCDFGH", "tok2", lifetime=100)
    assert store.by_teacher("tok").code == "BCDFGH" and store.by_teacher("nope") is None
    store.add_student("BCDFGH", StudentInfo("s1", "Ana", "sb1", 1.0), limit=2)
    store.add_student("BCDFGH", StudentInfo("s2", "Bo", "sb2", 2.0), limit=2)
    with pytest.raises(ClassFull):
        store.add_student("BCDFGH", StudentInfo("s3", "Cy", "sb3", 3.0), limit=2)
    with pytest.raises(UnknownClass):
        store.add_student("ZZZZZZ", StudentInfo("s4", "Di", "sb4", 4.0), limit=2)
    store.save_activity("BCDFGH", "s1", {"commands_seen": 3})
    assert [(s.name, s.activity) for s in store.students("BCDFGH")] == [("Ana", {"commands_seen": 3}), ("Bo", {})]
    assert store.set_follow("BCDFGH", {"kind": "walkthrough", "step": 2}) == info.follow_version + 1
    assert store.get("BCDFGH").follow == {"kind": "walkthrough", "step": 2}
    store.remove_student("BCDFGH", "s1")
    assert [s.name for s in store.students("BCDFGH")] == ["Bo"]
    store.rotate("BCDFGH", "tok3")
    assert store.by_teacher("tok") is None and store.by_teacher("tok3").code == "BCDFGH"
    now[0] += 101                                             # the class's days are over
    assert store.get("BCDFGH") is None and store.by_teacher("tok3") is None
    store.cleanup()


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/"])
def test_break_away_never_redirects_off_site(client, target):
    code, _ = start(client)
    client.post("/class/join", data={"code": code, "name": "Li"})
    answer = client.post("/class/following", data={"follow": "0", "next": target})
    assert answer.headers["Location"] == "/class"


def test_two_app_servers_sharing_redis_see_one_class(make_app, redis_url):
    """The teacher on one app server, the student on another: the class and its follow step are shared."""
    url, prefix = redis_url
    server_a = make_app(STORE=url, REDIS_PREFIX=prefix).test_client()
    server_b = make_app(STORE=url, REDIS_PREFIX=prefix).test_client()
    token = server_a.post("/class").headers["Location"].rsplit("/", 1)[1]
    code = server_a.get(f"/class/teach/{token}").get_data(as_text=True).split('class="join-code"', 1)[1]
    code = code.split(">", 1)[1][:6]
    assert server_b.post("/class/join", data={"code": code, "name": "Li"}).status_code == 303
    etag = server_b.get("/class/follow").headers["ETag"]
    server_a.post("/class/lead", data={"step": "3"})
    moved = server_b.get("/class/follow", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.get_json()["target"] == "/walkthrough?step=3"
    students = server_b.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token}).get_json()["students"]
    assert [s["name"] for s in students] == ["Li"]


def test_the_dashboard_reads_each_students_live_sandbox_current_and_without_decoding(make_app, tmp_path, monkeypatch):
    """Teacher and student on two server processes over one database: the dashboard sees every
    command the student ran on the other one, and, once its copy is current, redraws without
    decoding any record (it runs for every student every few seconds)."""
    from engine.sandbox import Sandbox

    database = str(tmp_path / "shared.sqlite3")
    teacher, student = make_app(database).test_client(), make_app(database).test_client()
    code, token = start(teacher)
    sandbox_id = student.post(f"/api/classes/{code}/join", json={"name": "Ana"}).get_json()["sandbox_id"]

    def last_command() -> str | None:
        view = teacher.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token})
        assert view.status_code == 200
        return view.get_json()["students"][0]["last_command"]

    for line in ("docker pull alpine", "docker image ls"):
        student.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": line})
        assert last_command() == line

    def no_decoding(*args, **kwargs):
        raise AssertionError("the dashboard decoded a record")

    monkeypatch.setattr(Sandbox, "from_json", classmethod(no_decoding))
    assert last_command() == "docker image ls"
    student.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker ps"})
    assert last_command() == "docker ps"   # the other process's op, replayed onto the live copy


def test_the_dashboard_reads_lesson_work_from_the_head_alone(make_app, tmp_path):
    """Lesson commands on the student's server process: the teacher's process shows the lesson, the
    checklist, the last command and the errors from the glance each lesson change keeps in the
    head, without loading the sandbox or replaying a command; a change outside a lesson (the
    playground's API) makes it read the sandbox."""
    from engine.sandbox import Sandbox
    from web import sandboxes

    database = str(tmp_path / "shared.sqlite3")
    teacher_app = make_app(database)
    teacher, student = teacher_app.test_client(), make_app(database).test_client()
    teacher_store = teacher_app.extensions["sandbox_store"]
    code, token = start(teacher)
    student.post("/class/join", data={"code": code, "name": "Ana"})
    with student.session_transaction() as session:
        sandbox_id = session["course_sandbox_id"]

    def no_sandbox(*args, **kwargs):
        raise AssertionError("the dashboard loaded or replayed a sandbox")

    def look() -> tuple[str, dict]:
        """The dashboard's live part and the API's row, read without any sandbox."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Sandbox, "from_json", classmethod(no_sandbox))
            patch.setattr(Sandbox, "run", no_sandbox)
            live = teacher.get(f"/class/teach/{token}/live").get_data(as_text=True)
            row = teacher.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token}).get_json()["students"][0]
        return live, row

    student.post("/lessons/11-stop-kill/commands", data={"command": "docker pul nginx"})
    live, row = look()
    assert (row["lesson"], row["last_command"], row["last_exit_code"]) == ("11-stop-kill", "docker pul nginx", 1)
    assert "docker: unknown command: docker pul" in live and "0 of 2" in live
    student.post("/lessons/11-stop-kill/commands", data={"command": "docker stop web"})
    live, row = look()
    assert (row["last_command"], row["last_exit_code"], row["solved"]) == ("docker stop web", 0, [])
    assert "1 of 2" in live
    student.post("/lessons/11-stop-kill/commands", data={"command": "docker kill worker"})
    live, row = look()
    assert row["solved"] == ["11-stop-kill"] and "✓ met" in live
    assert sandbox_id not in sandboxes.cache_of(teacher_store).entries   # never loaded in the teacher's process
    # a change outside a lesson: the glance is behind, so the dashboard reads the sandbox
    student.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker images"})
    assert sandboxes.course_glance(teacher_store, sandbox_id) is None
    answer = teacher.get(f"/api/classes/{code}", headers={"X-Teacher-Token": token}).get_json()["students"][0]
    assert answer["last_command"] == "docker images"

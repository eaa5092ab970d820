"""The grading API's contract: lessons in course order; an attempt checked on a fresh copy of the
lesson's start; 400 for a malformed body, 404 for an unknown lesson, never a 500."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from course.lessons import all_lessons

KILL = "/api/lessons/11-stop-kill/attempts"


@pytest.fixture
def app(make_app):
    return make_app(SANDBOXES_PER_MINUTE=1000)


def test_the_lessons_in_course_order_with_both_titles(client):
    response = client.get("/api/lessons")
    assert response.status_code == 200
    lessons = response.get_json()
    assert [l["slug"] for l in lessons] == [l.slug for l in all_lessons()]
    assert lessons[0] == {"slug": "01-layers", "title": {"zh": all_lessons()[0].title.zh,
                                                           "en": all_lessons()[0].title.en}}
    assert [l["slug"] for l in lessons].index("15-exec") < [l["slug"] for l in lessons].index("05-copy-up")


def test_the_solution_meets_the_goal_and_reveals_the_answers(client):
    response = client.post(KILL, json={"commands": ["docker container stop web", "docker container kill worker"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["goal_met"] is True
    assert [s["met"] for s in body["subgoals"]] == [True, True]
    assert "ended by `docker container kill`" in body["subgoals"][1]["text"]["en"]
    assert body["questions"] == [{"index": 0, "revealed": True, "answer": 1},
                                 {"index": 1, "revealed": False, "answer": None}]
    assert [(e["command"], e["exit_code"]) for e in body["transcript"]] == \
        [("docker container stop web", 0), ("docker container kill worker", 0)]
    assert body["transcript"][1]["stdout"] == "worker\n" and body["transcript"][1]["stderr"] == ""


def test_a_near_miss_shows_which_part_is_missing(client):
    body = client.post(KILL, json={"commands": ["docker stop web", "docker stop worker"]}).get_json()
    assert body["goal_met"] is False and [s["met"] for s in body["subgoals"]] == [True, False]
    assert body["questions"][1] == {"index": 1, "revealed": True, "answer": 1}  # stop answers question 2


def test_a_failed_command_or_a_typo_reveals_nothing(client):
    body = client.post(KILL, json={"commands": ["docker kill wrker", "dokcer kill worker"]}).get_json()
    assert body["questions"][0] == {"index": 0, "revealed": False, "answer": None}
    assert [e["exit_code"] for e in body["transcript"]] == [1, 127]


def test_each_attempt_starts_from_the_lesson_start(client):
    client.post(KILL, json={"commands": ["docker rm -f web worker"]})
    body = client.post(KILL, json={"commands": ["docker ps -q"]}).get_json()
    assert len(body["transcript"][0]["stdout"].split()) == 2


def test_no_commands_is_the_start_state(client):
    body = client.post(KILL, json={"commands": []}).get_json()
    assert body["goal_met"] is False and body["transcript"] == []


def test_an_unknown_lesson_is_404(client):
    response = client.post("/api/lessons/99-nope/attempts", json={"commands": []})
    assert response.status_code == 404 and "no such lesson" in response.get_json()["error"]


@pytest.mark.parametrize("body", [
    b"not json", b"", b"[]", b'"docker ps"', b'{"command": "docker ps"}', b'{"commands": "docker ps"}',
    b'{"commands": [1]}', b'{"commands": [null]}', b'{"commands": [["docker ps"]]}',
    b'{"commands": ["' + b"x" * 4097 + b'"]}', b'{"commands": [' + b",".join([b'"docker ps"'] * 201) + b"]}",
    b"\xff\xfe", b"[" * 100000,
])
def test_a_malformed_body_is_400_with_a_json_error(client, body):
    response = client.post(KILL, data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert response.get_json()["error"]


def test_the_limits_themselves_are_allowed(client):
    body = {"commands": ["docker ps"] * 200 + []}
    assert client.post(KILL, json=body).status_code == 200
    assert client.post(KILL, json={"commands": ["echo " + "x" * 4091]}).status_code == 200


def test_no_cookie_is_needed_nor_set(client):
    response = client.post(KILL, json={"commands": ["docker ps"]})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_only_get_and_post(client):
    assert client.delete(KILL).status_code == 405
    assert client.get(KILL).status_code == 405


def test_attempts_count_against_the_rate_of_new_sandboxes(make_app):
    client = make_app(SANDBOXES_PER_MINUTE=2).test_client()
    assert [client.post(KILL, json={"commands": []}).status_code for _ in range(2)] == [200, 200]
    refused = client.post(KILL, json={"commands": []})
    assert refused.status_code == 429 and refused.headers["Retry-After"] and refused.get_json()["error"]
    assert client.get("/api/lessons").status_code == 200           # reading the list costs nothing


WORDS = ["docker", "kill", "stop", "rm", "-f", "worker", "web", "nosuch", "'", '"', "$(", "&&", ";", "|", ">",
         "\x00", "\u202e", "🐳", "--signal", "KILL", "-s", "inspect", "{{json .}}", "container", "image", "pull"]


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)),
                max_size=6),
       st.sampled_from([l.slug for l in all_lessons()]))
def test_any_list_of_lines_is_graded_and_never_a_500(client, commands, slug):
    response = client.post(f"/api/lessons/{slug}/attempts", json={"commands": commands})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body["goal_met"], bool) and len(body["transcript"]) <= len(commands)
    assert all(q["answer"] is None for q in body["questions"] if not q["revealed"])

"""The every-level test: each lesson starts unsolved and its reference solution solves it.

Also: the lessons together retell the article in its order and cover every command it names.
"""
from __future__ import annotations

import tomllib

import pytest

from course.goals import holds
from course.lessons import LESSONS_DIR, LessonError, all_lessons, load_lessons, parse_lesson

LESSONS = all_lessons()


def _failed(sandbox, since):
    return [(e["command"], e["stderr"]) for e in sandbox.transcript[since:] if e["exit_code"]]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_the_start_state_is_unsolved_and_the_solution_solves_it(lesson):
    sandbox = lesson.start()
    assert _failed(sandbox, 0) == [], "every setup command succeeds"
    since = len(sandbox.transcript)
    assert not holds(lesson.goal, sandbox, since), "the start state must not already satisfy the goal"
    for command in lesson.solution:
        sandbox.run(command)
    assert _failed(sandbox, since) == [], "every command of the reference solution succeeds"
    assert holds(lesson.goal, sandbox, since)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_each_prediction_is_about_a_command_of_the_solution(lesson):
    for question in lesson.questions:
        assert any(question.about(command) for command in lesson.solution) or lesson.slug == "11-stop-kill", \
            question.before


def test_at_least_twelve_lessons_and_a_final_challenge():
    assert len(LESSONS) >= 13
    assert LESSONS[-1].challenge and not any(lesson.challenge for lesson in LESSONS[:-1])
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))


# The article's sections and commands, in its order (the seed article's headings and bullets).
ARTICLE_ORDER = [
    "docker pull",                # layers and the union mount (pull shows the layers)
    "docker image history", "docker image inspect",
    "docker container create",
    "docker container start", "docker container run", "docker container ls",
    "docker container diff",      # copy-up, whiteouts
    "docker image ls", "docker image rm", "docker image build", "docker image save",
    "docker container export",    # taught beside save
    "docker container stop", "docker container kill", "docker container pause",
    "docker container rm", "docker container commit", "docker container exec",
    "docker container inspect",
]


def test_the_lessons_cover_every_command_of_the_article_in_its_order():
    first_lesson = {}
    for lesson in LESSONS:
        for command in lesson.commands:
            first_lesson.setdefault(command, lesson.number)
    missing = [c for c in ARTICLE_ORDER if c not in first_lesson]
    assert missing == []
    numbers = [first_lesson[c] for c in ARTICLE_ORDER]
    assert numbers == sorted(numbers)
    # history is also its own lesson after save, as in the article's Image section
    assert any("docker image history" in l.commands for l in LESSONS if l.number > first_lesson["docker image save"])


def test_every_lesson_has_text_in_both_languages():
    for lesson in LESSONS:
        for text in (lesson.title, lesson.idea, lesson.goal_text, *lesson.hints):
            assert text.zh != text.en
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), (lesson.slug, text.zh)


def _lesson_data(**changes):
    data = tomllib.loads((LESSONS_DIR / "03-create.toml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, message", [
    ({"titel": "x"}, "unknown keys titel"),
    ({"title": {"en": "only English"}}, "'title' must be a table with non-empty zh and en strings"),
    ({"solution": []}, "'solution' must not be empty"),
    ({"goal": {"container": "box", "stat": "created"}}, "container has no fact 'stat'"),
    ({"hints": []}, "at least one hint"),
    ({"questions": [{"before": "x", "prompt": {"zh": "问", "en": "q"}, "choices": [{"zh": "甲", "en": "a"}],
                     "answer": 0, "explanation": {"zh": "解", "en": "e"}}]}, "at least two answers"),
])
def test_a_broken_lesson_is_reported_with_its_file_and_field(changes, message):
    with pytest.raises(LessonError, match="lessons/03-create.toml") as info:
        parse_lesson("03-create", _lesson_data(**changes))
    assert message in str(info.value)


def test_lesson_files_must_be_numbered(tmp_path):
    (tmp_path / "intro.toml").write_text("", encoding="utf-8")
    with pytest.raises(LessonError, match="lessons/intro.toml: lesson files are named NN-some-words.toml"):
        load_lessons(tmp_path)

"""The every-level test: each lesson starts unsolved and its reference solution solves it.

Also: the lessons together retell the article in its order and cover every command it names.
"""
from __future__ import annotations

import tomllib

import pytest

from course.checks import attempt
from course.goals import leaves
from course.lessons import (LESSONS_DIR, ORDER, LessonError, all_lessons, in_order, load_lessons,
                            parse_lesson)
from course.subgoals import subgoal_texts

LESSONS = all_lessons()


def _failed(sandbox, since):
    return [(e["command"], e["output"]) for e in sandbox.transcript[since:] if e["exit_code"]]


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_every_setup_and_solution_command_succeeds(lesson):
    assert _failed(lesson.start(), 0) == [], "every setup command succeeds"
    result = attempt(lesson, list(lesson.solution))
    assert [e["command"] for e in result.transcript if e["exit_code"]] == []


def test_at_least_twelve_lessons_and_a_final_challenge():
    assert len(LESSONS) >= 13
    assert LESSONS[-1].challenge and not any(lesson.challenge for lesson in LESSONS[:-1])
    assert [lesson.position for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))


def test_the_order_names_each_lesson_at_most_once_and_only_lessons_that_exist():
    slugs = {lesson.slug for lesson in LESSONS}
    assert len(set(ORDER)) == len(ORDER) and set(ORDER) <= slugs


def test_a_lesson_the_order_does_not_list_comes_after_the_others_and_before_the_challenge():
    extra = parse_lesson("18-new", tomllib.loads((LESSONS_DIR / "03-create.toml").read_text(encoding="utf-8")))
    ordered = in_order(list(load_lessons()) + [extra])
    assert ordered[-2].slug == "18-new" and ordered[-1].challenge
    assert [l.position for l in ordered] == list(range(1, len(ordered) + 1))
    assert [l.slug for l in ordered[:len(ORDER)]] == list(ORDER)


ALIASES = {"pull": "image pull"}  # the article's spelling -> the CLI's canonical path


def _taught(lesson) -> set[str]:
    return {ALIASES.get(c.removeprefix("docker "), c.removeprefix("docker ")) for c in lesson.commands}


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_a_solution_uses_only_commands_taught_by_then(lesson):
    """What depends on what: `exec` is taught before copy-up uses it, build before image ls -a."""
    taught = set().union(*(_taught(l) for l in LESSONS[:lesson.position]))
    used = {inv.path for step in attempt(lesson, list(lesson.solution)).world.steps for inv in step.invocations}
    assert used - taught == set()


def test_the_walkthrough_keeps_the_article_order():
    """The course reorders lessons by dependency; the article's own order lives in the walkthrough."""
    text = (LESSONS_DIR / "walkthrough.toml").read_text(encoding="utf-8")
    figures = [line.split('"')[1] for line in text.splitlines() if line.startswith("figure = ")]
    assert figures.index("Docker之image ls命令.png") < figures.index("Docker之image build命令.png") \
        < figures.index("Docker之container exec命令.png")


def test_every_lesson_says_what_it_taught():
    for lesson in LESSONS:
        assert lesson.learned is not None, lesson.slug


def test_every_lesson_has_text_in_both_languages():
    for lesson in LESSONS:
        for text in (lesson.title, lesson.idea, lesson.goal_text, *lesson.hints):
            assert text.zh != text.en
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), (lesson.slug, text.zh)


def _lesson_data(**changes):
    data = tomllib.loads((LESSONS_DIR / "03-create.toml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def _question(**reveal):
    return {"questions": [{"reveal": reveal, "prompt": {"zh": "问", "en": "q"},
                           "choices": [{"zh": "甲", "en": "a"}, {"zh": "乙", "en": "b"}],
                           "answer": 0, "explanation": {"zh": "解", "en": "e"}}]}


@pytest.mark.parametrize("changes, message", [
    (_question(command="docker (container )?rm"), "canonical command paths"),
    (_question(command="container rm", target=""), "reveal.target"),
    (_question(command="container rm", state={"container": "web", "sate": "running"}), "container has no fact 'sate'"),
    (_question(command="container rm", when="x"), "unknown keys when"),
    ({"questions": [{**_question()["questions"][0], "reveal": None, "before": "docker rm"}]},
     "reveal: a table naming at least the 'command'"),
    ({"subgoals": [{"zh": "甲", "en": "a"}, {"zh": "乙", "en": "b"}]}, "one text per part of the goal (1)"),
    ({"learned": {"en": "only English"}}, "'learned' must be a table"),
])
def test_a_broken_question_or_text_is_named(changes, message):
    with pytest.raises(LessonError) as info:
        parse_lesson("03-create", _lesson_data(**changes))
    assert message in str(info.value)


@pytest.mark.parametrize("changes, message", [
    ({"titel": "x"}, "unknown keys titel"),
    ({"title": {"en": "only English"}}, "'title' must be a table with non-empty zh and en strings"),
    ({"solution": []}, "'solution' must not be empty"),
    ({"goal": {"container": "box", "stat": "created"}}, "container has no fact 'stat'"),
    ({"hints": []}, "at least one hint"),
    ({"questions": [{"reveal": {"command": "container rm"}, "prompt": {"zh": "问", "en": "q"}, "choices": [{"zh": "甲", "en": "a"}],
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


def test_the_first_hint_is_never_the_solution():
    """Hints climb a ladder: the idea, which command, the exact line. The first rung holds no line
    of the solution (active once every lesson has its three rungs)."""
    if any(len(lesson.hints) < 3 for lesson in LESSONS):
        pytest.skip("the hints are being rewritten as three-rung ladders")
    for lesson in LESSONS:
        for line in lesson.solution:
            assert line not in lesson.hints[0].en and line not in lesson.hints[0].zh, (lesson.slug, line)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_every_part_of_a_goal_has_a_checklist_line_in_both_languages(lesson):
    texts = subgoal_texts(lesson)
    assert len(texts) == len(leaves(lesson.goal))
    for text in texts:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh) and not any("\u4e00" <= ch <= "\u9fff" for ch in text.en)

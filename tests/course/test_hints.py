"""Hints climb a ladder of three rungs: the idea, then which command, then the exact line(s).

The first rung never gives a command of the solution away; the last one holds every line of the
reference solution, in both languages, so a learner who asks three times can always finish.
"""
from __future__ import annotations

import pytest

from course.lessons import all_lessons

LESSONS = all_lessons()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_three_rungs_idea_command_exact_line(lesson):
    assert len(lesson.hints) == 3
    idea, _command, exact = lesson.hints
    for lang in ("zh", "en"):
        assert not any(line in idea.get(lang) for line in lesson.solution), "the first hint gives the solution away"
        assert "docker " not in idea.get(lang), "the first hint names no command line"
        missing = [line for line in lesson.solution if f"`{line}`" not in exact.get(lang)]
        assert missing == [], f"the third hint ({lang}) lacks the exact lines"

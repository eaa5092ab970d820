"""The article walkthrough: one step per figure, every command works, and stepping back is exact."""
from __future__ import annotations

import pytest

from course.lessons import LessonError
from course.walkthrough import parse_walkthrough, walkthrough

WALK = walkthrough()


def test_one_step_per_figure_of_the_article_in_its_order():
    figures = [step.figure for step in WALK.steps if step.figure]
    assert len(figures) == 25 and len(set(figures)) == 25   # the article has 25 figures
    assert figures[0] == "Docker之镜像的本质.png"
    assert figures.index("Docker之image build命令.png") < figures.index("Docker之container create命令.png")
    assert figures[-1] == "Docker之container export命令.png"
    assert WALK.steps[0].commands == ()       # the opening sentence: an empty stage


@pytest.mark.parametrize("index", range(len(WALK.steps)))
def test_every_command_of_the_walkthrough_succeeds(index):
    sandbox = WALK.sandbox_at(index)
    start = WALK.first_entry(index)
    entries = sandbox.transcript[start:]
    assert [e["command"] for e in entries] == list(WALK.steps[index].commands)
    assert [(e["command"], e["stderr"]) for e in entries if e["exit_code"]] == []


def test_the_state_at_a_step_is_the_replay_of_the_commands_up_to_it():
    from engine.sandbox import Sandbox

    fresh = Sandbox.create(0)
    for name, text in WALK.host_files:
        fresh.host_write(name, text.encode())
    for command in WALK.commands_up_to(9):
        fresh.run(command)
    assert fresh.state() == WALK.sandbox_at(9).state()


def test_the_figures_happen_on_the_stage():
    states = {c["name"]: c["state"] for c in WALK.sandbox_at(len(WALK.steps) - 1).state()["containers"]}
    assert states == {"web": "running", "web3": "exited"}
    assert WALK.sandbox_at(20).state()["containers"][0]["state"] == "paused"
    assert "web.tar" in WALK.sandbox_at(len(WALK.steps) - 1).host_files()


def test_steps_outside_the_walkthrough_are_clamped():
    assert WALK.clamp(-3) == 0 and WALK.clamp(999) == len(WALK.steps) - 1


def test_a_step_without_english_is_refused():
    with pytest.raises(LessonError, match=r"steps\[0\]: 'caption' must be a table with non-empty zh and en"):
        parse_walkthrough({"title": {"zh": "标题", "en": "t"}, "steps": [{"zh": "只有中文", "commands": []}]})

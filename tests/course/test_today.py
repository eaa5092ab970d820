"""Where the 2019 article is simplified or outdated, the lesson quoting it says what Docker 28.5 does."""
from __future__ import annotations

import tomllib

import pytest

from course.lessons import LESSONS_DIR, LessonError, find, parse_lesson
from course.walkthrough import walkthrough

# The article's sentences that Docker 28.5 no longer matches, and a word the correction must use.
DATED = {
    "02-metadata": "RootFS.Layers",          # one config per image, not per-layer metadata and pointers
    "06-image-ls": "lists images, not layers",
    "08-build": "BuildKit",                  # the article's loop is the legacy builder's
    "09-save-export": "does not compress",
    "10-history": "`<missing>`",
    "11-stop-kill": "PID 1",                 # the stop signal goes to PID 1, then SIGKILL
    "14-commit": "copies the container's changes",
    "16-inspect": "no metadata of their own",
    "17-bootfs-kernel": "no bootfs",
    "18-union-mount": "UpperDir",
}


@pytest.mark.parametrize("slug, word", DATED.items())
def test_a_dated_sentence_is_followed_by_what_docker_does_today(slug, word):
    lesson = find(slug)
    assert lesson.today is not None and word in lesson.today.en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lesson.today.zh)


def test_the_walkthrough_corrects_the_same_sentences():
    figures = {step.figure: step for step in walkthrough().steps if step.figure}
    for figure, word in [("Docker之镜像层.png", "RootFS.Layers"), ("Docker之image save命令.png", "does not compress"),
                         ("Docker之container stop命令.png", "PID 1"), ("Docker之container commit命令.png", "copies")]:
        assert figures[figure].today is not None and word in figures[figure].today.en


def test_a_today_note_needs_both_languages():
    data = tomllib.loads((LESSONS_DIR / "09-save-export.toml").read_text(encoding="utf-8"))
    data["today"] = {"en": "only English"}
    with pytest.raises(LessonError, match="'today' must be a table with non-empty zh and en strings"):
        parse_lesson("09-save-export", data)

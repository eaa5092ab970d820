"""present/ labels in the reader's language: English by default (no Flask), Chinese with the catalog."""
from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from engine.sandbox import Sandbox
from present import stage
from present.build import build_view, last_build
from present.i18n import translating

CATALOG = Translations.load(str(Path(__file__).resolve().parents[2] / "translations"), ["zh_Hans"])


def _sandbox(*commands: str) -> tuple[Sandbox, list]:
    sandbox = Sandbox.create(seed=0)
    events: list = []
    for command in commands:
        events = sandbox.run(command).events
    return sandbox, events


def test_the_stage_summary_and_a_ghost_in_english_by_default_and_in_chinese_when_asked():
    sandbox, events = _sandbox("docker run -d --name web nginx", "docker rm -f web")
    view = stage(sandbox.daemon, events, "docker rm -f web")
    assert view.summary == "1 image built from 7 distinct read-only layers; 0 containers."
    assert view.ghosts[0].detail.startswith("removed: its read-write")   # cut to fit the card
    with translating(CATALOG.gettext, CATALOG.ngettext):   # labels are made when read (a template renders)
        zh = stage(sandbox.daemon, events, "docker rm -f web")
        assert zh.summary == "1 个镜像，共 7 个不同的只读层；0 个容器。"
        assert zh.ghosts[0].detail.startswith("已删除：它的可读写层")
    assert stage(sandbox.daemon, events).summary.startswith("1 image")   # back to English afterwards


def test_a_build_step_note_in_chinese():
    sandbox, _ = _sandbox()
    sandbox.host_write("Dockerfile", b'FROM alpine\nRUN echo hi > /greeting\n')
    result = sandbox.run("DOCKER_BUILDKIT=0 docker build -t hello .")
    with translating(CATALOG.gettext, CATALOG.ngettext):
        view = build_view(sandbox.daemon, last_build(result.events))
        assert view.builder == "传统构建器" and view.steps[0].outcome == "ran" and view.steps[0].outcome_text == "已执行"
        assert view.note.startswith("临时容器 ") and "它的可读写层有 1 处改动" in view.note
    assert view.builder == "legacy builder"

"""The explain panel's texts: every command of the article has one, in English and Chinese."""
from __future__ import annotations

import pytest

from engine.events import ContainerStateChanged, CopiedUp, LayerAdded, LayerReused, WhiteoutAdded
from engine.sandbox import Sandbox

from present import command_kind, explain
from present.explain import TEXTS

ARTICLE = ["image ls", "image ls -a", "image rm", "build", "save", "history", "create", "start", "run", "ps",
           "stop", "kill", "pause", "rm", "commit", "exec", "inspect", "export"]
MORE = ["pull", "diff", "unpause", "restart", "load", "import", "tag", "image inspect", "logs", "top"]


@pytest.mark.parametrize("kind", ARTICLE + MORE)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_command_has_two_or_three_sentences_in_both_languages(kind, lang):
    text = TEXTS[kind][lang]
    ends = sum(text.count(mark) for mark in (("." ,) if lang == "en" else ("。",)))
    assert 1 <= ends <= 4, text
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("line,kind", [
    ("docker images", "image ls"), ("docker image ls -a", "image ls -a"), ("docker images --all", "image ls -a"),
    ("docker rmi nginx", "image rm"), ("docker image rm nginx", "image rm"),
    ("DOCKER_BUILDKIT=0 docker build -t x .", "build"), ("docker image build .", "build"),
    ("docker save -o a.tar nginx", "save"), ("docker image history nginx", "history"),
    ("docker container create nginx", "create"), ("docker start web", "start"), ("docker run -d nginx", "run"),
    ("docker ps -a", "ps"), ("docker container ls", "ps"), ("docker container stop web", "stop"),
    ("docker kill web", "kill"), ("docker pause web", "pause"), ("docker container rm -f web", "rm"),
    ("docker commit web x", "commit"), ("docker exec web ls", "exec"), ("docker inspect web", "inspect"),
    ("docker container inspect web", "inspect"), ("docker image inspect nginx", "image inspect"),
    ("docker export web", "export"), ("docker pull nginx", "pull"), ("docker diff web", "diff"),
    ("docker tag a b", "tag"), ("docker load -i a.tar", "load"), ("docker import a.tar", "import"),
    ("docker version", ""), ("ls", ""), ("docker 'unclosed", ""),
])
def test_command_kinds(line, kind):
    assert command_kind(line) == kind


def test_commit_in_the_articles_words():
    en = explain("docker commit web my-nginx", 0, [LayerAdded("sha256:ab", "sha256:cd")])
    # commit copies the changes into a new layer; the container keeps its read-write layer (moby daemon/commit.go)
    assert en.text.startswith("The container's changes are copied into a new read-only layer")
    assert "keeps its own read-write layer" in en.text and "paused" in en.text
    assert en.facts == ["read-only layers added: 1"]
    zh = explain("docker commit web my-nginx", 0, [], lang="zh")
    assert zh.text.startswith("容器的改动被复制进一个新的只读层")


def test_a_failed_command_says_nothing_changed():
    why = explain("docker start nosuch", 1, [])
    assert why.failed and why.text.startswith("The command failed, so nothing changed")
    assert explain("docker start nosuch", 1, [], lang="zh-CN").text.startswith("命令执行失败")


def test_facts_from_events():
    events = [LayerReused("sha256:a"), LayerAdded("sha256:b", "i"),
              ContainerStateChanged("c", "running", "exited", 137, "SIGKILL"),
              CopiedUp("/etc/x", "c"), WhiteoutAdded("/y", "c")]
    assert explain("docker kill web", 0, events).facts == [
        "read-only layers added: 1", "layers already present, shared: 1",
        "state: running → exited (137) · SIGKILL", "read-write layer: 1 copy-up, 1 whiteout"]
    assert explain("docker kill web", 0, events, lang="zh").facts[2] == "状态: running → exited (137) · SIGKILL"


def test_stop_facts_name_the_signals_the_engine_sent():
    """moby daemon/stop.go: the stop signal, the grace period, then SIGKILL; `stop -s KILL` sends
    SIGKILL alone. The facts say what was sent, nothing added."""
    sandbox = Sandbox.create(seed=0)
    for line in ("docker pull alpine", "docker run -d --name ww alpine sleep 1000",
                 "docker run -d --name kk alpine sleep 1000"):
        sandbox.run(line)
    stopped = sandbox.run("docker stop ww")
    assert "state: running → exited (137) · SIGTERM → SIGKILL" in explain("docker stop ww", 0, stopped.events).facts
    killed = sandbox.run("docker stop -s KILL kk")
    assert "state: running → exited (137) · SIGKILL" in explain("docker stop -s KILL kk", 0, killed.events).facts

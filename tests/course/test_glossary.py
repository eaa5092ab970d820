"""One word per concept (docs/glossary.md): the variants we retired must not come back.

Scanned: every lesson's prose, the walkthrough, the explain panel and the Chinese catalog. The
article's own sentences (a lesson's `idea.zh`, a walkthrough step's `zh` caption) are quotations and
keep the article's words.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (pattern, the word to use instead); docs/glossary.md's "retired variants" column
RETIRED = [
    (r"(?<!可)读写层", "可读写层"),
    (r"中间层镜像", "中间镜像"),
    (r"旧版构建器", "传统构建器"),
    (r"空层", "一条历史记录，没有层"),
    (r"浏览器", "层查看器 (the layer explorer)"),
    (r"复制上来", "向上复制（copy-up）"),
    (r"删除标签", "取消标签 (Docker prints “Untagged”)"),
    (r"(?i)isolated process space", "process isolation space"),
    (r"(?i)\bempty layers?\b", "a history row, no layer"),
    (r"(?i)\bclassic build", "legacy builder"),
    (r"(?i)read/write layer|\bRW layer", "read-write layer"),
]


def _strings(value, where: str):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


PROSE_KEYS = ("title", "idea", "goal_text", "subgoals", "hints", "questions", "today", "learned")


def _lesson_texts():
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]-*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key in PROSE_KEYS:
            for where, text in _strings(data.get(key), f"{path.name}:{key}"):
                if where.endswith(":idea.zh"):   # the article's sentence, quoted
                    continue
                yield where, text


def _walkthrough_texts():
    data = tomllib.loads((ROOT / "lessons" / "walkthrough.toml").read_text(encoding="utf-8"))
    yield from _strings(data["title"], "walkthrough.toml:title")
    for i, step in enumerate(data["steps"]):
        yield f"walkthrough.toml:steps[{i}].en", step["en"]   # steps[i].zh is the article's sentence
        yield from _strings(step.get("today"), f"walkthrough.toml:steps[{i}].today")


def _file_lines(relative: str):
    for number, line in enumerate((ROOT / relative).read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("#"):            # .po locations and flags
            yield f"{relative}:{number}", line


def texts():
    yield from _lesson_texts()
    yield from _walkthrough_texts()
    yield from _file_lines("present/explain.py")
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        yield from _file_lines(str(po.relative_to(ROOT)))


@pytest.mark.parametrize("pattern, instead", RETIRED, ids=[p for p, _ in RETIRED])
def test_a_retired_word_is_not_used(pattern, instead):
    found = [f"{where}: {text}" for where, text in texts() if re.search(pattern, text)]
    assert found == [], f"use “{instead}”"


def test_the_scan_reads_every_kind_of_text():
    wheres = [where for where, _ in texts()]
    assert any(w.startswith("21-challenge.toml:hints") for w in wheres)
    assert any(":questions[0].explanation.zh" in w for w in wheres)
    assert any(w.startswith("walkthrough.toml:steps[") and ".today." in w for w in wheres)
    assert any(w.startswith("present/explain.py:") for w in wheres)
    assert any("messages.po:" in w for w in wheres)


def test_the_retired_words_are_caught():
    # the test itself can fail: each variant is found in a sentence that uses it
    samples = ["容器 = 镜像 + 读写层", "它们是中间层镜像", "用旧版构建器", "一个空层", "打开浏览器", "先复制上来",
               "删除标签 a", "an isolated process space", "an empty layer", "a classic build", "the RW layer"]
    for (pattern, _), sample in zip(RETIRED, samples, strict=True):
        assert re.search(pattern, sample), pattern
    assert not re.search(RETIRED[0][0], "可读写层") and not re.search(RETIRED[8][0], "`empty_layer: true`")


def test_the_glossary_lists_every_retired_word():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for word in ["读写层 (without 可)", "中间层镜像", "旧版构建器", "空层", "浏览器", "复制上来", "删除标签",
                 "isolated process space", "empty layer", "classic builder", "read/write layer"]:
        assert word in glossary

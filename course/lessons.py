"""Lessons as data: one TOML file per lesson under lessons/, zh and en side by side.

    slug = "03-create"                      # from the file name
    title = { zh = "…", en = "…" }
    idea = { zh = "<the article's sentence>", en = "…" }
    commands = ["docker container create"]  # the article's commands this lesson teaches
    setup = ["docker pull alpine"]          # replayed on a fresh sandbox: the start state
    [host_files]                            # optional files in the learner's working directory
    Dockerfile = "FROM alpine\\n…"
    [goal] …                                # see course.goals
    goal_text = { zh = "…", en = "…" }
    [[hints]] zh = "…"  en = "…"            # revealed one at a time
    solution = ["docker container create --name box alpine"]
    [[questions]]                           # predict, then run
    before = "docker (container )?rm"       # the command it is about (a regex)
    prompt = { zh, en }  choices = [{ zh, en }, …]  answer = 1 (0-based)  explanation = { zh, en }
    [today]                                 # optional: where the 2019 article is simplified or
    zh = "…"  en = "…"                      # outdated, what Docker 28.5 does today

`load_lessons()` validates everything and raises LessonError naming the file and the field.
Nothing here touches Flask; only reading the lesson files does I/O.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from engine.sandbox import Sandbox

from .goals import Goal, GoalError, parse_goal

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
LANGS = ("zh", "en")
LESSON_FILE = re.compile(r"^(\d\d)-[a-z0-9-]+\.toml$")
SEED = 0  # every learner starts a lesson from the same world: ids match the hints and pictures


class LessonError(ValueError):
    """A lesson file that cannot be used: the message names the file and the field."""


@dataclass(frozen=True)
class Text:
    """One piece of text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class Question:
    before: str               # regex of the command this prediction is about
    prompt: Text
    choices: tuple[Text, ...]
    answer: int
    explanation: Text

    def about(self, command: str) -> bool:
        return re.search(self.before, command) is not None


@dataclass(frozen=True)
class Lesson:
    slug: str
    number: int
    title: Text
    idea: Text
    commands: tuple[str, ...]
    setup: tuple[str, ...]
    host_files: dict = field(hash=False)
    goal: Goal
    goal_text: Text
    hints: tuple[Text, ...]
    solution: tuple[str, ...]
    questions: tuple[Question, ...] = ()
    challenge: bool = False
    today: Text | None = None   # what Docker does today where the article's sentence is dated

    def start(self) -> Sandbox:
        """A fresh sandbox in the lesson's start state (host files first, then the setup)."""
        sandbox = Sandbox.create(SEED)
        for name, text in self.host_files.items():
            sandbox.host_write(name, text.encode())
        for line in self.setup:
            sandbox.run(line)
        return sandbox


def _text(data: dict, key: str, where: str) -> Text:
    value = data.get(key)
    if not isinstance(value, dict) or set(value) != set(LANGS) or not all(
            isinstance(value[lang], str) and value[lang].strip() for lang in LANGS):
        raise LessonError(f"{where}: '{key}' must be a table with non-empty zh and en strings")
    return Text(value["zh"].strip(), value["en"].strip())


def _strings(data: dict, key: str, where: str, *, required: bool = True) -> tuple[str, ...]:
    value = data.get(key, None if required else [])
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise LessonError(f"{where}: '{key}' must be a list of non-empty strings")
    if required and not value:
        raise LessonError(f"{where}: '{key}' must not be empty")
    return tuple(s.strip() for s in value)


def _question(data: dict, where: str) -> Question:
    if not isinstance(data, dict):
        raise LessonError(f"{where}: a question is a table")
    choices = data.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise LessonError(f"{where}: 'choices' must list at least two answers")
    answer = data.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
        raise LessonError(f"{where}: 'answer' must be the 0-based index of the right choice")
    before = data.get("before")
    if not isinstance(before, str) or not before:
        raise LessonError(f"{where}: 'before' must be a regex of the command the question is about")
    try:
        re.compile(before)
    except re.error as err:
        raise LessonError(f"{where}: bad 'before' regex: {err}") from None
    return Question(before, _text(data, "prompt", where),
                    tuple(_text({"c": c}, "c", f"{where}.choices[{i}]") for i, c in enumerate(choices)),
                    answer, _text(data, "explanation", where))


KNOWN_KEYS = {"title", "idea", "commands", "setup", "host_files", "goal", "goal_text", "hints",
              "solution", "questions", "challenge", "today"}


def parse_lesson(slug: str, data: dict) -> Lesson:
    where = f"lessons/{slug}.toml"
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise LessonError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    host_files = data.get("host_files", {})
    if not isinstance(host_files, dict) or not all(isinstance(v, str) for v in host_files.values()):
        raise LessonError(f"{where}: 'host_files' maps file names to their text")
    hints = data.get("hints")
    if not isinstance(hints, list) or not hints:
        raise LessonError(f"{where}: at least one hint")
    try:
        goal = parse_goal(data.get("goal"), f"{where}: goal")
    except GoalError as err:
        raise LessonError(str(err)) from None
    return Lesson(
        slug=slug,
        number=int(slug[:2]),
        title=_text(data, "title", where),
        idea=_text(data, "idea", where),
        commands=_strings(data, "commands", where, required=False),
        setup=_strings(data, "setup", where, required=False),
        host_files=dict(host_files),
        goal=goal,
        goal_text=_text(data, "goal_text", where),
        hints=tuple(_text({"h": h}, "h", f"{where}: hints[{i}]") for i, h in enumerate(hints)),
        solution=_strings(data, "solution", where),
        questions=tuple(_question(q, f"{where}: questions[{i}]") for i, q in enumerate(data.get("questions", []))),
        challenge=bool(data.get("challenge", False)),
        today=_text(data, "today", where) if "today" in data else None,
    )


def load_lessons(directory: Path = LESSONS_DIR) -> list[Lesson]:
    """Every lesson file in order of its number (01-…, 02-…); LessonError if any is broken."""
    lessons = []
    for path in sorted(directory.glob("*.toml")):
        if path.name == "walkthrough.toml":
            continue
        if not LESSON_FILE.match(path.name):
            raise LessonError(f"lessons/{path.name}: lesson files are named NN-some-words.toml")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise LessonError(f"lessons/{path.name}: {err}") from None
        lessons.append(parse_lesson(path.stem, data))
    numbers = [lesson.number for lesson in lessons]
    if len(set(numbers)) != len(numbers):
        raise LessonError("two lesson files share a number")
    return lessons


@lru_cache(maxsize=1)
def all_lessons() -> tuple[Lesson, ...]:
    """The course, loaded once per process (lesson files change only with a deploy)."""
    return tuple(load_lessons())


def find(slug: str) -> Lesson | None:
    return next((lesson for lesson in all_lessons() if lesson.slug == slug), None)


def next_lesson(lesson: Lesson) -> Lesson | None:
    lessons = all_lessons()
    index = lessons.index(lesson)
    return lessons[index + 1] if index + 1 < len(lessons) else None

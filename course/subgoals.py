"""Sub-goal texts: each part of a lesson's goal in words (zh and en), for the checklist that
ticks as the learner works, and for the grading API. Derived from the goal itself, so the list
can never disagree with what is checked; a lesson can still word them itself (`subgoals`)."""
from __future__ import annotations

from .goals import Goal, leaves
from .lessons import Lesson, Text

STATES = {"created": ("已创建、未启动", "created, not started"), "running": ("运行中", "running"),
          "paused": ("已暂停", "paused"), "exited": ("已退出", "exited"), "restarting": ("重启中", "restarting"),
          "dead": ("dead", "dead")}


def _cmd(path: str) -> str:
    return f"`docker {path}`"


def _regex(text: str) -> str:
    return text.strip("^$")


def _phrases(phrases: dict, facts: dict) -> tuple[list[str], list[str]]:
    """The zh and en phrases of the facts a table knows, in the goal's order."""
    pairs = [phrases[key](value) for key, value in facts.items() if key in phrases]
    return [z for z, _ in pairs], [e for _, e in pairs]


def _container(name: str, f: dict) -> Text:
    if f.get("absent"):
        return Text(f"容器 {name} 已被删除", f"Container {name} is removed")
    phrases = {
        "state": lambda v: STATES[v],
        "image": lambda v: (f"基于 {v}", f"from {v}"),
        "exit_code": lambda v: (f"退出码 {v}", f"exit code {v}"),
        "rw_has": lambda v: (f"可读写层里有 {v}", f"{v} in its read-write layer"),
        "rw_whiteout": lambda v: (f"可读写层里的 whiteout 遮住 {v}", f"a whiteout in its read-write layer hides {v}"),
        "rw_lacks": lambda v: (f"可读写层里没有 {v}", f"no {v} in its read-write layer"),
        "processes_at_least": lambda v: (f"至少 {v} 个进程", f"at least {v} processes"),
        "process_matches": lambda v: (f"里面运行着 `{_regex(v)}`", f"`{_regex(v)}` runs in it"),
        "command_matches": lambda v: (f"它的命令是 `{_regex(v)}`", f"its command is `{_regex(v)}`"),
        "signal": lambda v: (f"被 {v} 结束", f"ended by {v}"),
        "file": lambda v: (f"{v} 里有 “{f['contains']}”", f"its {v} says “{f['contains']}”"),
        "made_by": lambda v: (f"由 {_cmd(v)} 创建", f"made by {_cmd(v)}"),
        "ended_by": lambda v: (f"由 {_cmd(v)} 结束", f"ended by {_cmd(v)}"),
    }
    zh, en = _phrases(phrases, f)
    return Text(f"容器 {name}：" + "，".join(zh), f"Container {name}: " + ", ".join(en))


def _image(ref: str, f: dict) -> Text:
    if f.get("absent"):
        return Text(f"镜像 {ref} 已被删除", f"Image {ref} is removed")
    phrases = {
        "layers": lambda v: (f"{v} 层", f"{v} layers"),
        "layers_at_least": lambda v: (f"至少 {v} 层", f"at least {v} layers"),
        "has_parent": lambda v: ("有父镜像", "has a parent image") if v else ("没有父镜像", "no parent image"),
        "same_as": lambda v: (f"与 {v} 是同一个镜像", f"the same image as {v}"),
        "extends": lambda v: (f"在 {v} 的层之上多了新层", f"{v}'s layers with new ones on top"),
        "history_matches": lambda v: (f"历史里有 `{_regex(v)}` 这一步", f"its history has a `{_regex(v)}` step"),
        "file": lambda v: (f"{v} 里有 “{f['contains']}”", f"its {v} says “{f['contains']}”"),
        "tagged_by": lambda v: (f"标签由 {_cmd(v)} 打上", f"tagged by {_cmd(v)}"),
    }
    zh, en = _phrases(phrases, f)
    if not zh:
        return Text(f"镜像 {ref} 存在", f"Image {ref} exists")
    return Text(f"镜像 {ref}：" + "，".join(zh), f"Image {ref}: " + ", ".join(en))


def _host_file(name: str, f: dict) -> Text:
    if f.get("absent"):
        return Text(f"工作目录里没有 {name}", f"No {name} in your working directory")
    zh, en = [f"工作目录里有 {name}"], [f"{name} in your working directory"]
    if "tar_has" in f:
        zh.append(f"其中有 {f['tar_has']}")
        en.append(f"holding {f['tar_has']}")
    if "tar_lacks" in f:
        zh.append(f"其中没有 {f['tar_lacks']}")
        en.append(f"without {f['tar_lacks']}")
    return Text("，".join(zh), ", ".join(en))


# Commands whose target is named by a flag, not an argument (the rest of the line is the learner's).
NAMING_FLAG = {"container run": "--name", "container create": "--name", "image build": "-t"}
TAKES_MORE = {"container exec", "container commit", "container export"}  # what to run, the new tag, -o FILE


def _line(path: str, options: dict, target: str | None) -> str:
    flags = [f"--{k}" for k, v in options.items() if v is True]
    if target and path in NAMING_FLAG:
        return " ".join(["docker", path, *flags, NAMING_FLAG[path], target, "…"])
    more = ["…"] if path in TAKES_MORE else []
    return " ".join(["docker", path, *flags] + ([target] if target else []) + more)


def _ran(paths: list[str], f: dict, last: bool) -> Text:
    lines = [f"`{_line(p, f.get('options', {}), f.get('target'))}`" for p in paths]
    without = [f"--{k}" for k, v in f.get("options", {}).items() if v is False]
    zh = f"{lines[0]}{'（或 ' + '、'.join(lines[1:]) + '）' if lines[1:] else ''} 成功运行" \
        + (f"（不带 {' '.join(without)}）" if without else "")
    en = f"{lines[0]}{' (or ' + ', '.join(lines[1:]) + ')' if lines[1:] else ''} succeeded" \
        + (f" (without {' '.join(without)})" if without else "")
    return Text(zh + ("，且是最后一条命令" if last else ""), en + (", as your last command" if last else ""))


def _same_but_path(goals) -> bool:
    """`any` of `ran` leaves that differ only in the spelling of the command (image ls / images)."""
    return all(g.kind == "ran" and g.facts == goals[0].facts for g in goals)


def describe(goal: Goal) -> Text:
    f = dict(goal.facts)
    if goal.kind == "container":
        return _container(goal.value, f)
    if goal.kind == "image":
        return _image(goal.value, f)
    if goal.kind == "host_file":
        return _host_file(goal.value, f)
    if goal.kind == "untagged_images_at_least":
        return Text(f"至少 {goal.value} 个没有标签的镜像（<none>）", f"At least {goal.value} untagged images (<none>)")
    if goal.kind in ("ran", "last_ran"):
        return _ran([goal.value], f, goal.kind == "last_ran")
    if goal.kind == "revealed":
        return Text(f"回答第 {goal.value + 1} 题：先预测，再运行命令验证",
                    f"Question {goal.value + 1}: predict, then run the command that answers it")
    if goal.kind == "any" and _same_but_path(goal.children):
        return _ran([g.value for g in goal.children], dict(goal.children[0].facts), False)
    parts = [describe(g) for g in goal.children]
    if goal.kind == "not":
        return Text(f"不是这样：{parts[0].zh}", f"Not so: {parts[0].en}")
    joiner = {"all": ("；", "; "), "any": (" 或 ", " or ")}[goal.kind]
    return Text(joiner[0].join(p.zh for p in parts), joiner[1].join(p.en for p in parts))


def reveal_line(question) -> str:
    """The command line that answers a question, as a learner would type it."""
    reveal = question.reveal
    return _line(reveal.commands[0], dict(reveal.options), reveal.target)


def _question(lesson: Lesson, index: int) -> Text:
    """A question to answer by experiment, named with the command that answers it."""
    if not 0 <= index < len(lesson.questions):
        return describe(Goal("revealed", index))
    reveal = lesson.questions[index].reveal
    line = f"`{_line(reveal.commands[0], dict(reveal.options), reveal.target)}`"
    return Text(f"第 {index + 1} 题：先预测，再用一条成功的 {line} 验证",
                f"Question {index + 1}: predict, then check it with a {line} that succeeds")


def subgoal_texts(lesson: Lesson) -> list[Text]:
    if lesson.subgoals:
        return list(lesson.subgoals)
    return [_question(lesson, g.value) if g.kind == "revealed" else describe(g) for g in leaves(lesson.goal)]

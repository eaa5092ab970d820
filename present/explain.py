"""What the last command did underneath, in the article's terms, in English and Chinese.

`explain(command, exit_code, events, lang)` picks the text for the command's kind (aliases such
as `docker rmi`, `docker ps`, `docker images` map to their article names) and adds one line of
facts read from the events (how many layers were added, which signal was sent …).
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass

from engine.events import BuildFinished, Event

from .highlight import read_events

TEXTS: dict[str, dict[str, str]] = {
    "image ls": {
        "en": "Lists images, not layers: one row per repository:tag, and the SIZE column adds up all of "
              "the image's layers, even those shared with other images. Intermediate images (untagged parents "
              "of other images) are hidden; `-a` also shows those the legacy builder or `docker commit` left.",
        "zh": "列出的是镜像，不是层：每个“仓库:标签”一行，SIZE 把镜像所有的层都算上，包括与其他镜像共享的层。"
              "中间镜像（没有标签、又是别的镜像父镜像的镜像）默认不显示；加 `-a` 还会列出传统构建器或 `docker commit` 留下的中间镜像。",
    },
    "image ls -a": {
        "en": "With `-a`, the intermediate images appear too: untagged images that are the parents of "
              "others, one per step of a legacy build (the last step is the tagged image itself; BuildKit "
              "leaves none). They are not extra copies — they point at the same read-only layers as the final image.",
        "zh": "加上 `-a` 后，中间镜像也会出现：它们没有标签，是其他镜像的父镜像，传统构建的每个步骤一个（最后一步就是带标签的镜像本身；BuildKit 不留下中间镜像）。"
              "它们不是额外的拷贝，指向的是与最终镜像相同的只读层。",
    },
    "image rm": {
        "en": "Removes an image's tag and, when nothing else needs the image (another tag, a child image built "
              "on it, a container), the image itself. Its read-only layers are soft-deleted: each `Deleted:` "
              "line after the image's id is a layer no other image uses; a shared layer stays.",
        "zh": "删除镜像的标签；当再没有别的东西需要这个镜像（另一个标签、建立在它上面的子镜像、容器）时，删除镜像本身。"
              "它的只读层是“软删除”：镜像 ID 之后的每一行 `Deleted:` 都是没有别的镜像使用的层；共享的层会留下。",
    },
    "build": {
        "en": "The legacy builder (the article's model) repeats one loop per instruction: run a temporary "
              "container from the image so far, let the instruction change its read-write layer, and commit "
              "that layer as a new read-only layer — an intermediate image (`docker image ls -a` lists them) — "
              "then remove the container. Instructions that change no file change only the config: a history row, no layer. "
              "A step already done on the same stack prints `Using cache` and reuses its image; after the first "
              "changed step, every later step runs again.",
        "zh": "传统构建器（文章讲的模型）对每条指令重复同一个循环：用当前镜像启动一个临时容器，让指令修改它的可读写层，"
              "再把这一层提交为新的只读层——也就是一个中间镜像（`docker image ls -a` 能看到它们）——然后删除容器。"
              "不改文件的指令只改配置：历史里多一行，没有层。在同一摞层上做过的步骤会打印 `Using cache` 并复用那个镜像；"
              "从第一个改动过的步骤开始，之后的每一步都要重新执行。",
    },
    "build buildkit": {
        "en": "BuildKit, Docker's default builder, ends with the same stack of read-only layers but gets there "
              "differently: RUN steps run in its own containers that `docker ps` never shows, COPY writes straight "
              "into a layer, no intermediate images are left (the image has no parent chain), and it keeps its own "
              "build cache (`CACHED` lines in its progress, which goes to stderr). Its history lines end in "
              "`# buildkit`. `DOCKER_BUILDKIT=0` selects the article's legacy builder.",
        "zh": "BuildKit 是 Docker 默认的构建器，最后得到的也是一摞只读层，但过程不同：RUN 步骤在它自己的容器里执行，"
              "`docker ps` 永远看不到；COPY 直接写成一层；不留下中间镜像（镜像没有父镜像链）；它有自己的构建缓存"
              "（进度里的 `CACHED` 行，进度输出在 stderr 上）。它的历史记录以 `# buildkit` 结尾。"
              "用 `DOCKER_BUILDKIT=0` 可以换回文章讲的传统构建器。",
    },
    "save": {
        "en": "Packs the image into one tar, uncompressed: every read-only layer as its own tar (named by its "
              "DiffID) plus the metadata (the image's one config with its history, and a manifest listing "
              "the layers in order). "
              "`docker load` can rebuild the very same image from it, layer by layer.",
        "zh": "把镜像打包成一个不压缩的 tar：每个只读层各自一个 tar（以 DiffID 命名），再加上元数据（镜像唯一的一份配置及其历史，以及按顺序列出各层的 "
              "manifest）。`docker load` 能从中一层一层地还原出完全相同的镜像。",
    },
    "load": {
        "en": "Reads a tar made by `docker save`: each layer is unpacked into the store (a layer that is "
              "already there is reused, not copied) and the image is registered with its config and tags.",
        "zh": "读取 `docker save` 生成的 tar：每一层解包进存储（已存在的层直接复用，不再复制），"
              "再按其配置和标签登记镜像。",
    },
    "history": {
        "en": "Reads the history kept in the image's config, newest first, one row per build step: the "
              "instruction and the size its layer added. Rows of 0B changed only the config (ENV, CMD, "
              "EXPOSE …): a history row, no layer. IMAGE shows an id only where a local parent image exists.",
        "zh": "读取镜像配置里保存的历史，最新的在上，每个构建步骤一行：指令和它的层增加的大小。"
              "0B 的行只改了配置（ENV、CMD、EXPOSE……）：只有一条历史记录，没有层。IMAGE 一列只在本地有对应的父镜像时才显示 ID。",
    },
    "image inspect": {
        "en": "Prints the image's metadata as JSON: the config (Cmd, Env, WorkingDir …), and under RootFS "
              "the ordered list of its layers' DiffIDs — the stack you see on the stage.",
        "zh": "以 JSON 输出镜像的元数据：配置（Cmd、Env、WorkingDir……），以及 RootFS 下按顺序排列的各层 "
              "DiffID——也就是舞台上画出的那一摞。",
    },
    "pull": {
        "en": "Downloads the image's read-only layers one by one and stacks them in order. A layer the "
              "daemon already has (same content, same layers below) is not downloaded again: "
              "“Already exists” — images share it. The ids on these lines are digests of the compressed "
              "download; `docker image inspect` lists the uncompressed layers' DiffIDs instead.",
        "zh": "逐层下载镜像的只读层，并按顺序叠放。守护进程已有的层（内容相同、下面的层也相同）不会再下载，"
              "显示“Already exists”——多个镜像共享这一层。这些行上的 ID 是压缩下载内容的摘要；"
              "`docker image inspect` 列出的是未压缩层的 DiffID。",
    },
    "tag": {
        "en": "Adds another name to the same image: no layer is copied, both names point at one image id.",
        "zh": "给同一个镜像再起一个名字：不复制任何层，两个名字指向同一个镜像 ID。",
    },
    "import": {
        "en": "Makes a new image from a flat filesystem tar (such as `docker export` writes): the whole tree "
              "becomes one single read-only layer, with no history of how it was built.",
        "zh": "用一个扁平的文件系统 tar（比如 `docker export` 的输出）生成新镜像：整棵目录树成为唯一的一个只读层，"
              "没有构建历史。",
    },
    "create": {
        "en": "Adds a thin read-write layer on top of the image's read-only layers: that stack is the new "
              "container. No process runs yet — a created container is just a filesystem.",
        "zh": "在镜像的只读层之上添加一个可读写层，这一摞就是新容器。此时还没有任何进程运行——"
              "处于 created 状态的容器只是一个文件系统。",
    },
    "start": {
        "en": "Creates a process isolation space for the container's filesystem and runs its command in it "
              "as PID 1. A container has only one such space; the read-write layer it had is kept.",
        "zh": "为容器的文件系统创建一个进程隔离空间，并在其中以 PID 1 运行它的命令。"
              "一个容器只能有一个进程隔离空间；原来的可读写层保持不变。",
    },
    "restart": {
        "en": "Stops the container (its stop signal to PID 1, then SIGKILL after the grace period) and starts "
              "it again: a new process isolation space, the same read-write layer with all its changes.",
        "zh": "先停止容器（向 PID 1 发送停止信号，宽限期后 SIGKILL），再重新启动：新的进程隔离空间，"
              "但可读写层还是原来那个，所有改动都在。",
    },
    "run": {
        "en": "`create` then `start` in one step: first a read-write layer is added on top of the image, "
              "then a process isolation space is created and the command runs in it as PID 1.",
        "zh": "一步完成 `create` 和 `start`：先在镜像之上添加可读写层，再创建进程隔离空间，"
              "命令在其中以 PID 1 运行。",
    },
    "ps": {
        "en": "Lists the containers that have a running process isolation space; `-a` lists all of them, including "
              "created and exited ones whose read-write layer is still on disk.",
        "zh": "列出拥有运行中进程隔离空间的容器；加 `-a` 则列出全部，包括可读写层仍在磁盘上的 "
              "created 和 exited 容器。",
    },
    "stop": {
        "en": "Sends the image's stop signal (SIGTERM unless the image sets another; nginx's is SIGQUIT) to the "
              "container's main process, PID 1, waits up to the grace period (10 s by default), then sends "
              "SIGKILL. When PID 1 ends, the kernel ends the other processes and the process isolation space is "
              "gone. The read-write layer stays, so `docker start` finds every change again.",
        "zh": "向容器的主进程（PID 1）发送镜像的停止信号（镜像没有另外设置时是 SIGTERM；nginx 的是 SIGQUIT），"
              "最多等待宽限期（默认 10 秒），然后发送 SIGKILL。PID 1 结束时，内核结束其余进程，进程隔离空间随之消失。"
              "可读写层还在，所以 `docker start` 之后所有改动依然存在。",
    },
    "kill": {
        "en": "Sends SIGKILL (or the signal given with -s) to the container's main process, PID 1, at once: no "
              "grace period. When PID 1 ends, the kernel ends the rest and the process isolation space is gone; "
              "the read-write layer stays.",
        "zh": "立即向容器的主进程（PID 1）发送 SIGKILL（或 -s 指定的信号），没有宽限期。"
              "PID 1 结束时，内核结束其余进程，进程隔离空间随之消失；可读写层保留。",
    },
    "pause": {
        "en": "Freezes every process in the container's process isolation space with the cgroups freezer: they "
              "stay in memory but get no CPU until `docker unpause`.",
        "zh": "利用 cgroups 的 freezer 特性冻结容器进程隔离空间中的所有进程：它们留在内存里，"
              "但在 `docker unpause` 之前得不到 CPU。",
    },
    "unpause": {
        "en": "Thaws the frozen process isolation space: the same processes continue exactly where they stopped.",
        "zh": "解冻被冻结的进程隔离空间：同样的进程从停下的地方继续运行。",
    },
    "rm": {
        "en": "Deletes the container's read-write layer, and with it every change made inside the "
              "container. Allowed only when no process space is running (or with -f, which kills it first); "
              "the image's read-only layers are untouched.",
        "zh": "删除容器的可读写层，容器里做过的所有改动也随之消失。只能对非运行状态的容器执行"
              "（或者加 -f 先杀掉它）；镜像的只读层不受影响。",
    },
    "commit": {
        "en": "The container's changes are copied into a new read-only layer; the new image is the old "
              "image's layers plus this one, with the old image as its parent. The container keeps its own "
              "read-write layer and goes on running (it is paused while the changes are copied, by default).",
        "zh": "容器的改动被复制进一个新的只读层；新镜像 = 原镜像的所有层 + 这一层，父镜像是原镜像。"
              "容器保留它自己的可读写层，继续运行（默认在复制改动时暂停一下）。",
    },
    "exec": {
        "en": "Starts one more process inside the container's existing process isolation space; whatever "
              "it writes goes to the read-write layer (a lower file is first copied up, a deletion leaves "
              "a whiteout).",
        "zh": "在容器已有的进程隔离空间中再启动一个新进程；它写入的内容都进入可读写层"
              "（修改下层文件时先向上复制（copy-up），删除文件则留下一个 whiteout 标记）。",
    },
    "inspect": {
        "en": "Prints metadata as JSON, not files: for a container its state, config and GraphDriver (the "
              "read-write layer is UpperDir, the image's layers are in LowerDir, MergedDir is the union view); "
              "for an image its config and RootFS layer list.",
        "zh": "以 JSON 输出元数据，而不是文件：容器的状态、配置和 GraphDriver（可读写层是 UpperDir，"
              "镜像的各层在 LowerDir 里，MergedDir 是合并视图）；镜像的配置和 RootFS 层列表。",
    },
    "export": {
        "en": "Flattens the container's merged view — all read-only layers plus the read-write layer — into "
              "one tar of plain files. Layers, history and metadata are gone: one layer, nothing else.",
        "zh": "把容器的合并视图——所有只读层加上可读写层——整合成一个普通文件的 tar。"
              "层、历史和元数据都被去掉，只剩下一层。",
    },
    "diff": {
        "en": "Lists what the container changed compared with its image: the read-write layer's entries, "
              "A added, C changed (parent directories of a change count as changed), D deleted.",
        "zh": "列出容器相对于镜像的改动，也就是可读写层的内容：A 新增，C 修改（改动所在的上级目录也算修改），D 删除。",
    },
    "logs": {
        "en": "Prints what the container's main process wrote to stdout and stderr; the daemon keeps it even "
              "after the process has exited.",
        "zh": "输出容器主进程写到 stdout 和 stderr 的内容；即使进程已经退出，守护进程仍保留这些日志。",
    },
    "top": {
        "en": "Lists the processes inside the container's process isolation space, as the host sees them.",
        "zh": "列出容器进程隔离空间中的进程（从宿主机看到的样子）。",
    },
}

FAILED = {
    "en": "The command failed, so nothing changed on the stage: the message above is what Docker prints.",
    "zh": "命令执行失败，舞台上没有任何变化：上面的信息就是 Docker 打印的内容。",
}
# A line typed in a container's shell (docker run -it … sh) that changed something there.
INSIDE = {
    "en": "A command run inside the container's shell: what it writes lands in that container's read-write layer.",
    "zh": "这是在容器的 shell 里运行的命令：它写入的内容落在这个容器的可读写层。",
}
UNKNOWN = {
    "en": "This command reads state without changing the stage.",
    "zh": "这个命令只读取状态，不会改变舞台上的内容。",
}

# words after `docker` -> kind; management commands and their classic aliases
ALIASES = {
    ("images",): "image ls", ("image", "ls"): "image ls", ("image", "list"): "image ls",
    ("rmi",): "image rm", ("image", "rm"): "image rm", ("image", "remove"): "image rm",
    ("build",): "build", ("image", "build"): "build", ("buildx", "build"): "build",
    ("save",): "save", ("image", "save"): "save", ("load",): "load", ("image", "load"): "load",
    ("history",): "history", ("image", "history"): "history", ("image", "inspect"): "image inspect",
    ("pull",): "pull", ("image", "pull"): "pull", ("tag",): "tag", ("image", "tag"): "tag",
    ("import",): "import", ("image", "import"): "import",
    ("ps",): "ps", ("container", "ls"): "ps", ("container", "list"): "ps", ("container", "ps"): "ps",
}
CONTAINER_VERBS = ["create", "start", "restart", "run", "stop", "kill", "pause", "unpause", "rm", "commit",
                   "exec", "inspect", "export", "diff", "logs", "top"]


def command_kind(command: str) -> str:
    """'docker container stop web' -> 'stop'; 'docker images -a' -> 'image ls -a'; '' if unknown."""
    try:
        words = shlex.split(command or "")
    except ValueError:
        return ""
    while words and "=" in words[0] and not words[0].startswith("-"):  # VAR=x prefixes
        words = words[1:]
    if not words or words[0] != "docker":
        return ""
    words = words[1:]
    for length in (2, 1):
        kind = ALIASES.get(tuple(words[:length]))
        if kind:
            if kind == "image ls" and any(w in ("-a", "--all") for w in words[length:]):
                return "image ls -a"
            return kind
    verbs = words[1:] if words[:1] == ["container"] else words
    if verbs and verbs[0] in CONTAINER_VERBS:
        return verbs[0]
    if words[:1] == ["inspect"]:
        return "inspect"
    return ""


@dataclass
class Explanation:
    kind: str
    text: str
    facts: list[str]
    failed: bool = False


def explain(command: str, exit_code: int = 0, events: list[Event] | None = None, lang: str = "en") -> Explanation:
    lang = "zh" if (lang or "").startswith("zh") else "en"
    kind = command_kind(command)
    facts = event_facts(events, lang, kind)
    if exit_code and not events:
        return Explanation(kind, FAILED[lang], facts, failed=True)
    text_key = "build buildkit" if kind == "build" and not _legacy_build(command, events) else kind
    text = TEXTS[text_key][lang] if text_key in TEXTS else UNKNOWN[lang]
    if not kind and any(e.container_id for e in events or []):  # not a read: it changed a container
        text = INSIDE[lang]
    return Explanation(kind, text, facts, failed=bool(exit_code))


def _legacy_build(command: str, events: list[Event] | None) -> bool:
    """Which builder ran: the build event says so; a failed build has only its command line."""
    for event in events or []:
        if isinstance(event, BuildFinished):
            return event.legacy
    try:
        words = shlex.split(command or "")
    except ValueError:
        return False
    prefix = words[:words.index("docker")] if "docker" in words else []
    return any(w in ("DOCKER_BUILDKIT=0", "DOCKER_BUILDKIT=false") for w in prefix)


def _build_facts(events: list[Event] | None, zh: bool) -> list[str]:
    build = next((e for e in reversed(events or []) if isinstance(e, BuildFinished)), None)
    if build is None:
        return []
    steps = build.steps
    hits = sum(1 for s in steps if s.cached)
    if zh:
        facts = [f"步骤 {len(steps)} 个（FROM 之后）：{hits} 个命中缓存，{len(steps) - hits} 个重新执行"]
    else:
        facts = [f"steps after FROM: {len(steps)} · from the cache: {hits} · ran: {len(steps) - hits}"]
    if build.legacy:
        made = sum(1 for s in steps if s.image and not s.cached)
        facts.append(f"新的中间镜像：{made}（`docker image ls -a`）" if zh
                     else f"new intermediate images: {made} (`docker image ls -a`)")
    return facts


def _n(n: int, en: str, zh: str, lang: str) -> str:
    return f"{n} {zh}" if lang == "zh" else f"{n} {en}{'' if n == 1 else 's'}"


def event_facts(events: list[Event] | None, lang: str = "en", kind: str = "") -> list[str]:
    """One short line per kind of change, in the article's words."""
    c = read_events(events)
    zh = lang == "zh"
    facts = _build_facts(events, zh)
    if c.layers_added:
        facts.append(("新增只读层：" if zh else "read-only layers added: ") + str(len({d for _, d in c.layers_added})))
    if c.layers_reused:
        facts.append(("已存在、直接共享的层：" if zh else "layers already present, shared: ") + str(len(c.layers_reused)))
    if c.layers_removed:
        facts.append(("真正删除的层：" if zh else "layers really deleted: ") + str(len(c.layers_removed)))
    for _, tag in c.tags_removed:
        facts.append(("取消标签 " if zh else "untagged ") + tag)
    for event in c.images_removed:
        facts.append(("删除镜像 " if zh else "deleted image ") + event.image.split(":")[-1][:12])
    if c.containers_added:
        facts.append("新增可读写层（新容器）" if zh else "a read-write layer added (a new container)")
    if c.containers_removed:
        facts.append("可读写层被删除" if zh else "a read-write layer deleted")
    for cid, states in c.states.items():
        last = states[-1]
        signals = c.signals(cid)
        sent = (" · " + (" → ".join(signals))) if signals else ""
        to = last.to_state
        code = f" ({last.exit_code})" if to == "exited" and last.exit_code is not None else ""
        facts.append(f"{'状态' if zh else 'state'}: {last.from_state + ' → ' if last.from_state else ''}{to}{code}{sent}")
    files = [(k, p) for items in c.files.values() for k, p in items]
    if files:
        copy_ups = sum(1 for k, _ in files if k == "copy_up")
        whiteouts = sum(1 for k, _ in files if k == "whiteout")
        added = sum(1 for k, _ in files if k == "file_added")
        parts = []
        if added:
            parts.append(f"{added} 个新文件" if zh else _n(added, "new file", "", lang))
        if copy_ups:
            parts.append(f"{copy_ups} 次向上复制（copy-up）" if zh else _n(copy_ups, "copy-up", "", lang))
        if whiteouts:
            parts.append(f"{whiteouts} 个 whiteout" if zh else _n(whiteouts, "whiteout", "", lang))
        if parts:
            facts.append(("可读写层：" if zh else "read-write layer: ") + ", ".join(parts))
    return facts

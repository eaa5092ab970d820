"""Per-sandbox limits: explicit numbers, one clear error, checked *before* anything changes.

A classroom server keeps hundreds of sandboxes in memory and in its store, so each one is bounded.
Real Docker has no such limits, so the error cannot copy one of its texts; it is shaped like a
daemon error instead (`Error response from daemon: LayerLab limit: …`), names the number and
says what to do. Limits of the host working directory live in engine/host.py, the command
length in engine/terminal.py, the command-log length in engine/sandbox.py.

| limit | number | counted where |
|---|---|---|
| containers per sandbox | 50 | `create` / `run` (the builder's temporary containers never stay) |
| images per sandbox | 60 | every image the daemon stores, intermediate build images included |
| layers per sandbox | 300 | distinct layers in the layer store (a shared layer counts once) |
| entries per layer | 2,000 | files, directories, symlinks and whiteouts of one layer: a container's read-write layer, a build step's layer, an imported or loaded layer |
| bytes per file written in a container | 1 MiB | text a program writes into one file (`echo`, `cp`, `>>`) |
| bytes per layer | 16 MiB | file contents a layer really holds (a modelled binary counts as its short stand-in) |
| text in a container's shell | 2 Mi characters | one word, variable, or the output of one command (`a=$a$a$a…`, `cat f f f …`) |
| a container's log | 1 MiB | older lines are dropped, as a rotating log file drops them (`docker logs` shows the newest) |
| terminal output of one line | 256 Ki characters each for stdout and stderr | the rest is cut with a note (the full text can go to a file with `>`) |
| steps of one command line | 500,000 | engine/budget.py, counted while it runs: a command in a container's shell (60), a Dockerfile instruction (1,000 to build, 8 to read), a template node or `{{range}}` pass (1), a substitution, an archive entry, directory scans |
| characters one command line reads, writes or copies | 256 Mi | engine/budget.py: program output, files read (`cat f f f …`), template output, substituted text, decompressed archive bytes |
| shells and scripts inside each other | 32 | `sh -c 'sh -c …'`, a script that runs or sources itself |
| a template's output (`--format`) | 2 Mi characters | as it grows (`{{range N}}`, nested ranges, `printf` widths) |
| nesting in a template (`--format`) | 64 levels of parentheses and if/range/with | when the template is parsed |
| one Dockerfile value after `$VAR` substitution (`ARG`, `ENV`, `LABEL`, `COPY` …) | 64 Ki characters | as it grows, before it is stored |
| an image's environment and labels together | 256 Ki characters | each build step, before it adds to them (every page that shows the image carries them) |
| a regular expression (`grep`, `--filter name=`, `reference=`) | RE2: linear time, no backtracking | engine/patterns.py; a pattern RE2 cannot run (back-references) is refused with a grep-style error |
| an archive (`load`, `import`, `tar -tvf`) | 64 MiB, also once decompressed; 20,000 entries | engine/archive/tar.py, read as a stream (gzip, bzip2, xz) that stops at the cap |
"""
from __future__ import annotations

from engine.errors import LimitError

MIB = 1024 * 1024
MAX_CONTAINERS = 50
MAX_IMAGES = 60
MAX_LAYERS = 300
MAX_LAYER_ENTRIES = 2_000
MAX_FILE_BYTES = 1 * MIB
MAX_LAYER_BYTES = 16 * MIB
MAX_TEXT = 2 * MIB  # characters one program run may hold in a word or variable, or print
MAX_LOG_BYTES = 1 * MIB  # a container's kept log (the newest lines, like a rotating log file)
MAX_TERMINAL_OUTPUT = 256 * 1024  # characters of stdout (and of stderr) one terminal line shows
# The budget of one command line (engine/budget.py): deterministic counts, not seconds, so a replay
# gives the same answer on any machine. 500,000 steps take at most about a second of CPU here; a
# realistic build spends about 11,000, `docker ps`/`inspect` with a template under 500, most commands
# none (bench/realistic.py's groups; tests/engine/test_budget.py).
MAX_STEPS = 500_000
MAX_WORK_CHARS = 256 * MIB  # characters read, written or copied by one command line
MAX_DEPTH = 32  # shells and sourced scripts inside each other
MAX_TEMPLATE_DEPTH = 64  # parentheses and if/range/with blocks inside each other in a --format template
MAX_SUBSTITUTION = 64 * 1024  # characters of one Dockerfile value after $VAR substitution
MAX_CONFIG_CHARS = 256 * 1024  # characters of an image's Env and Labels together (a build can grow them)


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n % MIB == 0 else f"{n:,} bytes"


PREFIX = "Error response from daemon: LayerLab limit: "


def fail(what: str, limit: str, advice: str) -> None:
    """The one way a limit is reported: LimitError (exit 1) with the number and what to do."""
    raise LimitError(f"{PREFIX}{what}; the limit is {limit}. {advice}.")


# ---- objects of the daemon -----------------------------------------------------------------------
def check_new_container(daemon) -> None:
    if len(daemon.containers) >= MAX_CONTAINERS:
        fail(f"this sandbox already has {len(daemon.containers)} containers",
             f"{MAX_CONTAINERS} containers per sandbox",
             "Remove some with `docker rm` or `docker container prune` first")


def check_new_images(daemon, count: int = 1) -> None:
    """Before `count` new images are stored (pull, commit, build step, load, import)."""
    if count > 0 and len(daemon.images) + count > MAX_IMAGES:
        fail(f"this sandbox already has {len(daemon.images)} images",
             f"{MAX_IMAGES} images per sandbox (intermediate build images count too)",
             "Remove some with `docker rmi` or `docker image prune -a` first")


def check_new_layers(daemon, diff_ids) -> None:
    """Before the layers `diff_ids` are stored (those already in the store cost nothing)."""
    new = {d for d in diff_ids if d not in daemon.layers}
    if new and len(daemon.layers) + len(new) > MAX_LAYERS:
        fail(f"the layer store already holds {len(daemon.layers)} layers", f"{MAX_LAYERS} layers per sandbox",
             "Remove images and containers you no longer need first")


def check_text(size: int) -> None:
    """A word, variable or command output in a container's shell about to grow to `size` characters."""
    if size > MAX_TEXT:
        fail(f"a command in the container would make a text of {size:,} characters",
             f"{MAX_TEXT // MIB} Mi characters per word, variable or output", "Work with smaller text")


def check_substitution(size: int) -> None:
    """A Dockerfile word after `$VAR` substitution, as it grows (ARG, ENV, LABEL, COPY … values)."""
    if size > MAX_SUBSTITUTION:
        fail(f"a Dockerfile value would grow to {size:,} characters after variable substitution",
             f"{MAX_SUBSTITUTION // 1024} Ki characters per substituted value", "Use shorter values")


def config_chars(config: dict) -> int:
    """Characters of an image config's environment and labels (what a build can grow)."""
    labels = config.get("Labels") or {}
    return sum(map(len, config.get("Env") or ())) + sum(len(k) + len(v) for k, v in labels.items())


def check_config(size: int) -> None:
    """A build step about to add to an image's environment and labels (`size` with its words)."""
    if size > MAX_CONFIG_CHARS:
        fail(f"the image's environment and labels would hold {size:,} characters",
             f"{MAX_CONFIG_CHARS // 1024} Ki characters per image", "Use fewer or shorter ENV and LABEL values")


def check_template_output(size: int) -> None:
    """What a --format template prints for one object, as it grows ({{range N}}, printf widths)."""
    if size > MAX_TEXT:
        fail(f"the format template would print more than {MAX_TEXT // MIB} Mi characters",
             f"{MAX_TEXT // MIB} Mi characters per template output", "Print less with the template")


def check_width(width: int) -> None:
    """printf's field width: the padding would be text too."""
    check_text(width)


def trim_log(logs: list) -> None:
    """Keep a container's newest log lines within MAX_LOG_BYTES (a rotating log drops the oldest)."""
    total = sum(len(text) for _, text in logs)
    while logs and total > MAX_LOG_BYTES:
        total -= len(logs.pop(0)[1])


CUT_NOTE = (f"\n[LayerLab: output cut after {MAX_TERMINAL_OUTPUT:,} characters; "
            "redirect it to a file with `> FILE` to keep all of it]\n")


def cut_output(text: str) -> str:
    """What the terminal shows of one stream of one line: at most MAX_TERMINAL_OUTPUT characters."""
    if len(text) <= MAX_TERMINAL_OUTPUT:
        return text
    return text[:MAX_TERMINAL_OUTPUT] + CUT_NOTE


def cut_chunks(chunks: list) -> list:
    """The same cut on [stream, text] chunks in terminal order (each stream has its own budget)."""
    left = {"stdout": MAX_TERMINAL_OUTPUT, "stderr": MAX_TERMINAL_OUTPUT}
    kept = []
    for stream, text in chunks:
        room = left.get(stream, MAX_TERMINAL_OUTPUT)
        if room <= 0:
            continue
        left[stream] = room - len(text)
        kept.append([stream, text if len(text) <= room else text[:room] + CUT_NOTE])
    return kept


# ---- contents of layers ---------------------------------------------------------------------------
def content_bytes(entries) -> int:
    """Bytes of file contents really held (a modelled binary, content None, holds none)."""
    return sum(e.size for e in entries if e.content is not None)


def check_layer(changes: dict) -> None:
    """A whole layer about to be stored (commit, build step, import, load)."""
    if len(changes) > MAX_LAYER_ENTRIES:
        fail(f"a layer with {len(changes)} files and directories", f"{MAX_LAYER_ENTRIES:,} per layer",
             "Change fewer files in one step")
    total = content_bytes(changes.values())
    if total > MAX_LAYER_BYTES:
        fail(f"a layer holding {total:,} bytes", f"{_size(MAX_LAYER_BYTES)} per layer",
             "Write smaller files")


def check_write(upper: dict, path: str, entry, paths: list[str]) -> None:
    """One entry about to be put into a read-write layer (container or build step), unchanged ones free.
    `paths` are the paths the write puts in the layer: the entry's and its copied-up parents'."""
    old = upper.get(path)
    if entry.content is not None and entry.size > MAX_FILE_BYTES and entry != old:
        fail(f"{path} would hold {entry.size:,} bytes", f"{_size(MAX_FILE_BYTES)} per file written in a container",
             "Write smaller files")
    added = sum(1 for p in paths if p not in upper)
    if added and len(upper) + added > MAX_LAYER_ENTRIES:
        fail(f"the read-write layer already has {len(upper):,} changed files and directories",
             f"{MAX_LAYER_ENTRIES:,} per layer",
             "Remove files you no longer need, or remove the container and start a new one")
    if entry.content is not None and entry != old:
        total = content_bytes(upper.values()) - content_bytes([old] if old else []) + entry.size
        if total > MAX_LAYER_BYTES:
            fail(f"the read-write layer would hold {total:,} bytes", f"{_size(MAX_LAYER_BYTES)} per layer",
                 "Write smaller files or remove some")

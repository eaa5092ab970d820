"""What the store costs per command, and how fast a permalink to a 500-command log opens.

    python bench/store_bench.py
    BENCH_CODE=<a checkout of older LayerLab> python bench/store_bench.py   # the same on older code

Through the product's own code (a test client on a fresh SQLite file, no HTTP):
  * bytes written to the store per command on the realistic sandbox (bench/realistic.py), median
    and mean over its mix: the op row, transcript row and (every 32nd change) the snapshot; on the
    code before the op log, the whole JSON document each command rewrote;
  * the SQLite file's growth (database + WAL) per command, as a cross-check;
  * a permalink's first open for a 500-command log: /share, then GET /s/<token> from another
    process's app (a cold cache, nothing memoised). Older code put the log in the link and replayed
    it (and refused links over 300 commands), so there its cost is the 500-command replay.
  * lessons (`python bench/store_bench.py lessons`): every lesson's solution typed on its page (as
    the browser does: an htmx post per line), a fresh learner per lesson. Bytes written to the store
    per lesson command (median over all solution lines; opening the lesson, a new sandbox, apart),
    and the server's CPU per lesson command and per lesson page (this process's CPU time: the test
    client runs the app in it).
"""
from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time

CODE = os.environ.get("BENCH_CODE") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from realistic import build_commands, mix  # noqa: E402

sys.path.insert(0, CODE)   # after realistic (it puts this checkout first)

from app import create_app  # noqa: E402
from engine import sandbox as engine_sandbox  # noqa: E402
from web import store as store_module  # noqa: E402

NEW_STORE = hasattr(store_module, "Change")
CSRF_HEADER = "X-CSRF-Token"


def app_on(path: str):
    return create_app({"TESTING": True, "DATABASE": path, "SECRET_KEY": "bench", "SANDBOXES_PER_MINUTE": 0,
                       "REPLAYS_PER_MINUTE": 0})


def measure_writes(store) -> list[int]:
    """Wrap the store's write so each command's bytes are counted."""
    written: list[int] = []
    if NEW_STORE:
        original = store.append

        def append(sandbox_id, version, change):
            size = len(change.op.encode()) + sum(len(e.encode()) for e in change.entries) + len(change.snapshot or b"")
            written.append(size)
            return original(sandbox_id, version, change)
        store.append = append
    else:
        original = store.update

        def update(sandbox_id, change):
            def counted(data):
                new, answer = change(data)
                written.append(len(json.dumps(new, separators=(",", ":")).encode()))
                return new, answer
            return original(sandbox_id, counted)
        store.update = update
    return written


def file_bytes(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def written_to_files() -> int:
    """Bytes this process has passed to write() so far (/proc/self/io wchar): SQLite's WAL and
    database pages, whatever the record's layout makes it rewrite."""
    with open("/proc/self/io") as f:
        return int(next(line for line in f if line.startswith("wchar:")).split()[1])


def browser(app):
    """A test client that sends the CSRF token as the page does (tests/conftest.py's client)."""
    from itsdangerous import URLSafeTimedSerializer

    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "b" * 40
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("b" * 40)
    return client, {CSRF_HEADER: token, "HX-Request": "true"}


def lessons() -> None:
    """Bytes written and CPU per lesson command, over every lesson's solution path."""
    from course.lessons import all_lessons

    print(f"code: {CODE}; load average {os.getloadavg()}")
    tmp = tempfile.mkdtemp(prefix="layerlab-lesson-bench-")
    app = app_on(os.path.join(tmp, "lessons.sqlite3"))
    store = app.extensions["sandbox_store"]
    written = measure_writes(store)
    created: list[int] = []   # the new sandbox of each lesson (store.create)
    if NEW_STORE:
        original_create = store.create

        def create(snapshot, transcript):
            created.append(len(snapshot) + sum(len(e.encode()) for e in transcript))
            return original_create(snapshot, transcript)
        store.create = create
    commands, pages = [], []
    for rounds in range(2):   # the second round on warm code paths is the one kept
        commands.clear(), pages.clear()
        for lesson in all_lessons():
            client, headers = browser(app)
            assert client.get(f"/lessons/{lesson.slug}").status_code == 200
            for line in lesson.solution:   # the first also stores the learner's new sandbox (store.create, apart)
                before = len(written)
                start = time.process_time()
                answer = client.post(f"/lessons/{lesson.slug}/commands", data={"command": line}, headers=headers)
                cpu = time.process_time() - start
                assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
                commands.append((sum(written[before:]), cpu))
            start = time.process_time()
            assert "success-title" in client.get(f"/lessons/{lesson.slug}").get_data(as_text=True), lesson.slug
            pages.append(time.process_time() - start)
        if rounds == 0:
            written.clear(), created.clear()
    sizes = [size for size, _ in commands]
    cpus = [cpu * 1000 for _, cpu in commands]
    print(f"bytes written per lesson command ({len(sizes)} commands, {len(all_lessons())} lessons; a new "
          f"sandbox per lesson apart: {statistics.median(created or [0]) / 1024:.1f} KiB median): "
          f"median {statistics.median(sizes) / 1024:.2f} KiB, mean {statistics.mean(sizes) / 1024:.2f} KiB, "
          f"max {max(sizes) / 1024:.2f} KiB")
    print(f"CPU per lesson command over HTTP (test client, htmx answer): median {statistics.median(cpus):.1f} ms, "
          f"mean {statistics.mean(cpus):.1f} ms; the lesson page (GET, in the lesson) median "
          f"{statistics.median(pages) * 1000:.1f} ms")
    # a learner who stays long in one lesson: what the 1st, 10th and 30th command write
    client, headers = browser(app)
    long = []
    for n in range(30):
        before = len(written)
        client.post("/lessons/12-pause/commands", data={"command": f"docker tag nginx t{n}"}, headers=headers)
        long.append(sum(written[before:]))
    print(f"one lesson, 30 commands in a row: the 1st writes {long[0] / 1024:.2f} KiB, "
          f"the 10th {long[9] / 1024:.2f} KiB, the 30th {long[29] / 1024:.2f} KiB")
    print(f"load average after: {os.getloadavg()}")


def main() -> None:
    print(f"code: {'op log (this branch)' if NEW_STORE else 'one JSON document per sandbox (before)'}; "
          f"load average {os.getloadavg()}")
    tmp = tempfile.mkdtemp(prefix="layerlab-store-bench-")
    db = os.path.join(tmp, "bench.sqlite3")
    app = app_on(db)
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]

    def run(line: str) -> None:
        response = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": line})
        assert response.status_code == 200, response.get_data(as_text=True)

    for line in build_commands():
        run(line)
    written = measure_writes(app.extensions["sandbox_store"])
    lines = [line for n in range(1, 4) for line in mix(n)]
    physical = []
    for line in lines:
        start = written_to_files()
        run(line)
        physical.append(written_to_files() - start)
    print(f"bytes written per command, realistic sandbox ({len(lines)} commands): the record's bytes median "
          f"{statistics.median(written) / 1024:.1f} KiB, mean {statistics.mean(written) / 1024:.1f} KiB, "
          f"max {max(written) / 1024:.1f} KiB; written to the database files (WAL pages) median "
          f"{statistics.median(physical) / 1024:.1f} KiB, mean {statistics.mean(physical) / 1024:.1f} KiB")

    # grow the log to 500 commands, then share it
    n = 4
    while True:
        count = client.get(f"/api/sandboxes/{sandbox_id}").status_code and len(
            _log(app, sandbox_id))
        if count >= 500:
            break
        for line in mix(n)[: 500 - count]:
            run(line)
        n += 1
    log = _log(app, sandbox_id)
    print(f"log length {len(log)}")
    if NEW_STORE:
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["sandbox_id"] = sandbox_id
        page = browser.get("/share").get_data(as_text=True)
        link = re.search(r'value="(http[^"]+/s/[^"]+)"', page).group(1)
        path = link.split("localhost", 1)[-1]
        times = []
        for _ in range(5):   # each time a fresh app (another process's cold cache) opens the link first
            other = app_on(db).test_client()
            for name in other.application.jinja_env.list_templates(extensions=["html"]):
                other.application.jinja_env.get_template(name)   # as serve.py does before serving
            start = time.perf_counter()
            response = other.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and "Someone shared this state" in response.get_data(as_text=True)
        print(f"permalink first open, {len(log)} commands: median {statistics.median(times):.1f} ms "
              f"(runs {', '.join(f'{t:.0f}' for t in times)}); link {len(path)} characters")
    else:
        record = app.extensions["sandbox_store"].get(sandbox_id)
        sandbox = engine_sandbox.Sandbox.from_json(record["sandbox"])
        times = []
        for _ in range(3):
            engine_sandbox._REPLAYED.clear()
            start = time.perf_counter()
            engine_sandbox.Sandbox.replay(sandbox.seed, sandbox.scenario, sandbox.log, sandbox.uploads)
            times.append((time.perf_counter() - start) * 1000)
        print(f"permalink first open = replay of {len(log)} commands: median {statistics.median(times):.0f} ms "
              f"(runs {', '.join(f'{t:.0f}' for t in times)}); the old link refuses more than 300 commands")


def _log(app, sandbox_id: str) -> list[str]:
    if NEW_STORE:
        from web import sandboxes
        return sandboxes.load(app.extensions["sandbox_store"], sandbox_id).sandbox.log
    return app.extensions["sandbox_store"].get(sandbox_id)["sandbox"]["log"]


def dashboard(students: int = 60) -> None:
    """The class dashboard's live part (polled every few seconds) with 60 students in lesson 1, read
    by another process than the one that ran their commands (two app instances on one database,
    each with its own cache): cold (nothing cached), after every student typed one more command
    (the dashboard's copies are one command behind), and with nothing changed."""
    from course.lessons import all_lessons

    print(f"code: {CODE}; load average {os.getloadavg()}")
    database = os.path.join(tempfile.mkdtemp(prefix="layerlab-class-bench-"), "class.sqlite3")
    config = {"CLASS_JOINS_PER_MINUTE": 0, "CLASS_SIZE": students}
    serving = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "bench", "SANDBOXES_PER_MINUTE": 0,
                          "REPLAYS_PER_MINUTE": 0, **config})
    api = serving.test_client()
    started = api.post("/api/classes").get_json()
    lesson = all_lessons()[0]
    learners = []
    for n in range(students):
        sandbox_id = api.post(f"/api/classes/{started['code']}/join", json={"name": f"s{n}"}).get_json()["sandbox_id"]
        client, headers = browser(serving)
        with client.session_transaction() as session:
            session["course_sandbox_id"] = sandbox_id
        learners.append((client, headers))

    def type_one(line: str) -> None:
        for client, headers in learners:
            answer = client.post(f"/lessons/{lesson.slug}/commands", data={"command": line}, headers=headers)
            assert answer.status_code == 200

    type_one(lesson.solution[0])
    teacher = create_app({"TESTING": True, "DATABASE": database, "SECRET_KEY": "bench", **config}).test_client()
    url = f"/class/teach/{started['teacher_token']}/live"
    teacher.get("/class/teach/not-a-token/live")   # a running server has its templates compiled

    def look() -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        answer = teacher.get(url)
        assert answer.status_code == 200 and answer.get_data(as_text=True).count("s59") >= 1
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    cold = look()
    behind = []
    for line in ("docker images", "docker image ls", "docker ps -a"):
        type_one(line)
        behind.append(look())
    current = [look() for _ in range(5)]
    print(f"dashboard /live, {students} students, another process's cache: cold {cold[0]:.0f} ms (CPU {cold[1]:.0f}); "
          f"every student one command ahead: median {statistics.median(w for w, _ in behind):.0f} ms "
          f"(CPU {statistics.median(c for _, c in behind):.0f}); nothing changed: median "
          f"{statistics.median(w for w, _ in current):.0f} ms (CPU {statistics.median(c for _, c in current):.0f})")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    {"lessons": lessons, "dashboard": dashboard}.get((sys.argv[1:] or [""])[0], main)()

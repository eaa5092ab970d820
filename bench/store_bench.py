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
    return create_app({"TESTING": True, "DATABASE": path, "SECRET_KEY": "bench", "SANDBOXES_PER_MINUTE": 0})


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
            other.get("/s/" + "k" + "A" * 43)   # a running server has its templates compiled already
            other.get("/timeline")
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


if __name__ == "__main__":
    main()

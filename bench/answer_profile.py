"""Where a command's CPU goes on the server, without the network (Flask's test client, one process).

    python bench/answer_profile.py [commands=320] [--profile] [--undo] [--realistic]
    BENCH_CODE=<another checkout> python bench/answer_profile.py     # that checkout's app

A browser on the article scenario (alpine + nginx, three containers) runs load_test.py's MIX and,
like the page (static/stage.js), sends the `id:digest` pairs of the drawings it holds. Prints the
CPU ms per command (and per undo with --undo); --realistic: the realistic sandbox
(bench/realistic.py, built through the page first) and its command mix instead; --profile adds cProfile's top functions
(PROFILE_LINES=N of them, PROFILE_TOTTIME=1 also by own time, PROFILE_OUT=<file> keeps the profile).
"""
from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time

# BENCH_CODE=<another checkout>: that checkout's app (the "before" of bench/RESULTS.md)
sys.path.insert(0, os.environ.get("BENCH_CODE") or os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(1, os.path.dirname(os.path.abspath(__file__)))

from app import create_app  # noqa: E402
from load_test import MIX  # noqa: E402
from realistic import build_commands, mix  # noqa: E402
from server import CSRF, DIGEST, on_screen  # noqa: E402


class Page:
    """The page in a test client: its CSRF token and the drawings it holds."""

    def __init__(self, client):
        self.client = client
        first = client.get("/").get_data(as_text=True)
        self.token = CSRF.search(first).group(1)
        self.held = dict(DIGEST.findall(first))

    def post(self, path: str, data: dict | None = None) -> str:
        data = dict(data or {}, held=" ".join(f"{k}:{v}" for k, v in self.held.items()))
        answer = self.client.post(path, data=data, headers={"HX-Request": "true", "X-CSRF-Token": self.token})
        assert answer.status_code == 200, (path, answer.status_code)
        text = answer.get_data(as_text=True)
        self.held = on_screen(self.held, text)   # what the page holds afterwards, as bench/server.py's Browser
        return text


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 320
    tmp = tempfile.mkdtemp(prefix="layerlab-profile-")
    app = create_app({"DATABASE": os.path.join(tmp, "db.sqlite3"), "SECRET_KEY": "bench",
                      "SANDBOXES_PER_MINUTE": 0})
    page = Page(app.test_client())
    if "--realistic" in sys.argv:
        for line in build_commands():
            page.post("/commands", {"command": line})
        lines = [line for n in range(1, count // len(mix(0)) + 2) for line in mix(n)][:count]
    else:
        page.post("/new", {"scenario": "article"})
        lines = [MIX[i % len(MIX)].format(n=i // len(MIX)) for i in range(count)]
    for line in lines[:32]:                      # warm up (templates compiled, caches filled)
        page.post("/commands", {"command": line})
    profiler = cProfile.Profile(time.process_time) if "--profile" in sys.argv else None
    if "--undo" in sys.argv:
        work = [("/commands", {"command": line}) if i % 2 == 0 else ("/undo", None) for i, line in enumerate(lines)]
    else:
        work = [("/commands", {"command": line}) for line in lines]
    sizes = []
    start = time.process_time()
    if profiler:
        profiler.enable()
    for path, data in work:
        sizes.append(len(page.post(path, data)))
    if profiler:
        profiler.disable()
    cpu = (time.process_time() - start) * 1000 / len(work)
    import app as measured
    print(f"{os.path.dirname(measured.__file__)}: {len(work)} requests: {cpu:.2f} ms CPU each (test client, no network); answer median "
          f"{sorted(sizes)[len(sizes) // 2] / 1024:.1f} KiB")
    if profiler:
        if os.environ.get("PROFILE_OUT"):
            profiler.dump_stats(os.environ["PROFILE_OUT"])
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "45")))
        if os.environ.get("PROFILE_TOTTIME"):
            stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()

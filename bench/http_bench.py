"""Round trip of a command through the production server vs a bare Flask route, and page weight.

    python bench/http_bench.py

Starts the production server (bench/server.py: serve.py, or an older checkout's waitress) on loopback with a fresh database, builds the realistic
sandbox (bench/realistic.py) through POST /commands like a browser (htmx headers, CSRF token),
then times commands one after another. Ratio = median command round trip / median bare route.
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from machine_probe import probe  # noqa: E402
from realistic import build_commands, mix  # noqa: E402
from server import Browser, production_server, server_cpu_seconds  # noqa: E402


SMALL_MIX = ["docker images", "docker ps -a", "docker exec web touch /hello.txt", "docker diff web",
             "docker image history nginx", "docker run -d nginx", "docker container ls", "docker image inspect alpine"]


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    answer = call()
    return (time.perf_counter() - start) * 1000, answer


def exchanged(browser: Browser, call) -> tuple[float, object]:
    """A page request's round trip: request out, answer in (Browser.exchange_ms), like the bare
    route's. What the page then does with the answer (which drawings it now holds: ~0.4-1.5 ms of
    regular expressions in this client) is the browser's work, not the server's."""
    answer = call()
    return browser.exchange_ms, answer


CPU: dict[str, float] = {}


class cpu:
    """Server CPU ms per request over a block of requests: `with cpu("name", n): ...`."""

    def __init__(self, name: str, requests: int):
        self.name, self.requests = name, requests

    def __enter__(self):
        self.start = server_cpu_seconds()

    def __exit__(self, *exc):
        CPU[self.name] = (server_cpu_seconds() - self.start) * 1000 / self.requests


def page_weight(browser: Browser) -> dict:
    """The first page and every script, stylesheet, icon and font it references (uncompressed)."""
    html = browser.first_page
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"?#]+)', html)))
    sizes = {path: len(browser.http.get(browser.base + path, timeout=30).content) for path in assets}
    for path in [p for p in sizes if p.endswith(".css")]:  # fonts or images a stylesheet pulls in
        css = browser.http.get(browser.base + path, timeout=30).text
        for url in re.findall(r'url\(["\']?(/static/[^"\')?#]+)', css):
            sizes.setdefault(url, len(browser.http.get(browser.base + url, timeout=30).content))
    html_bytes = len(html.encode())
    return {"html": html_bytes, "assets": sizes, "total": html_bytes + sum(sizes.values())}


def main() -> None:
    before = probe()   # the machine's state, beside the times it explains (machine_probe.py)
    with production_server() as base:
        import requests
        bare_session = requests.Session()
        for _ in range(50):  # warm up
            bare_session.get(base + "/bench-bare")
        with cpu("bare", 300):
            bare = [timed(lambda: bare_session.get(base + "/bench-bare"))[0] for _ in range(300)]

        fresh = Browser(base)
        weight = page_weight(fresh)
        empty = [exchanged(fresh, lambda: fresh.command("docker ps"))[0] for _ in range(30)]

        # what a student really has: the article scenario (alpine + nginx, 3 containers) and a few
        # commands of their own
        small = Browser(base)
        small.post("/new", {"scenario": "article"}).raise_for_status()
        small_rounds, small_sizes = [], []
        for line in SMALL_MIX * 3:
            ms, response = exchanged(small, lambda: small.command(line))
            assert response.status_code == 200, (line, response.status_code)
            small_rounds.append(ms)
            small_sizes.append(len(response.content))

        browser = Browser(base)
        build_start = time.perf_counter()
        for line in build_commands():
            assert browser.command(line).status_code == 200, line
        build_s = time.perf_counter() - build_start
        rounds, sizes = [], []
        block = cpu("realistic", sum(len(mix(n)) for n in range(1, 4)))
        block.__enter__()
        for n in range(1, 4):
            for line in mix(n):
                ms, response = exchanged(browser, lambda: browser.command(line))
                assert response.status_code == 200, (line, response.status_code)
                rounds.append(ms)
                sizes.append(len(response.content))
        block.__exit__()
        # the server's own time for the same commands (one worker: the browser's keep-alive
        # connection); the rest of the round trip is transport, waitress and the client
        timings = browser.http.get(base + "/bench-timings")   # an older checkout's bench app has none
        served = [ms for path, ms in timings.json() if path == "/commands"][-len(rounds):] if timings.ok else []
        # the same mix once more, a bare request before each command: both measured in the same
        # conditions (the bare route's own median above is taken in a tight loop of its own)
        paired_rounds, paired_bare = [], []
        for n in range(4, 6):
            for line in mix(n):
                paired_bare.append(timed(lambda: bare_session.get(base + "/bench-bare"))[0])
                ms, response = exchanged(browser, lambda: browser.command(line))
                assert response.status_code == 200, (line, response.status_code)
                paired_rounds.append(ms)
        reads = [exchanged(browser, lambda: browser.command("docker ps"))[0] for _ in range(30)]
        with cpu("undo", 10):
            undo = [exchanged(browser, lambda: browser.post("/undo"))[0] for _ in range(10)]
        # the same through the JSON API (no page drawn): what undo itself costs, store included
        api = requests.Session()
        api_id = api.post(base + "/api/sandboxes", json={}).json()["id"]
        for line in build_commands() + mix(1):
            api.post(f"{base}/api/sandboxes/{api_id}/commands", json={"command": line})
        api_undo = []
        for _ in range(5):
            with cpu(f"api_undo{_}", 2):
                api_undo += [timed(lambda: api.post(f"{base}/api/sandboxes/{api_id}/undo"))[0] for _ in range(2)]
            api.post(f"{base}/api/sandboxes/{api_id}/commands", json={"command": "docker ps"})
        realistic_page = len(browser.http.get(base + "/").content)

    med = statistics.median
    print(f"bare Flask route:            median {med(bare):6.2f} ms  p95 {sorted(bare)[int(len(bare) * .95)]:6.2f} ms")
    print(f"docker ps, empty sandbox:    median {med(empty):6.2f} ms  ratio {med(empty) / med(bare):5.1f}x")
    print(f"command mix (n={len(small_rounds)}), small classroom sandbox: median {med(small_rounds):6.2f} ms"
          f"  p95 {sorted(small_rounds)[int(len(small_rounds) * .95)]:6.2f} ms  ratio {med(small_rounds) / med(bare):5.1f}x"
          f"  response median {med(small_sizes) / 1024:.0f} KiB")
    print(f"realistic sandbox built through {len(build_commands())} commands in {build_s:.1f} s")
    print(f"command mix (n={len(rounds)}), realistic: median {med(rounds):6.2f} ms  mean {statistics.mean(rounds):6.2f}"
          f"  p95 {sorted(rounds)[int(len(rounds) * .95)]:6.2f} ms  ratio {med(rounds) / med(bare):5.1f}x"
          f"  response median {med(sizes) / 1024:.0f} KiB")
    if served and len(served) == len(rounds):
        print(f"  of which in the app (WSGI call, server side): median {med(served):6.2f} ms; "
              f"the rest (waitress, loopback, client) median {med(r - s for r, s in zip(rounds, served)):6.2f} ms")
    print(f"  paired, a bare request before each command (n={len(paired_rounds)}): command median "
          f"{med(paired_rounds):6.2f} ms, bare median {med(paired_bare):6.2f} ms, ratio "
          f"{med(paired_rounds) / med(paired_bare):5.1f}x")
    print(f"docker ps, realistic:        median {med(reads):6.2f} ms  ratio {med(reads) / med(bare):5.1f}x")
    print(f"undo (HTTP), realistic:      median {med(undo):6.2f} ms  (page answer: whole terminal + stage)")
    print(f"undo (HTTP API), realistic:  median {med(api_undo):6.2f} ms  (JSON state answer)")
    api_cpu = statistics.mean(CPU[f"api_undo{i}"] for i in range(5))
    print(f"server CPU per request (load-independent): bare {CPU['bare']:.2f} ms, realistic command "
          f"{CPU['realistic']:.1f} ms = {CPU['realistic'] / CPU['bare']:.1f}x, page undo {CPU['undo']:.1f} ms, "
          f"API undo {api_cpu:.1f} ms")
    print(f"load average now: {os.getloadavg()}")
    print(f"before the run: {before}; after: {probe()}")
    print(f"first page weight (fresh sandbox): {weight['total'] / 1024:.1f} KiB = html {weight['html'] / 1024:.1f} KiB + "
          + ", ".join(f"{p.rsplit('/', 1)[-1]} {s / 1024:.1f}" for p, s in weight["assets"].items()))
    print(f"page html with the realistic sandbox: {realistic_page / 1024:.0f} KiB")


if __name__ == "__main__":
    main()

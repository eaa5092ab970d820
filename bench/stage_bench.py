"""The stage's cost per command, as a browser sees it (not part of the test suite).

    python bench/stage_bench.py            # both measurements
    python bench/stage_bench.py size       # answer size only
    python bench/stage_bench.py paint      # command-to-painted only (needs /usr/bin/chromium)

1. Answer size: the realistic sandbox (bench/realistic.py: 10 images, 20 containers) built through
   POST /commands on the production server, then the 66-command mix (3 rounds of realistic.mix) posted
   like the page's htmx does, *including* the `held` field the page sends (the id:digest pairs of the
   drawings on screen, kept up to date from each answer as static/stage.js would). Median bytes.
2. Command-to-painted: Chromium on the page with a 13-object sandbox (5 images, 8 containers); from
   the prompt's submit to the second animation frame after htmx settled the answer (the frame that
   shows it has been painted), split into the answer's arrival (server + loopback) and the browser's
   part (swap, layout, paint). Median over 31 commands after 5 warm-up ones.

A server that ignores `held` (an older LayerLab) simply answers in full, so the same script
measures before and after.
"""
from __future__ import annotations

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from realistic import build_commands, mix  # noqa: E402
from server import DIGEST, Browser, production_server  # noqa: E402

def answer_sizes() -> None:
    with production_server() as base:
        browser = Browser(base)   # sends `held` like the page (bench/server.py)
        for line in build_commands():
            assert browser.command(line).status_code == 200, line
        browser.held = dict(DIGEST.findall(browser.http.get(base + "/").text))   # a fresh page load
        sizes = []
        for n in range(1, 4):
            for line in mix(n):
                response = browser.command(line)
                assert response.status_code == 200, (line, response.status_code)
                sizes.append(len(response.content))
    print(f"answer size, realistic sandbox, {len(sizes)} commands: median {statistics.median(sizes) / 1024:.1f} KiB"
          f"  mean {statistics.mean(sizes) / 1024:.1f} KiB  max {max(sizes) / 1024:.1f} KiB")


THIRTEEN = ["docker pull alpine", "docker pull busybox", "docker pull nginx", "docker pull debian:bookworm-slim",
            "docker pull hello-world"] + [f"docker run -d --name c{i} {['alpine', 'busybox', 'nginx'][i % 3]}"
                                          + ("" if i % 3 == 2 else " sleep 1000") for i in range(8)]
ROUND = ["docker exec c0 touch /f{n}", "docker stop -t 1 c1", "docker start c1", "docker ps",
         "docker tag alpine t{n}", "docker rmi t{n}"]

PAINTED = """async (line) => {
  const input = document.getElementById('command-input');
  const count = document.querySelectorAll('#transcript .entry').length;
  return await new Promise(resolve => {
    let settled = null, answered = 0;
    const onAnswer = () => { answered = answered || performance.now(); };
    const done = () => {
      if (document.querySelectorAll('#transcript .entry').length <= count) return;
      document.removeEventListener('htmx:afterSettle', onSettle);
      document.removeEventListener('htmx:beforeSwap', onAnswer);
      requestAnimationFrame(() => requestAnimationFrame(() => {
        const end = performance.now();
        resolve([end - start, answered - start, end - answered]);
      }));
    };
    const onSettle = () => { clearTimeout(settled); settled = setTimeout(done, 0); };
    document.addEventListener('htmx:beforeSwap', onAnswer);
    document.addEventListener('htmx:afterSettle', onSettle);
    input.value = line;
    const start = performance.now();
    document.getElementById('prompt').requestSubmit();
  });
}"""


def paint_times() -> None:
    from playwright.sync_api import sync_playwright

    with production_server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(base + "/")
        token = page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
        for line in THIRTEEN:
            assert page.request.post(base + "/commands", form={"command": line, "csrf_token": token}).ok
        page.goto(base + "/")
        times = []
        for n in range(6):
            for line in ROUND:
                times.append(page.evaluate(PAINTED, line.format(n=n)))
        objects = page.evaluate("() => document.querySelectorAll('#stage .obj, #stage .card').length")
        browser.close()
    measured = times[5:]
    total = [t[0] for t in measured]
    print(f"command-to-painted, {objects}-object stage, {len(measured)} commands: median {statistics.median(total):.0f} ms"
          f"  p90 {sorted(total)[int(len(total) * 0.9)]:.0f} ms; of which the answer's arrival (server + network)"
          f" median {statistics.median(t[1] for t in measured):.0f} ms, swap to painted median"
          f" {statistics.median(t[2] for t in measured):.0f} ms")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "both"
    if what in ("size", "both"):
        answer_sizes()
    if what in ("paint", "both"):
        paint_times()

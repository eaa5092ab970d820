"""Check that load_test.py's cheap browser (async_browser.AsyncBrowser) holds exactly what
server.Browser holds: one learner runs load_test.py's mix (twice over, plus undo/redo/reset) on a
fresh server; every answer's `id:digest` pairs and ids, parsed the cheap way, must equal
server.DIGEST's and server.IDS's, and `held` after each answer must equal server.Browser.swapped's;
the hand-built form bodies must be urlencode's bytes.

    python bench/check_async_browser.py
"""
from __future__ import annotations

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from urllib.parse import urlencode

from async_browser import AsyncBrowser, check_same_pairs, form, swapped  # noqa: E402
from load_test import MIX, command_line  # noqa: E402
from server import production_server  # noqa: E402


class RecordingBrowser(AsyncBrowser):
    """Keeps every answer's text (the first page included)."""

    def __init__(self, base: str):
        super().__init__(base)
        self.answers: list[str] = []

    async def request(self, method, path, body=b"", timeout=30):
        status, answer = await super().request(method, path, body, timeout)
        if status == 200:
            self.answers.append(answer.decode())
        return status, answer


async def one_learner(base: str) -> RecordingBrowser:
    browser = RecordingBrowser(base)
    await browser.open()
    assert await browser.post("/new", {"scenario": "article"}) == 200
    for step in range(2 * len(MIX)):
        assert await browser.command(command_line(step)) == 200, command_line(step)
    for path in ("/undo", "/undo", "/redo", "/reset"):
        assert await browser.post(path) == 200, path
    assert await browser.command("docker images") == 200
    browser.close()
    return browser


def main() -> None:
    with production_server(threads=4, workers=1) as base:
        browser = asyncio.run(one_learner(base))
    pairs = check_same_pairs(browser.answers)
    held: dict[str, str] = {}
    for answer in browser.answers:
        held = swapped(held, answer)
    assert held == browser.held
    held_field = " ".join(f"{k}:{v}" for k, v in browser.held.items())
    for step in range(2 * len(MIX)):   # the request bodies: the same bytes as urlencode's
        data = {"command": command_line(step), "held": held_field}
        assert form(data) == urlencode(data).encode(), data
    sizes = [len(answer) for answer in browser.answers]
    print(f"{len(browser.answers)} answers, {pairs} id:digest pairs, the same as server.Browser's; "
          f"held at the end: {len(browser.held)} drawings; answer sizes: first page {sizes[0]} B, "
          f"commands median {sorted(sizes[2:])[len(sizes[2:]) // 2]} B")


if __name__ == "__main__":
    main()

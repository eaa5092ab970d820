"""Take docs/screenshot.png (and, with --sizes, one picture per screen size and language) of a real LayerLab.

    .venv/bin/python docs/screenshot.py            # docs/screenshot.png at 1366x768, English
    .venv/bin/python docs/screenshot.py --sizes    # also docs/screenshot-WxH-LANG.png: a phone (390x844),
                                                   # 1024x768, 1366x768, 1920x1080, in en and zh

Serves the app with waitress on a temporary database, runs a few of the article's commands in
Debian's Chromium, and photographs the page.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from waitress.server import create_server  # noqa: E402

from app import create_app  # noqa: E402

COMMANDS = ["docker pull nginx", "docker create --name box alpine", "docker run -d --name web nginx",
            "docker exec web touch /hello.txt"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def shoot(url: str, sizes: list[tuple[int, int, str]], out: Path) -> list[Path]:
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, height, lang in sizes:
            page = browser.new_page(viewport={"width": width, "height": height}, reduced_motion="reduce",
                                    locale="zh-CN" if lang == "zh" else "en-US")
            page.goto(url)
            for command in COMMANDS:
                count = page.locator("#transcript .entry").count()
                page.fill("#command-input", command)
                page.press("#command-input", "Enter")
                page.wait_for_function("n => document.querySelectorAll('#transcript .entry').length > n",
                                       arg=count)
            page.wait_for_timeout(300)
            path = out if (width, height, lang) == sizes[0] else out.with_name(f"{out.stem}-{width}x{height}-{lang}.png")
            page.screenshot(path=str(path))
            written.append(path)
            page.context.clear_cookies()
            page.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", action="store_true", help="also take every size in both languages")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    args = parser.parse_args()
    sizes = [(1366, 768, "en")] + ([(w, h, lang) for w, h in ((390, 844), (1024, 768), (1366, 768), (1920, 1080))
                                    for lang in ("en", "zh")] if args.sizes else [])
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE": f"{tmp}/screenshot.sqlite3", "SECRET_KEY": "screenshot"})
        server = create_server(app, host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=server.run, daemon=True).start()
        try:
            for path in shoot(f"http://127.0.0.1:{server.effective_port}/", sizes, args.out):
                print(path)
        finally:
            server.close()


if __name__ == "__main__":
    main()

"""An interactive session in the browser: `docker run -it alpine sh` turns the prompt into the
container shell's (busybox ash `/ #`), `exit` gives the host's `$` back (engine/daemon/session.py)."""
from __future__ import annotations

from playwright.sync_api import expect


def test_the_prompt_follows_the_attached_shell(terminal):
    sign = terminal.page.locator("#prompt .prompt-sign")
    expect(sign).to_have_text("$")
    terminal.run("docker run -it --name box alpine sh")
    expect(sign).to_have_text("/ #")
    entry = terminal.run("cd /tmp")
    expect(entry.locator(".entry-command")).to_have_text("/ # cd /tmp")
    expect(sign).to_have_text("/tmp #")
    terminal.run("exit")
    expect(sign).to_have_text("$")
    terminal.page.reload()  # the page drawn from scratch shows the host prompt too
    expect(terminal.page.locator("#prompt .prompt-sign")).to_have_text("$")

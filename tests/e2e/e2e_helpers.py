"""What every browser test does at the terminal: type a command and wait for its entry."""
from __future__ import annotations

NEW_ENTRY = "n => document.querySelectorAll('#transcript .entry').length > n"


def wait_for_new_entry(page, count: int) -> None:
    """Wait until the transcript holds more than `count` entries (the answer was swapped in)."""
    page.wait_for_function(NEW_ENTRY, arg=count)


def type_command(page, command: str):
    """Type a command at the prompt, press Enter, wait for its entry; returns that entry."""
    entries = page.locator("#transcript .entry")
    count = entries.count()
    page.locator("#command-input").fill(command)
    page.locator("#command-input").press("Enter")
    wait_for_new_entry(page, count)
    return entries.last

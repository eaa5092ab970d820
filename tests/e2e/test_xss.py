"""Every string a learner controls reaches the page as inert text: command lines, echo output, error
messages echoing input, host file names, Dockerfile contents shown as build history, container file
names in the explorer, environment values, commit messages, the ?fill= prompt text. Nothing runs,
no markup is injected, and our own page never trips its Content-Security-Policy."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

# Each command puts a payload somewhere on the page (terminal, stage, explorer, explain, history).
COMMANDS = [
    "docker pull alpine",
    "echo '<img src=x onerror=alert(1)>'",
    "docker rm '<script>alert(2)</script>'",
    "docker tag alpine 'x:<svg onload=alert(3)>'",
    "echo \"'><img src=x onerror=alert(4)>\"",
    "echo hi > '<img src=x onerror=alert(5)>.txt'",
    "echo 'FROM alpine' > Dockerfile",
    """echo 'RUN echo "<svg onload=alert(6)>" > "/<b>x"' >> Dockerfile""",
    """echo 'LABEL note="<script>alert(7)</script>"' >> Dockerfile""",
    "cat Dockerfile",
    "docker build -t xss .",
    "docker image history --no-trunc xss",
    "docker run --name web -d alpine sh -c \"touch '/<img src=x onerror=alert(8)>'; sleep 1000\"",
    "docker diff web",
    "docker run -e 'X=<script>alert(9)</script>' alpine env",
    "docker commit -m '<img src=x onerror=alert(10)>' web committed",
    "ls",
    "docker inspect --format '{{.Comment}}' committed",
]

# Listen from the first byte of every page: CSP violations (from our own markup or an injection).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""

# What an injection would leave in the DOM even if the policy stopped it from running.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) { found.push(el.tagName + ' ' + attr.name); }
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (!s.src || new URL(s.src).pathname.indexOf('/static/') !== 0) { found.push('script ' + s.outerHTML.slice(0, 80)); }
  }
  for (const el of document.querySelectorAll('img[src="x"], b, iframe, object, embed, style')) {
    found.push(el.tagName);
  }
  return found;
}"""


@pytest.fixture
def watched(page):
    """The page with every way a payload could show itself recorded."""
    events = {"dialogs": [], "errors": [], "console": []}
    page.add_init_script(WATCH_CSP)
    page.on("dialog", lambda dialog: (events["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: events["errors"].append(str(error)))
    page.on("console", lambda message: message.type == "error" and events["console"].append(message.text))
    return page, events


def assert_inert(page, events):
    assert events["dialogs"] == []
    assert events["errors"] == []
    assert events["console"] == []
    assert page.evaluate("window.__cspViolations") == []
    assert page.evaluate(INJECTED) == []


def test_payloads_typed_everywhere_stay_text(watched, terminal):
    page, events = watched
    for command in COMMANDS:
        terminal.run(command)
    assert_inert(page, events)

    # the payloads really reached the page, as text
    screen = page.locator("#transcript")
    expect(screen).to_contain_text("<img src=x onerror=alert(1)>")
    expect(screen).to_contain_text("No such container: <script>alert(2)</script>")
    expect(screen).to_contain_text('"x:<svg onload=alert(3)>" is not a valid repository/tag')
    expect(screen).to_contain_text("<img src=x onerror=alert(5)>.txt")
    expect(screen).to_contain_text('RUN /bin/sh -c echo "<svg onload=alert(6)>" > "/<b>x"')
    expect(screen).to_contain_text("A /<img src=x onerror=alert(8)>")
    expect(screen).to_contain_text("X=<script>alert(9)</script>")
    expect(page.locator("#stage")).to_contain_text("xss")

    # a full reload renders the same state server-side, and nothing runs there either
    page.reload()
    expect(page.locator("#transcript")).to_contain_text("<img src=x onerror=alert(1)>")
    assert_inert(page, events)

    # ↑ brings back every command exactly, quotes and all (the history attribute was not broken out of)
    recalled = []
    for _ in range(len(COMMANDS)):
        terminal.prompt.press("ArrowUp")
        recalled.append(terminal.prompt.input_value())
    assert recalled[::-1] == COMMANDS


def test_the_explorer_shows_hostile_file_names_as_text(watched, terminal):
    page, events = watched
    terminal.run("docker pull alpine")
    terminal.run("docker run --name web -d alpine sh -c \"touch '/<img src=x onerror=alert(11)>'; sleep 1000\"")
    links = page.locator("#stage a[href*='/explore?target=']")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert hrefs
    for href in sorted(hrefs):
        page.goto(href)     # a plain GET: the page comes back with the explorer open
        expect(page.locator("#explorer")).to_be_visible()
        assert_inert(page, events)
    page.goto([h for h in hrefs if "layer=" not in h or h.endswith("layer=")][-1])
    merged = page.locator("#explorer")
    expect(merged).to_be_visible()
    assert_inert(page, events)


def test_the_fill_parameter_lands_in_the_prompt_as_text(watched, base_url):
    page, events = watched
    payload = '"><script>alert(12)</script><img src=x onerror=alert(13)>'
    page.goto("/?fill=" + re.sub(r"[^A-Za-z0-9]", lambda m: "%%%02X" % ord(m.group()), payload))
    expect(page.locator("#command-input")).to_have_value(payload)
    assert_inert(page, events)


def test_our_own_page_trips_no_csp_rule_while_used(watched, terminal):
    """The page, the SVG stage, htmx swaps, Undo, Reset and New sandbox under the policy."""
    page, events = watched
    terminal.run("docker pull nginx")
    terminal.run("docker run -d --name web nginx")
    page.once("dialog", lambda dialog: dialog.accept())   # Reset's confirmation (htmx hx-confirm)
    page.get_by_role("button", name="Undo").click()
    page.wait_for_function("() => !document.querySelector('#transcript').textContent.includes('docker run -d --name web')")
    assert page.evaluate("window.__cspViolations") == []
    assert events["console"] == [] and events["errors"] == []

"""A cheap simulated browser for load tests: the same requests and the same `held` as
`server.Browser`, over one raw HTTP/1.1 keep-alive connection per learner, in asyncio.

Why: `server.Browser` (one thread per learner, `requests`, regular expressions that try every `<`
of an answer) costs the load generator 1.75 ms of CPU per request; on a 2-core machine it takes the
cores the server is measured on. Here a request is a few bytes built by hand and an answer is read
by its Content-Length (chunked transfer encoding is handled too, though the server does not send
it): 0.4-0.55 ms per request, against the server's ~5 ms per command.

`AsyncBrowser` behaves like `server.Browser` (and so like the page, static/stage.js):
  * opens "/" once: keeps the session cookie (every Set-Cookie, as a browser's jar does) and the
    page's CSRF token, and holds the drawings of the first page;
  * posts forms with `HX-Request: true` and `X-CSRF-Token`, and with every request that redraws
    the stage, `held`: the `id:digest` pairs of the drawings on screen;
  * updates `held` from each 200 answer by `server.on_screen`'s rules, with its cheaper parsers (`swapped` below).
`check_same_pairs()` checks that the cheap parsing finds exactly what `server.DIGEST` / `server.IDS`
find, on real answers (`python bench/check_async_browser.py` runs it against a fresh server)."""
from __future__ import annotations

import asyncio
import os
import re
import sys
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import server  # noqa: E402
from server import CSRF, Browser, on_screen  # noqa: E402

# `id="…"` then, within the same tag, `data-digest="…"`: the pairs server.DIGEST finds, but the
# regex starts at the literal `id="` (the regex engine jumps from one occurrence to the next, ~5x
# faster than trying every `<`). server.DIGEST/IDS's `\bid` is checked on the character before the
# match (a lookbehind in the pattern would cost the literal search); if an `id="` ends a longer
# name (`data-pid="`) and still reached a digest, the answer is parsed with server.DIGEST itself.
DIGEST = re.compile(r'id="([^"]+)"[^>]*?\bdata-digest="([0-9a-f]+)"')
IDS = re.compile(r'id="([^"]+)"')


def _word_before(text: str, at: int) -> bool:
    return at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_")


def digest_pairs(text: str) -> list[tuple[str, str]]:
    """server.DIGEST.findall(text), cheaply."""
    pairs = []
    for match in DIGEST.finditer(text):
        if _word_before(text, match.start()):
            return server.DIGEST.findall(text)
        pairs.append(match.groups())
    return pairs


def ids(text: str) -> list[str]:
    """server.IDS.findall(text), cheaply."""
    return [match[1] for match in IDS.finditer(text) if not _word_before(text, match.start())]


# What a form value may hold to be encoded by three replacements instead of urlencode's per-character
# loop (the held pairs and the mix's commands): the bytes are the same as urlencode's.
PLAIN = re.compile(r"[A-Za-z0-9_.\-: /]*")


def form(data: dict[str, str]) -> bytes:
    """application/x-www-form-urlencoded, the bytes urlencode(data) writes."""
    fields = []
    for name, value in data.items():
        if PLAIN.fullmatch(value) and PLAIN.fullmatch(name):
            fields.append(name + "=" + value.replace(":", "%3A").replace("/", "%2F").replace(" ", "+"))
        else:
            fields.append(urlencode({name: value}))
    return "&".join(fields).encode()


class HTTPError(Exception):
    pass


class Answer(asyncio.Protocol):
    """One keep-alive connection, read without StreamReader: the bytes that arrive are parsed in
    place and one future per request is resolved with (status, headers, body) when the answer is
    whole (by Content-Length, or chunked, or the end of the connection). Each request costs one
    future and a few bytes operations, which keeps the generator's CPU per request small."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            self._parse(eof=False)

    def eof_received(self):
        self._parse(eof=True)
        return False   # close the transport

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionResetError("the server closed the connection"))

    def _parse(self, eof: bool) -> None:
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None or self.waiter.done():
            return
        head = buffer[:end].decode("latin-1").split("\r\n")
        start = end + 4
        status = int(head[0].split(" ", 2)[1])
        headers = [line.partition(":") for line in head[1:]]
        headers = [(name.lower(), value.strip()) for name, _, value in headers]
        length, chunked = None, False
        for name, value in headers:
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
        if chunked:
            body, used = _dechunk(buffer, start)
            if body is None:
                return
        elif length is not None:
            if len(buffer) < start + length:
                return
            body, used = bytes(buffer[start:start + length]), start + length
        elif status in (204, 304) or 100 <= status < 200:
            body, used = b"", start
        elif eof:   # no length: the body ends with the connection
            body, used = bytes(buffer[start:]), len(buffer)
        else:
            return
        del buffer[:used]
        self.waiter.set_result((status, headers, body))


def _dechunk(buffer: bytearray, at: int) -> tuple[bytes | None, int]:
    """A chunked body starting at `at`: (body, end) when it arrived whole, else (None, 0)."""
    parts = []
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None, 0
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        at = line_end + 2
        if size == 0:   # the last chunk, then trailers up to an empty line
            trailers_end = buffer.find(b"\r\n", at)
            while trailers_end >= 0 and trailers_end != at:
                at = trailers_end + 2
                trailers_end = buffer.find(b"\r\n", at)
            if trailers_end < 0:
                return None, 0
            return b"".join(parts), at + 2
        if len(buffer) < at + size + 2:
            return None, 0
        parts.append(bytes(buffer[at:at + size]))
        at += size + 2


def swapped(held: dict[str, str], answer: str) -> dict[str, str]:
    """What is on screen after htmx swapped this answer in: server.on_screen with the cheap parsers."""
    return on_screen(held, answer, digest_pairs, ids)


class AsyncBrowser:
    """One learner: one keep-alive connection, its cookies, its CSRF token, its `held`."""

    REDRAWS = Browser.REDRAWS

    def __init__(self, base: str):
        url = urlsplit(base)
        self.host, self.port = url.hostname, url.port or 80
        self.host_header = f"{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.held: dict[str, str] = {}
        self.connection: Answer | None = None

    async def open(self, timeout: float = 30) -> None:
        """Open the page: cookie, CSRF token and the drawings of the first page."""
        status, body = await self.request("GET", "/", timeout=timeout)
        if status != 200:
            raise HTTPError(f"GET / answered {status}")
        page = body.decode()
        self.token = CSRF.search(page).group(1)
        self.held = dict(digest_pairs(page))

    async def command(self, line: str, timeout: float = 30) -> int:
        return await self.post("/commands", {"command": line}, timeout=timeout)

    async def post(self, path: str, data: dict | None = None, timeout: float = 30) -> int:
        """POST a form as the page's htmx does; returns the status. A 200 answer is swapped in."""
        data = dict(data or {})
        if path.startswith(self.REDRAWS):
            data["held"] = " ".join(f"{k}:{v}" for k, v in self.held.items())
        status, body = await self.request("POST", path, form(data), timeout=timeout)
        if status == 200:
            self.held = swapped(self.held, body.decode())
        return status

    async def request(self, method: str, path: str, body: bytes = b"", timeout: float = 30) -> tuple[int, bytes]:
        """One exchange on the learner's keep-alive connection (opened again if the server closed it)."""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}", "Connection: keep-alive"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head += ["HX-Request: true", f"X-CSRF-Token: {self.token}",
                     "Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        message = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        try:
            async with asyncio.timeout(timeout):   # no extra task per request, unlike wait_for
                connection = self.connection
                if connection is None or connection.closed:
                    loop = asyncio.get_running_loop()
                    _transport, connection = await loop.create_connection(Answer, self.host, self.port)
                    self.connection = connection
                connection.waiter = waiter = asyncio.get_running_loop().create_future()
                connection.transport.write(message)
                status, headers, answer = await waiter
        except BaseException:
            self.close()   # a half-read answer leaves the connection unusable: the next request reconnects
            raise
        for name, value in headers:
            if name == "set-cookie":
                self._set_cookie(value)
            elif name == "connection" and value.lower() == "close":
                self.close()
        return status, answer

    def _set_cookie(self, value: str) -> None:
        pair, _, attributes = value.partition(";")
        name, _, cookie = pair.strip().partition("=")
        attributes = attributes.lower().replace(" ", "")
        if not cookie or "max-age=0" in attributes or "expires=thu,01jan1970" in attributes:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie

    def close(self) -> None:
        if self.connection is not None:
            self.connection.transport.close()
        self.connection = None


def check_same_pairs(answers: list[str]) -> int:
    """Assert that the cheap parsing finds what server.Browser finds, answer by answer (the pairs in
    order, the ids, and `held` after each swap). Returns the number of pairs compared."""
    reference, cheap, pairs = Browser.__new__(Browser), {}, 0
    reference.held = {}
    for answer in answers:
        found = digest_pairs(answer)
        assert found == server.DIGEST.findall(answer), (found, server.DIGEST.findall(answer))
        assert ids(answer) == server.IDS.findall(answer)
        reference.swapped(answer)
        cheap = swapped(cheap, answer)
        assert cheap == reference.held, (cheap, reference.held)
        pairs += len(found)
    return pairs

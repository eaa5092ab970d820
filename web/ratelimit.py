"""How many new sandboxes one client may create per minute (a classroom server's abuse guard).

A client is its IP address (`request.remote_addr`; behind a reverse proxy, set
LAYERLAB_TRUST_PROXY=1 so the address comes from X-Forwarded-For). Over the limit, creating a
sandbox answers 429 with a Retry-After header. The in-memory limiter counts per server process;
with the Redis store the count lives in Redis, so it is shared by every app server.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

from werkzeug.exceptions import TooManyRequests

WINDOW_SECONDS = 60.0


class TooManySandboxes(TooManyRequests):
    def __init__(self, limit: int, retry_after: int):
        super().__init__(
            description=(f"Too many new sandboxes from your address: at most {limit} a minute. "
                         f"Try again in {retry_after} s, or keep using the sandbox you have."),
            retry_after=retry_after)


class MemoryRateLimiter:
    """A sliding window per key: the times of the last `limit` hits within WINDOW_SECONDS."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.clock = clock
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count one creation by `key`; None if allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + WINDOW_SECONDS - now))
            hits.append(now)
            if len(self._hits) > 10_000:   # forget clients that went quiet, so memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - WINDOW_SECONDS}
            return None


class RedisRateLimiter:
    """A fixed one-minute window per key in Redis (INCR + EXPIRE), shared by every app server."""

    def __init__(self, client, limit: int, prefix: str = "layerlab:", clock: Callable[[], float] = time.time):
        self.client = client
        self.limit = limit
        self.prefix = prefix
        self.clock = clock

    def hit(self, key: str) -> int | None:
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        name = f"{self.prefix}rate:{key}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, int(WINDOW_SECONDS) * 2)
        count, _ = pipe.execute()
        if count > self.limit:
            return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        return None

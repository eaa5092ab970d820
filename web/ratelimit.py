"""Per-address budgets: new sandboxes, replays and class joins.

A client is its IP address (`request.remote_addr`; behind a reverse proxy, set
LAYERLAB_TRUST_PROXY=1 so the address comes from X-Forwarded-For). Over a budget the answer is 429
with a Retry-After header and a message that says what to do; nothing is changed.

The `limits` library (the one under Flask-Limiter) holds the counts: in memory by default (per
server process), in Redis with the Redis store (shared by every app server, through the store's own
connection pool). Not Flask-Limiter itself: its hooks check every request for route limits, and
there are none here. A budget is spent
where the costly work happens rather than per route, because one route is cheap or costly by its
input: `/timeline` replays only for an earlier position, `GET /` creates a sandbox only on a first
visit. Both budgets use the moving-window strategy: at most N in any 60 seconds.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests


@dataclass(frozen=True)
class Budget:
    """What one client address may do per minute. `config` names the app setting with the count."""

    name: str
    config: str
    message: str   # formatted with {limit} and {retry_after}


SANDBOXES = Budget(
    "sandboxes", "SANDBOXES_PER_MINUTE",
    "Too many new sandboxes from your address: at most {limit} a minute. "
    "Try again in {retry_after} s, or keep using the sandbox you have.")
REPLAYS = Budget(
    "replays", "REPLAYS_PER_MINUTE",
    "Too many replays from your address: at most {limit} a minute (shared links, timeline "
    "positions and lesson replays each rebuild a sandbox command by command). "
    "Try again in {retry_after} s.")

JOINS = Budget(
    "class-joins", "CLASS_JOINS_PER_MINUTE",
    "Too many class joins from your address: at most {limit} a minute. Try again in {retry_after} s.")


class OverBudget(TooManyRequests):
    def __init__(self, budget: Budget, limit: int, retry_after: int):
        super().__init__(description=budget.message.format(limit=limit, retry_after=retry_after),
                         retry_after=retry_after)


class TooManySandboxes(OverBudget):
    def __init__(self, limit: int, retry_after: int):
        super().__init__(SANDBOXES, limit, retry_after)


def init_app(app: Flask, redis_client=None) -> MovingWindowRateLimiter:
    """The budgets' counter for `app`: its counts in memory, or in Redis beside the sandboxes."""
    if redis_client is not None:
        storage = storage_from_string("redis://", connection_pool=redis_client.connection_pool,
                                      key_prefix=app.config["REDIS_PREFIX"] + "limits")
    else:
        storage = storage_from_string("memory://")
    limiter = MovingWindowRateLimiter(storage)
    app.extensions["budget_limiter"] = limiter
    return limiter


def spend(budget: Budget) -> None:
    """Count one use of `budget` by this client; OverBudget (429) if the minute's budget is spent.
    A budget of 0 is off."""
    limit = int(current_app.config.get(budget.config) or 0)
    limiter: MovingWindowRateLimiter | None = current_app.extensions.get("budget_limiter")
    if limit <= 0 or limiter is None:
        return
    item = RateLimitItemPerMinute(limit)
    address = request.remote_addr or "unknown"
    if limiter.hit(item, budget.name, address):
        return
    reset_at, _ = limiter.get_window_stats(item, budget.name, address)
    # The window counts a hit while it is at most 60 s old (inclusive): the first second after it is free.
    wait = max(1, math.floor(reset_at - time.time()) + 1)
    if budget is SANDBOXES:
        raise TooManySandboxes(limit, wait)
    raise OverBudget(budget, limit, wait)

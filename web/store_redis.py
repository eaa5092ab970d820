"""The Redis sandbox store: the same interface as SQLite, for several app servers behind a load balancer.

Keys (all under a prefix, default "layerlab:"):
    <prefix>sandbox:<id>   the sandbox's JSON document (a string)
    <prefix>last_used      a sorted set: id -> time of last use (what cleanup reads)
`update()` is optimistic: WATCH the document, read it, run the change, then write it in
MULTI/EXEC; if another server or tab wrote in between, EXEC fails and the change runs again on
the new document. Changes are pure functions of the document, so running one again is safe.
Durability is Redis's: run it with `appendonly yes` and `appendfsync always` for the same
promise as SQLite (an acknowledged command survives a crash).
"""
from __future__ import annotations

import json
import time
from typing import Callable, TypeVar

import redis

from web.store import SandboxStore, UnknownSandbox
from web.store_errors import decode_record

T = TypeVar("T")

MAX_ATTEMPTS = 200   # two tabs hammering one sandbox settle in a few; this only stops a livelock

# Delete the ids whose last use is still older than the cutoff (checked inside Redis, atomically,
# so a sandbox used between the scan and the delete is kept).
CLEANUP_SCRIPT = """
local removed = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 500)) do
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and tonumber(score) < tonumber(ARGV[1]) then
    redis.call('DEL', ARGV[2] .. id)
    redis.call('ZREM', KEYS[1], id)
    removed = removed + 1
  end
end
return removed
"""


class StoreBusy(RuntimeError):
    """An update lost the race MAX_ATTEMPTS times in a row (never seen in practice)."""


class RedisSandboxStore(SandboxStore):
    def __init__(self, client: "redis.Redis", prefix: str = "layerlab:", clock: Callable[[], float] = time.time):
        self.client = client
        self.prefix = prefix
        self.clock = clock
        self._cleanup = client.register_script(CLEANUP_SCRIPT)

    @classmethod
    def from_url(cls, url: str, prefix: str = "layerlab:", **kwargs) -> "RedisSandboxStore":
        return cls(redis.Redis.from_url(url, socket_timeout=30, health_check_interval=30), prefix, **kwargs)

    def _key(self, sandbox_id: str) -> str:
        return f"{self.prefix}sandbox:{sandbox_id}"

    @property
    def _used(self) -> str:
        return f"{self.prefix}last_used"

    def get(self, sandbox_id: str) -> dict | None:
        raw = self.client.get(self._key(sandbox_id))
        return decode_record(sandbox_id, raw) if raw is not None else None

    def put(self, sandbox_id: str, data: dict) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._key(sandbox_id), _dump(data))
            pipe.zadd(self._used, {sandbox_id: self.clock()})
            pipe.execute()

    def update(self, sandbox_id: str, change: Callable[[dict], tuple[dict, T]]) -> T:
        key = self._key(sandbox_id)
        with self.client.pipeline(transaction=True) as pipe:
            for _ in range(MAX_ATTEMPTS):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise UnknownSandbox(sandbox_id)
                    new_data, answer = change(decode_record(sandbox_id, raw))
                    pipe.multi()
                    pipe.set(key, _dump(new_data))
                    pipe.zadd(self._used, {sandbox_id: self.clock()})
                    pipe.execute()
                    return answer
                except redis.WatchError:
                    continue   # someone else saved first: run the change again on their result
                finally:
                    pipe.reset()
        raise StoreBusy(f"sandbox {sandbox_id} is changing too fast to save")

    def delete(self, sandbox_id: str) -> bool:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(sandbox_id))
            pipe.zrem(self._used, sandbox_id)
            deleted, _ = pipe.execute()
        return deleted > 0

    def touch(self, sandbox_id: str) -> None:
        # XX: only sandboxes that exist (a touch never brings a deleted one back into the index).
        self.client.zadd(self._used, {sandbox_id: self.clock()}, xx=True)

    def cleanup(self, idle_seconds: float) -> int:
        cutoff = self.clock() - idle_seconds
        total = 0
        while True:
            removed = int(self._cleanup(keys=[self._used], args=[repr(cutoff), self.prefix + "sandbox:"]))
            total += removed
            if removed < 500:
                return total

    def count(self) -> int:
        return int(self.client.zcard(self._used))


def _dump(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"))

"""The Redis sandbox store: the same contract as SQLite (web/store.py), for several app servers.

Keys (all under a prefix, default "layerlab:"):
    <prefix>rec:<id>     a hash: version, snap_version, op_bytes, tr_bytes, created
    <prefix>snap:<id>    the latest snapshot (bytes)
    <prefix>ops:<id>     a list: the ops after the snapshot, oldest first (append-only)
    <prefix>tr:<id>      a list: the transcript entries
    <prefix>last_used    a sorted set: id -> time of last use (what cleanup reads)
    <prefix>shared:<key> a shared snapshot (permalink), expiring when unused
A change is one Lua script: it checks the version, the byte budget, and writes the op, the
transcript rows and the snapshot, atomically. Nothing is re-run inside the store; a lost version
race comes back as `Conflict` to web/sandboxes.py, which retries a bounded number of times.
Durability is Redis's: run it with `appendonly yes` and `appendfsync always` for the same promise
as SQLite (an acknowledged command survives a crash).
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

import redis

from web.store import DEFAULT_BUDGET, Change, Conflict, OverBudget, SandboxStore, Stored, UnknownSandbox, \
    new_sandbox_id
from web.store_errors import StoreFull, StoreUnavailable

# KEYS: rec, snap, ops, tr, last_used
# ARGV: expected version, op, transcript_from (-1: none), snapshot, has snapshot (1/0), budget, now, id,
#       number of entries, entries...
APPEND_SCRIPT = """
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return {-1, 0} end
if tonumber(v) ~= tonumber(ARGV[1]) then return {-2, 0} end
local op_bytes = tonumber(redis.call('HGET', KEYS[1], 'op_bytes'))
local tr_bytes = tonumber(redis.call('HGET', KEYS[1], 'tr_bytes'))
local tfrom = tonumber(ARGV[3])
local n = tonumber(ARGV[9])
if tfrom >= 0 then
  for _, e in ipairs(redis.call('LRANGE', KEYS[4], tfrom, -1)) do tr_bytes = tr_bytes - string.len(e) end
  for i = 1, n do tr_bytes = tr_bytes + string.len(ARGV[9 + i]) end
end
if ARGV[5] == '1' then op_bytes = string.len(ARGV[4]) else op_bytes = op_bytes + string.len(ARGV[2]) end
if op_bytes + tr_bytes > tonumber(ARGV[6]) then return {-3, op_bytes + tr_bytes} end
if tfrom >= 0 then
  if tfrom == 0 then redis.call('DEL', KEYS[4]) else redis.call('LTRIM', KEYS[4], 0, tfrom - 1) end
  for i = 1, n do redis.call('RPUSH', KEYS[4], ARGV[9 + i]) end
end
local new = tonumber(v) + 1
if ARGV[5] == '1' then
  redis.call('SET', KEYS[2], ARGV[4])
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[1], 'snap_version', new)
else
  redis.call('RPUSH', KEYS[3], ARGV[2])
end
redis.call('HSET', KEYS[1], 'version', new, 'op_bytes', op_bytes, 'tr_bytes', tr_bytes)
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[8])
return {new, 0}
"""

# Delete the ids whose last use is still older than the cutoff (checked inside Redis, atomically,
# so a sandbox used between the scan and the delete is kept).
CLEANUP_SCRIPT = """
local removed = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 500)) do
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and tonumber(score) < tonumber(ARGV[1]) then
    for _, kind in ipairs({'rec:', 'snap:', 'ops:', 'tr:', 'sandbox:'}) do
      redis.call('DEL', ARGV[2] .. kind .. id)
    end
    redis.call('ZREM', KEYS[1], id)
    removed = removed + 1
  end
end
return removed
"""

SHARED_TTL = 30 * 24 * 3600   # a shared snapshot nobody opened for this long expires


def _unavailable(error: redis.RedisError) -> StoreUnavailable:
    """OOM (maxmemory reached) and MISCONF (cannot persist: its disk is full) are a full store."""
    if isinstance(error, redis.ResponseError) and str(error).startswith(("OOM", "MISCONF")):
        return StoreFull(str(error))
    return StoreUnavailable(str(error))


class RedisSandboxStore(SandboxStore):
    def __init__(self, client: "redis.Redis", prefix: str = "layerlab:", clock: Callable[[], float] = time.time,
                 budget: int = DEFAULT_BUDGET):
        self.client = client
        self.prefix = prefix
        self.clock = clock
        self.budget = budget
        self._append = client.register_script(APPEND_SCRIPT)
        self._cleanup = client.register_script(CLEANUP_SCRIPT)

    @classmethod
    def from_url(cls, url: str, prefix: str = "layerlab:", **kwargs) -> "RedisSandboxStore":
        return cls(redis.Redis.from_url(url, socket_timeout=30, health_check_interval=30), prefix, **kwargs)

    def _keys(self, sandbox_id: str) -> list[str]:
        p = self.prefix
        return [f"{p}rec:{sandbox_id}", f"{p}snap:{sandbox_id}", f"{p}ops:{sandbox_id}", f"{p}tr:{sandbox_id}",
                f"{p}last_used"]

    def create(self, snapshot: bytes, transcript: list[str]) -> str:
        sandbox_id = new_sandbox_id()
        try:
            self._insert(sandbox_id, snapshot, transcript, self.clock(), self.clock())
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as error:
            raise _unavailable(error) from error
        return sandbox_id

    def _insert(self, sandbox_id, snapshot, transcript, created, last_used, pipe=None, check_budget=True) -> None:
        rec, snap, ops, tr, used = self._keys(sandbox_id)
        tr_bytes = sum(len(e.encode()) for e in transcript)
        if check_budget and len(snapshot) + tr_bytes > self.budget:
            raise OverBudget(len(snapshot) + tr_bytes, self.budget)
        own = pipe is None
        pipe = pipe if pipe is not None else self.client.pipeline(transaction=True)
        pipe.delete(ops, tr)
        pipe.hset(rec, mapping={"version": 0, "snap_version": 0, "op_bytes": len(snapshot), "tr_bytes": tr_bytes,
                                "created": created})
        pipe.set(snap, snapshot)
        if transcript:
            pipe.rpush(tr, *transcript)
        pipe.zadd(used, {sandbox_id: last_used})
        if own:
            pipe.execute()

    def version(self, sandbox_id: str) -> int | None:
        raw = self.client.hget(self._keys(sandbox_id)[0], "version")
        return int(raw) if raw is not None else None

    def load(self, sandbox_id: str) -> Stored | None:
        rec, snap, ops, tr, _ = self._keys(sandbox_id)
        with self.client.pipeline(transaction=True) as pipe:   # MULTI: one consistent read
            pipe.hmget(rec, "version", "snap_version", "op_bytes", "tr_bytes")
            pipe.get(snap)
            pipe.lrange(ops, 0, -1)
            pipe.lrange(tr, 0, -1)
            (version, snap_version, op_bytes, tr_bytes), snapshot, op_list, transcript = pipe.execute()
        if version is None or snapshot is None:
            return None
        return Stored(int(version), int(snap_version), snapshot, [o.decode() for o in op_list],
                      [e.decode() for e in transcript], int(op_bytes) + int(tr_bytes))

    def ops_after(self, sandbox_id: str, version: int) -> list[str] | None:
        rec, _, ops, _, _ = self._keys(sandbox_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hmget(rec, "version", "snap_version")
            pipe.lrange(ops, 0, -1)
            (stored, snap_version), op_list = pipe.execute()
        if stored is None or int(snap_version) > version:
            return None
        after = [o.decode() for o in op_list[version - int(snap_version):]]
        return after if len(after) == int(stored) - version else None

    def append(self, sandbox_id: str, expected_version: int, change: Change) -> int:
        has_snapshot = change.snapshot is not None
        args = [expected_version, change.op, -1 if change.transcript_from is None else change.transcript_from,
                change.snapshot if has_snapshot else b"", 1 if has_snapshot else 0, self.budget, repr(self.clock()),
                sandbox_id, len(change.entries), *change.entries]
        try:
            code, value = self._append(keys=self._keys(sandbox_id), args=args)
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as error:
            raise _unavailable(error) from error
        if code == -1:
            raise UnknownSandbox(sandbox_id)
        if code == -2:
            raise Conflict(sandbox_id)
        if code == -3:
            raise OverBudget(int(value), self.budget)
        return int(code)

    def delete(self, sandbox_id: str) -> bool:
        rec, snap, ops, tr, used = self._keys(sandbox_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(rec, snap, ops, tr)
            pipe.zrem(used, sandbox_id)
            deleted, _ = pipe.execute()
        return deleted > 0

    def touch(self, sandbox_id: str) -> None:
        # XX: only sandboxes that exist (a touch never brings a deleted one back into the index).
        try:
            self.client.zadd(f"{self.prefix}last_used", {sandbox_id: self.clock()}, xx=True)
        except redis.ResponseError as error:   # a full store must not stop a page that only reads
            if not isinstance(_unavailable(error), StoreFull):
                raise

    def cleanup(self, idle_seconds: float) -> int:
        cutoff = self.clock() - idle_seconds
        total = 0
        while True:
            removed = int(self._cleanup(keys=[f"{self.prefix}last_used"], args=[repr(cutoff), self.prefix]))
            total += removed
            if removed < 500:
                return total

    def count(self) -> int:
        return int(self.client.zcard(f"{self.prefix}last_used"))

    def put_shared(self, key: str, data: bytes) -> None:
        self.client.set(f"{self.prefix}shared:{key}", data, ex=SHARED_TTL)

    def get_shared(self, key: str) -> bytes | None:
        name = f"{self.prefix}shared:{key}"
        data = self.client.get(name)
        if data is not None:
            self.client.expire(name, SHARED_TTL)
        return data

    # ---- the format before the op log: <prefix>sandbox:<id> held one JSON document -------------------
    def legacy_records(self) -> Iterator[tuple[str, str]]:
        start = len(f"{self.prefix}sandbox:")
        for key in self.client.scan_iter(match=f"{self.prefix}sandbox:*", count=500):
            text = self.client.get(key)
            if text is not None:
                yield key.decode()[start:], text.decode()

    def replace_legacy(self, sandbox_id: str, snapshot: bytes, transcript: list[str]) -> bool:
        old = f"{self.prefix}sandbox:{sandbox_id}"
        with self.client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(old)
                if not pipe.exists(old):
                    return False
                used = pipe.zscore(f"{self.prefix}last_used", sandbox_id) or self.clock()
                pipe.multi()
                self._insert(sandbox_id, snapshot, transcript, used, used, pipe=pipe, check_budget=False)
                pipe.delete(old)
                pipe.execute()
                return True
            except redis.WatchError:
                return False   # another server migrated it meanwhile

    def set_aside(self, sandbox_id: str) -> None:
        for key in self._keys(sandbox_id)[:4]:
            try:
                self.client.rename(key, key.replace(self.prefix, f"{self.prefix}damaged:", 1))
            except redis.ResponseError:
                pass   # that part does not exist
        self.client.zrem(f"{self.prefix}last_used", sandbox_id)

    def drop_legacy(self, sandbox_id: str) -> None:
        try:
            self.client.rename(f"{self.prefix}sandbox:{sandbox_id}", f"{self.prefix}damaged:{sandbox_id}")
        except redis.ResponseError:
            pass   # already gone
        self.client.zrem(f"{self.prefix}last_used", sandbox_id)

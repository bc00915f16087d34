"""Where idempotency keys and task records live: Redis when REDIS_URL is set, else process memory.

Both stores offer the same async operations. `claim` is the atomic one (Redis `SET key value NX PX
ttl`); `get_key` + `set_key` are the non-atomic pair the `idempotency_race` defect uses instead.
Keys and task records expire after the idempotency TTL, so memory stays bounded by the traffic of
one TTL.
"""
from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Optional

Record = dict[str, Any]


class MemoryStore:
    """One process's dictionaries. Atomic under asyncio because no method awaits anything."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._keys: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._tasks: OrderedDict[str, tuple[Record, float]] = OrderedDict()

    def _expire(self) -> None:
        now = time.monotonic()
        for table in (self._keys, self._tasks):
            while table:
                first = next(iter(table))
                if table[first][1] > now:
                    break
                table.popitem(last=False)

    async def claim(self, key: str, value: str) -> Optional[str]:
        """Stores `value` under `key` unless the key exists; returns None if stored, else the value held."""
        self._expire()
        held = self._keys.get(key)
        if held is not None:
            return held[0]
        self._keys[key] = (value, time.monotonic() + self.ttl)
        return None

    async def get_key(self, key: str) -> Optional[str]:
        self._expire()
        held = self._keys.get(key)
        return held[0] if held else None

    async def set_key(self, key: str, value: str) -> None:
        self._keys.pop(key, None)
        self._keys[key] = (value, time.monotonic() + self.ttl)

    async def release(self, key: str, value: str) -> None:
        held = self._keys.get(key)
        if held is not None and held[0] == value:
            del self._keys[key]

    async def put_task(self, record: Record) -> None:
        self._expire()
        held = self._tasks.get(record["task_id"])
        expires = held[1] if held else time.monotonic() + self.ttl
        self._tasks[record["task_id"]] = (dict(record), expires)  # an update keeps its place (expiry order)

    async def get_task(self, task_id: str) -> Optional[Record]:
        held = self._tasks.get(task_id)
        return dict(held[0]) if held else None

    async def delete_task(self, task_id: str) -> None:
        self._tasks.pop(task_id, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisStore:
    """Keys and records in Redis (redis-py's asyncio client); several replicas can share it."""

    def __init__(self, url: str, ttl: float, prefix: str):
        import redis.asyncio as redis  # imported here so the in-memory service does not need Redis

        self.ttl_ms = int(ttl * 1000)
        self.prefix = prefix
        self._redis = redis.from_url(url, decode_responses=True)
        self._release = self._redis.register_script(_RELEASE)

    def _key(self, key: str) -> str:
        return f"{self.prefix}idem:{key}"

    def _task(self, task_id: str) -> str:
        return f"{self.prefix}task:{task_id}"

    async def claim(self, key: str, value: str) -> Optional[str]:
        for _ in range(3):  # the key may expire between the refused SET and the GET
            if await self._redis.set(self._key(key), value, nx=True, px=self.ttl_ms):
                return None
            held = await self._redis.get(self._key(key))
            if held is not None:
                return held
        raise RuntimeError(f"idempotency key {key!r} kept expiring while being claimed")

    async def get_key(self, key: str) -> Optional[str]:
        return await self._redis.get(self._key(key))

    async def set_key(self, key: str, value: str) -> None:
        await self._redis.set(self._key(key), value, px=self.ttl_ms)

    async def release(self, key: str, value: str) -> None:
        await self._release(keys=[self._key(key)], args=[value])

    async def put_task(self, record: Record) -> None:
        await self._redis.set(self._task(record["task_id"]), json.dumps(record), px=self.ttl_ms)

    async def get_task(self, task_id: str) -> Optional[Record]:
        raw = await self._redis.get(self._task(task_id))
        return json.loads(raw) if raw else None

    async def delete_task(self, task_id: str) -> None:
        await self._redis.delete(self._task(task_id))

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

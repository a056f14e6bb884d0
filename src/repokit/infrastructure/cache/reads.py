"""Read-through: answer a lookup from Redis, else from the backend, and fill Redis.

A miss runs through single flight (:mod:`.flight`): concurrent misses on one key
in this process wait for one backend read. The flight looks Redis up once more
before reading the backend, so callers that missed just before another caller
filled the key are answered from Redis too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from repokit.infrastructure.cache.codec import ABSENT, ValueCodec
from repokit.infrastructure.cache.flight import SingleFlight
from repokit.infrastructure.cache.keys import CacheKey
from repokit.infrastructure.cache.redis_cache import RedisCache

T = TypeVar("T")


class ReadThrough:
    """Cached lookups: Redis first, then ``load`` from the backend once per key."""

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache
        self._flight = SingleFlight()

    async def get(
        self,
        key: CacheKey,
        kind: str,
        load: Callable[[], Awaitable[T | None]],
        codec: ValueCodec[T],
    ) -> T | None:
        """The value of ``key``: cached, or loaded, cached and returned (None: not found)."""
        lookup = await self.cache.lookup(key, kind, codec)
        if lookup.hit:
            return lookup.value

        async def load_and_fill() -> T | None:
            again = lookup
            if lookup.generation is not None:
                again = await self.cache.lookup(key, kind, codec, count=False)
                if again.hit:
                    return again.value
            value = await load()
            payload = ABSENT if value is None else codec.encode(value)
            await self.cache.fill(key, kind, again, codec.stamp + payload, found=value is not None)
            return value

        return await self._flight.run(key.value, load_and_fill)


__all__ = ["ReadThrough"]

"""The Redis side of the cache: look up, fill and invalidate, never failing a call.

Every Redis call here is fail-open: a timeout, a refused connection or any
Redis error counts in ``errors``, opens the circuit breaker (:mod:`.breaker`)
and turns into "not cached", so the caller reads the database instead. Short
socket timeouts (``REPOKIT_CACHE_TIMEOUT_S``) and no client-side retries keep a
dead Redis from adding more than one timeout, once per ``REPOKIT_CACHE_RETRY_S``.

An invalidation that cannot reach Redis is remembered and replayed first thing
when Redis answers again, so a write made during an outage does not leave a
value cached before the outage to be served after it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, Generic, NamedTuple, TypeVar, cast

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from repokit.infrastructure.cache.breaker import CircuitBreaker
from repokit.infrastructure.cache.codec import ABSENT, ValueCodec
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys
from repokit.infrastructure.cache.options import CacheOptions
from repokit.infrastructure.cache.stats import CacheCounters

FILL_IF_GENERATION = """
local current = redis.call('GET', KEYS[2]) or '0'
if current == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return 1
end
return 0
"""
"""Store a value only while its key's generation is still the one read before the
database read (one atomic step on the server)."""

T = TypeVar("T")

REDIS_ERRORS = (RedisError, OSError, TimeoutError)
"""What a Redis call may raise that the cache absorbs."""

LOST_INVALIDATIONS_KEPT = 10_000
"""Invalidations remembered during an outage; beyond this, the whole cache is dropped
when Redis is back (see :meth:`RedisCache.replay_lost`)."""


class Lookup(NamedTuple, Generic[T]):
    """What Redis said about one key.

    On a hit, ``value`` is the cached value (``None``: a cached "not found"). On
    a miss, ``generation`` is the key's generation, read before the database
    is, which a fill must still find (``None``: nothing may be filled, Redis is
    unavailable). A named tuple: one is built per cached call.
    """

    hit: bool
    value: T | None
    generation: bytes | None


UNAVAILABLE: Lookup[Any] = Lookup(False, None, None)


def connect_redis(url: str, options: CacheOptions) -> Redis:
    """A Redis client for the cache: short timeouts, no retries (the breaker decides)."""
    return Redis.from_url(
        url,
        socket_timeout=options.timeout_s,
        socket_connect_timeout=options.timeout_s,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )


class RedisCache:
    """Fail-open lookups, fills and invalidations on one Redis client."""

    def __init__(
        self, client: Redis, options: CacheOptions, counters: CacheCounters, keys: CacheKeys
    ) -> None:
        self._client = client
        self.keys = keys
        self.options = options
        self.counters = counters
        self.breaker = CircuitBreaker(options.retry_s)
        self.closed = False
        """Set by :meth:`close`: lookups then go to the (closed) backend, which says so."""
        self._lost: set[CacheKey] = set()
        self._lost_overflow = False
        self._fill_if_generation = client.register_script(FILL_IF_GENERATION)

    async def lookup(
        self, key: CacheKey, kind: str, codec: ValueCodec[T], *, count: bool = True
    ) -> Lookup[T]:
        """The cached value of ``key``, if Redis has a current one that ``codec`` reads.

        A value stamped otherwise (another release's, another shape's), or one
        ``codec.decode`` rejects (ValueError), is a miss: the fill that follows
        replaces it.
        ``count=False`` for a second look within the same call (not a new lookup).
        """
        kind = kind if count else ""
        if self.closed or not self.breaker.allow():
            self._count("misses", kind)
            return UNAVAILABLE
        try:
            if self._lost or self._lost_overflow:
                await self.replay_lost()
            # No decode_responses: values come back as bytes (or None when absent).
            cached = cast(bytes | None, await self._client.get(key.value))
            stamp = codec.stamp
            if cached is not None and cached.startswith(stamp):
                payload = cached[len(stamp) :]
                try:
                    value = None if payload == ABSENT else codec.decode(payload)
                except ValueError:
                    pass  # not what this release writes: a miss, and the fill replaces it
                else:
                    self.breaker.succeeded()
                    self._count("hits", kind)
                    return Lookup(True, value, None)
            # A miss: the generation, read before the database is, guards the fill.
            generation = cast(bytes | None, await self._client.get(key.generation))
        except REDIS_ERRORS as exc:
            self._failed(exc, kind or "lookup")
            self._count("misses", kind)
            return UNAVAILABLE
        self.breaker.succeeded()
        self._count("misses", kind)
        return Lookup(False, None, generation if generation is not None else b"0")

    def _count(self, name: str, kind: str) -> None:
        if kind:
            self.counters.add(name, kind)

    async def fill(
        self, key: CacheKey, kind: str, lookup: Lookup[Any], value: bytes, *, found: bool
    ) -> None:
        """Cache ``value`` (stamped) for ``key`` unless a write bumped its generation since
        ``lookup``."""
        if lookup.generation is None or self.closed or not self.breaker.allow():
            return
        ttl_ms = self.options.ttl_ms(kind, found=found)
        try:
            await self._fill_if_generation(
                keys=[key.value, key.generation],
                args=[lookup.generation, value, ttl_ms],
            )
        except REDIS_ERRORS as exc:
            self._failed(exc, kind)
            return
        self.breaker.succeeded()

    async def invalidate(self, keys: Iterable[CacheKey]) -> None:
        """Make every value cached for ``keys`` stale: bump each generation, drop each value."""
        wanted = set(keys)
        if not wanted or self.closed:
            return
        self.counters.add("invalidations", "write", len(wanted))
        if not self.breaker.allow():
            self._remember(wanted)
            return
        try:
            await self._invalidate(wanted)
        except REDIS_ERRORS as exc:
            self._remember(wanted)
            self._failed(exc, "write")
            return
        self.breaker.succeeded()

    async def _invalidate(self, keys: set[CacheKey]) -> None:
        ttl_ms = self.options.generation_ttl_ms
        async with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(key.generation)
                pipe.pexpire(key.generation, ttl_ms)
                pipe.delete(key.value)
            await pipe.execute()

    async def replay_lost(self) -> None:
        """Redo the invalidations an outage swallowed (or drop every cached value)."""
        lost, overflow = self._lost, self._lost_overflow
        self._lost, self._lost_overflow = set(), False
        try:
            if overflow:
                # Too many to remember: no cached value of this release can be trusted.
                generations = self.keys.generation_prefix.encode()
                async for name in self._client.scan_iter(match=self.keys.pattern, count=1000):
                    if not name.startswith(generations):
                        await self._client.unlink(name)
            if lost:
                await self._invalidate(lost)
        except BaseException:
            self._remember(lost)
            self._lost_overflow = self._lost_overflow or overflow
            raise

    async def ping(self) -> bool:
        """True when Redis answers now (a health check; never raises)."""
        try:
            await self._client.ping()
        except REDIS_ERRORS as exc:
            self._failed(exc, "ping")
            return False
        self.breaker.succeeded()
        return True

    def _remember(self, keys: set[CacheKey]) -> None:
        if self._lost_overflow:
            return
        self._lost |= keys
        if len(self._lost) > LOST_INVALIDATIONS_KEPT:
            self._lost, self._lost_overflow = set(), True

    def _failed(self, exc: BaseException, kind: str) -> None:
        self.counters.add("errors", kind)
        self.breaker.failed(exc)

    async def close(self) -> None:
        """Close the client's connections (errors on the way out are ignored)."""
        self.closed = True
        with contextlib.suppress(*REDIS_ERRORS):
            await self._client.aclose()


__all__ = ["REDIS_ERRORS", "Lookup", "RedisCache", "connect_redis"]

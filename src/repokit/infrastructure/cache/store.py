"""``CachedStore``: any store, with its point reads cached in Redis.

``repokit.connect(url, cache_url="redis://...")`` (or ``REPOKIT_CACHE_URL``)
returns the backend's store wrapped in this decorator; callers change nothing.
Redis is a cache, never the source of truth: with Redis gone every call still
works, from the database. See ``docs/cache.md``.
"""

from __future__ import annotations

from repokit.domain.errors import ConfigurationError
from repokit.domain.ports import StorePort
from repokit.infrastructure.cache.builtin_cascades import BUILTIN_CASCADES
from repokit.infrastructure.cache.invalidation import Cascades, ImmediateInvalidation
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.infrastructure.cache.options import CacheOptions
from repokit.infrastructure.cache.reads import ReadThrough
from repokit.infrastructure.cache.redis_cache import RedisCache, connect_redis
from repokit.infrastructure.cache.removals import Removals
from repokit.infrastructure.cache.repositories import CacheScope
from repokit.infrastructure.cache.stats import CacheCounters, CacheStats
from repokit.infrastructure.cache.unit_of_work import CachedUnitOfWork
from repokit.infrastructure.cache.wiring import attach_repositories
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories


class CachedStore(ProvidesEntityRepositories, StorePort):
    """``inner`` with its point reads (``get_by_id``, ``get_by``, ``find_by_email``,
    ``role_of``) read through ``cache``; ``repository(Model)`` is cached too."""

    def __init__(self, inner: StorePort, cache: RedisCache, description: str = "redis") -> None:
        self._inner = inner
        self._cache = cache
        self._description = description
        self.capabilities = inner.capabilities
        self.embedding_dim = inner.embedding_dim
        self._removals = Removals(cache.keys, BUILTIN_CASCADES)
        scope = CacheScope(
            cache.keys,
            ReadThrough(cache),
            ImmediateInvalidation(cache),
            Cascades(inner, inner),
            self._removals,
        )
        self.entity_repositories = attach_repositories(self, inner, scope)

    def __repr__(self) -> str:
        return f"CachedStore({self._inner!r}, cache={self._description!r})"

    @property
    def inner(self) -> StorePort:
        """The backend store this one wraps."""
        return self._inner

    def unit_of_work(self) -> CachedUnitOfWork:
        """The backend's unit of work, invalidating the cache after it commits."""
        return CachedUnitOfWork(self._inner.unit_of_work(), self._cache, self._removals)

    async def migrate(self) -> None:
        """The backend's migration (the cache has no schema: its keys carry a schema token)."""
        await self._inner.migrate()

    async def close(self) -> None:
        """Close the backend store and the Redis connections; idempotent."""
        try:
            await self._inner.close()
        finally:
            await self._cache.close()

    async def cache_reachable(self) -> bool:
        """True when Redis answers now; without it every call still works, uncached."""
        return await self._cache.ping()

    @property
    def cache_description(self) -> str:
        """The cache's URL, without secrets."""
        return self._description

    def cache_stats(self) -> CacheStats:
        """Hits, misses, errors and invalidations since the store was opened."""
        return self._cache.counters.snapshot()


def open_cached_store(inner: StorePort, cache_url: str, settings: Settings) -> CachedStore:
    """Wrap ``inner`` in the Redis cache at ``cache_url``.

    Nothing is sent to Redis here: an unreachable Redis shows up as cache
    errors and misses on the first calls, never as a failure to connect.

    Raises:
        ConfigurationError: ``cache_url`` is not a Redis URL.
    """
    options = CacheOptions.from_settings(settings)
    keys = CacheKeys(settings.cache_namespace)
    try:
        client = connect_redis(cache_url, options)
    except ValueError:
        raise ConfigurationError(
            f"not a Redis URL: {redact_url(cache_url)!r}; use redis://, rediss:// or unix://"
        ) from None
    cache = RedisCache(client, options, CacheCounters(), keys)
    return CachedStore(inner, cache, redact_url(cache_url))


__all__ = ["CachedStore", "open_cached_store"]

"""The cached store's unit of work: the backend's unit, invalidating after its commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.cache.invalidation import Cascades, PendingInvalidation
from repokit.infrastructure.cache.redis_cache import RedisCache
from repokit.infrastructure.cache.removals import Removals
from repokit.infrastructure.cache.repositories import CacheScope
from repokit.infrastructure.cache.wiring import attach_repositories
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories


class CachedUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """Wraps the backend's unit of work.

    Reads inside the unit go to the unit (they see its own writes) and never
    fill the cache; the keys its writes touch are invalidated after each commit
    (mid-block ``commit()`` or a clean exit) and forgotten on a rollback. A
    cascading delete collects what it removes in the unit itself.
    """

    def __init__(self, inner: UnitOfWorkPort, cache: RedisCache, removals: Removals) -> None:
        self._inner = inner
        self._pending = PendingInvalidation(cache)
        self._scope = CacheScope(cache.keys, None, self._pending, Cascades(inner, None), removals)

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        self.entity_repositories = attach_repositories(self, self._inner, self._scope)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._inner.__aexit__(exc_type, exc, tb)
        except BaseException:
            self._pending.rolled_back()
            raise
        if exc_type is None:
            await self._pending.committed()
        else:
            self._pending.rolled_back()

    async def commit(self) -> None:
        """Commit the backend's unit, then invalidate what it wrote."""
        await self._inner.commit()
        await self._pending.committed()

    async def rollback(self) -> None:
        """Roll the backend's unit back; nothing to invalidate."""
        await self._inner.rollback()
        self._pending.rolled_back()


__all__ = ["CachedUnitOfWork"]

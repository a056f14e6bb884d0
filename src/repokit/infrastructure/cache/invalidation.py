"""When cached values are invalidated: after each write, or after a unit's commit.

Outside a unit of work a repository call is its own transaction, committed
when it returns, so its keys are invalidated right then
(:class:`ImmediateInvalidation`). Inside a unit the keys are collected and
invalidated after the commit, and dropped on a rollback
(:class:`PendingInvalidation`): a value cached meanwhile by another caller was
read from committed data, which the commit then makes stale.

Deletes that cascade (an entity takes those whose ``Ref`` cascades, a
workspace its documents and ACL entries, a user their ACL entries) collect the
keys of what goes with them in the same transaction as the delete
(:class:`Cascades`, with :class:`~.removals.Removals` naming the keys), so
nothing that the delete removes can stay cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from repokit.domain.ports import RepositoriesPort, StorePort
from repokit.infrastructure.cache.keys import CacheKey
from repokit.infrastructure.cache.redis_cache import RedisCache


class Invalidator(Protocol):
    """Told about the keys each write touched."""

    async def written(self, keys: Iterable[CacheKey]) -> None:
        """``keys`` were written (or may have been)."""


class ImmediateInvalidation:
    """Store-level writes: invalidate as soon as the call returns (it has committed)."""

    def __init__(self, cache: RedisCache) -> None:
        self._cache = cache

    async def written(self, keys: Iterable[CacheKey]) -> None:
        """Invalidate ``keys`` now."""
        await self._cache.invalidate(keys)


class PendingInvalidation:
    """Writes of a unit of work: invalidate on commit, forget on rollback."""

    def __init__(self, cache: RedisCache) -> None:
        self._cache = cache
        self._keys: set[CacheKey] = set()

    async def written(self, keys: Iterable[CacheKey]) -> None:
        """Remember ``keys`` until the unit commits."""
        self._keys.update(keys)

    async def committed(self) -> None:
        """The unit committed: invalidate everything it wrote."""
        keys, self._keys = self._keys, set()
        await self._cache.invalidate(keys)

    def rolled_back(self) -> None:
        """The unit rolled back: nothing it wrote is visible, nothing to invalidate."""
        self._keys.clear()


Collect = Callable[[RepositoriesPort], Awaitable[list[CacheKey]]]
Delete = Callable[[RepositoriesPort], Awaitable[bool]]


class Cascades:
    """Runs a cascading delete together with the reads that name what it removes.

    Args:
        repositories: the backend repositories the cached ones wrap.
        store: the backend store at store level (a unit groups the reads and the
            delete when it has transactions); None inside a unit, which already does.
    """

    def __init__(self, repositories: RepositoriesPort, store: StorePort | None) -> None:
        self._repositories = repositories
        self._store = store

    async def delete(self, collect: Collect, delete: Delete) -> tuple[bool, list[CacheKey]]:
        """``(deleted, keys of what went with it)``."""
        store = self._store
        if store is not None and store.capabilities.transactions:
            async with store.unit_of_work() as uow:
                keys = await collect(uow)
                deleted = await delete(uow)
            return deleted, keys
        # Without transactions (or inside the caller's unit): read, then delete.
        keys = await collect(self._repositories)
        return await delete(self._repositories), keys


__all__ = [
    "Cascades",
    "Collect",
    "Delete",
    "ImmediateInvalidation",
    "Invalidator",
    "PendingInvalidation",
]

"""The cached repository of any declared entity: ``get_by_id`` and ``get_by`` through Redis.

One class for every ``repokit.Entity`` (``User`` and ``Workspace`` included):

* ``get_by_id(id)`` caches the entity under its id;
* ``get_by(**values)`` caches the id of the entity with those unique values (a
  hash of them in the key, see :mod:`.entity_keys`); the entity then comes from
  its id's entry and is served only if it still has those values; otherwise the
  entry is dropped and the backend asked again (the values moved to another
  entity, or this one changed them);
* everything else goes straight to the backend.

Every write invalidates the id and unique-value keys of the entities it writes
(also when it fails); a delete invalidates those of everything it removes,
collected in the delete's own transaction (:mod:`.removals`).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER, EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.domain.paging import Page
from repokit.domain.ports import EntityRepositoryPort, RepositoriesPort
from repokit.domain.query import Filter
from repokit.infrastructure.cache.codec import ValueCodec, entity_codec, id_codec
from repokit.infrastructure.cache.entity_keys import EntityKeys
from repokit.infrastructure.cache.keys import CacheKey
from repokit.infrastructure.cache.repositories import CachedRepository, CacheScope

E = TypeVar("E", bound=Entity)


class CachedEntityRepository(CachedRepository, EntityRepositoryPort[E], Generic[E]):
    """A declared entity's backend repository with its point reads cached.

    Raises:
        DeclarationError: at construction, when the cache cannot decode one of the
            entity's field types exactly (naming the field).
    """

    def __init__(self, inner: EntityRepositoryPort[E], model: type[E], scope: CacheScope) -> None:
        super().__init__(scope)
        self._inner = inner
        self._model = model
        spec = spec_of(model)
        self._queries = EntityQueries(spec)
        self._entity_keys = EntityKeys.of_spec(scope.keys, spec)
        self._codec: ValueCodec[E] = entity_codec(model)
        self._ids = id_codec(self._codec)

    async def save(self, entity: E) -> E:
        written = [entity]
        try:
            saved = await self._inner.save(entity)
            written.append(saved)  # its stored values, if the backend changed any
            return saved
        finally:
            await self._written(self._keys_of(written))

    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        written = list(entities) if isinstance(entities, Sequence) else []
        try:
            saved = await self._inner.save_many(entities)
            written.extend(saved)
            return saved
        finally:
            await self._written(self._keys_of(written))

    def _keys_of(self, written: builtins.list[Any]) -> set[CacheKey]:
        # What is not an entity of this class the backend refuses; it has no keys.
        return self._entity_keys.keys_of(e for e in written if isinstance(e, self._model))

    async def get_by_id(self, id: UUID) -> E | None:
        entity_id = _as_uuid(id)
        if self._reads is None or entity_id is None:
            return await self._inner.get_by_id(id)  # not a UUID: the backend's to refuse
        found: E | None = await self._reads.get(
            self._entity_keys.by_id(entity_id),
            self._entity_keys.collection,  # the lookup kind of the counters and TTLs
            lambda: self._inner.get_by_id(id),
            self._codec,
        )
        return found

    async def get_by(self, **unique: Any) -> E | None:
        reads = self._reads
        if reads is None:
            return await self._inner.get_by(**unique)
        values = self._queries.unique_key(unique)  # InvalidQueryError, as the backend raises it
        if "id" in values:
            return await self.get_by_id(values["id"])  # get_by(id=...) is get_by_id
        key = self._entity_keys.by_unique(values)
        kind = self._entity_keys.unique_kind(values)
        entity_id = await reads.get(key, kind, lambda: self._id_by(unique), self._ids)
        if entity_id is None:
            return None
        # The entity itself comes from (and fills) its id's entry, which every write of it
        # invalidates; the values' entry only names it.
        entity = await self.get_by_id(entity_id)
        if entity is not None and self._has(entity, values):
            return entity
        await reads.cache.invalidate([key])
        return await self._inner.get_by(**unique)

    async def _id_by(self, unique: dict[str, Any]) -> UUID | None:
        entity = await self._inner.get_by(**unique)
        return None if entity is None else entity.id

    def _has(self, entity: E, values: dict[str, Any]) -> bool:
        return all(self._queries.order_value_of(entity, n) == v for n, v in values.items())

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[E]:
        return await self._inner.list(
            offset, limit, where=where, order_by=order_by, descending=descending
        )

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> Page[E]:
        return await self._inner.page(
            limit, cursor, where=where, order_by=order_by, descending=descending
        )

    async def count(self, *, where: Filter | None = None) -> int:
        return await self._inner.count(where=where)

    async def delete(self, id: UUID) -> bool:
        """Delete the entity (its ``Ref`` rules apply); invalidate it and all that went with it.

        A refused delete (a ``restrict`` reference) invalidates the entity's own id
        key only: nothing went with it.
        """
        model, removals, entity_id = self._model, self._scope.removals, _as_uuid(id)

        async def collect(repositories: RepositoriesPort) -> builtins.list[CacheKey]:
            if entity_id is None:
                return []  # not a UUID: the backend refuses it
            return await removals.removed(repositories, model, entity_id)

        async def delete(repositories: RepositoriesPort) -> bool:
            return await repositories.repository(model).delete(id)

        own = [] if entity_id is None else [self._entity_keys.by_id(entity_id)]
        try:
            deleted, removed = await self._scope.cascades.delete(collect, delete)
            own.extend(removed)
            return deleted
        finally:
            await self._written(own)


def _as_uuid(value: Any) -> UUID | None:
    """``value`` as the UUID its cache keys name (an id may come as text), else None."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


__all__ = ["CachedEntityRepository"]

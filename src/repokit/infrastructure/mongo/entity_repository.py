"""The MongoDB repository of any declared entity: one class for every ``repokit.Entity``.

Built on the adapter's shared machinery: the save rules, batches and self-undo of
:class:`~.repository.VersionedMongoRepository`, the codec derived from the spec
(:mod:`.entity_codec`), the filter compiler (:mod:`.filters`), keyset pages
(:mod:`.paging`) and the error map. The indexes it relies on are
:mod:`.entity_schema`'s, created by ``store.migrate()``.

* Unique fields are unique indexes: a clash is the server's duplicate key error,
  reported as ``DuplicateError`` naming the field(s). Inside a unit of work (a
  transaction, which a server error aborts whole) the values are read first.
* ``Ref`` targets are read before the write (``NotFoundError``); a delete follows
  the references to the entity (:mod:`.entity_refs`), and the store's dependent
  collections (the built-ins' ACL entries, documents and chunks).
* ``Immutable`` fields are kept from the stored document on update.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER, EntityQueries, Ordering
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import DuplicateError
from repokit.domain.paging import Page, validate_window
from repokit.domain.ports import EntityRepositoryPort
from repokit.domain.query import Filter
from repokit.infrastructure.mongo.client import Session
from repokit.infrastructure.mongo.entity_codec import ID_PATH, EntityDocuments
from repokit.infrastructure.mongo.entity_refs import (
    DeletePlan,
    DependentCollections,
    check_targets,
    child_links,
)
from repokit.infrastructure.mongo.entity_schema import index_name
from repokit.infrastructure.mongo.errors import ErrorContext
from repokit.infrastructure.mongo.filters import compile_filter
from repokit.infrastructure.mongo.paging import and_, beyond, keyset_sort
from repokit.infrastructure.mongo.repository import VersionedMongoRepository, find_all, key
from repokit.infrastructure.mongo.scopes import Scope

E = TypeVar("E", bound=Entity)

NO_DEPENDENTS: DependentCollections = {}


@dataclass(frozen=True, slots=True)
class UniqueGroup:
    """One unique constraint: its fields, their stored paths and its index."""

    names: tuple[str, ...]
    paths: tuple[str, ...]
    index: str

    @property
    def label(self) -> str:
        """The fields as messages name them: ``sku`` or ``(customer_id, number)``."""
        return self.names[0] if len(self.names) == 1 else f"({', '.join(self.names)})"


class MongoEntityRepository(VersionedMongoRepository[E], EntityRepositoryPort[E], Generic[E]):
    """A declared entity's documents in its own collection."""

    def __init__(
        self, scope: Scope, model: type[E], dependents: DependentCollections = NO_DEPENDENTS
    ) -> None:
        spec = spec_of(model)
        self._documents: EntityDocuments[E] = EntityDocuments(spec)
        super().__init__(scope, self._documents.codec)
        self._spec = spec
        self._queries = EntityQueries(spec)
        self._dependents = dependents
        self._unique = tuple(self._unique_group(group) for group in spec.unique)
        self._by_fields = {frozenset(group.names): group for group in self._unique}

    # -- the save rules' hooks -----------------------------------------------------------

    def _kept_on_update(self) -> tuple[str, ...]:
        return self._spec.immutable

    def _errors(self, entity: E) -> ErrorContext:
        values = entity.__dict__
        return ErrorContext(
            duplicate=f"{self.noun} {values['id']} already exists",
            unique=tuple((group.index, self._taken(group, values)) for group in self._unique),
        )

    def _batch_errors(self) -> ErrorContext:
        return ErrorContext(
            duplicate=f"a {self.noun} of the batch already exists",
            unique=tuple(
                (group.index, f"a {self.noun} {group.label} of the batch is taken")
                for group in self._unique
            ),
        )

    async def _check_references(self, entity: E, session: Session | None) -> None:
        await check_targets(self._scope.database.db, self._spec, [entity], session)

    async def _check_batch_references(self, batch: Sequence[E], session: Session | None) -> None:
        await check_targets(self._scope.database.db, self._spec, batch, session)

    async def _check_unique(self, entity: E, session: Session | None) -> None:
        await super()._check_unique(entity, session)
        await self._check_unique_update(entity, session)

    async def _check_unique_update(self, entity: E, session: Session | None) -> None:
        values = entity.__dict__
        for group in self._unique:
            query = self._unique_query(group, values)
            if query is None:
                continue
            query[ID_PATH] = {"$ne": str(values["id"])}
            if await self._collection.find_one(query, {ID_PATH: 1}, session=session) is not None:
                raise DuplicateError(self._taken(group, values))

    # -- reads ------------------------------------------------------------------------------

    async def get_by(self, **unique: Any) -> E | None:
        """The entity with these values of one unique group, or None."""
        wanted = self._queries.unique_key(unique)
        group = self._by_fields.get(frozenset(wanted))
        if group is None:  # get_by(id=...)
            query = {ID_PATH: self._documents.value("id", wanted["id"])}
        else:
            query = self._unique_query(group, wanted) or {}
        async with self._scope.read() as session:
            doc = await self._collection.find_one(query, session=session)
        return None if doc is None else self._codec.decode(doc)

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[E]:
        """An offset window ordered by ``order_by`` then id, both in one direction."""
        validate_window(offset, limit)
        ordering = self._queries.ordering(order_by, descending)
        query = self._query(where)
        return await self._window(query, offset, limit, self._sort(ordering))

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> Page[E]:
        """A keyset page over ``(order_by, id)``; the cursor is None on the last page."""
        ordering, start = self._queries.page_start(limit, cursor, order_by, descending)
        query = self._query(where)
        if start is not None:
            value, id_ = start
            path = self._documents.path(ordering.name)
            position = self._documents.value(ordering.name, value)
            query = and_(query, beyond(path, position, str(id_), descending=descending))
        async with self._scope.read() as session:
            docs = await find_all(
                self._collection, query, session, sort=self._sort(ordering), limit=limit + 1
            )
        return self._queries.page_of(ordering, [self._codec.decode(d) for d in docs], limit, cursor)

    async def count(self, *, where: Filter | None = None) -> int:
        """How many entities match."""
        query = self._query(where)
        async with self._scope.read() as session:
            return await self._collection.count_documents(query, session=session)

    # -- delete -----------------------------------------------------------------------------

    async def delete(self, id: UUID) -> bool:
        """Delete the entity, cascading or restricting along its references; True if it existed."""
        wanted = key(id)
        collection = self._codec.collection
        # A delete that follows references is one transaction where the server has them.
        follows = bool(child_links(collection, self._dependents))
        async with self._scope.write(atomic=follows) as session:
            if follows:
                if not await self._exists(self._collection, wanted, session):
                    return False
                plan = DeletePlan(self._scope.database.db, session, self._dependents)
                await plan.follow(collection, self.noun, [wanted])
                await plan.run()
            result = await self._collection.delete_one({ID_PATH: wanted}, session=session)
        return result.deleted_count > 0

    # -- helpers ----------------------------------------------------------------------------

    def _unique_group(self, names: tuple[str, ...]) -> UniqueGroup:
        paths = tuple(self._documents.path(name) for name in names)
        return UniqueGroup(names, paths, index_name("uq", self._spec.table(), names))

    def _query(self, where: Filter | None) -> dict[str, Any]:
        return compile_filter(self._queries.parse(where), self._documents)

    def _sort(self, ordering: Ordering) -> builtins.list[tuple[str, int]]:
        return keyset_sort(self._documents.path(ordering.name), descending=ordering.descending)

    def _unique_query(self, group: UniqueGroup, values: dict[str, Any]) -> dict[str, Any] | None:
        """The query for ``values`` of ``group`` (None when one is null: nulls never clash)."""
        query: dict[str, Any] = {}
        for name, path in zip(group.names, group.paths, strict=True):
            value = values[name]
            if value is None:
                return None
            query[path] = self._documents.value(name, value)
        return query

    def _taken(self, group: UniqueGroup, values: dict[str, Any]) -> str:
        """The message of a clash on ``group``: ``Order sku 'A-1' is taken``."""
        spec = self._spec
        shown = ", ".join(
            repr(EntityQueries.order_value(spec.field(name), values[name])) for name in group.names
        )
        return f"{self.noun} {group.label} {shown} is taken"


__all__ = ["NO_DEPENDENTS", "MongoEntityRepository", "UniqueGroup"]

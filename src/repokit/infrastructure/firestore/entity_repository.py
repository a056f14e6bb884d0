"""The Firestore repository of any declared entity: one class for every ``repokit.Entity``.

A collection per entity, a document per entity under its id. The save rules are
:mod:`.records`' (guard documents for unique values, references read in the same
transaction), deletes follow :mod:`.cascade`, listings :mod:`.queries`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER, EntityQueries, Ordering
from repokit.domain.entity_spec import spec_of
from repokit.domain.paging import Page, validate_window
from repokit.domain.ports import EntityRepositoryPort
from repokit.domain.query import And, Compare, FieldRef, Filter, FilterNode
from repokit.infrastructure.firestore.cascade import delete_document
from repokit.infrastructure.firestore.listing import Listing
from repokit.infrastructure.firestore.queries import listing
from repokit.infrastructure.firestore.records import save_all
from repokit.infrastructure.firestore.scope import Scope
from repokit.infrastructure.firestore.tables import table_of
from repokit.infrastructure.memory.listing import as_uuid

E = TypeVar("E", bound=Entity)


class FirestoreEntityRepository(EntityRepositoryPort[E], Generic[E]):
    """A declared entity's documents in its own collection."""

    def __init__(self, scope: Scope, model: type[E]) -> None:
        self._scope = scope
        self._spec = spec_of(model)
        self._queries = EntityQueries(self._spec)
        self._table = table_of(self._spec)

    def _collection(self) -> Any:
        return self._scope.client.db.collection(self._table.name)

    async def save(self, entity: E) -> E:
        """Insert or update one entity (see the ``save`` rules)."""
        saved: builtins.list[E] = await self._scope.run(
            lambda step: save_all(step, self._table, [entity])
        )
        return saved[0]

    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        """Save several entities atomically: all land or none does."""
        batch = list(entities)
        if not batch:
            return []
        return await self._scope.run(lambda step: save_all(step, self._table, batch))

    async def get_by_id(self, id: UUID) -> E | None:
        """The entity with this id, or None."""
        key = as_uuid(id, "id")
        data = await self._scope.reader().get(self._collection().document(str(key)))
        return None if data is None else self._table.codec.decode(data)

    async def get_by(self, **unique: Any) -> E | None:
        """The entity with these values of one unique group, or None."""
        wanted = self._queries.unique_key(unique)
        if set(wanted) == {"id"}:
            return await self.get_by_id(wanted["id"])
        clauses = tuple(Compare(FieldRef(name), "$eq", value) for name, value in wanted.items())
        node: FilterNode = clauses[0] if len(clauses) == 1 else And(clauses)
        found = await self._scope.reader().select(self._listing(node, None), 1)
        return found[0] if found else None

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
        node = self._queries.parse(where)
        rows = await self._scope.reader().select(self._listing(node, ordering), offset + limit)
        return rows[offset:]

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
        ordering, after = self._queries.page_start(limit, cursor, order_by, descending)
        node = self._queries.parse(where)
        rows = await self._scope.reader().select(self._listing(node, ordering, after), limit + 1)
        return self._queries.page_of(ordering, rows, limit, cursor)

    async def count(self, *, where: Filter | None = None) -> int:
        """How many entities match."""
        node = self._queries.parse(where)
        return await self._scope.reader().count(self._listing(node, None))

    async def delete(self, id: UUID) -> bool:
        """Delete the entity, cascading or restricting along its references; True if it existed."""
        key = as_uuid(id, "id")
        return await delete_document(self._scope, self._table.name, self._table.noun, str(key))

    def _listing(
        self,
        node: FilterNode | None,
        ordering: Ordering | None,
        after: tuple[Any, UUID] | None = None,
    ) -> Listing[E]:
        order = None if ordering is None or ordering.name == "id" else ordering.name
        if ordering is not None and ordering.name == "id" and after is not None:
            after = (None, after[1])
        name = order

        def order_value(entity: Any) -> Any:
            return EntityQueries.order_value_of(entity, name) if name else None

        return listing(
            self._collection(),
            self._table.codec,
            node,
            order=order,
            order_value=order_value,
            descending=bool(ordering and ordering.descending),
            after=after,
            read=self._queries.read,
        )


__all__ = ["FirestoreEntityRepository"]

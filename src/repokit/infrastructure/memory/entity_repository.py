"""The in-memory repository of any declared entity: the reference every backend is checked against.

One class serves every ``repokit.Entity``: the save rules, references and unique
constraints come from :mod:`.rows` and the database's :class:`~.schema.MemorySchema`;
filters are evaluated by the reference evaluator over
:meth:`~repokit.domain.entity_query.EntityQueries.read`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER, EntityQueries, Ordering
from repokit.domain.entity_spec import spec_of
from repokit.domain.matching import matches
from repokit.domain.paging import Page, validate_window
from repokit.domain.ports import EntityRepositoryPort
from repokit.domain.query import Filter, FilterNode
from repokit.infrastructure.memory.listing import as_uuid
from repokit.infrastructure.memory.rows import (
    delete_row,
    get_entity,
    save_all,
    save_versioned,
    to_entity,
)
from repokit.infrastructure.memory.schema import MemorySchema
from repokit.infrastructure.memory.state import Table
from repokit.infrastructure.memory.transaction import MemoryTransaction, TransactionScope

E = TypeVar("E", bound=Entity)


class MemoryEntityRepository(EntityRepositoryPort[E], Generic[E]):
    """A declared entity's rows held in memory, checked by the database's schema."""

    def __init__(self, scope: TransactionScope, model: type[E], schema: MemorySchema) -> None:
        self._scope = scope
        self._spec = spec_of(model)
        self._queries = EntityQueries(self._spec)
        self._table: Table[UUID, E] = schema.add_entity(self._spec)

    async def save(self, entity: E) -> E:
        """Insert or update one entity (see the ``save`` rules)."""
        with self._scope.transaction() as transaction:
            return save_versioned(transaction, self._table, entity)

    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        """Save several entities in one statement: all land or none does."""
        with self._scope.transaction() as transaction:
            return save_all(transaction, self._table, entities)

    async def get_by_id(self, id: UUID) -> E | None:
        """The entity with this id, or None."""
        key = as_uuid(id, "id")
        with self._scope.transaction() as transaction:
            return get_entity(transaction, self._table, key)

    async def get_by(self, **unique: Any) -> E | None:
        """The entity with these values of one unique group, or None."""
        wanted = self._queries.unique_key(unique)
        with self._scope.transaction() as transaction:
            for row in transaction.rows(self._table).values():
                if all(self._queries.order_value_of(row, name) == v for name, v in wanted.items()):
                    return to_entity(row)
        return None

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
        with self._scope.transaction() as transaction:
            rows = self._ordered(transaction, node, ordering)
            return [to_entity(row) for row in rows[offset : offset + limit]]

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
        with self._scope.transaction() as transaction:
            rows = self._ordered(transaction, node, ordering)
        if after is not None:
            rows = [row for row in rows if self._beyond(row, ordering, after)]
        return self._queries.page_of(
            ordering, [to_entity(row) for row in rows[: limit + 1]], limit, cursor
        )

    async def count(self, *, where: Filter | None = None) -> int:
        """How many entities match."""
        node = self._queries.parse(where)
        with self._scope.transaction() as transaction:
            rows = transaction.rows(self._table).values()
            return sum(1 for row in rows if self._matches(node, row))

    async def delete(self, id: UUID) -> bool:
        """Delete the entity, cascading or restricting along its references; True if it existed."""
        key = as_uuid(id, "id")
        with self._scope.transaction() as transaction:
            return delete_row(transaction, self._table, key)

    def _matches(self, node: FilterNode | None, row: E) -> bool:
        return matches(node, row, self._queries.read)

    def _ordered(
        self, transaction: MemoryTransaction, node: FilterNode | None, ordering: Ordering
    ) -> builtins.list[E]:
        rows = [row for row in transaction.rows(self._table).values() if self._matches(node, row)]
        rows.sort(key=lambda row: self._position(row, ordering), reverse=ordering.descending)
        return rows

    def _position(self, row: E, ordering: Ordering) -> tuple[Any, UUID]:
        return self._queries.order_value_of(row, ordering.name), row.id

    def _beyond(self, row: E, ordering: Ordering, after: tuple[Any, UUID]) -> bool:
        position = self._position(row, ordering)
        return position < after if ordering.descending else position > after


__all__ = ["MemoryEntityRepository"]

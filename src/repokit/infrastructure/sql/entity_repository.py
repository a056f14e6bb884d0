"""The SQL repository of any declared entity: one class for every ``repokit.Entity``.

The save rules are :class:`~.repository.VersionedSqlRepository`'s (an insert at
version 0, a versioned ``UPDATE ... RETURNING`` otherwise, batches in one
atomic write, ``COPY`` for long batches on PostgreSQL); ``Immutable`` fields are
left out of the ``UPDATE`` and come back from its ``RETURNING``. Unique groups,
references and cascades are the table's (:mod:`.entity_tables`), so the
database enforces them, inside any transaction, and :mod:`.entity_errors`
names what failed. Reads by id and ``get_by`` run precompiled statements;
listings compile the filter (:mod:`.filters`, cached) and order by the field's
comparable column, then id, both in one direction; pages are keyset pages over
``(field, id)``. Everything the answers depend on matches the in-memory reference.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, literal, select

from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER, Ordering, scalar_operand
from repokit.domain.paging import Page, validate_window
from repokit.domain.ports import EntityRepositoryPort
from repokit.domain.query import Filter
from repokit.infrastructure.sql.cascade_delete import delete_cascades_in_parts
from repokit.infrastructure.sql.entity_catalog import EntitySql
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.paging import Beyond, window
from repokit.infrastructure.sql.repository import VersionedSqlRepository, as_uuid, delete_row
from repokit.infrastructure.sql.scopes import Scope

E = TypeVar("E", bound=Entity)


class SqlEntityRepository(VersionedSqlRepository[E], EntityRepositoryPort[E], Generic[E]):
    """A declared entity's table on SQLite or PostgreSQL."""

    def __init__(self, scope: Scope, sql: EntitySql[E]) -> None:
        super().__init__(scope, sql.statements)
        self._sql = sql
        self._queries = sql.queries
        self._id = sql.table.c.id
        self.noun = sql.spec.noun

    # -- save rules ------------------------------------------------------------------

    def _errors(self, entity: E) -> ErrorContext:
        return self._sql.errors.save(entity)

    def _batch_errors(self, entities: Sequence[E]) -> ErrorContext:
        return self._sql.errors.batch()

    # save, save_many and get_by_id are VersionedSqlRepository's (no pass-through layer:
    # they are the hot paths).

    # -- reads -----------------------------------------------------------------------

    async def get_by(self, **unique: Any) -> E | None:
        """The entity whose unique field (or compound unique's fields) has these values."""
        key = self._queries.unique_key(unique)
        lookup = self._sql.get_by(frozenset(key))
        async with self._scope.read() as connection:
            row = await connection.fetch_one(lookup.sql, lookup.values(key))
        return None if row is None else self._mapping.decode(row)

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
        statement = self._ordered(self._selection(where), ordering)
        return await self._rows(window(statement, offset, limit))

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
        statement = self._selection(where)
        if after is not None:
            statement = statement.where(self._beyond(ordering, after))
        rows = await self._rows(self._ordered(statement, ordering).limit(limit + 1))
        return self._queries.page_of(ordering, rows, limit, cursor)

    async def count(self, *, where: Filter | None = None) -> int:
        """How many entities match."""
        condition = self._condition(where)
        statement = select(func.count()).select_from(self._table)
        if condition is not None:
            statement = statement.where(condition)
        async with self._scope.read() as connection:
            result = await connection.run(statement)
            return int(result.scalar_one())

    # -- deletes ---------------------------------------------------------------------

    async def delete(self, id: UUID) -> bool:
        """Delete the entity: ``Ref`` cascades follow; a restricting ``Ref`` raises ``InUseError``.

        Returns True if it existed.
        """
        key = as_uuid(id)
        encoded = self._statements.encode_id(key)
        # SQLite: one statement, atomic on its own, cascades included. PostgreSQL: the
        # cascade first, in parts inside the transaction (cascade_delete).
        errors = self._sql.errors.delete(key)
        async with self._scope.write(errors, atomic=self._copies) as connection:
            await delete_cascades_in_parts(connection, self._table.name, encoded)
            return await delete_row(connection, self._statements, encoded)

    # -- statement parts -------------------------------------------------------------

    def _condition(self, where: Filter | None) -> ColumnElement[bool] | None:
        # Parsed first: a rejected filter fails before anything is read.
        return self._sql.filters.compile(self._queries.parse(where))

    def _selection(self, where: Filter | None) -> Select[Any]:
        statement = select(*self._statements.read)
        condition = self._condition(where)
        return statement if condition is None else statement.where(condition)

    def _ordered(self, statement: Select[Any], ordering: Ordering) -> Select[Any]:
        column = self._sql.compared[ordering.name]
        if ordering.descending:
            return statement.order_by(column.desc(), self._id.desc())
        return statement.order_by(column.asc(), self._id.asc())

    def _beyond(self, ordering: Ordering, after: tuple[Any, UUID]) -> ColumnElement[bool]:
        """Rows past the cursor's ``(value, id)`` in the ordering's direction."""
        column = self._sql.compared[ordering.name]
        value, id_ = after
        # Checked as a filter operand would be: a cursor is client input.
        value = scalar_operand(ordering.field, value, "cursor")
        position = (literal(value, column.type), literal(id_, self._id.type))
        return Beyond((column, self._id), position, descending=ordering.descending)

    async def _rows(self, statement: Select[Any]) -> builtins.list[E]:
        async with self._scope.read() as connection:
            result = await connection.run(statement)
            rows = result.all()
        from_row = self._mapping.from_row
        return [from_row(row) for row in rows]


__all__ = ["SqlEntityRepository"]

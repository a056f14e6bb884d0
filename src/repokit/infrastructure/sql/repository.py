"""The save rules, reads by id, deletes and windows every SQL repository shares.

:class:`SqlRepository` works for any pydantic entity with an ``id`` mapped by an
:class:`~.mapping.EntityMapping`; :class:`VersionedSqlRepository` adds the
optimistic-locking ``save`` of ``docs/semantics.md``:

* version 0 -> ``INSERT``; an id already stored -> ``DuplicateError``;
* version n -> ``UPDATE ... WHERE id = :id AND version = :n RETURNING ...``; no row
  updated -> ``NotFoundError`` if the id is not stored, else ``ConcurrencyError``
  (without ``RETURNING``, on MySQL: the rows changed are counted, and the kept
  columns read by id after the update, in the same transaction where there is one);
* ``save_many`` does the same for a batch in one atomic write.

A later ``store.repository(MyEntity)`` is this class with a generated mapping.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select

from repokit.domain.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidQueryError,
    NotFoundError,
    RepokitError,
)
from repokit.domain.paging import validate_window
from repokit.infrastructure.assembly import restamped
from repokit.infrastructure.sql.cascade_delete import delete_cascades_in_parts
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.errors import (
    DRIVER_ERRORS,
    ErrorContext,
    ErrorKind,
    classify,
    driver_error,
    translate_error,
)
from repokit.infrastructure.sql.paging import window
from repokit.infrastructure.sql.scopes import Scope
from repokit.infrastructure.sql.statements import EntityStatements
from repokit.infrastructure.sql.write_parts import write_in_parts
from repokit.infrastructure.write_checks import reject_repeated_ids

COPY_MIN_ROWS = 16
"""Batches at least this long are inserted with ``COPY`` where the connection offers it."""
ONE_COPY_MAX_ROWS = 5_000
"""The longest batch of new entities inserted by one ``COPY`` outside a transaction
(tens of milliseconds); a longer one runs in a transaction, in parts if need be."""
INSERT_ROWS_PER_S = 20_000.0
"""A conservative rate of batch inserts into a table without a vector index: it sizes
the first part of a long batch (:mod:`.write_parts`)."""
_BATCH_SAVEPOINT = "repokit_batch"

E = TypeVar("E", bound=BaseModel)
V = TypeVar("V", bound=BaseModel)


def as_uuid(value: Any, what: str = "id") -> UUID:
    """``value`` as a UUID (a UUID or its string form), else ``InvalidQueryError``."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidQueryError(f"{what} must be a UUID, got {value!r}") from None


def as_datetime(value: Any, what: str) -> datetime:
    """``value`` if it is a datetime (naive means UTC), else ``InvalidQueryError``."""
    if not isinstance(value, datetime):
        raise InvalidQueryError(f"{what} must be a datetime, got {value!r}")
    return value


async def delete_row(
    connection: SqlConnection, statements: EntityStatements[Any], key: Any
) -> bool:
    """Run ``statements.delete_by_id`` for ``key``; True if a row was deleted."""
    if statements.delete_returns_rows:
        return bool(await connection.fetch_all(statements.delete_by_id.sql, (key,)))
    return bool(await connection.execute(statements.delete_by_id.sql, (key,)))


class SqlRepository(Generic[E]):
    """Reads by id, deletes by id and ordered windows of one mapped table."""

    noun = "entity"

    def __init__(self, scope: Scope, statements: EntityStatements[E]) -> None:
        self._scope = scope
        self._statements = statements
        self._mapping = statements.mapping
        self._table = statements.mapping.table
        # PostgreSQL's connections (both forms) bulk-load with COPY and have a statement
        # timeout (long writes run in parts).
        self._copies = statements.mapping.dialect.name == "postgresql"

    async def get_by_id(self, id: UUID) -> E | None:
        """The entity with this id, or None."""
        key = self._statements.encode_id(as_uuid(id))
        async with self._scope.read() as connection:
            row = await connection.fetch_one(self._statements.select_by_id.sql, (key,))
        return None if row is None else self._mapping.decode(row)

    async def delete(self, id: UUID) -> bool:
        """Delete the entity (foreign keys cascade); True if it existed."""
        key = self._statements.encode_id(as_uuid(id))
        # SQLite: one statement, atomic on its own, cascades included. PostgreSQL: the
        # cascade first, in parts inside the transaction (cascade_delete).
        async with self._scope.write(self._delete_errors(), atomic=self._copies) as connection:
            await delete_cascades_in_parts(connection, self._table.name, key)
            return await delete_row(connection, self._statements, key)

    def _delete_errors(self) -> ErrorContext | None:
        return None

    async def _window(
        self,
        offset: int,
        limit: int,
        *,
        where: ColumnElement[bool] | None = None,
        order_by: Sequence[ColumnElement[Any]] | None = None,
    ) -> builtins.list[E]:
        validate_window(offset, limit)
        table = self._table
        statement = select(*self._statements.read)
        if where is not None:
            statement = statement.where(where)
        statement = statement.order_by(*(order_by or (table.c.created_at, table.c.id)))
        async with self._scope.read() as connection:
            result = await connection.run(window(statement, offset, limit))
            rows = result.all()
        return [self._mapping.from_row(row) for row in rows]


class VersionedSqlRepository(SqlRepository[V]):
    """Adds the optimistic-locking ``save`` and ``save_many``."""

    def _stamp(self) -> dict[str, Any]:
        """Fields the store sets on every save (e.g. ``updated_at``); none by default.

        Computed once per call, so every entity of a batch gets the same stamp.
        """
        return {}

    def _normalize(self, entity: V) -> V:
        """``entity`` as it is stored (e.g. an email lower-cased); itself by default.

        ``model_copy`` skips validation, so the store repeats what validators do.
        """
        return entity

    def _errors(self, entity: V) -> ErrorContext:
        """What constraint failures mean when saving ``entity``."""
        return ErrorContext(duplicate=f"{self.noun} {entity.__dict__['id']} already exists")

    def _batch_errors(self, entities: Sequence[V]) -> ErrorContext:
        """What constraint failures mean when saving a batch."""
        return ErrorContext(duplicate=f"a {self.noun} of the batch already exists")

    async def save(self, entity: V) -> V:
        """Insert (version 0) or update (version n, stored as n + 1); see the module doc."""
        entity = self._normalize(entity)
        stamped = self._stamp()
        async with self._scope.write(self._errors(entity), atomic=False) as connection:
            if entity.__dict__["version"] == 0:
                return await self._insert_one(connection, entity, stamped)
            return await self._update_one(connection, entity, stamped)

    async def save_many(self, entities: Sequence[V]) -> builtins.list[V]:
        """Save a batch atomically: all land or none does."""
        batch = [self._normalize(entity) for entity in entities]
        if not batch:
            return []
        reject_repeated_ids(self.noun, (entity.__dict__["id"] for entity in batch))
        stamped = self._stamp()
        new = [i for i, entity in enumerate(batch) if entity.__dict__["version"] == 0]
        # New entities only, loaded with one COPY: a single statement, atomic on its own,
        # so no transaction around it (on PostgreSQL that saves four round trips).
        # A batch longer than one part is several statements (write_parts): it needs the
        # transaction.
        one_copy = (
            len(new) == len(batch)
            and self._copies
            and len(batch) >= COPY_MIN_ROWS
            and len(batch) <= ONE_COPY_MAX_ROWS
        )
        async with self._scope.write(self._batch_errors(batch), atomic=not one_copy) as connection:
            saved: list[V | None] = [None] * len(batch)
            if new:
                update = {**stamped, "version": 1}
                stored = [restamped(batch[i], update) for i in new]
                await self._insert_batch(connection, stored)
                for i, entity in zip(new, stored, strict=True):
                    saved[i] = entity
            for i, entity in enumerate(batch):
                if saved[i] is None:
                    saved[i] = await self._update_one(connection, entity, stamped)
        return [entity for entity in saved if entity is not None]

    async def _insert_batch(self, connection: SqlConnection, stored: Sequence[V]) -> None:
        """Insert new entities: ``COPY`` for a long part where offered, else executemany.

        Either is one atomic statement; a long batch in a transaction
        may be several, each well inside the statement timeout (:mod:`.write_parts`), in
        the caller's transaction. Where an error aborts the transaction
        (PostgreSQL), the insert runs in a savepoint so the failing row can still be
        looked up for the message.
        """
        rows = [self._mapping.encode(entity) for entity in stored]
        table, columns = self._table.name, self._mapping.columns
        insert_sql = self._statements.insert.sql

        async def insert(part: Sequence[Any]) -> None:
            if connection.supports_copy and len(part) >= COPY_MIN_ROWS:
                await connection.copy_rows(table, columns, part)
            else:
                await connection.execute_many(insert_sql, part)

        # Outside a transaction a failed statement aborts nothing: no savepoint needed.
        guarded = connection.aborts_on_error and connection.in_transaction
        try:
            if guarded:
                await connection.savepoint(_BATCH_SAVEPOINT)
            await write_in_parts(connection, rows, insert, rows_per_s=INSERT_ROWS_PER_S)
        except DRIVER_ERRORS as exc:
            if guarded:
                await connection.rollback_to(_BATCH_SAVEPOINT)
            raise await self._explain_batch_error(connection, exc, stored) from (driver_error(exc))
        if guarded:
            await connection.release(_BATCH_SAVEPOINT)

    async def _insert_one(self, connection: SqlConnection, entity: V, stamped: dict[str, Any]) -> V:
        stored = restamped(entity, {**stamped, "version": 1})
        await connection.fetch_all(self._statements.insert.sql, self._mapping.encode(stored))
        return stored

    async def _update_one(self, connection: SqlConnection, entity: V, stamped: dict[str, Any]) -> V:
        statements, mapping = self._statements, self._mapping
        data = {**entity.__dict__, **stamped}
        params: list[Any] = []
        for name in statements.update_versioned.params:
            if name == "match_id":
                params.append(statements.encode_id(data["id"]))
            elif name == "match_version":
                params.append(data["version"])
            else:
                params.append(mapping.encoder(name)(data[mapping.field_of(name)]))
        if statements.update_returns_rows:
            rows = await connection.fetch_all(statements.update_versioned.sql, params)
        elif await connection.execute(statements.update_versioned.sql, params):
            # Reads the row's latest committed version: a write after ours may show.
            key = statements.encode_id(data["id"])
            row = await connection.fetch_one(statements.select_returning.sql, (key,))
            rows = [row] if row is not None else []
        else:
            rows = []
        if not rows:
            raise await self._explain_stale(connection, entity)
        version, *returned = rows[0]
        update: dict[str, Any] = {**stamped, "version": version}
        for name, value in zip(statements.returning, returned, strict=True):
            update[mapping.field_of(name)] = mapping.decode_column(name, value)
        return restamped(entity, update)

    async def _explain_stale(self, connection: SqlConnection, entity: V) -> RepokitError:
        key = entity.__dict__["id"]
        row = await connection.fetch_one(
            self._statements.version_of.sql, (self._statements.encode_id(key),)
        )
        if row is None:
            return NotFoundError(f"{self.noun} {key} not found")
        return ConcurrencyError(
            f"{self.noun} {key} was changed concurrently: stored version {row[0]}, "
            f"given {entity.__dict__['version']}"
        )

    async def _explain_batch_error(
        self, connection: SqlConnection, exc: BaseException, stored: Sequence[V]
    ) -> RepokitError:
        """Name the row that broke a batch insert (the driver does not say which)."""
        if classify(exc) is ErrorKind.PRIMARY_KEY:
            ids = [entity.__dict__["id"] for entity in stored]
            key = self._table.c.id
            for start in range(0, len(ids), 500):
                result = await connection.run(
                    select(key).where(key.in_(ids[start : start + 500])).limit(1)
                )
                found = result.scalar()
                if found is not None:
                    return DuplicateError(f"{self.noun} {found} already exists")
        return translate_error(exc, self._batch_errors(stored))


__all__ = ["SqlRepository", "VersionedSqlRepository", "as_datetime", "as_uuid", "delete_row"]

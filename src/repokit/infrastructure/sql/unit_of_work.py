"""The SQL unit of work: one database transaction on one connection."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from repokit.domain.errors import StoreClosedError
from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.sql.concurrency import Owner, current_owner
from repokit.infrastructure.sql.database import SqlDatabase, attach_repositories
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, driver_error, translate_error
from repokit.infrastructure.sql.scopes import OpenUnit, UnitScope
from repokit.infrastructure.unit_guard import UnitGuard, closed_unit_error


class SqlUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back.

    The unit takes a connection when entered and keeps it until the block ends;
    its transaction begins at its first statement (``BEGIN IMMEDIATE``) and again
    after each mid-block ``commit()``/``rollback()``. A unit is entered once.
    """

    def __init__(self, database: SqlDatabase) -> None:
        self._database = database
        self._guard: UnitGuard[OpenUnit] = UnitGuard(database.active_unit)
        self._connection: SqlConnection | None = None
        self._scope = UnitScope(self, savepoint_every_write=database.savepoint_every_write)
        self.entity_repositories = attach_repositories(self, self._scope, database)

    # -- what the scopes ask ------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True inside the ``async with`` block."""
        return self._guard.is_open

    @property
    def holds_write_lock(self) -> bool:
        """True while the unit's transaction is open (it began IMMEDIATE)."""
        return self._connection is not None and self._connection.in_transaction

    @property
    def owner(self) -> Owner | None:
        """The task that entered the unit."""
        return self._guard.owner

    def connection_for_call(self) -> SqlConnection:
        """The unit's connection, or the error saying why it cannot be used."""
        if self._database.pool.closed:
            raise StoreClosedError("store is closed")
        if not self._guard.is_open or self._connection is None:
            raise closed_unit_error()
        return self._connection

    # -- the unit of work ---------------------------------------------------------------

    async def __aenter__(self) -> Self:
        database = self._database
        if database.pool.closed:
            raise StoreClosedError("store is closed")
        owner = current_owner()
        self._guard.check_enter(owner)
        self._connection = await database.pool.acquire()
        self._guard.enter(self, owner)
        return self

    async def commit(self) -> None:
        """Commit the writes so far; the block goes on in a new transaction."""
        connection = self.connection_for_call()
        async with self._scope.lock:
            try:
                await connection.commit()
            except DRIVER_ERRORS as exc:
                await connection.rollback_quietly()
                raise translate_error(exc) from driver_error(exc)

    async def rollback(self) -> None:
        """Discard the writes since the last commit; the block goes on."""
        connection = self.connection_for_call()
        async with self._scope.lock:
            try:
                await connection.rollback()
            except DRIVER_ERRORS as exc:
                raise translate_error(exc) from driver_error(exc)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._guard.is_open:
            return
        connection = self._connection
        assert connection is not None
        try:
            if exc is None and not self._database.pool.closed:
                try:
                    await connection.commit()
                except DRIVER_ERRORS as commit_error:
                    await connection.rollback_quietly()
                    raise translate_error(commit_error) from driver_error(commit_error)
            elif not self._database.pool.closed:
                await connection.rollback_quietly()
        finally:
            self._guard.close()
            self._connection = None
            await self._database.pool.release(connection)


__all__ = ["SqlUnitOfWork"]

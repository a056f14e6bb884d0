"""Where a repository call runs: on its own connection, or inside a unit of work.

Every repository method asks its scope for a connection with ``read()`` or
``write()`` and never manages transactions itself, so the same repository code
serves the store (each call its own transaction) and a unit of work (one
transaction for the whole block).

``write()`` makes the call atomic: on the store it is a transaction of its own;
inside a unit it is a savepoint, so a failed ``save_many`` leaves nothing
behind even though the unit's transaction goes on.

Driver errors raised in a scope are translated here (see :mod:`.errors`).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from repokit.domain.errors import CapabilityError, StoreClosedError
from repokit.infrastructure.sql.concurrency import CallLock, Owner, current_owner
from repokit.infrastructure.sql.driver import SNAPSHOT, UNIT, WRITE, SqlConnection
from repokit.infrastructure.sql.errors import (
    DRIVER_ERRORS,
    ErrorContext,
    driver_error,
    translate_error,
)
from repokit.infrastructure.unit_guard import UnitSlot

if TYPE_CHECKING:
    from repokit.infrastructure.sql.pool import ConnectionPool

_SAVEPOINT = "repokit_call"


class OpenUnit(Protocol):
    """What a scope needs to know about a unit of work."""

    @property
    def is_open(self) -> bool: ...

    @property
    def holds_write_lock(self) -> bool: ...

    @property
    def owner(self) -> Owner | None: ...


class Scope(Protocol):
    """Hands connections to repository calls."""

    in_unit: bool
    """True when calls share a unit of work's transaction (transaction-local settings
    then outlive the call unless it undoes them)."""

    def read(
        self, context: ErrorContext | None = None, *, snapshot: bool = False
    ) -> ConnectionUse: ...

    def write(
        self, context: ErrorContext | None = None, *, atomic: bool = True
    ) -> ConnectionUse: ...


class ConnectionUse(Protocol):
    """``async with scope.read() as connection``."""

    async def __aenter__(self) -> SqlConnection: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class StoreScope:
    """Each call takes a pooled connection; ``write`` calls are transactions of their own.

    (``in_unit`` is False: a call's transaction ends with the call.)

    Args:
        pool: the store's connections.
        active_unit: the unit of work open in the current task, used to refuse calls
            that would wait on the task's own unit.
        single_connection: the database has one connection (``:memory:``).
        single_writer: the database has one writer at a time (SQLite), so a write
            from the task whose unit holds the write lock is refused.
    """

    in_unit = False

    def __init__(
        self,
        pool: ConnectionPool,
        active_unit: UnitSlot[OpenUnit],
        *,
        single_connection: bool,
        single_writer: bool = True,
    ) -> None:
        self._pool = pool
        self._active_unit = active_unit
        self._single = single_connection
        self._single_writer = single_writer

    def read(self, context: ErrorContext | None = None, *, snapshot: bool = False) -> _StoreUse:
        """A connection for reads; each statement sees the latest committed data.

        ``snapshot=True`` runs the call's statements in one read transaction
        (``BEGIN DEFERRED``: under WAL it takes no lock and blocks no writer) so
        they all see the same committed state.
        """
        return _StoreUse(self, context, write=False, atomic=snapshot)

    def write(self, context: ErrorContext | None = None, *, atomic: bool = True) -> _StoreUse:
        """A connection for writes: one ``BEGIN IMMEDIATE`` transaction when ``atomic``.

        ``atomic=False`` is for a single statement, which SQLite runs atomically on its
        own (autocommit): it saves the two round trips of BEGIN and COMMIT.
        """
        return _StoreUse(self, context, write=True, atomic=atomic)

    def _check(self, write: bool) -> None:
        if self._pool.closed:
            raise StoreClosedError("store is closed")
        # Child tasks inherit the slot; only the unit's own task would wait on itself.
        unit = self._active_unit.held_by(current_owner())
        if unit is None:
            return
        if self._single:
            raise CapabilityError(
                "this SQLite database is in memory and has a single connection, held by the "
                "unit of work open in this task; use the unit's repositories (uow.documents, "
                "...) until it ends (store.capabilities.concurrent_units is False)"
            )
        if write and self._single_writer and unit.holds_write_lock:
            # SQLite has one writer at a time and this task's own unit holds the lock:
            # waiting for it would only time out.
            raise CapabilityError(
                "SQLite allows one writer at a time and the unit of work open in this task "
                "holds the write lock; write through the unit (uow.documents, ...) or commit it"
            )


class _StoreUse:
    __slots__ = ("_atomic", "_connection", "_context", "_scope", "_write")

    def __init__(
        self, scope: StoreScope, context: ErrorContext | None, *, write: bool, atomic: bool
    ) -> None:
        self._scope = scope
        self._context = context
        self._write = write
        self._atomic = atomic
        self._connection: SqlConnection | None = None

    async def __aenter__(self) -> SqlConnection:
        scope = self._scope
        scope._check(self._write)
        connection = await scope._pool.acquire()
        if self._atomic:
            try:
                # IMMEDIATE: take the write lock now rather than at the first write. A
                # DEFERRED transaction that reads first and then writes cannot upgrade its
                # read snapshot if another writer committed meanwhile (SQLITE_BUSY at once,
                # the busy timeout does not apply), and two such transactions deadlock.
                await connection.begin(WRITE if self._write else SNAPSHOT)
            except BaseException as exc:
                await scope._pool.release(connection)
                if isinstance(exc, DRIVER_ERRORS):
                    raise translate_error(exc, self._context) from driver_error(exc)
                raise
        self._connection = connection
        return connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        assert connection is not None
        self._connection = None
        try:
            if exc is None:
                if self._atomic:
                    try:
                        await connection.commit()
                    except DRIVER_ERRORS as commit_error:
                        await connection.rollback_quietly()
                        raise translate_error(commit_error, self._context) from driver_error(
                            commit_error
                        )
                return
            if self._atomic or connection.in_transaction:
                await connection.rollback_quietly()
            if isinstance(exc, DRIVER_ERRORS):
                raise translate_error(exc, self._context) from driver_error(exc)
        finally:
            await self._scope._pool.release(connection)


class UnitScope:
    """Every call runs on the unit's connection, inside the unit's transaction.

    The transaction begins lazily, at the unit's first statement, with
    ``BEGIN IMMEDIATE`` (see :class:`StoreScope` for why IMMEDIATE), so a unit
    that never touches the database never blocks a writer. Calls are serialised
    by a lock, so tasks sharing one unit cannot interleave savepoints.
    """

    in_unit = True

    def __init__(self, unit: UnitConnectionOwner, *, savepoint_every_write: bool = False) -> None:
        self._unit = unit
        self.lock = CallLock()
        # PostgreSQL aborts the whole transaction on any error, so there even a
        # one-statement write runs in a savepoint to keep the unit usable after it fails.
        self._savepoint_every_write = savepoint_every_write

    def read(self, context: ErrorContext | None = None, *, snapshot: bool = False) -> _UnitUse:
        """The unit's connection, its transaction begun (a snapshot already)."""
        return _UnitUse(self, context, atomic=False)

    def write(self, context: ErrorContext | None = None, *, atomic: bool = True) -> _UnitUse:
        """The unit's connection; ``atomic`` wraps the call in a savepoint."""
        return _UnitUse(self, context, atomic=atomic or self._savepoint_every_write)


class UnitConnectionOwner(Protocol):
    """The unit of work as its scope sees it."""

    def connection_for_call(self) -> SqlConnection: ...


class _UnitUse:
    __slots__ = ("_atomic", "_connection", "_context", "_scope")

    def __init__(self, scope: UnitScope, context: ErrorContext | None, *, atomic: bool) -> None:
        self._scope = scope
        self._context = context
        self._atomic = atomic
        self._connection: SqlConnection | None = None

    async def __aenter__(self) -> SqlConnection:
        scope = self._scope
        connection = scope._unit.connection_for_call()
        await scope.lock.acquire()
        try:
            if not connection.in_transaction:
                await connection.begin(UNIT)
            if self._atomic:
                await connection.savepoint(_SAVEPOINT)
        except BaseException as exc:
            scope.lock.release()
            if isinstance(exc, DRIVER_ERRORS):
                raise translate_error(exc, self._context) from driver_error(exc)
            raise
        self._connection = connection
        return connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._connection
        assert connection is not None
        self._connection = None
        try:
            if self._atomic and connection.in_transaction:
                try:
                    if exc is None:
                        await connection.release(_SAVEPOINT)
                    else:
                        await connection.rollback_to(_SAVEPOINT)
                except DRIVER_ERRORS as sp_error:
                    if exc is None:
                        raise translate_error(sp_error, self._context) from driver_error(sp_error)
            if exc is not None and isinstance(exc, DRIVER_ERRORS):
                raise translate_error(exc, self._context) from driver_error(exc)
        finally:
            self._scope.lock.release()


__all__ = ["ConnectionUse", "OpenUnit", "Scope", "StoreScope", "UnitScope"]

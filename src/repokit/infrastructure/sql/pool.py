"""The adapter's own small pool of long-lived connections.

SQLAlchemy's pool hands out a connection per checkout and resets it on return
(a rollback, i.e. another hop to aiosqlite's worker thread); for a point read
that bookkeeping costs more than the query. The adapter therefore opens
connections through the engine once and keeps them: acquiring one is a
semaphore and a deque. A connection goes back only outside a transaction.

An in-memory database exists on exactly one connection, so its pool has size
one: the semaphore then serialises every use of that connection.

For PostgreSQL the same pool holds :class:`~.driver_postgres.PostgresConnection`
objects (``opener``); connections older than ``recycle_s`` are closed when they
come back or, if they aged while idle, when they would next be handed out; an idle
connection the server has closed (a restart) is dropped
when it is next handed out, so the store recovers on its own.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable

from repokit.domain.errors import BackendUnavailableError, StoreClosedError
from repokit.infrastructure.sql.concurrency import Slots, acquire_slot
from repokit.infrastructure.sql.driver import Engine, SqlConnection
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, driver_error, translate_error

Opener = Callable[[Engine], Awaitable[SqlConnection]]


class ConnectionPool:
    """Up to ``size`` connections; waiting longer than ``timeout`` raises.

    Args:
        engine: opens the connections.
        size: most connections at once.
        timeout: seconds to wait for a free connection, then ``BackendUnavailableError``.
        opener: makes a connection (the driver's connection class).
        backend: the database's name, for messages.
        recycle_s: replace connections older than this, when they come back or before
            they are handed out again (None: never).
    """

    def __init__(
        self,
        engine: Engine,
        size: int,
        timeout: float,
        *,
        opener: Opener = SqlConnection.open,
        backend: str = "SQLite",
        recycle_s: float | None = None,
    ) -> None:
        self._engine = engine
        self._size = size
        self._timeout = timeout
        self._opener = opener
        self._backend = backend
        self._recycle_s = recycle_s
        self._slots = Slots(size)
        self._idle: deque[SqlConnection] = deque()
        self._all: set[SqlConnection] = set()
        self.closed = False

    async def acquire(self) -> SqlConnection:
        """A connection for the caller's exclusive use; give it back with :meth:`release`."""
        if self.closed:
            raise StoreClosedError("store is closed")
        if not await acquire_slot(self._slots, self._timeout):
            raise BackendUnavailableError(
                f"no {self._backend} connection was free within {self._timeout:g}s "
                f"({self._size} in use)"
            )
        if self.closed:
            self._slots.release()
            raise StoreClosedError("store is closed")
        while self._idle:
            idle = self._idle.pop()
            if idle.usable and not self._expired(idle):
                return idle
            # The server closed it while it sat idle (a restart), or it grew older than
            # recycle_s while idle: open a new one instead.
            self._all.discard(idle)
            await idle.close()
        try:
            connection = await self._opener(self._engine)
        except DRIVER_ERRORS as exc:
            self._slots.release()
            raise translate_error(exc) from driver_error(exc)
        except BaseException:
            self._slots.release()
            raise
        self._all.add(connection)
        return connection

    async def release(self, connection: SqlConnection) -> None:
        """Take ``connection`` back, rolling back anything its user left open."""
        try:
            if connection.usable and connection.in_transaction:
                try:
                    await connection.rollback()
                except DRIVER_ERRORS:
                    connection.broken = True
            if not connection.usable or self.closed or self._expired(connection):
                self._all.discard(connection)
                await connection.close()
            else:
                self._idle.append(connection)
        finally:
            self._slots.release()

    async def fill(self, count: int) -> None:
        """Open connections until ``count`` are idle (the pool's minimum size)."""
        opened = [await self.acquire() for _ in range(min(count, self._size))]
        for connection in opened:
            await self.release(connection)

    def limit_age(self, seconds: float) -> None:
        """Recycle connections older than ``seconds`` too (a server that drops idle
        connections sooner than the configured recycle age: MySQL's ``wait_timeout``)."""
        if self._recycle_s is None or seconds < self._recycle_s:
            self._recycle_s = seconds

    def _expired(self, connection: SqlConnection) -> bool:
        recycle = self._recycle_s
        return recycle is not None and time.monotonic() - connection.opened_at > recycle

    async def close(self) -> None:
        """Close every connection (idempotent); later acquires raise ``StoreClosedError``."""
        self.closed = True
        connections, self._all = list(self._all), set()
        self._idle.clear()
        for connection in connections:
            await connection.close()


__all__ = ["ConnectionPool"]

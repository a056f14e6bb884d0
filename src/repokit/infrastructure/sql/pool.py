"""The adapter's own small pool of long-lived connections.

SQLAlchemy's pool hands out a connection per checkout and resets it on return
(a rollback, i.e. another hop to aiosqlite's worker thread); for a point read
that bookkeeping costs more than the query. The adapter therefore opens
connections through the engine once and keeps them: acquiring one is a
semaphore and a deque. A connection goes back only outside a transaction.

An in-memory database exists on exactly one connection, so its pool has size
one: the semaphore then serialises every use of that connection.
"""

from __future__ import annotations

from collections import deque

from sqlalchemy.ext.asyncio import AsyncEngine

from repokit.domain.errors import BackendUnavailableError, StoreClosedError
from repokit.infrastructure.sql.concurrency import Slots, acquire_slot
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, driver_error, translate_error


class ConnectionPool:
    """Up to ``size`` connections; waiting longer than ``timeout`` raises."""

    def __init__(self, engine: AsyncEngine, size: int, timeout: float) -> None:
        self._engine = engine
        self._size = size
        self._timeout = timeout
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
                f"no SQLite connection was free within {self._timeout:g}s ({self._size} in use)"
            )
        if self.closed:
            self._slots.release()
            raise StoreClosedError("store is closed")
        if self._idle:
            return self._idle.pop()
        try:
            connection = await SqlConnection.open(self._engine)
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
            if connection.in_transaction and not connection.broken:
                try:
                    await connection.rollback()
                except DRIVER_ERRORS:
                    connection.broken = True
            if connection.broken or self.closed:
                self._all.discard(connection)
                await connection.close()
            else:
                self._idle.append(connection)
        finally:
            self._slots.release()

    async def close(self) -> None:
        """Close every connection (idempotent); later acquires raise ``StoreClosedError``."""
        self.closed = True
        connections, self._all = list(self._all), set()
        self._idle.clear()
        for connection in connections:
            await connection.close()


__all__ = ["ConnectionPool"]

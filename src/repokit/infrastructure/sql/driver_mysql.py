"""A MySQL / MariaDB connection on asyncmy: the only module that knows asyncmy's API.

:class:`MysqlConnection` has the interface of :class:`~.driver.SqlConnection`,
so scopes, repositories and the pool use it unchanged. Precompiled statements
(``%s`` placeholders, MySQL's ``format`` style) run on an asyncmy cursor;
``executemany`` of an ``INSERT ... VALUES`` is sent by the driver as multi-row
``INSERT`` statements (one per ``max_stmt_length``, 1 MiB, of rows).

Transactions: the engine runs in autocommit, and every transaction is begun
with explicit SQL (InnoDB's REPEATABLE READ throughout; a unit of work and a
snapshot read take a consistent snapshot at ``START TRANSACTION``). A versioned
``UPDATE`` reads the latest committed row whatever the snapshot (InnoDB's
writes are "current reads"), so optimistic locking holds in every mode.

Every asyncmy failure leaves this module as a :class:`~.errors.DriverFailure`
classified by MySQL's error number (:mod:`.errors`), and a connection that was
lost (``2006``/``2013``: the server went away) is marked unusable so the pool
drops it. An idle connection the server closed (``wait_timeout``, a restart, a
``KILL``) is noticed before it is handed out once the event loop has seen its
socket close (no round trip is spent asking); where it has not yet, the first
statement fails with ``BackendUnavailableError`` and the pool drops it.

The sync twin (PyMySQL) replaces this module and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncmy
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.driver import (
    WRITE,
    AnyCursorResult,
    Engine,
    Row,
    SqlConnection,
    create_engine,
)
from repokit.infrastructure.sql.errors import DriverFailure, ErrorKind, classify
from repokit.infrastructure.sql.mysql_settings import (
    BACKEND,
    begin_sql,
    connect_args,
    mysql_json_serializer,
)

MYSQL_DRIVER = "mysql+asyncmy"
"""SQLAlchemy's name of the MySQL driver this form of the adapter runs on."""


def driver_url(url: URL) -> URL:
    """``url`` (any MySQL scheme) on asyncmy."""
    return url.set(drivername=MYSQL_DRIVER)


def create_mysql_engine(url: URL, settings: Settings) -> Engine:
    """An async engine on asyncmy with the session settings of :mod:`.mysql_settings`."""
    return create_engine(
        url,
        # The adapter keeps its own connections (see .pool); the engine only opens them.
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        json_serializer=mysql_json_serializer,
        connect_args=connect_args(settings),
    )


class MysqlConnection(SqlConnection):
    """A SQLAlchemy async connection on asyncmy together with the asyncmy connection."""

    __slots__ = ()

    @classmethod
    async def open(cls, engine: Engine) -> MysqlConnection:
        """Open a connection.

        Its ``statement_timeout_s`` stays None although the server has a limit: long
        writes run whole (one multi-row statement, cascades by the foreign keys), not
        in the parts :mod:`.write_parts` sizes for PostgreSQL.
        """
        try:
            sa = await engine.connect()
        except sa_exc.DBAPIError as exc:
            raise _failure(exc.orig if exc.orig is not None else exc) from exc
        except (OSError, TimeoutError) as exc:
            raise _failure(exc) from exc
        raw = await sa.get_raw_connection()
        return cls(sa, raw.driver_connection)

    # -- statements ------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run precompiled ``sql`` and return every row as a tuple."""
        try:
            async with self._driver.cursor() as cursor:
                await cursor.execute(sql, tuple(params))
                rows = await cursor.fetchall()
        except _ASYNCMY_ERRORS as exc:
            raise self._failure(exc) from exc
        return list(rows) if rows else []

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run precompiled ``sql`` and return its first row, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run precompiled ``sql``; how many rows it changed."""
        try:
            async with self._driver.cursor() as cursor:
                count: int = await cursor.execute(sql, tuple(params))
        except _ASYNCMY_ERRORS as exc:
            raise self._failure(exc) from exc
        return count

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run precompiled ``sql`` for every parameter row (one multi-row ``INSERT``)."""
        try:
            async with self._driver.cursor() as cursor:
                await cursor.executemany(sql, [tuple(row) for row in rows])
        except _ASYNCMY_ERRORS as exc:
            raise self._failure(exc) from exc

    async def run(self, statement: Executable) -> AnyCursorResult:
        """Execute a SQLAlchemy Core statement (rows come back processed by column types)."""
        try:
            return await self.sa.execute(statement)
        except sa_exc.DBAPIError as exc:
            if classify(exc) is ErrorKind.UNAVAILABLE:
                self.broken = True
            raise

    # -- transactions ----------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open (the server's status flag says so); never on a
        lost connection, whose transaction the server has rolled back."""
        return not self.broken and bool(self._driver.get_transaction_status())

    @property
    def usable(self) -> bool:
        """False once the connection failed, or its socket was closed by the server."""
        return not self.broken and self._driver.connected and _socket_open(self._driver)

    async def begin(self, mode: str = WRITE) -> None:
        """Begin a transaction of ``mode`` (:data:`WRITE`, :data:`SNAPSHOT`, :data:`UNIT`)."""
        await self.fetch_all(begin_sql(mode))

    async def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self.in_transaction:
            await self.fetch_all("COMMIT")

    async def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self.in_transaction:
            await self.fetch_all("ROLLBACK")

    async def savepoint(self, name: str) -> None:
        """Open savepoint ``name`` (a fixed identifier, never user input)."""
        await self.fetch_all(f"SAVEPOINT {name}")

    async def release(self, name: str) -> None:
        """Release savepoint ``name``, keeping its writes."""
        await self.fetch_all(f"RELEASE SAVEPOINT {name}")

    async def rollback_to(self, name: str) -> None:
        """Undo the writes since savepoint ``name`` and release it."""
        await self.fetch_all(f"ROLLBACK TO SAVEPOINT {name}")
        await self.fetch_all(f"RELEASE SAVEPOINT {name}")

    async def close(self) -> None:
        """Close the connection; a connection that cannot close politely is dropped."""
        try:
            await self.sa.close()
        except Exception:  # a lost connection cannot say goodbye; it is gone either way
            self.broken = True

    # -- failures --------------------------------------------------------------------

    def _failure(self, exc: BaseException) -> DriverFailure:
        failure = _failure(exc)
        if failure.kind is ErrorKind.UNAVAILABLE:
            self.broken = True
        return failure


_ASYNCMY_ERRORS = (asyncmy.errors.Error, OSError, TimeoutError, RuntimeError)
"""asyncmy's errors, and what a dropped socket raises under it (``RuntimeError``: a
transport that is already closed)."""


def _failure(exc: BaseException) -> DriverFailure:
    kind = classify(exc)
    if isinstance(exc, OSError | TimeoutError | RuntimeError):
        kind = ErrorKind.UNAVAILABLE
    return DriverFailure(exc, kind, BACKEND)


def _socket_open(driver: Any) -> bool:
    """False when the server has hung up on the idle connection (``wait_timeout``, a
    restart, a ``KILL``): the event loop has then seen the socket's end or closed it.

    asyncmy has no public "closed by the peer" flag; its ``_stream_broken`` says it
    (transport closing, end of stream seen, or a protocol error). Where a future
    asyncmy lacks it, the answer is True: the first statement then fails and the
    pool drops the connection.
    """
    return not getattr(driver, "_stream_broken", False)


__all__ = [
    "MYSQL_DRIVER",
    "MysqlConnection",
    "create_mysql_engine",
    "driver_url",
]

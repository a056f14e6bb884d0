"""One database connection, and the only module that knows the async driver's API.

Statements built with SQLAlchemy Core run through the SQLAlchemy connection
(``run``/``stream``), which caches their compiled form and applies the column
types. Hot statements, compiled once per store (see :mod:`.statements`), run
straight on the DBAPI driver connection (``fetch_all``/``execute_many``): on
aiosqlite every call is a hop to the connection's worker thread, and this path
makes one hop per statement where SQLAlchemy's cursor adaptation makes several.

Transactions are begun and ended with explicit SQL on the driver: the engine
runs in driver-level autocommit (see :mod:`.engine`), so nothing begins a
transaction behind our back and each transaction starts exactly as the caller
asks (``BEGIN IMMEDIATE``, see :mod:`.scopes`).

Its sync twin, :mod:`repokit.infrastructure.sql.sync.driver` (for
``connect_sync``), has the same names on SQLAlchemy's sync ``Connection`` and
sqlite3; the rest of the adapter only awaits what this module offers, so its
sync form is generated (``scripts/generate_sync.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Engine as SaEngine
from sqlalchemy.engine import URL, CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncResult, create_async_engine
from sqlalchemy.sql import Executable

Row = tuple[Any, ...]
T = TypeVar("T")

Engine: TypeAlias = AsyncEngine
"""The SQLAlchemy engine kind the adapter opens connections with."""

SQLITE_DRIVER = "sqlite+aiosqlite"
"""SQLAlchemy's name of the SQLite driver this form of the adapter runs on."""

SQLITE_CONNECT_ARGS: dict[str, Any] = {}
"""sqlite3 options (aiosqlite keeps each connection on a thread of its own)."""

WRITE = "write"
"""A transaction of a store-level write call."""
SNAPSHOT = "snapshot"
"""A read-only transaction whose statements all see one committed state."""
UNIT = "unit"
"""The transaction of a unit of work: a snapshot plus its own writes."""

_SQLITE_BEGIN = {WRITE: "IMMEDIATE", SNAPSHOT: "DEFERRED", UNIT: "IMMEDIATE"}
AnyCursorResult: TypeAlias = CursorResult[*tuple[Any, ...]]
AnyStreamResult: TypeAlias = AsyncResult[*tuple[Any, ...]]


def create_engine(url: URL, **options: Any) -> Engine:
    """A SQLAlchemy engine for ``url`` (``create_async_engine``'s options)."""
    return create_async_engine(url, **options)


def event_target(engine: Engine) -> SaEngine:
    """The engine object that DBAPI connection events (``connect``) are registered on."""
    return engine.sync_engine


class SqlConnection:
    """A SQLAlchemy async connection together with its driver connection."""

    __slots__ = ("_driver", "broken", "opened_at", "sa", "schema_facts", "statement_timeout_s")

    def __init__(self, sa: AsyncConnection, driver: Any) -> None:
        self.sa = sa
        self._driver = driver
        self.broken = False
        self.opened_at = time.monotonic()
        """When the connection was opened (``time.monotonic``), for recycling."""
        self.statement_timeout_s: float | None = None
        self.schema_facts: dict[str, Any] = {}
        """Facts read from the database's catalog, kept for this connection's life (which
        :attr:`~.pool.ConnectionPool` recycling bounds)."""
        """The server's limit on one statement in seconds (PostgreSQL), None where there
        is none (SQLite): long writes size their statements by it (:mod:`.write_parts`)."""

    @classmethod
    async def open(cls, engine: AsyncEngine) -> SqlConnection:
        """Open a new connection on ``engine``."""
        sa = await engine.connect()
        raw = await sa.get_raw_connection()
        return cls(sa, raw.driver_connection)

    supports_copy = False
    """True when :meth:`copy_rows` bulk-loads (PostgreSQL's ``COPY``)."""

    aborts_on_error = False
    """True when a failed statement aborts the whole transaction (PostgreSQL)."""

    async def prepare_vectors(self) -> None:
        """Make the connection ready to read and write embeddings (nothing on SQLite)."""

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Bulk-load ``rows``; only where :attr:`supports_copy`."""
        raise NotImplementedError("this database has no COPY")

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run precompiled ``sql`` and return every row as a tuple (one driver call)."""
        return list(await self._driver.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run precompiled ``sql`` and return its first row, or None."""
        rows = await self._driver.execute_fetchall(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run precompiled ``sql`` (a write); how many rows it changed."""
        cursor = await self._driver.execute(sql, params)
        count: int = cursor.rowcount
        await cursor.close()
        return count

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run precompiled ``sql`` once per parameter row."""
        cursor = await self._driver.executemany(sql, rows)
        await cursor.close()

    async def run(self, statement: Executable) -> AnyCursorResult:
        """Execute a SQLAlchemy Core statement (rows come back processed by column types)."""
        return await self.sa.execute(statement)

    async def stream(self, statement: Executable) -> AnyStreamResult:
        """Execute a Core statement with a server-side cursor, for results read in batches."""
        return await self.sa.stream(statement)

    async def run_sync(self, function: Callable[..., T], **options: Any) -> T:
        """Call ``function(connection, **options)`` with the sync SQLAlchemy connection
        (Alembic's API is synchronous)."""
        return await self.sa.run_sync(function, **options)

    @contextmanager
    def client_timeout(self, seconds: float | None) -> Iterator[None]:
        """Let each statement of the block run ``seconds`` on the client side (0: no
        limit; None: unchanged). SQLite has no client-side limit: nothing to do."""
        yield

    @property
    def dialect_name(self) -> str:
        """The database's SQLAlchemy dialect name (``sqlite``, ``postgresql``)."""
        return self.sa.dialect.name

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open on this connection."""
        return bool(self._driver.in_transaction)

    @property
    def usable(self) -> bool:
        """False once the connection is known to be lost (the pool then drops it)."""
        return not self.broken

    async def begin(self, mode: str = WRITE) -> None:
        """Begin a transaction of ``mode`` (:data:`WRITE`, :data:`SNAPSHOT`, :data:`UNIT`).

        On SQLite, writes and units begin ``IMMEDIATE`` (taking the write lock at
        once), snapshots ``DEFERRED``; SQLite's own words are accepted too.
        """
        await self._driver.execute_fetchall(f"BEGIN {_SQLITE_BEGIN.get(mode, mode)}")

    async def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self._driver.in_transaction:
            await self._driver.execute_fetchall("COMMIT")

    async def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self._driver.in_transaction:
            await self._driver.execute_fetchall("ROLLBACK")

    async def rollback_quietly(self) -> None:
        """Roll back on the way out of a failure; a connection that cannot is marked broken."""
        try:
            await self.rollback()
        except Exception:  # the original failure is what the caller reports
            self.broken = True

    async def savepoint(self, name: str) -> None:
        """Open savepoint ``name`` (a fixed identifier, never user input)."""
        await self._driver.execute_fetchall(f"SAVEPOINT {name}")

    async def release(self, name: str) -> None:
        """Release savepoint ``name``, keeping its writes in the enclosing transaction."""
        await self._driver.execute_fetchall(f"RELEASE {name}")

    async def rollback_to(self, name: str) -> None:
        """Undo the writes since savepoint ``name`` and release it."""
        await self._driver.execute_fetchall(f"ROLLBACK TO {name}")
        await self._driver.execute_fetchall(f"RELEASE {name}")

    async def close(self) -> None:
        """Close the connection; errors on the way out are not the caller's concern."""
        try:
            await self.sa.close()
        except Exception:  # closing a broken connection may fail; it is gone either way
            self.broken = True


__all__ = [
    "SNAPSHOT",
    "SQLITE_CONNECT_ARGS",
    "SQLITE_DRIVER",
    "UNIT",
    "WRITE",
    "AnyCursorResult",
    "AnyStreamResult",
    "Engine",
    "Row",
    "SqlConnection",
    "create_engine",
    "event_target",
]

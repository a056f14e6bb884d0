"""One database connection of the sync adapter: SQLAlchemy's ``Connection`` and sqlite3.

The hand-written twin of :mod:`repokit.infrastructure.sql.driver`, with the same
names and behaviour: Core statements run through the SQLAlchemy connection,
precompiled hot statements straight on the DBAPI connection, and transactions
are begun and ended with explicit SQL (the engine runs in driver autocommit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, CursorResult
from sqlalchemy.sql import Executable

Row = tuple[Any, ...]
T = TypeVar("T")

SQLITE_DRIVER = "sqlite+pysqlite"
"""SQLAlchemy's name of the SQLite driver this form of the adapter runs on."""

SQLITE_CONNECT_ARGS: dict[str, Any] = {"check_same_thread": False}
"""sqlite3 options: the pool hands one connection to many threads, one at a time."""

WRITE = "write"
"""A transaction of a store-level write call."""
SNAPSHOT = "snapshot"
"""A read-only transaction whose statements all see one committed state."""
UNIT = "unit"
"""The transaction of a unit of work: a snapshot plus its own writes."""

_SQLITE_BEGIN = {WRITE: "IMMEDIATE", SNAPSHOT: "DEFERRED", UNIT: "IMMEDIATE"}
AnyCursorResult: TypeAlias = CursorResult[*tuple[Any, ...]]
AnyStreamResult: TypeAlias = CursorResult[*tuple[Any, ...]]


def create_engine(url: URL, **options: Any) -> Engine:
    """A SQLAlchemy engine for ``url`` (``create_engine``'s options)."""
    return sa_create_engine(url, **options)


def event_target(engine: Engine) -> Engine:
    """The engine object that DBAPI connection events (``connect``) are registered on."""
    return engine


class SqlConnection:
    """A SQLAlchemy connection together with its sqlite3 connection."""

    __slots__ = ("_driver", "broken", "opened_at", "sa", "schema_facts", "statement_timeout_s")

    def __init__(self, sa: Connection, driver: Any) -> None:
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
    def open(cls, engine: Engine) -> SqlConnection:
        """Open a new connection on ``engine``."""
        sa = engine.connect()
        return cls(sa, sa.connection.driver_connection)

    supports_copy = False
    """True when :meth:`copy_rows` bulk-loads (PostgreSQL's ``COPY``)."""

    aborts_on_error = False
    """True when a failed statement aborts the whole transaction (PostgreSQL)."""

    def prepare_vectors(self) -> None:
        """Make the connection ready to read and write embeddings (nothing on SQLite)."""

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Bulk-load ``rows``; only where :attr:`supports_copy`."""
        raise NotImplementedError("this database has no COPY")

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run precompiled ``sql`` and return every row as a tuple."""
        rows: list[Row] = self._driver.execute(sql, params).fetchall()
        return rows

    def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run precompiled ``sql`` and return its first row, or None."""
        row: Row | None = self._driver.execute(sql, params).fetchone()
        return row

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run precompiled ``sql`` (a write); how many rows it changed."""
        count: int = self._driver.execute(sql, params).rowcount
        return count

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run precompiled ``sql`` once per parameter row."""
        self._driver.executemany(sql, rows)

    def run(self, statement: Executable) -> AnyCursorResult:
        """Execute a SQLAlchemy Core statement (rows come back processed by column types)."""
        return self.sa.execute(statement)

    def stream(self, statement: Executable) -> AnyStreamResult:
        """Execute a Core statement whose rows are read in batches (sqlite3 cursors are lazy)."""
        return self.sa.execute(statement)

    def run_sync(self, function: Callable[..., T], **options: Any) -> T:
        """Call ``function(connection, **options)`` with the SQLAlchemy connection."""
        return function(self.sa, **options)

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

    def begin(self, mode: str = WRITE) -> None:
        """Begin a transaction of ``mode`` (``IMMEDIATE`` for writes and units, as async)."""
        self._driver.execute(f"BEGIN {_SQLITE_BEGIN.get(mode, mode)}")

    def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self._driver.in_transaction:
            self._driver.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self._driver.in_transaction:
            self._driver.execute("ROLLBACK")

    def rollback_quietly(self) -> None:
        """Roll back on the way out of a failure; a connection that cannot is marked broken."""
        try:
            self.rollback()
        except Exception:  # the original failure is what the caller reports
            self.broken = True

    def savepoint(self, name: str) -> None:
        """Open savepoint ``name`` (a fixed identifier, never user input)."""
        self._driver.execute(f"SAVEPOINT {name}")

    def release(self, name: str) -> None:
        """Release savepoint ``name``, keeping its writes in the enclosing transaction."""
        self._driver.execute(f"RELEASE {name}")

    def rollback_to(self, name: str) -> None:
        """Undo the writes since savepoint ``name`` and release it."""
        self._driver.execute(f"ROLLBACK TO {name}")
        self._driver.execute(f"RELEASE {name}")

    def close(self) -> None:
        """Close the connection; errors on the way out are not the caller's concern."""
        try:
            self.sa.close()
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

"""A PostgreSQL connection on asyncpg: the only module that knows asyncpg's API.

:class:`PostgresConnection` has the interface of :class:`~.driver.SqlConnection`,
so scopes, repositories and the pool use it unchanged. Precompiled statements
run straight on the asyncpg connection (``fetch``/``executemany``), which
prepares each SQL string once per connection and keeps it in its statement
cache; bulk loads use the binary ``COPY`` of ``copy_records_to_table``.

Every asyncpg failure leaves this module as a :class:`~.errors.DriverFailure`
(classified by its SQLSTATE, or here when it has none), and a connection that
was lost is marked unusable so the pool drops it.

The sync twin (psycopg 3) replaces this module and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.driver import (
    SNAPSHOT,
    UNIT,
    WRITE,
    AnyCursorResult,
    AnyStreamResult,
    Engine,
    Row,
    SqlConnection,
    create_engine,
)
from repokit.infrastructure.sql.errors import DriverFailure, ErrorKind
from repokit.infrastructure.sql.jsonb_codec import json_serializer
from repokit.infrastructure.sql.vector_codec import decode_vector, encode_vector

BACKEND = "PostgreSQL"
CLIENT_TIMEOUT_MARGIN_S = 5.0
"""How much longer than an overridden ``statement_timeout`` the client waits, so that the
server's cancel (a clear timeout error) comes first."""
POSTGRES_DRIVER = "postgresql+asyncpg"
"""SQLAlchemy's name of the PostgreSQL driver this form of the adapter runs on."""

# Store-level writes run in READ COMMITTED (each statement sees the latest
# commit, and a versioned UPDATE that waited on another re-checks the version).
# Units and snapshot reads run in REPEATABLE READ: one snapshot for the whole
# transaction, and a write to a row another transaction changed since raises
# serialization_failure (ConcurrencyError): the first commit wins.
_BEGIN = {
    WRITE: "BEGIN",
    SNAPSHOT: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    UNIT: "BEGIN ISOLATION LEVEL REPEATABLE READ",
    # SQLite's words, as SqlStore.migrate still says them.
    "IMMEDIATE": "BEGIN",
    "DEFERRED": "BEGIN",
}

_FIND_VECTOR_TYPE = (
    "SELECT n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.typname = 'vector' ORDER BY n.nspname = 'public' DESC LIMIT 1"
)


def driver_url(url: URL) -> URL:
    """``url`` (any PostgreSQL scheme) on asyncpg; libpq's ``sslmode`` becomes asyncpg's ``ssl``."""
    query = dict(url.query)
    if "sslmode" in query:
        # libpq's name; asyncpg takes the same values as ``ssl``.
        query["ssl"] = query.pop("sslmode")
    return url.set(drivername=POSTGRES_DRIVER, query=query)


def create_postgres_engine(url: URL, settings: Settings) -> Engine:
    """An async engine on asyncpg with the settings of :mod:`.postgres` on every connection."""
    server_settings = {
        "application_name": "repokit",
        "statement_timeout": str(int(settings.statement_timeout_s * 1000)),
        "hnsw.ef_search": str(settings.hnsw_ef_search),
        "hnsw.iterative_scan": settings.hnsw_iterative_scan,
    }
    return create_engine(
        url,
        # The adapter keeps its own connections (see .pool); the engine only opens them.
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        json_serializer=json_serializer,
        connect_args={
            "server_settings": server_settings,
            "timeout": settings.pool_timeout_s,
            # A client-side backstop for a server that stops answering altogether;
            # the server-side statement_timeout fires first in every other case.
            "command_timeout": settings.statement_timeout_s + settings.pool_timeout_s,
        },
    )


class PostgresConnection(SqlConnection):
    """A SQLAlchemy async connection on asyncpg together with the asyncpg connection."""

    __slots__ = ("_vectors_ready",)

    supports_copy = True
    aborts_on_error = True

    def __init__(self, sa: Any, driver: Any) -> None:
        super().__init__(sa, driver)
        self._vectors_ready = False

    @classmethod
    async def open(
        cls, engine: Engine, *, statement_timeout_s: float | None = None
    ) -> PostgresConnection:
        """Open a connection and teach it pgvector's binary format (when installed).

        ``statement_timeout_s`` is the limit the engine's connections run under (it
        sizes long writes, :mod:`.write_parts`).
        """
        try:
            sa = await engine.connect()
        except sa_exc.DBAPIError as exc:
            raise _failure(driver_error_of(exc), None) from exc
        except (OSError, TimeoutError) as exc:
            raise _failure(exc, None) from exc
        raw = await sa.get_raw_connection()
        connection = cls(sa, raw.driver_connection)
        connection.statement_timeout_s = statement_timeout_s
        try:
            await connection.prepare_vectors(required=False)
        except BaseException:
            await connection.close()
            raise
        return connection

    async def prepare_vectors(self, *, required: bool = True) -> None:
        """Register the binary codec of pgvector's ``vector`` type on this connection.

        Done once per connection; a database without the extension gets it on the
        first call that needs it (after ``migrate()``), or a ``ConfigurationError``.
        """
        if self._vectors_ready:
            return
        schema = await self.fetch_one(_FIND_VECTOR_TYPE)
        if schema is None:
            if required:
                raise ConfigurationError(
                    "the PostgreSQL extension 'vector' is not installed in this database; "
                    "run store.migrate() (or `repokit migrate`)"
                )
            return
        try:
            await self._driver.set_type_codec(
                "vector",
                schema=schema[0],
                encoder=encode_vector,
                decoder=decode_vector,
                format="binary",
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise self._failure(exc) from exc
        self._vectors_ready = True

    # -- statements ------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run precompiled ``sql`` (prepared once per connection) and return every row."""
        try:
            rows: list[Row] = await self._driver.fetch(sql, *params)
        except _ASYNCPG_ERRORS as exc:
            raise self._failure(exc) from exc
        return rows

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run precompiled ``sql`` and return its first row, or None."""
        try:
            row: Row | None = await self._driver.fetchrow(sql, *params)
        except _ASYNCPG_ERRORS as exc:
            raise self._failure(exc) from exc
        return row

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run precompiled ``sql``; how many rows it changed (from the command tag)."""
        try:
            status: str = await self._driver.execute(sql, *params)
        except _ASYNCPG_ERRORS as exc:
            raise self._failure(exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run precompiled ``sql`` once per parameter row, pipelined in one round trip."""
        try:
            await self._driver.executemany(sql, rows)
        except _ASYNCPG_ERRORS as exc:
            raise self._failure(exc) from exc

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Bulk-load ``rows`` into ``table`` with binary ``COPY`` (one stream, no per-row trip)."""
        try:
            await self._driver.copy_records_to_table(table, records=rows, columns=list(columns))
        except _ASYNCPG_ERRORS as exc:
            raise self._failure(exc) from exc

    async def execute_script(self, sql: str) -> None:
        """Run fixed SQL text (no parameters) with the simple query protocol."""
        try:
            await self._driver.execute(sql)
        except _ASYNCPG_ERRORS as exc:
            raise self._failure(exc) from exc

    async def run(self, statement: Executable) -> AnyCursorResult:
        """Execute a SQLAlchemy Core statement (rows come back processed by column types)."""
        try:
            return await self.sa.execute(statement)
        except sa_exc.DBAPIError as exc:
            if self._driver.is_closed():
                self.broken = True
                raise _failure(driver_error_of(exc), ErrorKind.UNAVAILABLE) from exc
            raise

    async def stream(self, statement: Executable) -> AnyStreamResult:
        """Execute a Core statement with a server-side cursor (inside a transaction)."""
        return await self.sa.stream(statement)

    @contextmanager
    def client_timeout(self, seconds: float | None) -> Iterator[None]:
        """asyncpg's ``command_timeout`` for the block: ``seconds`` plus a margin, so the
        server's ``statement_timeout`` cancel (a clear error) comes first; 0: no limit.

        asyncpg has no public way to change the timeout of an open connection, so
        this swaps its settings tuple (``_config``) and puts it back afterwards;
        if a future asyncpg lacks it, the block runs with the connection's limit.
        """
        config = getattr(self._driver, "_config", None)
        if seconds is None or config is None or not hasattr(config, "_replace"):
            yield
            return
        limit = None if seconds == 0 else seconds + CLIENT_TIMEOUT_MARGIN_S
        self._driver._config = config._replace(command_timeout=limit)
        try:
            yield
        finally:
            self._driver._config = config

    # -- transactions ----------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """True while a transaction (possibly a failed one) is open."""
        return bool(self._driver.is_in_transaction())

    @property
    def usable(self) -> bool:
        """False once the connection failed or the server closed it."""
        return not self.broken and not self._driver.is_closed()

    async def begin(self, mode: str = WRITE) -> None:
        """Begin a transaction of ``mode`` (see the isolation levels above)."""
        await self.execute_script(_BEGIN[mode])

    async def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self._driver.is_in_transaction():
            await self.execute_script("COMMIT")

    async def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self._driver.is_in_transaction():
            await self.execute_script("ROLLBACK")

    async def savepoint(self, name: str) -> None:
        """Open savepoint ``name`` (a fixed identifier, never user input)."""
        await self.execute_script(f"SAVEPOINT {name}")

    async def release(self, name: str) -> None:
        """Release savepoint ``name``, keeping its writes."""
        await self.execute_script(f"RELEASE SAVEPOINT {name}")

    async def rollback_to(self, name: str) -> None:
        """Undo the writes since savepoint ``name`` and release it (one round trip)."""
        await self.execute_script(f"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")

    async def close(self) -> None:
        """Close the connection; a connection that cannot close politely is terminated."""
        try:
            await self.sa.close()
        except Exception:  # a lost connection cannot say goodbye; it is gone either way
            self.broken = True
            self._driver.terminate()

    # -- failures --------------------------------------------------------------------

    def _failure(self, exc: BaseException) -> DriverFailure:
        failure = _failure(exc, ErrorKind.UNAVAILABLE if self._driver.is_closed() else None)
        if failure.kind is ErrorKind.UNAVAILABLE:
            self.broken = True
        return failure


_ASYNCPG_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


def driver_error_of(exc: sa_exc.DBAPIError) -> BaseException:
    """asyncpg's exception under SQLAlchemy's adapter error (or the adapter error)."""
    orig = exc.orig if exc.orig is not None else exc
    return orig.__cause__ if orig.__cause__ is not None else orig


def _failure(exc: BaseException, kind: ErrorKind | None) -> DriverFailure:
    if kind is None:
        if isinstance(exc, OSError | TimeoutError | asyncpg.PostgresConnectionError):
            kind = ErrorKind.UNAVAILABLE
        elif isinstance(exc, asyncpg.exceptions.DataError) and "out of" in str(exc):
            # Client-side: a Python int past the column's 64-bit range.
            kind = ErrorKind.OUT_OF_RANGE
        elif isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
            kind = ErrorKind.UNAVAILABLE
    return DriverFailure(exc, kind, BACKEND)


__all__ = [
    "BACKEND",
    "POSTGRES_DRIVER",
    "PostgresConnection",
    "create_postgres_engine",
    "driver_error_of",
    "driver_url",
]

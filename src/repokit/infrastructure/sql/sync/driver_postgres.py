"""A PostgreSQL connection on psycopg 3: the only module of the sync adapter that knows it.

The hand-written twin of :mod:`repokit.infrastructure.sql.driver_postgres`, with
the same names and behaviour, so the generated sync adapter runs on it unchanged:

* the engine is SQLAlchemy's psycopg dialect with the ``format`` parameter
  style, so precompiled statements carry positional ``%s`` placeholders that
  run straight on the psycopg connection; the few hand-written statements that
  say ``$1`` (asyncpg's style) are rewritten once per SQL string;
* results are read in binary format, with pgvector's binary codec registered on
  the connection (the same bytes asyncpg's codec reads and writes);
* ``COPY ... FROM STDIN (FORMAT BINARY)`` bulk-loads rows;
* every psycopg failure leaves this module as a :class:`~..errors.DriverFailure`,
  and a lost connection is marked unusable so the pool drops it.

psycopg prepares a statement on the server after it ran a few times on a
connection (``prepare_threshold``), as asyncpg does at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from math import ceil
from typing import Any

import numpy as np
import psycopg
from psycopg import sql as psql
from psycopg.abc import AdaptContext
from psycopg.adapt import Buffer, Dumper, Loader
from psycopg.pq import Format
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.errors import DriverFailure, ErrorKind
from repokit.infrastructure.sql.jsonb_codec import json_serializer
from repokit.infrastructure.sql.sync.driver import (
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
from repokit.infrastructure.sql.vector_codec import decode_vector, encode_vector

BACKEND = "PostgreSQL"
POSTGRES_DRIVER = "postgresql+psycopg"
"""SQLAlchemy's name of the PostgreSQL driver this form of the adapter runs on."""

# The isolation levels of the async driver (see its module for the reasoning).
_BEGIN = {
    WRITE: "BEGIN",
    SNAPSHOT: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    UNIT: "BEGIN ISOLATION LEVEL REPEATABLE READ",
    "IMMEDIATE": "BEGIN",
    "DEFERRED": "BEGIN",
}

_FIND_VECTOR_TYPE = (
    "SELECT t.oid, n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.typname = 'vector' ORDER BY n.nspname = 'public' DESC LIMIT 1"
)
_DOLLAR_PARAM = re.compile(r"\$(\d+)")


def driver_url(url: URL) -> URL:
    """``url`` (any PostgreSQL scheme) on psycopg; asyncpg's ``ssl`` becomes libpq's ``sslmode``."""
    query = dict(url.query)
    if "ssl" in query:
        query["sslmode"] = query.pop("ssl")
    return url.set(drivername=POSTGRES_DRIVER, query=query)


def create_postgres_engine(url: URL, settings: Settings) -> Engine:
    """A sync engine on psycopg with the settings of :mod:`..postgres` on every connection."""
    server_settings = {
        "statement_timeout": str(int(settings.statement_timeout_s * 1000)),
        "hnsw.ef_search": str(settings.hnsw_ef_search),
        "hnsw.iterative_scan": settings.hnsw_iterative_scan,
        # Timestamps come back in UTC, as asyncpg returns them.
        "TimeZone": "UTC",
    }
    options = " ".join(f"-c {name}={value}" for name, value in server_settings.items())
    return create_engine(
        url,
        # The adapter keeps its own connections (see .pool); the engine only opens them.
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        json_serializer=json_serializer,
        paramstyle="format",
        connect_args={
            "application_name": "repokit",
            "options": options,
            "connect_timeout": max(1, ceil(settings.pool_timeout_s)),
        },
    )


class _VectorDumper(Dumper):
    """A float32 numpy row as pgvector's binary ``vector``."""

    format = Format.BINARY

    def dump(self, obj: Any) -> Buffer:
        return encode_vector(obj)


class _VectorLoader(Loader):
    """pgvector's binary ``vector`` as a list of floats."""

    format = Format.BINARY

    def load(self, data: Buffer) -> list[float]:
        return decode_vector(bytes(data))


class _VectorTextDumper(Dumper):
    """A float32 numpy row as pgvector's text ``vector`` (for text-format ``COPY``)."""

    format = Format.TEXT

    def dump(self, obj: Any) -> Buffer:
        values = np.asarray(obj, dtype=np.float32).tolist()
        return ("[" + ",".join(map(repr, values)) + "]").encode()


def _register_vector(context: AdaptContext, oid: int) -> None:
    for base in (_VectorTextDumper, _VectorDumper):
        context.adapters.register_dumper(np.ndarray, type(base.__name__, (base,), {"oid": oid}))
    context.adapters.register_loader(oid, _VectorLoader)


@lru_cache(maxsize=256)
def _psycopg_sql(sql: str) -> str:
    """``sql`` with asyncpg's ``$n`` placeholders as psycopg's ``%(pn)s``."""
    return _DOLLAR_PARAM.sub(r"%(p\1)s", sql)


def _psycopg_params(sql: str, params: Sequence[Any]) -> tuple[str, Any]:
    if "$" not in sql:
        return sql, params
    return _psycopg_sql(sql), {f"p{index}": value for index, value in enumerate(params, 1)}


class PostgresConnection(SqlConnection):
    """A SQLAlchemy connection on psycopg together with the psycopg connection."""

    __slots__ = ("_vectors_ready",)

    supports_copy = True
    aborts_on_error = True

    def __init__(self, sa: Any, driver: Any) -> None:
        super().__init__(sa, driver)
        self._vectors_ready = False

    @classmethod
    def open(
        cls, engine: Engine, *, statement_timeout_s: float | None = None
    ) -> PostgresConnection:
        """Open a connection and teach it pgvector's binary format (when installed).

        ``statement_timeout_s`` is the limit the engine's connections run under (it
        sizes long writes, :mod:`.write_parts`).
        """
        try:
            sa = engine.connect()
        except sa_exc.DBAPIError as exc:
            raise _failure(driver_error_of(exc), ErrorKind.UNAVAILABLE) from exc
        except (OSError, TimeoutError) as exc:
            raise _failure(exc, ErrorKind.UNAVAILABLE) from exc
        connection = cls(sa, sa.connection.driver_connection)
        connection.statement_timeout_s = statement_timeout_s
        try:
            connection.prepare_vectors(required=False)
        except BaseException:
            connection.close()
            raise
        return connection

    def prepare_vectors(self, *, required: bool = True) -> None:
        """Register pgvector's binary codec on this connection (once).

        A database without the extension gets it on the first call that needs it
        (after ``migrate()``), or a ``ConfigurationError``.
        """
        if self._vectors_ready:
            return
        found = self.fetch_one(_FIND_VECTOR_TYPE)
        if found is None:
            if required:
                raise ConfigurationError(
                    "the PostgreSQL extension 'vector' is not installed in this database; "
                    "run store.migrate() (or `repokit migrate`)"
                )
            return
        _register_vector(self._driver, int(found[0]))
        self._vectors_ready = True

    # -- statements ------------------------------------------------------------------

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run precompiled ``sql`` and return every row."""
        query, values = _psycopg_params(sql, params)
        try:
            cursor = self._driver.execute(query, values, binary=True)
            rows: list[Row] = cursor.fetchall() if cursor.description is not None else []
        except _PSYCOPG_ERRORS as exc:
            raise self._failure(exc) from exc
        return rows

    def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run precompiled ``sql`` and return its first row, or None."""
        query, values = _psycopg_params(sql, params)
        try:
            cursor = self._driver.execute(query, values, binary=True)
            row: Row | None = cursor.fetchone() if cursor.description is not None else None
        except _PSYCOPG_ERRORS as exc:
            raise self._failure(exc) from exc
        return row

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run precompiled ``sql``; how many rows it changed."""
        query, values = _psycopg_params(sql, params)
        try:
            count: int = self._driver.execute(query, values, binary=True).rowcount
        except _PSYCOPG_ERRORS as exc:
            raise self._failure(exc) from exc
        return count

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run precompiled ``sql`` once per parameter row (pipelined by psycopg)."""
        try:
            with self._driver.cursor() as cursor:
                cursor.executemany(sql, rows)
        except _PSYCOPG_ERRORS as exc:
            raise self._failure(exc) from exc

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Bulk-load ``rows`` into ``table`` with ``COPY ... FROM STDIN`` (one stream)."""
        statement = psql.SQL("COPY {} ({}) FROM STDIN").format(
            psql.Identifier(table), psql.SQL(", ").join(map(psql.Identifier, columns))
        )
        try:
            with self._driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except _PSYCOPG_ERRORS as exc:
            raise self._failure(exc) from exc

    def execute_script(self, sql: str) -> None:
        """Run fixed SQL text (no parameters)."""
        try:
            self._driver.execute(sql, prepare=False)
        except _PSYCOPG_ERRORS as exc:
            raise self._failure(exc) from exc

    def run(self, statement: Executable) -> AnyCursorResult:
        """Execute a SQLAlchemy Core statement (rows come back processed by column types)."""
        try:
            return self.sa.execute(statement)
        except sa_exc.DBAPIError as exc:
            if self._driver.closed:
                self.broken = True
                raise _failure(driver_error_of(exc), ErrorKind.UNAVAILABLE) from exc
            raise

    def stream(self, statement: Executable) -> AnyStreamResult:
        """Execute a Core statement with a server-side cursor (inside a transaction)."""
        return self.sa.execution_options(stream_results=True).execute(statement)

    # -- transactions ----------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """True while a transaction (possibly a failed one) is open."""
        status = self._driver.info.transaction_status
        return bool(status != psycopg.pq.TransactionStatus.IDLE)

    @property
    def usable(self) -> bool:
        """False once the connection failed or the server closed it."""
        return not self.broken and not self._driver.closed

    def begin(self, mode: str = WRITE) -> None:
        """Begin a transaction of ``mode`` (see the isolation levels above)."""
        self.execute_script(_BEGIN[mode])

    def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self.in_transaction:
            self.execute_script("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self.in_transaction:
            self.execute_script("ROLLBACK")

    def savepoint(self, name: str) -> None:
        """Open savepoint ``name`` (a fixed identifier, never user input)."""
        self.execute_script(f"SAVEPOINT {name}")

    def release(self, name: str) -> None:
        """Release savepoint ``name``, keeping its writes."""
        self.execute_script(f"RELEASE SAVEPOINT {name}")

    def rollback_to(self, name: str) -> None:
        """Undo the writes since savepoint ``name`` and release it (one round trip)."""
        self.execute_script(f"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")

    def close(self) -> None:
        """Close the connection; a lost connection is gone either way."""
        try:
            self.sa.close()
        except Exception:  # a lost connection cannot say goodbye
            self.broken = True
            self._driver.close()

    # -- failures --------------------------------------------------------------------

    def _failure(self, exc: BaseException) -> DriverFailure:
        failure = _failure(exc, ErrorKind.UNAVAILABLE if self._driver.closed else None)
        if failure.kind is ErrorKind.UNAVAILABLE:
            self.broken = True
        return failure


_PSYCOPG_ERRORS = (psycopg.Error, OSError, TimeoutError)


def driver_error_of(exc: sa_exc.DBAPIError) -> BaseException:
    """psycopg's exception under SQLAlchemy's error (or the SQLAlchemy error)."""
    return exc.orig if exc.orig is not None else exc


def _failure(exc: BaseException, kind: ErrorKind | None) -> DriverFailure:
    if kind is None:
        sqlstate = getattr(exc, "sqlstate", None)
        if isinstance(exc, OSError | TimeoutError) or (
            isinstance(exc, psycopg.OperationalError) and not sqlstate
        ):
            kind = ErrorKind.UNAVAILABLE
        elif isinstance(exc, psycopg.DataError) and not sqlstate and "out of" in str(exc):
            # Client-side: a Python int past the column's 64-bit range.
            kind = ErrorKind.OUT_OF_RANGE
        elif isinstance(exc, psycopg.InterfaceError):
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

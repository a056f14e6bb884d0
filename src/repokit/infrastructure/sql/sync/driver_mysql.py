"""A MySQL / MariaDB connection on PyMySQL: the only module of the sync adapter that
knows PyMySQL's API.

The hand-written twin of :mod:`repokit.infrastructure.sql.driver_mysql`, with the
same names and behaviour: precompiled statements on a PyMySQL cursor,
``executemany`` sent as multi-row ``INSERT`` statements, transactions begun with explicit
SQL, failures wrapped in :class:`~repokit.infrastructure.sql.errors.DriverFailure`
and classified by MySQL's error number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pymysql  # type: ignore[import-untyped]
from pymysql.constants import SERVER_STATUS  # type: ignore[import-untyped]
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.errors import DriverFailure, ErrorKind, classify
from repokit.infrastructure.sql.mysql_settings import (
    BACKEND,
    begin_sql,
    connect_args,
    mysql_json_serializer,
)
from repokit.infrastructure.sql.sync.driver import (
    WRITE,
    AnyCursorResult,
    Engine,
    Row,
    SqlConnection,
    create_engine,
)

MYSQL_DRIVER = "mysql+pymysql"
"""SQLAlchemy's name of the MySQL driver this form of the adapter runs on."""


def driver_url(url: URL) -> URL:
    """``url`` (any MySQL scheme) on PyMySQL."""
    return url.set(drivername=MYSQL_DRIVER)


def create_mysql_engine(url: URL, settings: Settings) -> Engine:
    """A sync engine on PyMySQL with the session settings of :mod:`.mysql_settings`."""
    return create_engine(
        url,
        # The adapter keeps its own connections (see .pool); the engine only opens them.
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        # Positional %s, as asyncmy's dialect uses: precompiled statements bind tuples
        # (SQLAlchemy would pick PyMySQL's named %(name)s style).
        paramstyle="format",
        json_serializer=mysql_json_serializer,
        connect_args=connect_args(settings),
    )


class MysqlConnection(SqlConnection):
    """A SQLAlchemy connection on PyMySQL together with the PyMySQL connection."""

    __slots__ = ()

    @classmethod
    def open(cls, engine: Engine) -> MysqlConnection:
        """Open a connection (no statement-time limit is recorded: see the async twin)."""
        try:
            sa = engine.connect()
        except sa_exc.DBAPIError as exc:
            raise _failure(exc.orig if exc.orig is not None else exc) from exc
        except (OSError, TimeoutError) as exc:
            raise _failure(exc) from exc
        return cls(sa, sa.connection.driver_connection)

    # -- statements ------------------------------------------------------------------

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run precompiled ``sql`` and return every row as a tuple."""
        try:
            with self._driver.cursor() as cursor:
                cursor.execute(sql, tuple(params))
                rows = cursor.fetchall()
        except _PYMYSQL_ERRORS as exc:
            raise self._failure(exc) from exc
        return list(rows) if rows else []

    def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run precompiled ``sql`` and return its first row, or None."""
        rows = self.fetch_all(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run precompiled ``sql``; how many rows it changed."""
        try:
            with self._driver.cursor() as cursor:
                count: int = cursor.execute(sql, tuple(params))
        except _PYMYSQL_ERRORS as exc:
            raise self._failure(exc) from exc
        return count

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run precompiled ``sql`` for every parameter row (one multi-row ``INSERT``)."""
        try:
            with self._driver.cursor() as cursor:
                cursor.executemany(sql, [tuple(row) for row in rows])
        except _PYMYSQL_ERRORS as exc:
            raise self._failure(exc) from exc

    def run(self, statement: Executable) -> AnyCursorResult:
        """Execute a SQLAlchemy Core statement (rows come back processed by column types)."""
        try:
            return self.sa.execute(statement)
        except sa_exc.DBAPIError as exc:
            if classify(exc) is ErrorKind.UNAVAILABLE:
                self.broken = True
            raise

    # -- transactions ----------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open (the server's status flag says so); never on a
        lost connection, whose transaction the server has rolled back."""
        status = self._driver.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS
        return not self.broken and bool(status)

    @property
    def usable(self) -> bool:
        """False once the connection failed or was closed."""
        return not self.broken and bool(self._driver.open)

    def begin(self, mode: str = WRITE) -> None:
        """Begin a transaction of ``mode`` (``WRITE``, ``SNAPSHOT``, ``UNIT``)."""
        self.fetch_all(begin_sql(mode))

    def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self.in_transaction:
            self.fetch_all("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self.in_transaction:
            self.fetch_all("ROLLBACK")

    def savepoint(self, name: str) -> None:
        """Open savepoint ``name`` (a fixed identifier, never user input)."""
        self.fetch_all(f"SAVEPOINT {name}")

    def release(self, name: str) -> None:
        """Release savepoint ``name``, keeping its writes."""
        self.fetch_all(f"RELEASE SAVEPOINT {name}")

    def rollback_to(self, name: str) -> None:
        """Undo the writes since savepoint ``name`` and release it."""
        self.fetch_all(f"ROLLBACK TO SAVEPOINT {name}")
        self.fetch_all(f"RELEASE SAVEPOINT {name}")

    def close(self) -> None:
        """Close the connection; a connection that cannot close politely is dropped."""
        try:
            self.sa.close()
        except Exception:  # a lost connection cannot say goodbye; it is gone either way
            self.broken = True

    # -- failures --------------------------------------------------------------------

    def _failure(self, exc: BaseException) -> DriverFailure:
        failure = _failure(exc)
        if failure.kind is ErrorKind.UNAVAILABLE:
            self.broken = True
        return failure


_PYMYSQL_ERRORS = (pymysql.err.Error, OSError, TimeoutError)


def _failure(exc: BaseException) -> DriverFailure:
    kind = classify(exc)
    if isinstance(exc, OSError | TimeoutError):
        kind = ErrorKind.UNAVAILABLE
    return DriverFailure(exc, kind, BACKEND)


__all__ = [
    "MYSQL_DRIVER",
    "MysqlConnection",
    "create_mysql_engine",
    "driver_url",
]

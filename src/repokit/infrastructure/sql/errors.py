"""Driver errors -> repokit errors, in one place for every SQL repository.

Repositories describe what a constraint failure *means* for the operation at
hand (an :class:`ErrorContext`); :func:`translate_error` classifies the driver
error and builds the repokit error, keeping the driver's exception as
``__cause__``. Messages are written here, never copied from the driver's text
with its SQL and parameters, so neither data nor a URL's password leaks out.

:func:`classify` reads SQLite's extended error names, PostgreSQL's SQLSTATE
codes (which asyncpg and psycopg both expose as ``sqlstate``) and MySQL's error
numbers (``args[0]`` of asyncmy's and PyMySQL's errors alike), so each sync twin
shares it. Connection classes may wrap a driver failure that carries
no code (a lost socket) in :class:`DriverFailure`, saying what it is.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import exc as sa_exc

from repokit.domain.errors import (
    BackendUnavailableError,
    ConcurrencyError,
    ConfigurationError,
    DuplicateError,
    InvalidQueryError,
    NotFoundError,
    RepokitError,
)


class DriverFailure(Exception):
    """A driver error wrapped by a connection class (see :mod:`.driver_postgres`).

    Attributes:
        orig: the driver's exception (what ``driver_error`` returns, the ``__cause__``).
        kind: what it is, when the connection class knows better than its SQLSTATE.
        backend: the database's name for messages, e.g. ``"PostgreSQL"``.
    """

    def __init__(self, orig: BaseException, kind: ErrorKind | None, backend: str) -> None:
        super().__init__(type(orig).__name__)
        self.orig = orig
        self.kind = kind
        self.backend = backend


DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    DriverFailure,
    sqlite3.Error,
    sa_exc.DBAPIError,
    sa_exc.InterfaceError,
    OverflowError,
)
"""What the SQL repositories catch and translate (``OverflowError``: an int past 64 bits)."""


class ErrorKind(enum.Enum):
    """What went wrong, independent of the database that reported it."""

    PRIMARY_KEY = "primary key"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    CONSTRAINT = "constraint"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    CONCURRENCY = "concurrency"
    SCHEMA = "schema"
    OUT_OF_RANGE = "out of range"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What a failure means for one operation.

    Attributes:
        duplicate: message for a primary-key collision (a repeated id).
        foreign_key: builds the error for a foreign-key failure (a missing parent,
            or a row still referenced).
        unique: message per unique index name, e.g. ``{"uq_users_email": ...}``
            (the first key found in the constraint's name and the driver's text wins,
            so list longer keys first).
        foreign_keys: per foreign key name, the error of its failure (the first key
            found wins, as for ``unique``); others get ``foreign_key``'s.
    """

    duplicate: str | None = None
    foreign_key: Callable[[], RepokitError] | None = None
    unique: Mapping[str, str] = field(default_factory=dict)
    foreign_keys: Mapping[str, Callable[[], RepokitError]] = field(default_factory=dict)


_UNAVAILABLE_CODES = frozenset(
    {
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_CANTOPEN",
        "SQLITE_IOERR",
        "SQLITE_FULL",
        "SQLITE_READONLY",
        "SQLITE_NOTADB",
        "SQLITE_CORRUPT",
        "SQLITE_PROTOCOL",
        "SQLITE_NOMEM",
        "SQLITE_PERM",
        "SQLITE_INTERRUPT",
    }
)


# PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_SQLSTATE_KINDS = {
    "23505": ErrorKind.UNIQUE,  # unique_violation (primary keys told apart by name below)
    "23503": ErrorKind.FOREIGN_KEY,  # foreign_key_violation
    "23001": ErrorKind.FOREIGN_KEY,  # restrict_violation (ON DELETE RESTRICT)
    "40001": ErrorKind.CONCURRENCY,  # serialization_failure
    "40P01": ErrorKind.CONCURRENCY,  # deadlock_detected
    "57014": ErrorKind.TIMEOUT,  # query_canceled (statement_timeout)
    "55P03": ErrorKind.TIMEOUT,  # lock_not_available (lock_timeout)
    "22003": ErrorKind.OUT_OF_RANGE,  # numeric_value_out_of_range
    "42P01": ErrorKind.SCHEMA,  # undefined_table
    "42703": ErrorKind.SCHEMA,  # undefined_column
    "42704": ErrorKind.SCHEMA,  # undefined_object (e.g. the vector type)
}
# Whole classes: connection exceptions, invalid authorization (a wrong password),
# an unknown database, insufficient resources, operator intervention (admin
# shutdown, cannot connect now), system errors.
_SQLSTATE_UNAVAILABLE_CLASSES = ("08", "28", "3D", "53", "57P", "58", "XX")


# MySQL / MariaDB error numbers (server 1xxx-4xxx, client 2xxx).
_MYSQL_KINDS = {
    1062: ErrorKind.UNIQUE,  # ER_DUP_ENTRY (the PRIMARY key told apart below)
    1452: ErrorKind.FOREIGN_KEY,  # ER_NO_REFERENCED_ROW_2: a missing parent
    1216: ErrorKind.FOREIGN_KEY,  # ER_NO_REFERENCED_ROW
    1451: ErrorKind.FOREIGN_KEY,  # ER_ROW_IS_REFERENCED_2: ON DELETE RESTRICT
    1217: ErrorKind.FOREIGN_KEY,  # ER_ROW_IS_REFERENCED
    1213: ErrorKind.CONCURRENCY,  # ER_LOCK_DEADLOCK (the transaction was rolled back)
    1205: ErrorKind.CONCURRENCY,  # ER_LOCK_WAIT_TIMEOUT (innodb_lock_wait_timeout)
    1969: ErrorKind.TIMEOUT,  # ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
    3024: ErrorKind.TIMEOUT,  # ER_QUERY_TIMEOUT (MySQL max_execution_time)
    1146: ErrorKind.SCHEMA,  # ER_NO_SUCH_TABLE
    1054: ErrorKind.SCHEMA,  # ER_BAD_FIELD_ERROR
    1264: ErrorKind.OUT_OF_RANGE,  # ER_WARN_DATA_OUT_OF_RANGE (strict mode)
    1690: ErrorKind.OUT_OF_RANGE,  # ER_DATA_OUT_OF_RANGE
    1048: ErrorKind.CONSTRAINT,  # ER_BAD_NULL_ERROR
    1292: ErrorKind.CONSTRAINT,  # ER_TRUNCATED_WRONG_VALUE
    1366: ErrorKind.CONSTRAINT,  # ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    1406: ErrorKind.CONSTRAINT,  # ER_DATA_TOO_LONG
    3819: ErrorKind.CONSTRAINT,  # ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
    4025: ErrorKind.CONSTRAINT,  # ER_CONSTRAINT_FAILED (MariaDB CHECK)
}
_MYSQL_UNAVAILABLE = frozenset(
    {
        1040,  # too many connections
        1044,  # access denied to the database
        1045,  # access denied (a wrong password)
        1049,  # unknown database
        1053,  # server shutdown in progress
        1927,  # connection was killed (MariaDB)
        2002,  # cannot connect through the socket
        2003,  # cannot connect to the server
        2005,  # unknown host
        2006,  # server has gone away
        2013,  # lost connection during query
        2055,  # lost connection (system error)
        4031,  # disconnected by the server for inactivity (MySQL 8.0.24+)
    }
)
_MYSQL_DRIVERS = ("asyncmy", "pymysql")


def mysql_errno(err: BaseException) -> int | None:
    """The MySQL error number of an asyncmy or PyMySQL error, else None."""
    if type(err).__module__.split(".")[0] not in _MYSQL_DRIVERS:
        return None
    code = err.args[0] if err.args else None
    return code if isinstance(code, int) else None


def _mysql_kind(err: BaseException, errno: int) -> ErrorKind:
    if errno == 1062:
        # "Duplicate entry '…' for key 'PRIMARY'" (MySQL 8: 'table.PRIMARY').
        return ErrorKind.PRIMARY_KEY if "PRIMARY'" in str(err) else ErrorKind.UNIQUE
    kind = _MYSQL_KINDS.get(errno)
    if kind is not None:
        return kind
    if errno in _MYSQL_UNAVAILABLE or 2000 <= errno < 3000:
        return ErrorKind.UNAVAILABLE  # every client error: the connection is the problem
    if type(err).__name__ == "InterfaceError":
        return ErrorKind.UNAVAILABLE  # the driver's own: "Not connected", a closed socket
    return ErrorKind.OTHER


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception under a SQLAlchemy or repokit wrapper, or ``exc`` itself."""
    if isinstance(exc, DriverFailure):
        return exc.orig
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        # SQLAlchemy's asyncpg adapter wraps asyncpg's exception once more.
        inner = exc.orig.__cause__
        if inner is not None and getattr(inner, "sqlstate", None) is not None:
            return inner
        return exc.orig
    return exc


def constraint_name(err: BaseException) -> str:
    """The constraint a PostgreSQL error names (asyncpg: ``constraint_name``; psycopg: ``diag``)."""
    name = getattr(err, "constraint_name", None)
    if name is None:
        name = getattr(getattr(err, "diag", None), "constraint_name", None)
    return str(name or "")


def _sqlstate_kind(err: BaseException, sqlstate: str) -> ErrorKind:
    if sqlstate == "23505":
        constraint = constraint_name(err)
        return ErrorKind.PRIMARY_KEY if constraint.startswith("pk_") else ErrorKind.UNIQUE
    kind = _SQLSTATE_KINDS.get(sqlstate)
    if kind is not None:
        return kind
    if sqlstate.startswith(("23", "22")):
        # Integrity constraints, and data exceptions: a value PostgreSQL cannot hold
        # (e.g. a NUL character in text, 22021/22P05).
        return ErrorKind.CONSTRAINT
    if sqlstate.startswith(_SQLSTATE_UNAVAILABLE_CLASSES):
        return ErrorKind.UNAVAILABLE
    return ErrorKind.OTHER


def classify(exc: BaseException) -> ErrorKind:
    """Which :class:`ErrorKind` a driver error is (SQLite names or PostgreSQL SQLSTATEs)."""
    if isinstance(exc, DriverFailure) and exc.kind is not None:
        return exc.kind
    err = driver_error(exc)
    if isinstance(err, OverflowError):
        return ErrorKind.OUT_OF_RANGE
    errno = mysql_errno(err)
    if errno is not None:
        # Before the SQLSTATE, which asyncmy also sets: MySQL's are coarse (23000 for
        # every integrity error).
        return _mysql_kind(err, errno)
    sqlstate = getattr(err, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        return _sqlstate_kind(err, sqlstate)
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return ErrorKind.UNAVAILABLE
    if isinstance(err, OSError | TimeoutError):
        return ErrorKind.UNAVAILABLE
    name = getattr(err, "sqlite_errorname", None) or ""
    if name == "SQLITE_CONSTRAINT_PRIMARYKEY":
        return ErrorKind.PRIMARY_KEY
    if name == "SQLITE_CONSTRAINT_UNIQUE":
        return ErrorKind.UNIQUE
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return ErrorKind.FOREIGN_KEY
    if name == "SQLITE_CONSTRAINT_TRIGGER" and "FOREIGN KEY" in str(err):
        # An ON DELETE RESTRICT action reports itself as a trigger.
        return ErrorKind.FOREIGN_KEY
    if name.startswith("SQLITE_CONSTRAINT") or isinstance(err, sqlite3.IntegrityError):
        return ErrorKind.CONSTRAINT
    if "_".join(name.split("_")[:2]) in _UNAVAILABLE_CODES:  # SQLITE_BUSY_SNAPSHOT -> SQLITE_BUSY
        return ErrorKind.UNAVAILABLE
    message = str(err).lower()
    if "no such table" in message or "no such column" in message:
        return ErrorKind.SCHEMA
    if "locked" in message or "unable to open" in message:
        return ErrorKind.UNAVAILABLE
    if isinstance(err, sqlite3.ProgrammingError) and "closed" in message:
        return ErrorKind.UNAVAILABLE
    return ErrorKind.OTHER


def translate_error(exc: BaseException, context: ErrorContext | None = None) -> RepokitError:
    """A repokit error for driver error ``exc``; raise it ``from`` :func:`driver_error`."""
    context = context or _NO_CONTEXT
    kind = classify(exc)
    err = driver_error(exc)
    backend = _backend(exc, err)
    if kind is ErrorKind.PRIMARY_KEY:
        return DuplicateError(context.duplicate or "an entity with this id already exists")
    if kind is ErrorKind.UNIQUE:
        text = f"{constraint_name(err)} {err}"
        for index, message in context.unique.items():
            if index in text:
                return DuplicateError(message)
        return DuplicateError(context.duplicate or "a unique value is already used")
    if kind is ErrorKind.FOREIGN_KEY:
        text = f"{constraint_name(err)} {err}"
        for key, error in context.foreign_keys.items():
            if key in text:
                return error()
        if context.foreign_key is not None:
            return context.foreign_key()
        return NotFoundError("a referenced entity does not exist")
    if kind is ErrorKind.CONSTRAINT:
        return InvalidQueryError(f"a value breaks a database constraint ({_name(err)})")
    if kind is ErrorKind.OUT_OF_RANGE:
        return InvalidQueryError("an integer is outside the 64-bit range the database stores")
    if kind is ErrorKind.CONCURRENCY:
        return ConcurrencyError(
            f"a concurrent transaction changed the same rows ({_name(err)}); retry the operation"
        )
    if kind is ErrorKind.TIMEOUT:
        return BackendUnavailableError(
            f"{backend} cancelled the statement: it ran past the statement timeout "
            "(REPOKIT_STATEMENT_TIMEOUT_S) or waited too long for a lock"
        )
    if kind is ErrorKind.UNAVAILABLE:
        return BackendUnavailableError(
            f"{backend} database unavailable: {_safe_message(err, backend)}"
        )
    if kind is ErrorKind.SCHEMA:
        return ConfigurationError(
            "the database schema is missing or out of date; run store.migrate() "
            "(or `repokit migrate`)"
        )
    return RepokitError(f"{backend} error ({_name(err)})")


def _backend(exc: BaseException, err: BaseException) -> str:
    if isinstance(exc, DriverFailure):
        return exc.backend
    if mysql_errno(err) is not None:
        return "MySQL"
    return "PostgreSQL" if getattr(err, "sqlstate", None) is not None else "SQLite"


def _name(err: BaseException) -> str:
    errno = mysql_errno(err)
    if errno is not None:
        return f"{type(err).__name__} {errno}"
    sqlstate = getattr(err, "sqlstate", None)
    if sqlstate:
        return f"{type(err).__name__} {sqlstate}"
    return str(getattr(err, "sqlite_errorname", None) or type(err).__name__)


def _safe_message(err: BaseException, backend: str) -> str:
    # SQLite's own messages ("database is locked", "disk I/O error") hold neither
    # SQL nor parameters; SQLAlchemy's wrappers do, so only the driver's text is used.
    # PostgreSQL's connection errors may name the host and user, never the password;
    # still, only the exception's class and SQLSTATE are shown for them.
    if backend != "SQLite":
        return _name(err)
    return str(err).splitlines()[0][:200] if str(err) else _name(err)


_NO_CONTEXT = ErrorContext()

__all__ = [
    "DRIVER_ERRORS",
    "DriverFailure",
    "ErrorContext",
    "ErrorKind",
    "classify",
    "driver_error",
    "mysql_errno",
    "translate_error",
]

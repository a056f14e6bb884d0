"""Driver errors -> repokit errors, in one place for every SQL repository.

Repositories describe what a constraint failure *means* for the operation at
hand (an :class:`ErrorContext`); :func:`translate_error` classifies the driver
error and builds the repokit error, keeping the driver's exception as
``__cause__``. Messages are written here, never copied from the driver's text
with its SQL and parameters, so neither data nor a URL's password leaks out.

Only :func:`classify` knows SQLite's error codes; a PostgreSQL classifier
(SQLSTATE based) can sit beside it and reuse the rest.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import exc as sa_exc

from repokit.domain.errors import (
    BackendUnavailableError,
    ConfigurationError,
    DuplicateError,
    InvalidQueryError,
    NotFoundError,
    RepokitError,
)

DRIVER_ERRORS: tuple[type[BaseException], ...] = (
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
        unique: message per unique index name, e.g. ``{"uq_users_email_lower": ...}``.
    """

    duplicate: str | None = None
    foreign_key: Callable[[], RepokitError] | None = None
    unique: Mapping[str, str] = field(default_factory=dict)


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


def driver_error(exc: BaseException) -> BaseException:
    """The DBAPI exception under a SQLAlchemy wrapper, or ``exc`` itself."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


def classify(exc: BaseException) -> ErrorKind:
    """Which :class:`ErrorKind` a (SQLite) driver error is."""
    err = driver_error(exc)
    if isinstance(err, OverflowError):
        return ErrorKind.OUT_OF_RANGE
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return ErrorKind.UNAVAILABLE
    name = getattr(err, "sqlite_errorname", None) or ""
    if name == "SQLITE_CONSTRAINT_PRIMARYKEY":
        return ErrorKind.PRIMARY_KEY
    if name == "SQLITE_CONSTRAINT_UNIQUE":
        return ErrorKind.UNIQUE
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY":
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
    if kind is ErrorKind.PRIMARY_KEY:
        return DuplicateError(context.duplicate or "an entity with this id already exists")
    if kind is ErrorKind.UNIQUE:
        text = str(err)
        for index, message in context.unique.items():
            if index in text:
                return DuplicateError(message)
        return DuplicateError(context.duplicate or "a unique value is already used")
    if kind is ErrorKind.FOREIGN_KEY:
        if context.foreign_key is not None:
            return context.foreign_key()
        return NotFoundError("a referenced entity does not exist")
    if kind is ErrorKind.CONSTRAINT:
        return InvalidQueryError(f"a value breaks a database constraint ({_name(err)})")
    if kind is ErrorKind.OUT_OF_RANGE:
        return InvalidQueryError("an integer is outside the 64-bit range the database stores")
    if kind is ErrorKind.UNAVAILABLE:
        return BackendUnavailableError(f"SQLite database unavailable: {_safe_message(err)}")
    if kind is ErrorKind.SCHEMA:
        return ConfigurationError(
            "the database schema is missing or out of date; run store.migrate() "
            "(or `repokit migrate`)"
        )
    return RepokitError(f"SQLite error ({_name(err)})")


def _name(err: BaseException) -> str:
    return str(getattr(err, "sqlite_errorname", None) or type(err).__name__)


def _safe_message(err: BaseException) -> str:
    # SQLite's own messages ("database is locked", "disk I/O error") hold neither
    # SQL nor parameters; SQLAlchemy's wrappers do, so only the driver's text is used.
    return str(err).splitlines()[0][:200] if str(err) else _name(err)


_NO_CONTEXT = ErrorContext()

__all__ = [
    "DRIVER_ERRORS",
    "ErrorContext",
    "ErrorKind",
    "classify",
    "driver_error",
    "translate_error",
]

"""PyMongo exceptions -> repokit errors, in one place for every MongoDB repository.

Repositories say what a duplicate key *means* for the call at hand (an
:class:`ErrorContext`); :func:`translate_error` builds the repokit error and the
caller raises it ``from`` the driver's exception. Messages are written here,
never copied from the server (whose text can hold values or hosts), so neither
data nor a URL's password leaks out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bson.errors import BSONError
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    InvalidOperation,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WTimeoutError,
)
from pymongo.errors import (
    ConfigurationError as PyMongoConfigurationError,
)

from repokit.domain.errors import (
    BackendUnavailableError,
    ConcurrencyError,
    ConfigurationError,
    DuplicateError,
    InvalidQueryError,
    RepokitError,
    StoreClosedError,
)

DUPLICATE_KEY = 11000
WRITE_CONFLICT = 112
NO_SUCH_TRANSACTION = 251
_UNAUTHORIZED = frozenset({13, 18})  # Unauthorized, AuthenticationFailed
_TIMEOUTS = frozenset({50, 262})  # MaxTimeMSExpired, ExceededTimeLimit


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What a duplicate key means for one call.

    Attributes:
        duplicate: the message of the ``DuplicateError`` for a repeated ``_id``.
        unique: messages by index name, for other unique indexes (e.g. the email).
    """

    duplicate: str = "the entity already exists"
    unique: tuple[tuple[str, str], ...] = ()


def duplicate_index(exc: PyMongoError) -> str | None:
    """The name of the unique index a duplicate key error names, when it says.

    MongoDB puts the index name in the message (``index: uq_users_email dup key``);
    the stand-in names its own index (``idx_users_email``) or ``<collection>._id``.
    """
    details = getattr(exc, "details", None) or {}
    if isinstance(exc, BulkWriteError):
        errors = details.get("writeErrors") or [{}]
        details = errors[0]
    text = str(details.get("errmsg", ""))
    for marker in ("index: ", "index '"):
        if marker in text:
            return text.split(marker, 1)[1].split(" ", 1)[0].strip("'")
    return "_id_" if "._id" in text else None


def is_duplicate_key(exc: BaseException) -> bool:
    """True for a duplicate key error, alone or as the first error of a bulk write."""
    if isinstance(exc, DuplicateKeyError):
        return True
    if isinstance(exc, BulkWriteError):
        errors = exc.details.get("writeErrors") or []
        return bool(errors) and errors[0].get("code") == DUPLICATE_KEY
    return isinstance(exc, OperationFailure) and exc.code == DUPLICATE_KEY


def translate_error(exc: BaseException, context: ErrorContext | None = None) -> RepokitError:
    """The repokit error for a PyMongo (or BSON) exception."""
    context = context or ErrorContext()
    if is_duplicate_key(exc):
        assert isinstance(exc, PyMongoError)
        index = duplicate_index(exc)
        for name, message in context.unique:
            # The stand-in's idx_<collection>_<fields> ends as uq_<collection>_<fields> does;
            # a suffix, not a substring, so that a field "code" is not taken for "code_2".
            if index is not None and index.endswith(name.split("_", 1)[1]):
                return DuplicateError(message)
        return DuplicateError(context.duplicate)
    if isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError"):
        return ConcurrencyError(
            "the unit of work conflicted with a concurrent write (MongoDB "
            f"{type(exc).__name__}); retry it"
        )
    if isinstance(exc, OperationFailure) and exc.code == WRITE_CONFLICT:
        return ConcurrencyError("a concurrent write changed the same document; retry")
    if isinstance(exc, ServerSelectionTimeoutError):
        return BackendUnavailableError("no MongoDB server could be selected within the timeout")
    if isinstance(exc, NetworkTimeout | ExecutionTimeout | WTimeoutError) or (
        isinstance(exc, OperationFailure) and exc.code in _TIMEOUTS
    ):
        return BackendUnavailableError(f"MongoDB did not answer in time ({type(exc).__name__})")
    if isinstance(exc, AutoReconnect | ConnectionFailure):
        return BackendUnavailableError(f"the MongoDB connection failed ({type(exc).__name__})")
    if isinstance(exc, OperationFailure) and exc.code in _UNAUTHORIZED:
        return BackendUnavailableError("MongoDB refused the credentials or the operation")
    if isinstance(exc, InvalidOperation):
        return StoreClosedError("store is closed")
    if isinstance(exc, PyMongoConfigurationError):
        return ConfigurationError(f"MongoDB client configuration is invalid ({type(exc).__name__})")
    if isinstance(exc, BSONError | OverflowError):
        return InvalidQueryError(f"a value cannot be stored in BSON ({type(exc).__name__})")
    code = getattr(exc, "code", None)
    return BackendUnavailableError(f"MongoDB failed: {type(exc).__name__} (code {code})")


DRIVER_ERRORS: tuple[type[BaseException], ...] = (PyMongoError, BSONError, OverflowError)
"""What the repositories catch and translate."""


@contextmanager
def translated(context: ErrorContext | None = None) -> Iterator[None]:
    """Raise driver errors from the block as repokit errors (the original as ``__cause__``)."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise translate_error(exc, context) from exc


__all__ = [
    "DRIVER_ERRORS",
    "DUPLICATE_KEY",
    "ErrorContext",
    "duplicate_index",
    "is_duplicate_key",
    "translate_error",
    "translated",
]

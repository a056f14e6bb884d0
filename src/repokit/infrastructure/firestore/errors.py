"""google-api-core exceptions to repokit errors; the original stays as ``__cause__``.

Which rule a failed precondition stands for is known only to the code that wrote
it (a ``create`` of a guard document is a taken unique value, of an entity a
repeated id), so :func:`map_error` covers what is left: contention, limits,
permissions, an unreachable endpoint.
"""

from __future__ import annotations

from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exceptions

from repokit.domain.errors import (
    BackendUnavailableError,
    ConcurrencyError,
    ConfigurationError,
    InvalidQueryError,
    RepokitError,
)

DRIVER_ERRORS: tuple[type[Exception], ...] = (
    gexc.GoogleAPIError,
    auth_exceptions.GoogleAuthError,
)
"""What the client library raises."""


def map_error(exc: Exception, what: str) -> RepokitError:
    """The repokit error for a driver exception raised while doing ``what``."""
    if isinstance(exc, gexc.Aborted):
        return ConcurrencyError(f"{what}: a concurrent transaction touched the same documents")
    if isinstance(exc, gexc.AlreadyExists | gexc.FailedPrecondition):
        return ConcurrencyError(f"{what}: a concurrent write changed the documents; retry")
    if isinstance(exc, gexc.InvalidArgument):
        return InvalidQueryError(f"{what}: Firestore refused the request: {exc.message}")
    if isinstance(exc, gexc.PermissionDenied | gexc.Unauthenticated):
        return ConfigurationError(
            f"{what}: Firestore refused the credentials ({exc.message}); set "
            "GOOGLE_APPLICATION_CREDENTIALS or FIRESTORE_EMULATOR_HOST"
        )
    if isinstance(exc, gexc.NotFound):
        return ConfigurationError(
            f"{what}: Firestore says the project or database does not exist ({exc.message})"
        )
    if isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return ConfigurationError(
            "no Google credentials found and FIRESTORE_EMULATOR_HOST is not set: set "
            "FIRESTORE_EMULATOR_HOST=host:port for the emulator, or "
            "GOOGLE_APPLICATION_CREDENTIALS (or run on Google Cloud) for Firestore"
        )
    return BackendUnavailableError(f"{what}: Firestore is unavailable: {exc}")


__all__ = ["DRIVER_ERRORS", "map_error"]

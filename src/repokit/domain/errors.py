"""The one error tree every adapter maps its driver errors into.

Driver exceptions never reach the caller: each adapter catches them at its
boundary and raises one of these, keeping the original as ``__cause__``.
"""

from __future__ import annotations


class RepokitError(Exception):
    """Base class of every error repokit raises on purpose."""


class NotFoundError(RepokitError):
    """An entity that the operation needs does not exist."""


class DuplicateError(RepokitError):
    """A new entity collides with a stored one (same id, or a unique field such as email)."""


class ConcurrencyError(RepokitError):
    """An optimistic-locking check failed: the stored version is not the one given."""


class InvalidQueryError(RepokitError, ValueError):
    """A filter, cursor, ordering, page size or embedding is malformed; names the bad part."""


class PermissionDeniedError(RepokitError):
    """The acting user lacks the role the use case requires."""


class BackendUnavailableError(RepokitError):
    """The backend cannot be reached, refused the connection, or no connection was free in time."""


class ConfigurationError(RepokitError):
    """The configuration (URL, settings) is wrong or names something not installed."""


class DeclarationError(ConfigurationError, TypeError):
    """A ``repokit.Entity`` declaration some backend could not store exactly; names the field.

    Raised when the class is defined, so a bad declaration never reaches a backend.
    """


class CapabilityError(RepokitError):
    """The backend does not offer this feature; see ``store.capabilities``."""


class InUseError(RepokitError):
    """The entity is still referenced and cannot be deleted (e.g. a user who owns workspaces)."""


class UnitOfWorkError(RepokitError):
    """A unit of work was misused: used after its block, or opened inside another one."""


class StoreClosedError(RepokitError):
    """The store is closed (or was never opened); open a new one with ``repokit.connect``."""


__all__ = [
    "BackendUnavailableError",
    "CapabilityError",
    "ConcurrencyError",
    "ConfigurationError",
    "DeclarationError",
    "DuplicateError",
    "InUseError",
    "InvalidQueryError",
    "NotFoundError",
    "PermissionDeniedError",
    "RepokitError",
    "StoreClosedError",
    "UnitOfWorkError",
]

"""Mapping botocore failures to repokit errors, shared by both forms of the adapter.

aiobotocore raises botocore's own exception classes, so one mapping serves the
async and the sync client. Conditional failures are not mapped here: the scope
that wrote the item knows which rule it broke (see :mod:`.scope`).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from repokit.domain.errors import (
    BackendUnavailableError,
    ConcurrencyError,
    ConfigurationError,
    InvalidQueryError,
    RepokitError,
)

_UNAVAILABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)
_CONFIGURATION = (NoCredentialsError, PartialCredentialsError, NoRegionError)
_CONFIGURATION_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "AccessDeniedException",
        "MissingAuthenticationTokenException",
        "ResourceNotFoundException",
    }
)
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "LimitExceededException",
    }
)


def error_code(exc: BaseException) -> str:
    """The DynamoDB error code of a ``ClientError`` (empty for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def cancellation_codes(exc: ClientError) -> list[str]:
    """The per-action reason codes of a cancelled ``TransactWriteItems``."""
    reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons", []) or []
    return [str(reason.get("Code") or "None") for reason in reasons]


def map_error(exc: BaseException, where: str) -> RepokitError:
    """A repokit error for a driver failure during ``where`` (the table, never a secret)."""
    if isinstance(exc, RepokitError):
        return exc
    if isinstance(exc, _UNAVAILABLE):
        return BackendUnavailableError(f"DynamoDB is unreachable ({where}): {type(exc).__name__}")
    if isinstance(exc, ParamValidationError):
        # A value DynamoDB cannot take (a key over its size limit, ...): the request is at fault.
        return InvalidQueryError(f"DynamoDB cannot take this request ({where}): {exc}")
    if isinstance(exc, _CONFIGURATION):
        return ConfigurationError(f"DynamoDB client is not configured ({where}): {exc}")
    code = error_code(exc)
    if code == "ResourceNotFoundException":
        return ConfigurationError(
            f"DynamoDB table not found ({where}); run store.migrate() to create it"
        )
    if code in _CONFIGURATION_CODES:
        return ConfigurationError(f"DynamoDB refused the credentials ({where}): {code}")
    if code == "TransactionConflictException" or code == "TransactionConflict":
        return ConcurrencyError(f"a concurrent transaction touched the same items ({where}); retry")
    if code in _TRANSIENT_CODES:
        return BackendUnavailableError(
            f"DynamoDB is overloaded ({where}): {code}, retries exhausted"
        )
    if isinstance(exc, ClientError | BotoCoreError):
        return BackendUnavailableError(
            f"DynamoDB request failed ({where}): {code or type(exc).__name__}"
        )
    return BackendUnavailableError(f"DynamoDB request failed ({where}): {type(exc).__name__}")

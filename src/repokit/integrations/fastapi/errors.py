"""repokit's errors as HTTP responses.

* ``NotFoundError``: 404; ``DuplicateError``, ``ConcurrencyError``, ``InUseError``:
  409; ``PermissionDeniedError``: 403; each with ``{"detail": message}``;
* ``InvalidQueryError``: 422, ``{"detail": [{"type": "invalid_query", "loc":
  ["query"], "msg": message}]}`` (the message names the bad part);
* ``pydantic.ValidationError`` raised in the endpoint (an entity built from bad
  values): 422 in FastAPI's own shape, each error's ``loc`` naming the field;
* ``BackendUnavailableError``, ``StoreClosedError``: 503, a fixed message and
  ``Retry-After``.

The 503 body never carries the error's text (it may describe the deployment);
the error goes to the ``repokit.http`` logger. Other repokit errors
(``ConfigurationError``, ``CapabilityError``, ``UnitOfWorkError``) are bugs of
the service and stay 500s.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from repokit.domain.errors import (
    BackendUnavailableError,
    ConcurrencyError,
    DuplicateError,
    InUseError,
    InvalidQueryError,
    NotFoundError,
    PermissionDeniedError,
    RepokitError,
    StoreClosedError,
)

_log = logging.getLogger("repokit.http")

ERROR_STATUS: tuple[tuple[type[RepokitError], int], ...] = (
    (NotFoundError, 404),
    (DuplicateError, 409),
    (ConcurrencyError, 409),
    (InUseError, 409),
    (InvalidQueryError, 422),
    (PermissionDeniedError, 403),
    (BackendUnavailableError, 503),
    (StoreClosedError, 503),
)
"""Each mapped error class and its HTTP status (the first match wins)."""

RETRY_AFTER_S = 1
UNAVAILABLE = "the storage backend is unavailable; retry later"


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a repokit error, or None when it is not mapped (a 500)."""
    for kind, status in ERROR_STATUS:
        if isinstance(error, kind):
            return status
    return None


async def _repokit_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    if status is None:  # not registered for these; kept total for safety
        raise exc
    if status == 503:
        _log.warning("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        return JSONResponse(
            {"detail": UNAVAILABLE}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)}
        )
    if status == 422:
        loc = getattr(exc, "loc", None) or ["query"]
        detail = [{"type": "invalid_query", "loc": list(loc), "msg": str(exc)}]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": str(exc)}, status_code=status)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ValidationError)
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def add_error_handlers(app: FastAPI) -> None:
    """Register the handlers of the table above on ``app``."""
    for kind, _ in ERROR_STATUS:
        app.add_exception_handler(kind, _repokit_error)
    app.add_exception_handler(ValidationError, _validation_error)


__all__ = ["ERROR_STATUS", "RETRY_AFTER_S", "UNAVAILABLE", "add_error_handlers", "status_of"]

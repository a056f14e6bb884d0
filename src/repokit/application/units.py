"""One place that decides how a use case groups its writes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from repokit.domain.errors import (
    CapabilityError,
    ConcurrencyError,
    DuplicateError,
    InUseError,
    InvalidQueryError,
    NotFoundError,
    PermissionDeniedError,
)
from repokit.domain.ports import RepositoriesPort, StorePort

T = TypeVar("T")

REFUSALS = (
    CapabilityError,
    ConcurrencyError,
    DuplicateError,
    InUseError,
    InvalidQueryError,
    NotFoundError,
    PermissionDeniedError,
)
"""Errors by which a store refuses a write: nothing of that write was stored."""


@asynccontextmanager
async def write_unit(store: StorePort) -> AsyncIterator[RepositoriesPort]:
    """A unit of work on stores with transactions, else the store itself.

    Without transactions (``store.capabilities.transactions`` is False, e.g.
    MongoDB without a replica set) the writes run one by one in the order the
    use case makes them: the main entity first and the audit event last, and
    the use case undoes its earlier writes when a later one fails
    (:func:`first_write`, :func:`undo_on_failure`).
    """
    if store.capabilities.transactions:
        async with store.unit_of_work() as uow:
            yield uow
    else:
        yield store


async def first_write(
    store: StorePort, write: Callable[[], Awaitable[T]], undo: Callable[[], Awaitable[Any]]
) -> T:
    """Run a use case's first write; on a store without transactions, undo it when it
    fails in a way that may have stored it anyway (a lost reply, a crash right after).

    A refusal (:data:`REFUSALS`) stored nothing and is never undone: undoing a
    ``DuplicateError`` would delete the entity that was already there.
    """
    try:
        return await write()
    except REFUSALS:
        raise
    except BaseException:
        if not store.capabilities.transactions:
            with contextlib.suppress(Exception):
                await undo()
        raise


@asynccontextmanager
async def undo_on_failure(
    store: StorePort, undo: Callable[[], Awaitable[Any]]
) -> AsyncIterator[None]:
    """Run ``undo`` when the block fails on a store without transactions.

    A unit of work rolls back by itself; ordered writes must be undone by hand,
    newest first, so the use case leaves nothing half-made. The block's failure
    is what the caller hears about, even when ``undo`` fails too (the store is
    then most likely unreachable, and nothing more can be done).
    """
    try:
        yield
    except BaseException:
        if not store.capabilities.transactions:
            with contextlib.suppress(Exception):
                await undo()
        raise


__all__ = ["REFUSALS", "first_write", "undo_on_failure", "write_unit"]

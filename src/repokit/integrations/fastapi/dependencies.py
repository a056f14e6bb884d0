"""Dependencies: each request's store, unit of work, or sync store.

``UnitOfWork`` ends **before** the response is sent (``Depends(scope="function")``):
a commit that fails (a ``ConcurrencyError``, a lost connection) becomes the
response (409, 503) instead of failing after a 200 went out; an exception from
the endpoint rolls the unit back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from repokit.domain.errors import ConfigurationError
from repokit.domain.ports import StorePort, UnitOfWorkPort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.integrations.fastapi.lifespan import stores_of


def get_store(request: Request) -> StorePort:
    """The app's store: each repository call is its own transaction."""
    return stores_of(request.app).store


async def get_unit_of_work(
    store: Annotated[StorePort, Depends(get_store)],
) -> AsyncIterator[UnitOfWorkPort]:
    """A unit of work around the endpoint: committed on a clean return, else rolled back."""
    async with store.unit_of_work() as uow:
        yield uow


def get_sync_store(request: Request) -> SyncStorePort:
    """The app's sync store, for ``def`` endpoints (FastAPI runs them in worker threads).

    Raises:
        ConfigurationError: the lifespan was not told ``sync=True``.
    """
    sync_store = stores_of(request.app).sync_store
    if sync_store is None:
        raise ConfigurationError(
            "this app opened no sync store: use lifespan(..., sync=True) for def endpoints"
        )
    return sync_store


Store = Annotated[StorePort, Depends(get_store)]
"""An endpoint parameter: the app's async store."""

UnitOfWork = Annotated[UnitOfWorkPort, Depends(get_unit_of_work, scope="function")]
"""An endpoint parameter: a unit of work, committed before the response is sent."""

SyncStore = Annotated[SyncStorePort, Depends(get_sync_store)]
"""An endpoint parameter of a ``def`` endpoint: the app's sync store. Open units of
work in the endpoint's body (``with store.unit_of_work() as uow:``), in its thread."""

__all__ = ["Store", "SyncStore", "UnitOfWork", "get_store", "get_sync_store", "get_unit_of_work"]

"""One place that decides how a use case groups its writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from repokit.domain.ports import RepositoriesPort, StorePort


@asynccontextmanager
async def write_unit(store: StorePort) -> AsyncIterator[RepositoriesPort]:
    """A unit of work on stores with transactions, else the store itself.

    Without transactions (``store.capabilities.transactions`` is False, e.g.
    MongoDB without a replica set) the writes run one by one in the order the
    use case makes them; use cases order them so the main entity is written
    first and the audit event last, so a failure part-way leaves no dangling
    references, only a missing audit line.
    """
    if store.capabilities.transactions:
        async with store.unit_of_work() as uow:
            yield uow
    else:
        yield store


__all__ = ["write_unit"]

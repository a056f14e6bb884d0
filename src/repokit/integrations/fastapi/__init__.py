"""FastAPI on repokit: a lifespan that opens the store, dependencies, errors as HTTP.

``pip install 'repokit[fastapi]'``. Usable in any FastAPI app (``repokit new``
writes a service that uses it)::

    from fastapi import FastAPI
    from repokit.integrations.fastapi import Store, UnitOfWork, add_error_handlers, lifespan

    app = FastAPI(lifespan=lifespan(migrate=True))   # URL from REPOKIT_DATABASE_URL
    add_error_handlers(app)                          # NotFoundError -> 404, ... (see errors.py)

    @app.get("/orders/{order_id}")
    async def read(order_id: UUID, store: Store) -> Order: ...

    @app.post("/orders")
    async def place(body: NewOrder, uow: UnitOfWork) -> Order: ...   # committed before the reply

A ``def`` endpoint takes ``SyncStore`` (``lifespan(sync=True)``): FastAPI runs it
in a worker thread, where the sync store's drivers belong.
"""

from __future__ import annotations

from repokit.integrations.fastapi.dependencies import (
    Store,
    SyncStore,
    UnitOfWork,
    get_store,
    get_sync_store,
    get_unit_of_work,
)
from repokit.integrations.fastapi.errors import ERROR_STATUS, add_error_handlers, status_of
from repokit.integrations.fastapi.lifespan import OpenStores, lifespan, stores_of

__all__ = [
    "ERROR_STATUS",
    "OpenStores",
    "Store",
    "SyncStore",
    "UnitOfWork",
    "add_error_handlers",
    "get_store",
    "get_sync_store",
    "get_unit_of_work",
    "lifespan",
    "status_of",
    "stores_of",
]

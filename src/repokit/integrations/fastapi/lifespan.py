"""The lifespan: open the store when the app starts, close it when the app stops.

The stores live on ``app.state`` (:class:`OpenStores`), so they are found the same
way under uvicorn, Starlette's ``TestClient`` and a test that enters
``app.router.lifespan_context(app)`` itself around an ``httpx.ASGITransport``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette

import repokit
from repokit.domain.errors import ConfigurationError
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort

STATE_KEY = "repokit"
"""The ``app.state`` attribute that holds the :class:`OpenStores`."""

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class OpenStores:
    """What the lifespan opened: the async store, and the sync one when asked for."""

    store: StorePort
    sync_store: SyncStorePort | None = None


def lifespan(
    url: str | None = None,
    *,
    cache_url: str | None = None,
    settings: repokit.Settings | None = None,
    migrate: bool = False,
    sync: bool = False,
) -> Lifespan:
    """A FastAPI ``lifespan`` that connects the store on start-up and closes it on shutdown.

    Args:
        url: the backend URL; None reads ``REPOKIT_DATABASE_URL`` when the app
            starts (not when this is called), else the embedded PostgreSQL.
        cache_url: a Redis URL for the cache (``REPOKIT_CACHE_URL`` when None).
        settings: the configuration; read from the environment at start-up when None.
        migrate: run ``store.migrate()`` at start-up (it only adds; for production
            with reviewed revisions, run ``repokit migrate --dir`` instead).
        sync: also open the sync store (``repokit.connect_sync``) for ``def``
            endpoints (:data:`~.dependencies.SyncStore`).

    Use it as ``FastAPI(lifespan=lifespan(...))``, or enter it inside a lifespan of
    your own: ``async with lifespan(...)(app): yield``.
    """

    @asynccontextmanager
    async def open_stores(app: Starlette) -> AsyncIterator[None]:
        store = await repokit.connect(url, cache_url=cache_url, settings=settings)
        sync_store: SyncStorePort | None = None
        try:
            if migrate:
                await store.migrate()
            if sync:
                # May start the embedded server or dial a pool: off the event loop.
                sync_store = await asyncio.to_thread(
                    repokit.connect_sync, url, cache_url=cache_url, settings=settings
                )
            setattr(app.state, STATE_KEY, OpenStores(store, sync_store))
            yield
        finally:
            if hasattr(app.state, STATE_KEY):
                delattr(app.state, STATE_KEY)
            try:
                if sync_store is not None:
                    await asyncio.to_thread(sync_store.close)
            finally:
                await store.close()

    return open_stores


def stores_of(app: Starlette) -> OpenStores:
    """The stores the app's lifespan opened.

    Raises:
        ConfigurationError: the app was not started with :func:`lifespan` (or has stopped).
    """
    stores = getattr(app.state, STATE_KEY, None)
    if not isinstance(stores, OpenStores):
        raise ConfigurationError(
            "no repokit store on this app: create it with "
            "FastAPI(lifespan=repokit.integrations.fastapi.lifespan(...)) and start it "
            "(uvicorn, TestClient as a context manager, or app.router.lifespan_context)"
        )
    return stores


__all__ = ["STATE_KEY", "Lifespan", "OpenStores", "lifespan", "stores_of"]

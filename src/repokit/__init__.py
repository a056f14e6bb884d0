"""repokit: one storage API for Python services, on interchangeable backends.

>>> store = await repokit.connect("sqlite:///app.db")   # doctest: +SKIP
>>> await store.migrate()                                # doctest: +SKIP

>>> with repokit.connect_sync("sqlite:///app.db") as store:  # doctest: +SKIP
...     store.migrate()

A service declares its own entities once (``docs/entities.md``)::

    class Order(repokit.Entity, collection="orders"):
        sku: Annotated[str, repokit.Unique()]
        status: Annotated[str, repokit.Indexed()]

    orders = store.repository(Order)

Importing repokit loads no database driver: the backend a URL names is imported
when :func:`connect` opens it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from repokit.domain.capabilities import Capabilities
from repokit.domain.entities import (
    AclEntry,
    AuditEvent,
    ChatMessage,
    Chunk,
    Document,
    Role,
    ScoredChunk,
    User,
    Workspace,
)
from repokit.domain.entity import Entity
from repokit.domain.errors import (
    BackendUnavailableError,
    CapabilityError,
    ConcurrencyError,
    ConfigurationError,
    DeclarationError,
    DuplicateError,
    InUseError,
    InvalidQueryError,
    NotFoundError,
    PermissionDeniedError,
    RepokitError,
    StoreClosedError,
    UnitOfWorkError,
)
from repokit.domain.markers import Immutable, Indexed, Ref, Unique
from repokit.domain.paging import Page
from repokit.domain.ports import (
    AuditLogPort,
    ChatHistoryPort,
    DocumentRepositoryPort,
    EntityRepositoryPort,
    RepositoriesPort,
    StorePort,
    UnitOfWorkPort,
    UserRepositoryPort,
    WorkspaceAclPort,
    WorkspaceRepositoryPort,
)
from repokit.domain.query import Filter
from repokit.domain.search_stats import SearchStats
from repokit.domain.sync import ports as sync_ports
from repokit.infrastructure.config import Settings, load_settings, resolve_database_url
from repokit.infrastructure.registry import open_store, open_sync_store
from repokit.infrastructure.search_monitor import monitor_searches
from repokit.infrastructure.sync.search_monitor import monitor_searches as sync_monitor_searches

try:
    __version__ = version("repokit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"


async def connect(
    url: str | None = None,
    *,
    cache_url: str | None = None,
    settings: Settings | None = None,
) -> StorePort:
    """Open the store a URL names; the schema is not touched (call ``store.migrate()``).

    Args:
        url: the backend URL; None falls back to ``REPOKIT_DATABASE_URL`` (or
            ``DATABASE_URL``), then to the embedded PostgreSQL under ``REPOKIT_DATA_DIR``.
        cache_url: a Redis URL (``redis://``, ``rediss://``, ``unix://``) to wrap the
            store in the Redis cache (``REPOKIT_CACHE_URL`` when None); see ``docs/cache.md``.
        settings: the configuration; read from the environment when None.

    Raises:
        ConfigurationError: the URL names no known backend, its drivers are missing,
            the cache URL is not a Redis URL, or a ``REPOKIT_*`` variable is malformed.
        BackendUnavailableError: the backend cannot be reached.
    """
    settings = settings if settings is not None else load_settings()
    store = await open_store(resolve_database_url(url, settings), settings)
    cache = cache_url or settings.cache_url_value()
    if cache:
        from repokit.infrastructure.cache.store import open_cached_store

        store = open_cached_store(store, cache, settings)
    # Last, so that the searches counted are the caller's, whatever serves them.
    return monitor_searches(store, settings)


def connect_sync(
    url: str | None = None,
    *,
    cache_url: str | None = None,
    settings: Settings | None = None,
) -> sync_ports.StorePort:
    """The sync twin of :func:`connect`: the same store on sync drivers, without ``await``.

    Its repositories and units of work have the same names and semantics;
    use it as ``with repokit.connect_sync(url) as store:`` (or call
    ``store.close()``). It is safe to share between threads: each call takes a
    connection of its own from the store's pool.

    Raises:
        ConfigurationError: as :func:`connect`.
        BackendUnavailableError: the backend cannot be reached.
    """
    settings = settings if settings is not None else load_settings()
    store = open_sync_store(resolve_database_url(url, settings), settings)
    cache = cache_url or settings.cache_url_value()
    if cache:
        from repokit.infrastructure.cache.sync.store import open_cached_store

        store = open_cached_store(store, cache, settings)
    return sync_monitor_searches(store, settings)


__all__ = [
    "AclEntry",
    "AuditEvent",
    "AuditLogPort",
    "BackendUnavailableError",
    "Capabilities",
    "CapabilityError",
    "ChatHistoryPort",
    "ChatMessage",
    "Chunk",
    "ConcurrencyError",
    "ConfigurationError",
    "DeclarationError",
    "Document",
    "DocumentRepositoryPort",
    "DuplicateError",
    "Entity",
    "EntityRepositoryPort",
    "Filter",
    "Immutable",
    "InUseError",
    "Indexed",
    "InvalidQueryError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "Ref",
    "RepokitError",
    "RepositoriesPort",
    "Role",
    "ScoredChunk",
    "SearchStats",
    "Settings",
    "StoreClosedError",
    "StorePort",
    "Unique",
    "UnitOfWorkError",
    "UnitOfWorkPort",
    "User",
    "UserRepositoryPort",
    "Workspace",
    "WorkspaceAclPort",
    "WorkspaceRepositoryPort",
    "__version__",
    "connect",
    "connect_sync",
]

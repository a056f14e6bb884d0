"""URL scheme -> backend factory, for the async store and for its sync twin.

A factory is ``async def open_x_store(url: str, settings: Settings) -> StorePort``;
a sync factory is the same without ``async``, returning a
:class:`repokit.domain.sync.ports.StorePort`. Factories are found, in this order:

1. schemes registered in-process with :func:`register_backend` (tests, apps);
2. the built-in backends below, imported lazily so that ``import repokit`` loads
   no driver and a missing optional driver becomes a :class:`ConfigurationError`
   naming the pip extra to install;
3. third-party adapters declared in the entry-point group ``repokit.backends``
   (sync factories: ``repokit.sync_backends``), entry name = scheme, value =
   ``"package.module:factory"``.

Built-ins win over entry points (as SQLAlchemy's dialect registry does), so an
installed plugin cannot silently take over ``sqlite://`` or ``postgresql://``.
Every message passes URLs through :func:`redact_url`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TypeAlias, cast

from repokit.domain.errors import ConfigurationError
from repokit.domain.ports import StorePort
from repokit.domain.sync import ports as sync_ports
from repokit.infrastructure.config import Settings, redact_url, url_scheme

StoreFactory: TypeAlias = Callable[[str, Settings], Awaitable[StorePort]]
"""``async (url, settings) -> StorePort``: opens (but does not migrate) a store."""

SyncStoreFactory: TypeAlias = Callable[[str, Settings], sync_ports.StorePort]
"""``(url, settings) -> StorePort`` of the sync twin: opens (but does not migrate) a store."""

ENTRY_POINT_GROUP = "repokit.backends"
SYNC_ENTRY_POINT_GROUP = "repokit.sync_backends"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")


@dataclass(frozen=True, slots=True)
class BuiltinBackend:
    """Where a built-in backend's factory lives and which extra its drivers come from."""

    name: str
    target: str
    """``"module:attribute"`` of the factory."""
    extra: str | None
    """The ``repokit[...]`` extra holding its drivers, or None if it needs none."""
    sync_target: str
    """``"module:attribute"`` of the sync factory."""


def _builtin(name: str, module: str, factory: str, extra: str | None) -> BuiltinBackend:
    """A backend whose sync factory has the same name in the module's sync twin."""
    package, _, leaf = module.rpartition(".")
    return BuiltinBackend(
        name, f"{module}:{factory}", extra, sync_target=f"{package}.sync.{leaf}:{factory}"
    )


_MEMORY = _builtin("memory", "repokit.infrastructure.memory.store", "open_memory_store", None)
_SQLITE = _builtin("SQLite", "repokit.infrastructure.sql.sqlite", "open_sqlite_store", "sqlite")
_POSTGRES = _builtin(
    "PostgreSQL", "repokit.infrastructure.sql.postgres", "open_postgres_store", "postgres"
)
_MYSQL = _builtin("MySQL", "repokit.infrastructure.sql.mysql", "open_mysql_store", "mysql")
_EMBEDDED = BuiltinBackend(
    "embedded PostgreSQL",
    "repokit.infrastructure.embedded:open_embedded_store",
    "embedded",
    sync_target="repokit.infrastructure.embedded:open_embedded_sync_store",
)
# The next ones are reserved for later issues: their modules may not exist yet, which
# the loader reports as "not available in this version" rather than an ImportError.
_MONGO = _builtin("MongoDB", "repokit.infrastructure.mongo.store", "open_mongo_store", "mongo")
_DYNAMODB = _builtin(
    "DynamoDB", "repokit.infrastructure.dynamodb.store", "open_dynamodb_store", "dynamodb"
)
_FIRESTORE = _builtin(
    "Firestore", "repokit.infrastructure.firestore.store", "open_firestore_store", "firestore"
)

BUILTIN_BACKENDS: dict[str, BuiltinBackend] = {
    "memory": _MEMORY,
    "sqlite": _SQLITE,
    "sqlite+aiosqlite": _SQLITE,
    "postgresql": _POSTGRES,
    "postgres": _POSTGRES,
    "postgresql+asyncpg": _POSTGRES,
    "postgresql+psycopg": _POSTGRES,
    "mysql": _MYSQL,
    "mariadb": _MYSQL,
    "mysql+asyncmy": _MYSQL,
    "mysql+pymysql": _MYSQL,
    "embedded": _EMBEDDED,
    "mongodb": _MONGO,
    "mongodb+srv": _MONGO,
    "dynamodb": _DYNAMODB,
    "firestore": _FIRESTORE,
}
"""The schemes repokit knows without any plugin."""

_registered: dict[str, StoreFactory] = {}
_registered_sync: dict[str, SyncStoreFactory] = {}


def register_backend(
    scheme: str, factory: StoreFactory, *, sync_factory: SyncStoreFactory | None = None
) -> None:
    """Serve ``scheme://`` URLs with ``factory`` (and ``sync_factory`` for
    ``connect_sync``) in this process, ahead of everything else."""
    key = scheme.lower()
    if not _SCHEME.match(key):
        raise ConfigurationError(f"not a valid URL scheme: {scheme!r}")
    _registered[key] = factory
    if sync_factory is not None:
        _registered_sync[key] = sync_factory


def unregister_backend(scheme: str) -> bool:
    """Undo :func:`register_backend`; True if the scheme was registered."""
    _registered_sync.pop(scheme.lower(), None)
    return _registered.pop(scheme.lower(), None) is not None


def known_schemes() -> list[str]:
    """Every scheme a URL may use: registered, built-in and from entry points, sorted."""
    plugins = (ep.name.lower() for ep in (*_entry_points(), *_entry_points(sync=True)))
    return sorted({*_registered, *BUILTIN_BACKENDS, *plugins})


def resolve_factory(url: str) -> StoreFactory:
    """The factory that opens ``url``.

    Raises:
        ConfigurationError: the scheme is unknown (the message lists the known ones),
            its backend is not built yet, or its optional drivers are not installed.
    """
    scheme = url_scheme(url)
    if scheme in _registered:
        return _registered[scheme]
    if scheme in BUILTIN_BACKENDS:
        return cast(StoreFactory, _load_builtin(scheme, BUILTIN_BACKENDS[scheme], sync=False))
    for entry_point in _entry_points():
        if entry_point.name.lower() == scheme:
            return cast(StoreFactory, _load_entry_point(entry_point, ENTRY_POINT_GROUP))
    raise _unknown(url, scheme)


def resolve_sync_factory(url: str) -> SyncStoreFactory:
    """The sync factory that opens ``url`` (for :func:`repokit.connect_sync`).

    Raises:
        ConfigurationError: as :func:`resolve_factory`; also for a scheme whose
            backend has no sync form.
    """
    scheme = url_scheme(url)
    if scheme in _registered_sync:
        return _registered_sync[scheme]
    if scheme in _registered:
        raise ConfigurationError(
            f"the backend registered for {scheme!r} has no sync form "
            "(register_backend(..., sync_factory=...))"
        )
    if scheme in BUILTIN_BACKENDS:
        return cast(SyncStoreFactory, _load_builtin(scheme, BUILTIN_BACKENDS[scheme], sync=True))
    for entry_point in _entry_points(sync=True):
        if entry_point.name.lower() == scheme:
            return cast(SyncStoreFactory, _load_entry_point(entry_point, SYNC_ENTRY_POINT_GROUP))
    if any(entry_point.name.lower() == scheme for entry_point in _entry_points()):
        raise ConfigurationError(
            f"the backend plugin for {scheme!r} has no sync form "
            f"(no entry point in the group {SYNC_ENTRY_POINT_GROUP!r})"
        )
    raise _unknown(url, scheme)


def _unknown(url: str, scheme: str) -> ConfigurationError:
    known = ", ".join(known_schemes())
    return ConfigurationError(f"{_describe(url, scheme)}; known schemes: {known}")


async def open_store(url: str, settings: Settings) -> StorePort:
    """Open the store ``url`` names (not migrated: call ``await store.migrate()``).

    Raises:
        ConfigurationError: see :func:`resolve_factory`; also when a plugin factory
            imports a driver that is missing.
    """
    factory = resolve_factory(url)
    try:
        return await factory(url, settings)
    except ImportError as exc:
        raise _missing_module(url, exc) from exc


def open_sync_store(url: str, settings: Settings) -> sync_ports.StorePort:
    """Open the sync store ``url`` names (not migrated: call ``store.migrate()``).

    Raises:
        ConfigurationError: see :func:`resolve_sync_factory`.
    """
    factory = resolve_sync_factory(url)
    try:
        return factory(url, settings)
    except ImportError as exc:
        raise _missing_module(url, exc) from exc


def _missing_module(url: str, exc: ImportError) -> ConfigurationError:
    # A factory may import its driver lazily; say what is missing, not where.
    return ConfigurationError(
        f"the backend for {redact_url(url)!r} needs the module {exc.name or '?'!r}, "
        "which is not installed"
    )


def _describe(url: str, scheme: str) -> str:
    if "://" in url and _SCHEME.match(scheme):
        return f"unknown database URL scheme {scheme!r} in {redact_url(url)!r}"
    # No "scheme://": the text may be anything, a bare password included, so it is not echoed.
    return "the database URL is not of the form scheme://..."


def _load_builtin(scheme: str, backend: BuiltinBackend, *, sync: bool) -> object:
    target = backend.sync_target if sync else backend.target
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == "repokit" or missing.startswith("repokit."):
            raise _not_available(scheme, backend) from exc
        raise ConfigurationError(
            f"the {backend.name} backend (scheme {scheme!r}) needs drivers that are not "
            f"installed (missing {missing!r}): pip install 'repokit[{backend.extra or 'all'}]'"
        ) from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise _not_available(scheme, backend)
    return factory


def _not_available(scheme: str, backend: BuiltinBackend) -> ConfigurationError:
    return ConfigurationError(
        f"the {backend.name} backend (scheme {scheme!r}) is not available "
        "in this version of repokit yet"
    )


def _load_entry_point(entry_point: EntryPoint, group: str) -> object:
    where = f"{entry_point.name!r} ({entry_point.value}, entry-point group {group!r})"
    try:
        factory = entry_point.load()
    except Exception as exc:  # a broken plugin may raise anything while importing
        raise ConfigurationError(
            f"cannot load the backend plugin {where}: {type(exc).__name__}: {exc}"
        ) from exc
    if not callable(factory):
        raise ConfigurationError(f"the backend plugin {where} is not a callable factory")
    return factory


def _entry_points(*, sync: bool = False) -> tuple[EntryPoint, ...]:
    # Read on each call, not cached: cheap, and plugins installed at run time are seen.
    return tuple(entry_points(group=SYNC_ENTRY_POINT_GROUP if sync else ENTRY_POINT_GROUP))


__all__ = [
    "BUILTIN_BACKENDS",
    "ENTRY_POINT_GROUP",
    "SYNC_ENTRY_POINT_GROUP",
    "BuiltinBackend",
    "StoreFactory",
    "SyncStoreFactory",
    "known_schemes",
    "open_store",
    "open_sync_store",
    "register_backend",
    "resolve_factory",
    "resolve_sync_factory",
    "unregister_backend",
]

"""URL scheme -> backend factory.

A factory is ``async def open_x_store(url: str, settings: Settings) -> StorePort``.
Factories are found, in this order:

1. schemes registered in-process with :func:`register_backend` (tests, apps);
2. the built-in backends below, imported lazily so that ``import repokit`` loads
   no driver and a missing optional driver becomes a :class:`ConfigurationError`
   naming the pip extra to install;
3. third-party adapters declared in the entry-point group ``repokit.backends``
   (entry name = scheme, value = ``"package.module:factory"``).

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
from repokit.infrastructure.config import Settings, redact_url, url_scheme

StoreFactory: TypeAlias = Callable[[str, Settings], Awaitable[StorePort]]
"""``async (url, settings) -> StorePort``: opens (but does not migrate) a store."""

ENTRY_POINT_GROUP = "repokit.backends"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")


@dataclass(frozen=True, slots=True)
class BuiltinBackend:
    """Where a built-in backend's factory lives and which extra its drivers come from."""

    name: str
    target: str
    """``"module:attribute"`` of the factory."""
    extra: str | None
    """The ``repokit[...]`` extra holding its drivers, or None if it needs none."""


_MEMORY = BuiltinBackend("memory", "repokit.infrastructure.memory.store:open_memory_store", None)
_SQLITE = BuiltinBackend("SQLite", "repokit.infrastructure.sql.sqlite:open_sqlite_store", "sqlite")
# The next ones are reserved for later issues: their modules may not exist yet, which
# the loader reports as "not available in this version" rather than an ImportError.
_POSTGRES = BuiltinBackend(
    "PostgreSQL", "repokit.infrastructure.sql.postgres:open_postgres_store", "postgres"
)
_EMBEDDED = BuiltinBackend(
    "embedded PostgreSQL", "repokit.infrastructure.embedded:open_embedded_store", "embedded"
)
_MONGO = BuiltinBackend("MongoDB", "repokit.infrastructure.mongo.store:open_mongo_store", "mongo")
_DYNAMODB = BuiltinBackend(
    "DynamoDB", "repokit.infrastructure.dynamodb.store:open_dynamodb_store", "dynamodb"
)

BUILTIN_BACKENDS: dict[str, BuiltinBackend] = {
    "memory": _MEMORY,
    "sqlite": _SQLITE,
    "sqlite+aiosqlite": _SQLITE,
    "postgresql": _POSTGRES,
    "postgres": _POSTGRES,
    "postgresql+asyncpg": _POSTGRES,
    "postgresql+psycopg": _POSTGRES,
    "embedded": _EMBEDDED,
    "mongodb": _MONGO,
    "mongodb+srv": _MONGO,
    "dynamodb": _DYNAMODB,
}
"""The schemes repokit knows without any plugin."""

_registered: dict[str, StoreFactory] = {}


def register_backend(scheme: str, factory: StoreFactory) -> None:
    """Serve ``scheme://`` URLs with ``factory`` in this process, ahead of everything else."""
    key = scheme.lower()
    if not _SCHEME.match(key):
        raise ConfigurationError(f"not a valid URL scheme: {scheme!r}")
    _registered[key] = factory


def unregister_backend(scheme: str) -> bool:
    """Undo :func:`register_backend`; True if the scheme was registered."""
    return _registered.pop(scheme.lower(), None) is not None


def known_schemes() -> list[str]:
    """Every scheme a URL may use: registered, built-in and from entry points, sorted."""
    return sorted({*_registered, *BUILTIN_BACKENDS, *(ep.name.lower() for ep in _entry_points())})


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
        return _load_builtin(scheme, BUILTIN_BACKENDS[scheme])
    for entry_point in _entry_points():
        if entry_point.name.lower() == scheme:
            return _load_entry_point(entry_point)
    known = ", ".join(known_schemes())
    raise ConfigurationError(f"{_describe(url, scheme)}; known schemes: {known}")


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
        # A factory may import its driver lazily; say what is missing, not where.
        raise ConfigurationError(
            f"the backend for {redact_url(url)!r} needs the module {exc.name or '?'!r}, "
            "which is not installed"
        ) from exc


def _describe(url: str, scheme: str) -> str:
    if "://" in url and _SCHEME.match(scheme):
        return f"unknown database URL scheme {scheme!r} in {redact_url(url)!r}"
    # No "scheme://": the text may be anything, a bare password included, so it is not echoed.
    return "the database URL is not of the form scheme://..."


def _load_builtin(scheme: str, backend: BuiltinBackend) -> StoreFactory:
    module_name, _, attribute = backend.target.partition(":")
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
    return cast(StoreFactory, factory)


def _not_available(scheme: str, backend: BuiltinBackend) -> ConfigurationError:
    return ConfigurationError(
        f"the {backend.name} backend (scheme {scheme!r}) is not available "
        "in this version of repokit yet"
    )


def _load_entry_point(entry_point: EntryPoint) -> StoreFactory:
    where = f"{entry_point.name!r} ({entry_point.value}, entry-point group {ENTRY_POINT_GROUP!r})"
    try:
        factory = entry_point.load()
    except Exception as exc:  # a broken plugin may raise anything while importing
        raise ConfigurationError(
            f"cannot load the backend plugin {where}: {type(exc).__name__}: {exc}"
        ) from exc
    if not callable(factory):
        raise ConfigurationError(f"the backend plugin {where} is not a callable factory")
    return cast(StoreFactory, factory)


def _entry_points() -> tuple[EntryPoint, ...]:
    # Read on each call, not cached: cheap, and plugins installed at run time are seen.
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


__all__ = [
    "BUILTIN_BACKENDS",
    "ENTRY_POINT_GROUP",
    "BuiltinBackend",
    "StoreFactory",
    "known_schemes",
    "open_store",
    "register_backend",
    "resolve_factory",
    "unregister_backend",
]

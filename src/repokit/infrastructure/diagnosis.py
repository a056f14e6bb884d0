"""``repokit doctor``: the checks for any configured database, one :class:`Check` each.

PostgreSQL (a ``postgresql://`` URL or the embedded server) gets the checks of
:mod:`repokit.infrastructure.sql.postgres_doctor`: reachable, pgvector, schema,
vector index, search settings. Firestore first gets the checks of
:mod:`repokit.infrastructure.firestore.doctor` (emulator answering, credentials).
Every other backend: reachable, then the schema
(one row of every repository is read, so a missing table or column shows).
A configured Redis cache adds a line saying whether it answers (it never fails
the report: calls work uncached while it is down).
"""

from __future__ import annotations

import asyncio
from uuid import uuid4

from repokit.domain.errors import RepokitError
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.diagnosis_check import Check

_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg")


async def diagnose(url: str, settings: Settings) -> list[Check]:
    """The doctor's checks for the database at ``url``, in order; they stop at the
    first failure that makes the later ones meaningless."""
    scheme = url.split("://", 1)[0] if "://" in url else url
    postgres_url: str | None = None
    if scheme in _POSTGRES_SCHEMES:
        postgres_url = url
    elif scheme == "embedded":
        from repokit.infrastructure.embedded import embedded_data_path, embedded_postgres_url

        try:
            path = embedded_data_path(url, settings.data_dir)
            postgres_url = await asyncio.to_thread(embedded_postgres_url, path)
        except RepokitError as exc:
            return [Check("reachable", False, f"the embedded PostgreSQL: {exc}")]
    if postgres_url is not None:
        from repokit.infrastructure.sql.postgres_doctor import diagnose_postgres

        checks = await diagnose_postgres(postgres_url, settings)
        if all(check.ok for check in checks) and settings.cache_url_value() is not None:
            checks.append(await _cache_check(url, settings))
        return checks
    if scheme == "firestore":
        from repokit.infrastructure.firestore.doctor import firestore_preflight

        failed = firestore_preflight(url)
        if failed is not None:
            return [failed]
    return await _diagnose_store(url, settings)


async def _diagnose_store(url: str, settings: Settings) -> list[Check]:
    from repokit import connect

    target = redact_url(url)
    try:
        store = await connect(url, settings=settings)
    except RepokitError as exc:
        return [Check("reachable", False, f"cannot open {target}: {exc}")]
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        reason = f"{exc.strerror or type(exc).__name__}{where}"
        return [Check("reachable", False, f"cannot open {target}: {reason}")]
    try:
        checks = [Check("reachable", True, f"{target} answers ({store.capabilities.backend})")]
        server = _server_of(store)
        if server:
            checks.append(Check("server", True, server))
        try:
            documents = await _probe(store)
        except RepokitError as exc:
            checks.append(Check("schema", False, f"{target} is not usable: {exc}"))
            return checks
        checks.append(
            Check("schema", True, f"the schema is in place; it holds {documents} documents")
        )
        cache = await _cache_state(store)
        if cache is not None:
            checks.append(cache)
        return checks
    finally:
        await store.close()


def _server_of(store: StorePort) -> str:
    """What the store's server said of itself (SQL servers that say something), or ""."""
    inner = getattr(store, "inner", store)  # a cached store: the backend's store
    server = getattr(inner, "server", "")
    return server if isinstance(server, str) else ""


async def _cache_check(url: str, settings: Settings) -> Check:
    from repokit import connect

    store = await connect(url, settings=settings)
    try:
        state = await _cache_state(store)
    finally:
        await store.close()
    return state if state is not None else Check("cache", True, "no cache")


async def _cache_state(store: StorePort) -> Check | None:
    from repokit.infrastructure.cache.store import CachedStore

    if not isinstance(store, CachedStore):
        return None
    where = store.cache_description
    if await store.cache_reachable():
        return Check("cache", True, f"the Redis cache at {where} answers")
    return Check(
        "cache",
        True,
        f"the Redis cache at {where} does not answer: calls work, uncached, until it does",
    )


async def _probe(store: StorePort) -> int:
    """Read one row of every repository so a missing table or column shows up."""
    nobody = uuid4()
    await store.users.list(0, 1)
    await store.workspaces.list(0, 1)
    await store.documents.list(0, 1)
    await store.documents.get_chunks(nobody)
    await store.acl.workspaces_of(nobody)
    await store.audit.page(1)
    await store.chats.list_session(nobody, 1)
    return await store.documents.count()


__all__ = ["Check", "diagnose"]

"""PostgreSQL and MySQL: connections older than ``pool_recycle_s`` are replaced by new ones.

Both adapters share the pool (:mod:`repokit.infrastructure.sql.pool`); a connection is
told apart by its server session: PostgreSQL's backend pid, MySQL's connection id.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings

RECYCLE_S = 0.2
SESSION_ID = {"postgresql": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}
LIVE_SESSIONS = {
    "postgresql": "SELECT pid FROM pg_stat_activity WHERE pid IN ({ids})",
    "mysql": "SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN ({ids})",
}


@pytest.fixture(params=["postgresql", "mysql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on the test server of each SQL backend with a server."""
    if request.param == "postgresql":
        pytest.importorskip("asyncpg")
        return str(request.getfixturevalue("pg_database"))
    pytest.importorskip("asyncmy")
    return str(request.getfixturevalue("mysql_database"))


@pytest.fixture
async def store(database_url: str, pg_settings: Settings) -> AsyncIterator[StorePort]:
    settings = pg_settings.model_copy(
        update={"pool_recycle_s": RECYCLE_S, "pool_max_size": 1, "pool_min_size": 1}
    )
    opened = await repokit.connect(database_url, settings=settings)
    await opened.migrate()
    yield opened
    await opened.close()


def _dialect(store: StorePort) -> str:
    return "postgresql" if store.capabilities.vector_index else "mysql"


async def backend_pid(store: StorePort, *, hold_s: float = 0.0) -> int:
    """The server session of the connection the store's pool hands out next."""
    pool: Any = store._database.pool  # type: ignore[attr-defined]
    connection = await pool.acquire()
    try:
        row = await connection.fetch_one(SESSION_ID[_dialect(store)])
        await asyncio.sleep(hold_s)
    finally:
        await pool.release(connection)
    assert row is not None
    return int(row[0])


async def live_backends(store: StorePort, pids: set[int]) -> set[int]:
    """Which of ``pids`` still have a server session (a closed one ends shortly after)."""
    pool: Any = store._database.pool  # type: ignore[attr-defined]
    live: set[int] = set()
    for _ in range(40):
        connection = await pool.acquire()
        try:
            ids = ", ".join(str(int(pid)) for pid in sorted(pids))
            rows = await connection.fetch_all(LIVE_SESSIONS[_dialect(store)].format(ids=ids))
        finally:
            await pool.release(connection)
        live = {int(row[0]) for row in rows}
        if len(live) < len(pids):
            break
        await asyncio.sleep(0.05)
    return live


async def test_a_young_connection_is_reused(store: StorePort) -> None:
    first = await backend_pid(store)
    assert await backend_pid(store) == first


async def test_a_connection_that_aged_in_use_is_replaced_when_it_comes_back(
    store: StorePort,
) -> None:
    first = await backend_pid(store)
    # In use past pool_recycle_s: closed when released, not handed out again.
    assert await backend_pid(store, hold_s=RECYCLE_S + 0.1) == first
    second = await backend_pid(store)
    assert second != first
    assert await live_backends(store, {first, second}) == {second}


async def test_a_connection_that_aged_idle_is_replaced_before_it_is_handed_out(
    store: StorePort,
) -> None:
    first = await backend_pid(store)
    await asyncio.sleep(RECYCLE_S + 0.1)  # idle in the pool past pool_recycle_s
    second = await backend_pid(store)
    assert second != first
    assert await live_backends(store, {first, second}) == {second}


async def test_store_calls_work_across_recycling(store: StorePort) -> None:
    before = await backend_pid(store)
    await asyncio.sleep(RECYCLE_S + 0.1)
    assert await store.documents.count() == 0
    assert await backend_pid(store) != before

"""PostgreSQL: optimistic locking under contention, pool exhaustion, statement timeout."""

from __future__ import annotations

import asyncio
import time

import pytest

import repokit
from repokit.domain.entities import Document
from repokit.domain.errors import BackendUnavailableError, ConcurrencyError
from repokit.infrastructure.config import Settings

pytest.importorskip("asyncpg")

TASKS = 50


async def test_fifty_concurrent_updates_land_or_raise_concurrency_error(
    pg_database: str, pg_settings: Settings
) -> None:
    store = await repokit.connect(pg_database, settings=pg_settings)
    try:
        stored = await store.documents.save(Document(title="contended", content=""))
        start = asyncio.Event()

        async def update(number: int) -> bool:
            await start.wait()
            current = await store.documents.get_by_id(stored.id)
            assert current is not None
            try:
                await store.documents.save(current.model_copy(update={"title": f"t{number}"}))
            except ConcurrencyError:
                return False
            return True

        tasks = [asyncio.create_task(update(number)) for number in range(TASKS)]
        start.set()
        outcomes = await asyncio.gather(*tasks)
        landed = sum(outcomes)
        final = await store.documents.get_by_id(stored.id)
        assert final is not None
        assert landed >= 1
        assert final.version == 1 + landed
    finally:
        await store.close()


async def test_an_exhausted_pool_raises_backend_unavailable_within_the_timeout(
    pg_database: str, pg_settings: Settings
) -> None:
    settings = pg_settings.model_copy(update={"pool_max_size": 2, "pool_timeout_s": 0.5})
    store = await repokit.connect(pg_database, settings=settings)
    try:
        holding, release = asyncio.Event(), asyncio.Event()
        held = 0

        async def hold_a_connection() -> None:
            nonlocal held
            async with store.unit_of_work() as uow:
                await uow.documents.count()
                held += 1
                if held == 2:
                    holding.set()
                await release.wait()

        holders = [asyncio.create_task(hold_a_connection()) for _ in range(2)]
        await holding.wait()
        began = time.monotonic()
        with pytest.raises(BackendUnavailableError, match="no PostgreSQL connection"):
            await store.documents.count()
        waited = time.monotonic() - began
        release.set()
        await asyncio.gather(*holders)
        assert 0.4 <= waited < 2.0
        assert await store.documents.count() == 0  # connections came back
    finally:
        await store.close()


async def test_a_statement_past_the_timeout_raises_backend_unavailable(
    pg_database: str, pg_settings: Settings
) -> None:
    settings = pg_settings.model_copy(update={"statement_timeout_s": 0.3})
    store = await repokit.connect(pg_database, settings=settings)
    try:
        stored = await store.documents.save(Document(title="locked", content=""))
        async with store.unit_of_work() as uow:
            # The unit holds the row lock until it ends; a store-level update waits on it.
            await uow.documents.save(stored.model_copy(update={"title": "by the unit"}))
            began = time.monotonic()
            with pytest.raises(BackendUnavailableError, match="statement timeout") as caught:
                await store.documents.save(stored.model_copy(update={"title": "blocked"}))
            assert time.monotonic() - began < 3.0
            assert caught.value.__cause__ is not None
            assert type(caught.value.__cause__).__module__.startswith("asyncpg")
        final = await store.documents.get_by_id(stored.id)
        assert final is not None
        assert final.title == "by the unit"
    finally:
        await store.close()


async def test_two_units_writing_one_row_the_second_commit_raises_concurrency_error(
    pg_database: str, pg_settings: Settings
) -> None:
    store = await repokit.connect(pg_database, settings=pg_settings)
    try:
        stored = await store.documents.save(Document(title="shared", content=""))
        async with store.unit_of_work() as first:
            seen = await first.documents.get_by_id(stored.id)
            assert seen is not None
            async with asyncio.timeout(10):
                await store.documents.save(stored.model_copy(update={"title": "outside"}))
            with pytest.raises(ConcurrencyError):
                await first.documents.save(seen.model_copy(update={"title": "inside"}))
            # The unit stays usable after the failed call.
            assert await first.documents.count() == 1
        final = await store.documents.get_by_id(stored.id)
        assert final is not None
        assert final.title == "outside"
    finally:
        await store.close()

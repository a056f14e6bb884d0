"""PostgreSQL: writes that grow with their input complete under the statement timeout.

Each test runs under a statement timeout far below what the whole write takes as
one statement (the first test shows that such a statement is cancelled), so the
write only completes if it is split into statements that each fit, inside one
transaction.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]
import pytest

import repokit
from repokit.domain.entities import Chunk, Document, Workspace
from repokit.domain.errors import DuplicateError
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.driver_postgres import PostgresConnection
from repokit.infrastructure.sql.postgres import create_postgres_engine, parse_postgres_url

PG_DIM = 16  # the dimension of the integration databases (conftest.PG_DIM)

TIMEOUT_S = 0.5
"""The statement timeout of these tests: far below what each write takes as one statement."""
CHUNKS = 3_000
"""Chunks of the big batch: one COPY of them into the HNSW index takes well over TIMEOUT_S."""


@pytest.fixture
def short_settings(pg_settings: Settings) -> Settings:
    return pg_settings.model_copy(update={"statement_timeout_s": TIMEOUT_S})


@pytest.fixture
async def store(pg_database: str, short_settings: Settings) -> AsyncIterator[StorePort]:
    opened = await repokit.connect(pg_database, settings=short_settings)
    yield opened
    await opened.close()


def make_chunks(document_id: UUID, count: int, *, seed: int = 5, start: int = 0) -> list[Chunk]:
    rng = random.Random(seed)
    return [
        Chunk(
            document_id=document_id,
            ordinal=start + i,
            content=f"c{i}",
            embedding=[rng.gauss(0.0, 1.0) for _ in range(PG_DIM)],
        )
        for i in range(count)
    ]


async def raw_rows(url: str, settings: Settings, sql: str, *args: Any) -> list[Any]:
    engine = create_postgres_engine(parse_postgres_url(url), settings)
    connection = await PostgresConnection.open(engine)
    try:
        await connection.prepare_vectors()
        return await connection.fetch_all(sql, args)
    finally:
        await connection.close()
        await engine.dispose()


async def test_one_statement_of_the_big_batch_is_cancelled_by_the_timeout(
    pg_database: str, short_settings: Settings, store: StorePort
) -> None:
    # The premise of the other tests: as one statement, the batch runs past the limit.
    document = await store.documents.save(Document(title="d", content=""))
    engine = create_postgres_engine(parse_postgres_url(pg_database), short_settings)
    connection = await PostgresConnection.open(engine)
    try:
        await connection.prepare_vectors()
        rows = [
            (c.id, c.document_id, c.ordinal, c.content, c.embedding, "{}")
            for c in make_chunks(document.id, CHUNKS)
        ]
        with pytest.raises(asyncpg.QueryCanceledError):
            await connection._driver.copy_records_to_table(
                "chunks",
                records=rows,
                columns=["id", "document_id", "ordinal", "content", "embedding", "metadata"],
            )
    finally:
        await connection.close()
        await engine.dispose()


async def test_add_chunks_of_a_big_batch_completes_under_the_timeout(store: StorePort) -> None:
    document = await store.documents.save(Document(title="d", content=""))
    await store.documents.add_chunks(document.id, make_chunks(document.id, CHUNKS))
    stored = await store.documents.get_chunks(document.id)
    assert len(stored) == CHUNKS
    assert [chunk.ordinal for chunk in stored[:3]] == [0, 1, 2]


async def test_a_big_batch_that_fails_in_its_last_part_writes_nothing(store: StorePort) -> None:
    document = await store.documents.save(Document(title="d", content=""))
    await store.documents.add_chunks(document.id, make_chunks(document.id, 1, start=CHUNKS - 1))
    with pytest.raises(DuplicateError):
        # Ordinal CHUNKS - 1 is stored already: the batch's last row fails.
        await store.documents.add_chunks(document.id, make_chunks(document.id, CHUNKS - 1 + 1))
    assert len(await store.documents.get_chunks(document.id)) == 1


async def test_add_chunks_in_a_unit_of_work_completes_under_the_timeout(store: StorePort) -> None:
    async with store.unit_of_work() as uow:
        document = await uow.documents.save(Document(title="d", content=""))
        await uow.documents.add_chunks(document.id, make_chunks(document.id, CHUNKS))
    assert len(await store.documents.get_chunks(document.id)) == CHUNKS


async def test_bulk_load_into_the_live_index_completes_and_reports_each_part(
    store: StorePort,
) -> None:
    first = await store.documents.save(Document(title="first", content=""))
    await store.documents.add_chunks(first.id, make_chunks(first.id, 10))  # the index stays
    documents = await store.documents.save_many(
        [Document(title=f"d{i}", content="") for i in range(CHUNKS // 100)]
    )
    batch = [
        chunk
        for i, document in enumerate(documents)
        for chunk in make_chunks(document.id, 100, seed=i)
    ]
    reports: list[int] = []
    loaded = await store.documents.bulk_load_chunks(batch, progress=reports.append)
    assert loaded == CHUNKS
    assert len(reports) > 2
    assert reports == sorted(reports)
    assert reports[-1] == CHUNKS


async def test_save_many_of_a_big_batch_is_atomic_under_the_timeout(store: StorePort) -> None:
    count = 30_000
    stored = await store.documents.save(Document(title="kept", content=""))
    batch = [Document(title=f"d{i}", content="x" * 200) for i in range(count)]
    await store.documents.save_many(batch)
    assert await store.documents.count() == count + 1
    failing = [Document(title=f"e{i}", content="x" * 200) for i in range(count)]
    failing.append(Document(id=stored.id, title="again", content=""))
    with pytest.raises(DuplicateError):
        await store.documents.save_many(failing)
    assert await store.documents.count() == count + 1


async def test_deleting_a_document_with_many_chunks_completes_under_the_timeout(
    store: StorePort, pg_database: str, short_settings: Settings
) -> None:
    document = await store.documents.save(Document(title="d", content=""))
    await store.documents.add_chunks(document.id, make_chunks(document.id, CHUNKS))
    assert await store.documents.delete(document.id) is True
    left = await raw_rows(pg_database, short_settings, "SELECT count(*) FROM chunks")
    assert left[0][0] == 0


async def test_deleting_a_workspace_cascades_in_parts(
    store: StorePort, pg_database: str, short_settings: Settings
) -> None:
    owner = await store.users.save(repokit.User(email="o@example.com", display_name="O"))
    workspace = await store.workspaces.save(Workspace(name="w", owner_id=owner.id))
    documents = await store.documents.save_many(
        [Document(title=f"d{i}", content="", workspace_id=workspace.id) for i in range(20)]
    )
    for i, document in enumerate(documents):
        await store.documents.add_chunks(document.id, make_chunks(document.id, 150, seed=i))
    assert await store.workspaces.delete(workspace.id) is True
    counts = await raw_rows(
        pg_database,
        short_settings,
        "SELECT (SELECT count(*) FROM chunks), (SELECT count(*) FROM documents)",
    )
    assert tuple(counts[0]) == (0, 0)


async def test_the_store_keeps_its_statement_timeout_after_long_writes(store: StorePort) -> None:
    first = await store.documents.save(Document(title="first", content=""))
    await store.documents.add_chunks(first.id, make_chunks(first.id, CHUNKS))
    second = await store.documents.save(Document(title="second", content=""))
    await store.documents.bulk_load_chunks(make_chunks(second.id, CHUNKS))
    pool = store._database.pool  # type: ignore[attr-defined]
    connections = [await pool.acquire() for _ in range(2)]
    try:
        for connection in connections:
            row = await connection.fetch_one("SHOW statement_timeout")
            assert row[0] == "500ms"
            with pytest.raises(asyncpg.QueryCanceledError):
                await connection._driver.fetch("SELECT pg_sleep(2)")
    finally:
        for connection in connections:
            await pool.release(connection)

"""PostgreSQL: ``bulk_load_chunks`` into an empty table rebuilds the HNSW index once."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import ClauseElement, Executable
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles

import repokit
from repokit.domain.entities import Chunk, Document
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import chunks as sql_chunks
from repokit.infrastructure.sql.driver_postgres import PostgresConnection
from repokit.infrastructure.sql.pgvector_sql import _statement
from repokit.infrastructure.sql.postgres import create_postgres_engine, parse_postgres_url
from repokit.infrastructure.sql.tables import HNSW_OPTIONS

pytest.importorskip("asyncpg")

DOCUMENTS = 300
CHUNKS_PER_DOCUMENT = 10
INDEX = "ix_chunks_embedding_hnsw"


class _Explain(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN " + str(compiler.process(element.statement, **kw))


def vector(rng: random.Random, dim: int) -> list[float]:
    return [rng.gauss(0.0, 1.0) for _ in range(dim)]


@pytest.fixture
async def store(pg_database: str, pg_settings: Settings) -> AsyncIterator[StorePort]:
    opened = await repokit.connect(pg_database, settings=pg_settings)
    yield opened
    await opened.close()


@pytest.fixture
async def sql(pg_database: str, pg_settings: Settings) -> AsyncIterator[AsyncConnection]:
    engine = create_postgres_engine(parse_postgres_url(pg_database), pg_settings)
    connection = await PostgresConnection.open(engine)
    await connection.prepare_vectors()
    yield connection.sa
    await connection.close()
    await engine.dispose()


async def corpus(store: StorePort, dim: int) -> list[Chunk]:
    rng = random.Random(11)
    documents = await store.documents.save_many(
        [Document(title=f"d{i}", content="") for i in range(DOCUMENTS)]
    )
    return [
        Chunk(
            document_id=document.id,
            ordinal=ordinal,
            content=f"{document.title}/{ordinal}",
            embedding=vector(rng, dim),
        )
        for document in documents
        for ordinal in range(CHUNKS_PER_DOCUMENT)
    ]


async def index_definition(sql: AsyncConnection) -> str | None:
    result = await sql.exec_driver_sql(
        f"SELECT indexdef FROM pg_indexes WHERE indexname = '{INDEX}'"
    )
    row = result.first()
    return None if row is None else str(row[0])


async def chunk_count(sql: AsyncConnection) -> int:
    return int((await sql.exec_driver_sql("SELECT count(*) FROM chunks")).scalar_one())


async def test_a_bulk_load_into_an_empty_table_rebuilds_the_index_and_searches_use_it(
    store: StorePort,
    sql: AsyncConnection,
    pg_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sql_chunks, "BULK_BATCH_ROWS", 700)
    dim = pg_settings.embedding_dim
    batch = await corpus(store, dim)
    reports: list[int] = []
    assert await store.documents.bulk_load_chunks(batch, progress=reports.append) == len(batch)
    assert reports == [700, 1400, 2100, 2800, 3000]
    await sql.commit()
    assert await chunk_count(sql) == len(batch)
    definition = await index_definition(sql)
    assert definition is not None
    m, ef = HNSW_OPTIONS["m"], HNSW_OPTIONS["ef_construction"]
    assert definition.endswith(
        f"USING hnsw (embedding vector_cosine_ops) WITH (m='{m}', ef_construction='{ef}')"
    ), definition

    await sql.exec_driver_sql("ANALYZE")
    await sql.exec_driver_sql("SET enable_seqscan = off")
    query = vector(random.Random(1), dim)
    plan = "\n".join(
        row[0]
        for row in await sql.execute(_Explain(_statement("cosine", query, 11, [], exact=False)))
    )
    assert INDEX in plan, plan

    rng = random.Random(5)
    for _ in range(5):
        query = vector(rng, dim)
        hits = await store.documents.search_similar(query, k=10)
        exact = await store.documents.search_similar(query, k=10, exact=True)
        assert [hit.chunk.id for hit in hits] == [hit.chunk.id for hit in exact]


async def test_a_failed_bulk_load_writes_nothing_and_keeps_the_index(
    store: StorePort,
    sql: AsyncConnection,
    pg_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sql_chunks, "BULK_BATCH_ROWS", 1000)
    batch = await corpus(store, pg_settings.embedding_dim)

    def interrupt(done: int) -> None:
        raise RuntimeError(f"stopped after {done}")

    with pytest.raises(RuntimeError, match="stopped after 1000"):
        await store.documents.bulk_load_chunks(batch, progress=interrupt)
    assert await chunk_count(sql) == 0
    assert await index_definition(sql) is not None
    await sql.commit()  # release this connection's lock on chunks before the DROP INDEX
    # The store is still usable: the same load goes through.
    assert await store.documents.bulk_load_chunks(batch) == len(batch)
    await sql.commit()
    assert await chunk_count(sql) == len(batch)
    assert await index_definition(sql) is not None


async def test_a_bulk_load_into_a_table_with_rows_keeps_the_index(
    store: StorePort, sql: AsyncConnection, pg_settings: Settings
) -> None:
    batch = await corpus(store, pg_settings.embedding_dim)
    first, rest = batch[:CHUNKS_PER_DOCUMENT], batch[CHUNKS_PER_DOCUMENT:]
    await store.documents.add_chunks(first[0].document_id, first)
    oid = (await sql.exec_driver_sql(f"SELECT '{INDEX}'::regclass::oid")).scalar_one()
    await sql.commit()
    assert await store.documents.bulk_load_chunks(rest) == len(rest)
    assert await chunk_count(sql) == len(batch)
    # Not dropped and rebuilt: the same index object.
    assert (await sql.exec_driver_sql(f"SELECT '{INDEX}'::regclass::oid")).scalar_one() == oid


async def test_two_concurrent_bulk_loads_into_an_empty_table_both_succeed(
    store: StorePort, sql: AsyncConnection, pg_settings: Settings
) -> None:
    batch = await corpus(store, pg_settings.embedding_dim)
    half = len(batch) // 2
    counts = await asyncio.gather(
        store.documents.bulk_load_chunks(batch[:half]),
        store.documents.bulk_load_chunks(batch[half:]),
    )
    assert list(counts) == [half, len(batch) - half]
    assert await chunk_count(sql) == len(batch)
    assert await index_definition(sql) is not None


# -- statement_timeout_s: a per-call limit for very large loads ---------------------------

SLOW_COPY_S = 0.6
"""Each COPY of the chunks table sleeps this long (a statement trigger): a "large" load."""


@pytest.fixture
async def slow_store(
    pg_database: str, pg_settings: Settings, sql: AsyncConnection
) -> AsyncIterator[StorePort]:
    """A store whose statement timeout (0.3 s, client-side 0.4 s) is shorter than a COPY."""
    await sql.exec_driver_sql(
        "CREATE FUNCTION slow_copy() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_sleep({SLOW_COPY_S}); RETURN NULL; END $$"
    )
    await sql.exec_driver_sql(
        "CREATE TRIGGER slow_copy BEFORE INSERT ON chunks "
        "FOR EACH STATEMENT EXECUTE FUNCTION slow_copy()"
    )
    await sql.commit()
    settings = pg_settings.model_copy(
        update={"statement_timeout_s": 0.3, "pool_timeout_s": 0.1, "pool_max_size": 1}
    )
    opened = await repokit.connect(pg_database, settings=settings)
    yield opened
    await opened.close()


async def limits_now(store: StorePort) -> tuple[str, Any]:
    """The pooled connection's server statement_timeout and asyncpg command_timeout."""
    pool: Any = store._database.pool  # type: ignore[attr-defined]
    connection = await pool.acquire()
    try:
        row = await connection.fetch_one("SHOW statement_timeout")
        assert row is not None
        return str(row[0]), connection._driver._config.command_timeout
    finally:
        await pool.release(connection)


async def test_a_load_longer_than_the_statement_timeout_is_cancelled(
    slow_store: StorePort, sql: AsyncConnection, pg_settings: Settings
) -> None:
    batch = await corpus(slow_store, pg_settings.embedding_dim)
    with pytest.raises(repokit.BackendUnavailableError, match="statement timeout"):
        await slow_store.documents.bulk_load_chunks(batch)
    assert await chunk_count(sql) == 0
    assert await index_definition(sql) is not None


@pytest.mark.parametrize("limit", [5.0, 0])
async def test_statement_timeout_s_lets_a_long_load_finish_then_the_store_limits_return(
    slow_store: StorePort, sql: AsyncConnection, pg_settings: Settings, limit: float
) -> None:
    before = await limits_now(slow_store)
    assert before == ("300ms", pytest.approx(0.4))
    batch = await corpus(slow_store, pg_settings.embedding_dim)
    loaded = await slow_store.documents.bulk_load_chunks(  # type: ignore[call-arg]
        batch, statement_timeout_s=limit
    )
    assert loaded == len(batch)
    assert await chunk_count(sql) == len(batch)
    assert await index_definition(sql) is not None  # the index build ran under it too
    # SET LOCAL ended with the load's transaction; the client limit was restored.
    assert await limits_now(slow_store) == before


@pytest.mark.parametrize("limit", [-1.0, float("nan"), float("inf"), True, "10"])
async def test_a_bad_statement_timeout_s_raises_before_anything_is_written(
    store: StorePort, sql: AsyncConnection, pg_settings: Settings, limit: Any
) -> None:
    batch = await corpus(store, pg_settings.embedding_dim)
    with pytest.raises(repokit.InvalidQueryError, match="statement_timeout_s"):
        await store.documents.bulk_load_chunks(  # type: ignore[call-arg]
            batch, statement_timeout_s=limit
        )
    assert await chunk_count(sql) == 0

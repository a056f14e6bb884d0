"""PostgreSQL: the compiled queries use the GIN and HNSW indexes; filtered searches find k hits."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import ClauseElement, Executable, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles

import repokit
from repokit.domain.entities import Chunk, Document
from repokit.domain.ports import StorePort
from repokit.domain.query import parse_filter
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.driver_postgres import PostgresConnection
from repokit.infrastructure.sql.pgvector_sql import MARGIN, _statement
from repokit.infrastructure.sql.postgres import create_postgres_engine, parse_postgres_url

pytest.importorskip("asyncpg")

DOCUMENTS = 300
CHUNKS_PER_DOCUMENT = 10
TAGS = 150  # each tag is on 2 documents, i.e. 20 of the 3,000 chunks


class Explain(Executable, ClauseElement):
    """``EXPLAIN <statement>``, with the statement's bound parameters."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


def vector(rng: random.Random, dim: int) -> list[float]:
    return [rng.gauss(0.0, 1.0) for _ in range(dim)]


@pytest.fixture
async def loaded(pg_database: str, pg_settings: Settings) -> AsyncIterator[StorePort]:
    """3,000 chunks in 300 documents tagged t0..t149 (two documents per tag)."""
    rng = random.Random(7)
    dim = pg_settings.embedding_dim
    store = await repokit.connect(pg_database, settings=pg_settings)
    documents = await store.documents.save_many(
        [
            Document(title=f"d{i}", content="", metadata={"tag": f"t{i % TAGS}", "n": i})
            for i in range(DOCUMENTS)
        ]
    )
    for document in documents:
        await store.documents.add_chunks(
            document.id,
            [
                Chunk(
                    document_id=document.id,
                    ordinal=ordinal,
                    content=f"{document.title}/{ordinal}",
                    embedding=vector(rng, dim),
                )
                for ordinal in range(CHUNKS_PER_DOCUMENT)
            ],
        )
    yield store
    await store.close()


@pytest.fixture
async def planner(pg_database: str, pg_settings: Settings) -> AsyncIterator[AsyncConnection]:
    """A connection for EXPLAIN with sequential scans discouraged (a deterministic plan)."""
    engine = create_postgres_engine(parse_postgres_url(pg_database), pg_settings)
    connection = await PostgresConnection.open(engine)  # with pgvector's binary codec
    await connection.prepare_vectors()
    await connection.sa.exec_driver_sql("ANALYZE")
    await connection.sa.exec_driver_sql("SET enable_seqscan = off")
    yield connection.sa
    await connection.close()
    await engine.dispose()


async def plan_of(connection: AsyncConnection, statement: Any) -> str:
    result = await connection.execute(Explain(statement))
    return "\n".join(row[0] for row in result)


@pytest.mark.usefixtures("loaded")
async def test_a_metadata_equality_filter_uses_the_gin_index(planner: AsyncConnection) -> None:
    catalog = Catalog(planner.dialect)
    for where in ({"metadata.tag": "t7"}, {"metadata.tag": {"$in": ["t7", "t8"]}}):
        condition = catalog.document_filters.compile(parse_filter(where))
        plan = await plan_of(planner, select(tables.documents).where(condition))
        assert "ix_documents_metadata_gin" in plan, plan


@pytest.mark.usefixtures("loaded")
async def test_a_default_search_uses_the_hnsw_index_and_an_exact_one_does_not(
    planner: AsyncConnection, pg_settings: Settings
) -> None:
    query = vector(random.Random(1), pg_settings.embedding_dim)
    approximate = _statement("cosine", query, 11, [], exact=False)
    assert "ix_chunks_embedding_hnsw" in await plan_of(planner, approximate)
    exact = _statement("cosine", query, 10 + MARGIN, [], exact=True)
    assert "ix_chunks_embedding_hnsw" not in await plan_of(planner, exact)


async def test_a_selective_filter_still_returns_k_hits(
    loaded: StorePort, pg_settings: Settings
) -> None:
    query = vector(random.Random(2), pg_settings.embedding_dim)
    where = {"metadata.tag": "t5"}
    hits = await loaded.documents.search_similar(query, k=15, where=where)
    exact = await loaded.documents.search_similar(query, k=15, where=where, exact=True)
    assert len(hits) == 15
    assert [hit.chunk.id for hit in hits] == [hit.chunk.id for hit in exact]
    tagged = {doc.id for doc in await loaded.documents.list(limit=10, where=where)}
    assert {hit.chunk.document_id for hit in hits} <= tagged


async def test_a_filter_matching_fewer_than_k_chunks_returns_them_all(
    loaded: StorePort, pg_settings: Settings
) -> None:
    query = vector(random.Random(3), pg_settings.embedding_dim)
    hits = await loaded.documents.search_similar(query, k=50, where={"metadata.n": 42})
    assert len(hits) == CHUNKS_PER_DOCUMENT
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("metric", ["cosine", "l2", "inner_product"])
async def test_default_search_agrees_with_exact_search(
    loaded: StorePort, pg_settings: Settings, metric: str
) -> None:
    query = vector(random.Random(4), pg_settings.embedding_dim)
    hits = await loaded.documents.search_similar(query, k=10, metric=metric)
    exact = await loaded.documents.search_similar(query, k=10, metric=metric, exact=True)
    # 3,000 16-dimensional vectors at ef_search 100: HNSW finds the exact top 10.
    assert [hit.chunk.id for hit in hits] == [hit.chunk.id for hit in exact]

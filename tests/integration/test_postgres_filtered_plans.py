"""PostgreSQL: a filtered search picks its plan per call from the filter's selectivity.

4,000 chunks in 400 documents; document ``i`` has ``metadata.bucket = i % 100``, so
``bucket < n`` keeps n% of the chunks. With ``REPOKIT_HNSW_EXACT_MAX_ROWS`` = 100, the
1% filter (40 chunks) is searched exactly and the 10% and 50% filters through the
HNSW index: an iterative scan, each chunk checked against the filter, or, once the
table has been analysed (its size known), the filter over the index's nearest
candidates. Every search must return k hits at recall@10 >= 0.95 against the exact
search, also after more than five runs of each statement (when PostgreSQL may
switch a prepared statement to a generic plan).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import asyncpg
import pytest

import repokit
from repokit.domain.entities import Chunk, Document
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings

PG_DIM = 16  # the dimension of the integration databases (conftest.PG_DIM)
DOCUMENTS = 400
CHUNKS_PER_DOCUMENT = 10
QUERIES = 30
K = 10
TARGET = 0.95


def vector(rng: random.Random) -> list[float]:
    return [rng.gauss(0.0, 1.0) for _ in range(PG_DIM)]


async def open_loaded(url: str, settings: Settings) -> StorePort:
    store = await repokit.connect(url, settings=settings)
    rng = random.Random(20241123)
    documents = await store.documents.save_many(
        [
            Document(title=f"d{i}", content="", metadata={"bucket": i % 100})
            for i in range(DOCUMENTS)
        ]
    )
    for document in documents:
        await store.documents.add_chunks(
            document.id,
            [
                Chunk(document_id=document.id, ordinal=o, content="", embedding=vector(rng))
                for o in range(CHUNKS_PER_DOCUMENT)
            ],
        )
    return store


@pytest.fixture
async def store(pg_database: str, pg_settings: Settings) -> AsyncIterator[StorePort]:
    settings = pg_settings.model_copy(update={"hnsw_exact_max_rows": 100})
    opened = await open_loaded(pg_database, settings)
    yield opened
    await opened.close()


def queries(seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [vector(rng) for _ in range(QUERIES)]


async def recall(
    store: StorePort, where: dict[str, object], seed: int, asked: list[list[float]] | None = None
) -> float:
    """Recall@K of ``store``'s searches against its exact ones, over ``asked`` (by
    default :data:`QUERIES` random vectors from ``seed``); every search returns K hits."""
    found = 0
    for query in asked if asked is not None else queries(seed):
        hits = await store.documents.search_similar(query, k=K, where=where)
        exact = await store.documents.search_similar(query, k=K, where=where, exact=True)
        assert len(hits) == K
        found += len({h.chunk.id for h in hits} & {h.chunk.id for h in exact})
    return found / (QUERIES * K)


@pytest.mark.parametrize("percent", [1, 10, 50])
async def test_filtered_search_recall_meets_the_target(store: StorePort, percent: int) -> None:
    where = {"metadata.bucket": {"$lt": percent}}
    assert await recall(store, where, seed=percent) >= TARGET


async def test_a_selective_filter_is_searched_exactly(store: StorePort) -> None:
    assert await recall(store, {"metadata.bucket": 0}, seed=7) == 1.0


async def test_a_filter_sparser_than_assumed_still_finds_k_hits(
    pg_database: str, pg_settings: Settings
) -> None:
    # Exact only up to 10 rows: the 1% and 10% filters (40 and 400 chunks) go through
    # the index, whose iterative scan goes on until k chunks have passed (or gives up,
    # and the search turns exact).
    settings = pg_settings.model_copy(update={"hnsw_exact_max_rows": 10})
    store = await open_loaded(pg_database, settings)
    try:
        assert await recall(store, {"metadata.bucket": 3}, seed=3) >= TARGET
        assert await recall(store, {"metadata.bucket": {"$lt": 10}}, seed=4) >= TARGET
    finally:
        await store.close()


async def analyse(url: str) -> None:
    """``ANALYZE``, so that PostgreSQL knows the tables' sizes (as autovacuum would)."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("ANALYZE chunks; ANALYZE documents")
    finally:
        await connection.close()


@pytest.mark.parametrize("percent", [10, 50])
async def test_on_an_analysed_table_the_filter_runs_over_the_nearest_candidates(
    store: StorePort, pg_database: str, percent: int
) -> None:
    await analyse(pg_database)
    where = {"metadata.bucket": {"$lt": percent}}
    assert await recall(store, where, seed=100 + percent) >= TARGET


async def test_a_filter_whose_chunks_lie_away_from_the_query_still_finds_k_hits(
    pg_database: str, pg_settings: Settings
) -> None:
    # The tagged tenth of the chunks lies around -e0 and every query near +e0: the
    # nearest candidates hold none of them, and the search walks on to find k.
    settings = pg_settings.model_copy(update={"hnsw_exact_max_rows": 10})
    store = await repokit.connect(pg_database, settings=settings)
    rng = random.Random(5)
    try:
        documents = await store.documents.save_many(
            [Document(title=f"d{i}", content="", metadata={"far": i % 10 == 0}) for i in range(200)]
        )
        for document in documents:
            side = -4.0 if document.metadata["far"] else 4.0
            await store.documents.add_chunks(
                document.id,
                [
                    Chunk(
                        document_id=document.id,
                        ordinal=o,
                        content="",
                        embedding=[side + rng.gauss(0.0, 1.0), *vector(rng)[1:]],
                    )
                    for o in range(CHUNKS_PER_DOCUMENT)
                ],
            )
        await analyse(pg_database)
        near = [[4.0 + rng.gauss(0.0, 1.0), *vector(rng)[1:]] for _ in range(QUERIES)]
        assert await recall(store, {"metadata.far": True}, seed=0, asked=near) >= TARGET
    finally:
        await store.close()


async def test_the_sync_store_runs_the_same_plans(
    store: StorePort, pg_database: str, pg_settings: Settings
) -> None:
    # The same data through the sync twin (psycopg), before and after ANALYZE: its
    # filtered searches return what the async store's exact search does.
    settings = pg_settings.model_copy(update={"hnsw_exact_max_rows": 100})
    asked = queries(11)
    where = {"metadata.bucket": {"$lt": 10}}
    exact = [
        {h.chunk.id for h in await store.documents.search_similar(q, k=K, where=where, exact=True)}
        for q in asked
    ]
    for analysed in (False, True):
        if analysed:
            await analyse(pg_database)
        with repokit.connect_sync(pg_database, settings=settings) as sync_store:
            found = 0
            for query, expected in zip(asked, exact, strict=True):
                hits = sync_store.documents.search_similar(query, k=K, where=where)
                assert len(hits) == K
                found += len({h.chunk.id for h in hits} & expected)
        assert found / (QUERIES * K) >= TARGET

"""PostgreSQL: ``search_stats()`` estimates recall from sampled searches and warns when low.

``hnsw.ef_search`` 10 on random 128-dimensional vectors (which have little
neighbourhood structure for the graph to follow) makes the HNSW scan miss many
of the true top 10; the sampled searches, re-run exactly in the background,
must show it and the ``repokit.search`` logger must say so once. (The
16-dimensional data of the other integration tests is too easy: recall 0.97
even at ``ef_search`` 10.)
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import pytest

import repokit
from repokit.domain.entities import Chunk, Document
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.recall_monitor import MIN_SAMPLES
from repokit.testing.search_stats import settled_stats

DIM = 128
CHUNKS = 2_000
SEARCHES = 30


def vector(rng: random.Random) -> list[float]:
    return [rng.gauss(0.0, 1.0) for _ in range(DIM)]


async def load(store: StorePort) -> None:
    rng = random.Random(99)
    documents = await store.documents.save_many(
        [Document(title=f"d{i}", content="") for i in range(CHUNKS // 10)]
    )
    await store.documents.bulk_load_chunks(
        [
            Chunk(document_id=document.id, ordinal=o, content="", embedding=vector(rng))
            for document in documents
            for o in range(10)
        ]
    )


@pytest.fixture
def settings_for(pg_settings: Settings) -> Callable[[int], Settings]:
    def make(ef_search: int) -> Settings:
        return pg_settings.model_copy(
            update={
                "embedding_dim": DIM,
                "hnsw_ef_search": ef_search,
                "recall_sample_rate": 1.0,
                "target_recall": 0.95,
            }
        )

    return make


@pytest.fixture
async def database(pg_cluster: Any, settings_for: Callable[[int], Settings]) -> str:
    """A new database migrated for :data:`DIM`-dimensional embeddings; its URL."""
    url = pg_cluster.new_database()
    store = await repokit.connect(url, settings=settings_for(250))
    try:
        await store.migrate()
    finally:
        await store.close()
    return url


async def search_and_settle(store: StorePort) -> None:
    rng = random.Random(7)
    for _ in range(SEARCHES):
        await store.documents.search_similar(vector(rng), k=10)
        await settled_stats(store)  # one re-run at a time: none is dropped


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "repokit.search" and record.levelno == logging.WARNING
    ]


async def test_a_tiny_ef_search_shows_as_low_recall_and_warns_once(
    database: str,
    settings_for: Callable[[int], Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = await repokit.connect(database, settings=settings_for(10))
    try:
        await load(store)
        before = store.search_stats()
        assert (before.searches, before.sampled, before.recall) == (0, 0, None)
        with caplog.at_level(logging.WARNING, logger="repokit.search"):
            await search_and_settle(store)
        stats = store.search_stats()
    finally:
        await store.close()
    assert stats.searches == SEARCHES
    assert stats.sampled == SEARCHES
    assert stats.recall is not None
    assert stats.recall < 0.8
    assert stats.below_target
    assert stats.queries_per_s > 0
    warned = warnings_of(caplog)
    assert len(warned) == 1  # once per fall below the target, not once per sample
    assert "below the target 0.950" in warned[0]
    assert f"({MIN_SAMPLES} sampled searches" in warned[0]


async def test_the_default_ef_search_meets_the_target_without_a_warning(
    database: str,
    settings_for: Callable[[int], Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = await repokit.connect(database, settings=settings_for(250))
    try:
        await load(store)
        with caplog.at_level(logging.WARNING, logger="repokit.search"):
            await search_and_settle(store)
        stats = store.search_stats()
    finally:
        await store.close()
    assert stats.sampled == SEARCHES
    assert stats.recall is not None
    assert stats.recall >= 0.95
    assert not stats.below_target
    assert warnings_of(caplog) == []


async def test_the_sync_store_defers_the_reruns_to_search_stats(
    database: str, settings_for: Callable[[int], Settings]
) -> None:
    async_store = await repokit.connect(database, settings=settings_for(10))
    try:
        await load(async_store)
    finally:
        await async_store.close()
    rng = random.Random(7)
    with repokit.connect_sync(database, settings=settings_for(10)) as store:
        for _ in range(5):
            store.documents.search_similar(vector(rng), k=10)
        stats = store.search_stats()  # runs the 5 deferred exact re-runs first
        assert (stats.searches, stats.sampled, stats.pending) == (5, 5, 0)
        assert stats.recall is not None
        assert stats.recall < 0.8

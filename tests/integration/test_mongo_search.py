"""MongoDB exact vector search: streamed in batches, it gives the reference answers.

The batch sizes are shrunk so that a small collection crosses many batch
boundaries (candidate document ids and scored chunks alike); every metric,
filtered and not, must give exactly the in-memory store's hits and scores.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

import repokit
from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings

pytest.importorskip("pymongo")

from repokit.infrastructure.mongo import search
from repokit.infrastructure.mongo.standin import StandInServer

DIM = 8
SETTINGS = Settings(embedding_dim=DIM)


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInServer]:
    with StandInServer() as server:
        yield server


@pytest.fixture
async def stores(standin: StandInServer) -> AsyncIterator[tuple[StorePort, StorePort]]:
    """The stand-in store and a memory store, holding the same 40 documents x 3 chunks."""
    mongo = await repokit.connect(standin.url(f"search_{uuid.uuid4().hex[:10]}"), settings=SETTINGS)
    await mongo.migrate()
    memory = await repokit.connect("memory://", settings=SETTINGS)
    rng = random.Random(7)
    documents = [Document(title=f"d{n}", content="", metadata={"group": n % 5}) for n in range(40)]
    for store in (mongo, memory):
        await store.documents.save_many(documents)
    for document in documents:
        chunks = [
            Chunk(
                document_id=document.id,
                ordinal=ordinal,
                content=f"{document.title}/{ordinal}",
                embedding=[rng.uniform(-1, 1) for _ in range(DIM)],
            )
            for ordinal in range(3)
        ]
        for store in (mongo, memory):
            await store.documents.add_chunks(document.id, chunks)
    yield mongo, memory
    await mongo.close()
    await memory.close()


def hits(found: list[ScoredChunk]) -> list[tuple[str, float]]:
    return [(hit.chunk.content, round(hit.score, 9)) for hit in found]


@pytest.mark.parametrize("metric", ["cosine", "l2", "inner_product"])
@pytest.mark.parametrize(
    "where", [None, {"metadata.group": 3}, {"metadata.group": {"$in": [0, 4]}}]
)
async def test_batched_exact_search_gives_the_reference_hits(
    stores: tuple[StorePort, StorePort],
    monkeypatch: pytest.MonkeyPatch,
    metric: str,
    where: dict[str, object] | None,
) -> None:
    monkeypatch.setattr(search, "DOCUMENT_BATCH", 3)
    monkeypatch.setattr(search, "CHUNK_BATCH", 4)
    mongo, memory = stores
    query = [0.5, -0.25, 1.0, 0.0, 0.75, -1.0, 0.125, 0.3]
    for k in (1, 7, 25):
        expected = await memory.documents.search_similar(query, k=k, where=where, metric=metric)
        found = await mongo.documents.search_similar(query, k=k, where=where, metric=metric)
        assert hits(found) == hits(expected)
        assert len(found) == min(k, 120 if where is None else len(expected))


async def test_a_selective_filter_still_returns_k_hits(
    stores: tuple[StorePort, StorePort], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "DOCUMENT_BATCH", 2)
    mongo, _ = stores
    found = await mongo.documents.search_similar([1.0] * DIM, k=24, where={"metadata.group": 1})
    assert len(found) == 24  # 8 documents of group 1, 3 chunks each
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)

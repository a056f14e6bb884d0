"""The sync MongoDB store shared by threads: 8 threads x 125 operations on one store.

``MongoClient`` is thread-safe and pools its connections; the store adds no
shared mutable state outside units of work. On the stand-in (no transactions)
each thread saves, reads, updates twice and counts its own documents; at the
end every write of every thread is there, with the version its updates gave it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest

import repokit
from repokit.domain.entities import Document
from repokit.domain.sync.ports import StorePort
from repokit.infrastructure.config import Settings

pytest.importorskip("pymongo")

from repokit.infrastructure.mongo.standin import StandInServer

THREADS = 8
DOCUMENTS = 25


def run_thread(store: StorePort, thread: int) -> list[UUID]:
    """125 operations of one thread; the ids of the documents it wrote."""
    tag = f"thread-{thread}"
    saved = [
        store.documents.save(Document(title=f"{tag}-{n}", content="c", metadata={"tag": tag}))
        for n in range(DOCUMENTS)
    ]
    for document in saved:
        assert store.documents.get_by_id(document.id) == document
    for document in saved:
        updated = store.documents.save(document.model_copy(update={"content": "u"}))
        store.documents.save(updated.model_copy(update={"content": "again"}))
    for _ in range(DOCUMENTS):
        assert store.documents.count(where={"metadata.tag": tag}) == DOCUMENTS
    return [document.id for document in saved]


@pytest.fixture
def store() -> Iterator[StorePort]:
    settings = Settings(database_url=None, cache_url=None, embedding_dim=16, pool_max_size=4)
    with (
        StandInServer() as server,
        repokit.connect_sync(server.url("threads"), settings=settings) as store,
    ):
        store.migrate()
        yield store


def test_eight_threads_share_one_sync_mongo_store(store: StorePort) -> None:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda n: run_thread(store, n), range(THREADS)))
    ids = [doc_id for ids in results for doc_id in ids]
    assert len(set(ids)) == THREADS * DOCUMENTS
    assert store.documents.count() == THREADS * DOCUMENTS
    stored = store.documents.list(0, 10_000)
    assert {document.version for document in stored} == {3}
    assert {document.content for document in stored} == {"again"}

"""The sync store shared by threads: 8 threads x 200 operations on one store.

Each thread saves, reads, updates (in units of work and outside) and counts its
own documents on the one store; the store's pool hands each thread a
connection of its own. At the end every write of every thread is there, with
the version its updates gave it, and no call failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID

import pytest

import repokit
from repokit.domain.entities import Document
from repokit.domain.sync.ports import StorePort
from repokit.infrastructure.config import Settings

THREADS = 8
DOCUMENTS = 40
"""Per thread: 40 saves, 40 reads, 40 updates (20 units of two), 40 updates alone,
40 counts: 200 operations."""


def run_thread(store: StorePort, thread: int) -> list[UUID]:
    """200 operations of one thread; the ids of the documents it wrote."""
    tag = f"thread-{thread}"
    saved = [
        store.documents.save(Document(title=f"{tag}-{n}", content="c", metadata={"tag": tag}))
        for n in range(DOCUMENTS)
    ]
    for document in saved:
        assert store.documents.get_by_id(document.id) == document
    updated: list[Document] = []
    for first, second in zip(saved[::2], saved[1::2], strict=True):
        with store.unit_of_work() as uow:
            for document in (first, second):
                updated.append(uow.documents.save(document.model_copy(update={"content": "u"})))
    for document in updated:
        store.documents.save(document.model_copy(update={"content": "again"}))
    for _ in range(DOCUMENTS):
        assert store.documents.count(where={"metadata.tag": tag}) == DOCUMENTS
    return [document.id for document in saved]


def check_shared_store(store: StorePort) -> None:
    store.migrate()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda n: run_thread(store, n), range(THREADS)))
    ids = [doc_id for ids in results for doc_id in ids]
    assert len(set(ids)) == THREADS * DOCUMENTS
    assert store.documents.count() == THREADS * DOCUMENTS
    stored = store.documents.list(0, 10_000)
    assert {document.version for document in stored} == {3}
    assert {document.content for document in stored} == {"again"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=None, cache_url=None, embedding_dim=16, data_dir=tmp_path, pool_max_size=4
    )


@pytest.fixture
def sqlite_store(tmp_path: Path, settings: Settings) -> Iterator[StorePort]:
    with repokit.connect_sync(f"sqlite:///{tmp_path / 'threads.db'}", settings=settings) as store:
        yield store


def test_eight_threads_share_one_memory_store(settings: Settings) -> None:
    with repokit.connect_sync("memory://", settings=settings) as store:
        check_shared_store(store)


def test_eight_threads_share_one_sqlite_store(sqlite_store: StorePort) -> None:
    check_shared_store(sqlite_store)


def test_eight_threads_share_one_postgres_store(pg_database: str, pg_settings: Settings) -> None:
    # A pool smaller than the thread count: threads also wait for each other's connections.
    settings = pg_settings.model_copy(update={"pool_max_size": 4})
    with repokit.connect_sync(pg_database, settings=settings) as store:
        check_shared_store(store)

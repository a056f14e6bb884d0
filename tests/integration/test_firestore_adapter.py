"""Firestore behaviour only the emulator shows: transactions under contention, cascades
past one batch, filters Firestore cannot answer alone, long text, URLs and errors.

The worker's emulator (``firestore_emulator_host``, shared with the contract
classes) and a project of each test's own.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest

import repokit
from repokit.domain.entities import Chunk, Document, Workspace
from repokit.domain.errors import ConcurrencyError, ConfigurationError, DuplicateError
from repokit.domain.query import parse_filter
from repokit.infrastructure.config import Settings

pytest.importorskip("google.cloud.firestore")

from google.cloud.firestore_v1.async_collection import AsyncCollectionReference

from repokit.domain.entity_spec import FieldKind
from repokit.infrastructure.firestore.client import MissingIndex
from repokit.infrastructure.firestore.filters import JSON_EQ, split_filter
from repokit.infrastructure.firestore.search import _nearest
from repokit.infrastructure.firestore.store import FirestoreStore
from repokit.infrastructure.firestore.url import parse_firestore_url
from repokit.infrastructure.vector_scoring import ExactScorer
from repokit.testing.samples import user

DIM = 4
SETTINGS = Settings(database_url=None, cache_url=None, embedding_dim=DIM)
_projects = itertools.count()


def project() -> str:
    return f"it-{uuid4().hex[:8]}-{next(_projects)}"


@pytest.fixture
async def store(firestore_emulator_host: str) -> AsyncIterator[FirestoreStore]:
    opened = await repokit.connect(f"firestore://{project()}", settings=SETTINGS)
    assert isinstance(opened, FirestoreStore)
    await opened.migrate()
    yield opened
    await opened.close()


async def test_concurrent_optimistic_updates_lose_nothing(store: FirestoreStore) -> None:
    doc = await store.documents.save(Document(title="counter", content="", metadata={"n": 0}))
    writers = 12

    async def increment() -> int:
        conflicts = 0
        while True:
            current = await store.documents.get_by_id(doc.id)
            assert current is not None
            n = current.metadata["n"]
            assert isinstance(n, int)
            try:
                await store.documents.save(current.model_copy(update={"metadata": {"n": n + 1}}))
                return conflicts
            except ConcurrencyError:
                conflicts += 1

    conflicts = await asyncio.gather(*(increment() for _ in range(writers)))
    final = await store.documents.get_by_id(doc.id)
    assert final is not None
    assert final.metadata == {"n": writers}
    assert final.version == 1 + writers
    assert sum(conflicts) > 0  # they did conflict, and every loser was told


async def test_conflicting_units_of_work_commit_one_at_a_time(store: FirestoreStore) -> None:
    doc = await store.documents.save(Document(title="counter", content="", metadata={"n": 0}))
    units = 3

    async def increment_in_a_unit() -> None:
        while True:
            try:
                async with store.unit_of_work() as uow:
                    current = await uow.documents.get_by_id(doc.id)
                    assert current is not None
                    n = current.metadata["n"]
                    assert isinstance(n, int)
                    await uow.documents.save(current.model_copy(update={"metadata": {"n": n + 1}}))
                return
            except ConcurrencyError:
                await asyncio.sleep(0.01)

    # Each unit in a task of its own (one unit per task and store).
    await asyncio.gather(*(asyncio.create_task(increment_in_a_unit()) for _ in range(units)))
    final = await store.documents.get_by_id(doc.id)
    assert final is not None
    assert final.metadata == {"n": units}


def test_threads_of_the_sync_store_lose_no_update(firestore_emulator_host: str) -> None:
    with repokit.connect_sync(f"firestore://{project()}", settings=SETTINGS) as store:
        doc = store.documents.save(Document(title="counter", content="", metadata={"n": 0}))

        def increment() -> None:
            while True:
                current = store.documents.get_by_id(doc.id)
                assert current is not None
                n = current.metadata["n"]
                assert isinstance(n, int)
                try:
                    store.documents.save(current.model_copy(update={"metadata": {"n": n + 1}}))
                    return
                except ConcurrencyError:
                    continue

        threads = [threading.Thread(target=increment) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        final = store.documents.get_by_id(doc.id)
        assert final is not None
        assert final.metadata == {"n": 8}


async def test_a_cascade_past_one_batch_deletes_everything(store: FirestoreStore) -> None:
    owner = await store.users.save(user("owner"))
    space = await store.workspaces.save(Workspace(name="big", owner_id=owner.id))
    documents = await store.documents.save_many(
        [Document(title=f"d{i}", content="", workspace_id=space.id) for i in range(260)]
    )
    first = documents[0]
    await store.documents.add_chunks(
        first.id,
        [
            Chunk(document_id=first.id, ordinal=i, content="c", embedding=[1.0, 0, 0, 0])
            for i in range(300)
        ],
    )
    # 260 documents + 300 chunks + the workspace: 561 writes, so two batches
    assert await store.workspaces.delete(space.id) is True
    assert await store.documents.count() == 0
    assert await store.documents.get_chunks(first.id) == []
    assert await store.workspaces.get_by_id(space.id) is None
    assert await store.workspaces.delete(space.id) is False


async def test_filters_firestore_cannot_answer_alone_match_the_reference(
    store: FirestoreStore,
) -> None:
    memory = await repokit.connect("memory://", settings=SETTINGS)
    samples = [
        Document(
            title=f"t{i}",
            content="",
            metadata={"i": i, "tag": ["a", "b", "c"][i % 3], "x": None if i % 4 else i},
        )
        for i in range(30)
    ]
    await store.documents.save_many(samples)
    await memory.documents.save_many(samples)
    filters: list[dict[str, Any]] = [
        {"$or": [{"metadata.tag": "a"}, {"metadata.i": {"$gte": 25}}]},
        {"metadata.tag": {"$ne": "b"}, "title": {"$nin": ["t1", "t2"]}},
        {"metadata.x": None},
        {"metadata.x": {"$exists": False}},
        {"$not": {"metadata.i": {"$lt": 10}}},
        {"title": {"$gt": "t2"}, "metadata.i": {"$lte": 20}},
    ]
    for where in filters:
        expected = [d.id for d in await memory.documents.list(0, 100, where=where)]
        assert [d.id for d in await store.documents.list(0, 100, where=where)] == expected
        assert await store.documents.count(where=where) == len(expected)
        page = await store.documents.page(limit=4, where=where)
        assert [d.id for d in page.items] == expected[:4]
    await memory.close()


def test_the_split_sends_firestore_only_what_it_answers_exactly() -> None:
    kinds = {"title": FieldKind.STR, "created_at": FieldKind.DATETIME, "metadata": FieldKind.JSON}
    node = parse_filter(
        {"title": "a", "metadata.tag": "x", "$or": [{"title": "b"}, {"title": "c"}]}
    )
    split = split_filter(node, kinds.get, "created_at")
    assert split.conditions == [("title", "==", "a"), ("metadata.tag", JSON_EQ, "x")]
    assert split.residual is not None  # the $or
    escaped = split_filter(parse_filter({"metadata.__a__": 1}), kinds.get, None)
    assert escaped.conditions == [("metadata.`~__a__`", JSON_EQ, 1)]
    ranged = split_filter(parse_filter({"title": {"$gt": "m"}}), kinds.get, "title")
    assert ranged.conditions == [("title", ">", "m")]
    assert ranged.residual is None
    other = split_filter(parse_filter({"title": {"$gt": "m"}}), kinds.get, "created_at")
    assert other.conditions == []
    assert other.residual is not None


async def test_text_past_one_firestore_document_round_trips_and_goes_with_the_document(
    store: FirestoreStore,
) -> None:
    content = "ü" * 700_000  # 1.4 MB of UTF-8, four parts
    saved = await store.documents.save(Document(title="long", content=content))
    assert (await store.documents.get_by_id(saved.id)) == saved
    shorter = await store.documents.save(saved.model_copy(update={"content": "short"}))
    assert (await store.documents.get_by_id(saved.id)) == shorter
    assert await store.documents.delete(saved.id)
    parts = store.client.db.collection("documents").document(str(saved.id)).collection("content")
    assert [snap async for snap in parts.stream()] == []


def test_urls_name_the_project_and_database() -> None:
    target = parse_firestore_url("firestore://demo-project?database=orders-db")
    assert (target.project, target.database) == ("demo-project", "orders-db")
    assert parse_firestore_url("firestore://demo-project").database == "(default)"
    for bad in ("firestore://", "firestore://Bad_Project", "firestore://demo-project?x=1"):
        with pytest.raises(ConfigurationError):
            parse_firestore_url(bad)


async def test_find_nearest_answers_unfiltered_searches_as_the_exact_scan_does(
    store: FirestoreStore,
) -> None:
    memory = await repokit.connect("memory://", settings=SETTINGS)
    rng = random.Random(7)
    for n in range(6):
        doc = Document(title=f"d{n}", content="")
        chunks = [
            Chunk(
                document_id=doc.id,
                ordinal=i,
                content="c",
                embedding=[rng.uniform(-1, 1) for _ in range(DIM)],
            )
            for i in range(10)
        ]
        for target in (store, memory):
            await target.documents.save(doc)
            await target.documents.add_chunks(doc.id, chunks)
    for metric in ("cosine", "l2", "inner_product"):
        query = [rng.uniform(-1, 1) for _ in range(DIM)]
        nearest = await _nearest(store, ExactScorer(metric, query, DIM), 5)  # type: ignore[arg-type]
        assert nearest is not None  # 60 chunks, a clear cut: Firestore answered
        expected = await memory.documents.search_similar(query, k=5, metric=metric)
        assert [hit.chunk.id for hit in nearest] == [hit.chunk.id for hit in expected]
        found = await store.documents.search_similar(query, k=5, metric=metric)
        assert [hit.chunk.id for hit in found] == [hit.chunk.id for hit in expected]
        assert [hit.score for hit in found] == pytest.approx([hit.score for hit in expected])
    await memory.close()


async def test_concurrent_calls_adding_one_ordinal_store_it_once(store: FirestoreStore) -> None:
    doc = await store.documents.save(Document(title="d", content=""))

    def first_chunk() -> Chunk:
        return Chunk(document_id=doc.id, ordinal=0, content="c", embedding=[1.0, 0, 0, 0])

    results = await asyncio.gather(
        *(store.documents.add_chunks(doc.id, [first_chunk()]) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(result is None for result in results) == 1
    assert all(isinstance(result, DuplicateError) for result in results if result is not None)
    assert len(await store.documents.get_chunks(doc.id)) == 1


async def test_a_query_firestore_has_no_index_for_is_answered_from_the_collection(
    store: FirestoreStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = await store.documents.save_many(
        [Document(title=f"t{i % 3}", content="", metadata={"i": i}) for i in range(12)]
    )
    where = {"title": "t1", "metadata.i": {"$gte": 4}}
    expected = [d.id for d in await store.documents.list(0, 100, where=where, order_by="title")]
    expected_page = await store.documents.page(limit=2, where=where)
    assert expected_page.next_cursor is not None
    expected_rest = await store.documents.page(
        limit=2, cursor=expected_page.next_cursor, where=where
    )
    streamed = store.client.stream

    def without_indexes(query: Any, transaction: Any = None) -> Any:
        # A real database without firestore.indexes.json refuses every filtered or
        # ordered query; the whole collection (a plain reference) is always readable.
        if not isinstance(query, AsyncCollectionReference):
            raise MissingIndex("The query requires an index.")
        return streamed(query, transaction)

    monkeypatch.setattr(store.client, "stream", without_indexes)
    found = await store.documents.list(0, 100, where=where, order_by="title")
    assert [d.id for d in found] == expected
    assert len(expected) == 3
    page = await store.documents.page(limit=2, where=where)
    assert page == expected_page
    assert page.next_cursor is not None
    rest = await store.documents.page(limit=2, cursor=page.next_cursor, where=where)
    assert rest == expected_rest
    assert await store.documents.count(where={"title": "t1"}) == 4
    assert len(docs) == 12

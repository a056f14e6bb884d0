"""``RepokitDocumentStore`` and ``RepokitEmbeddingRetriever`` beyond Haystack's suites:
retrieval, the fields repokit has no column for, serialisation, on every backend."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
pytest.importorskip("haystack")

from haystack import Pipeline
from haystack.dataclasses import ByteStream, Document, SparseEmbedding
from haystack.document_stores.types import FilterPolicy
from haystack.errors import FilterError
from haystack.utils import Secret

from repokit import ConfigurationError
from repokit.integrations.haystack import RepokitDocumentStore, RepokitEmbeddingRetriever

DIM = 3


@pytest.fixture
async def document_store(target: Callable[[int], Any]) -> AsyncIterator[RepokitDocumentStore]:
    store_target = target(DIM)
    store = RepokitDocumentStore(
        store_target.url,
        settings=store_target.settings,
        cache_url=store_target.cache_url,
        migrate=store_target.migrate,
    )
    yield store
    await store.close_async()


DOCS = [
    Document(id="x", content="east", meta={"side": "east", "n": 1}, embedding=[1.0, 0.0, 0.0]),
    Document(id="y", content="north", meta={"side": "north", "n": 2}, embedding=[0.0, 1.0, 0.0]),
    Document(id="z", content="up", meta={"side": "up", "n": 3}, embedding=[0.0, 0.0, 1.0]),
    Document(id="w", content="no vector", meta={"side": "none", "n": 4}),
]


async def test_the_retriever_finds_the_nearest_documents_with_filters(
    document_store: RepokitDocumentStore,
) -> None:
    await document_store.write_documents_async(DOCS)
    retriever = RepokitEmbeddingRetriever(document_store, top_k=2)
    nearest = retriever.run(query_embedding=[0.9, 0.1, 0.0])["documents"]
    assert [doc.id for doc in nearest] == ["x", "y"]
    assert nearest[0].score == pytest.approx(0.9 / (0.82**0.5), rel=1e-5)
    assert nearest[0].embedding is None
    filtered = await retriever.run_async(
        query_embedding=[0.9, 0.1, 0.0],
        filters={"field": "meta.n", "operator": ">=", "value": 3},
        return_embedding=True,
        scale_score=True,
    )
    [only] = filtered["documents"]
    assert only.id == "z"
    assert only.embedding == pytest.approx([0.0, 0.0, 1.0])
    assert 0.0 <= (only.score or 0.0) <= 1.0
    assert retriever.run(query_embedding=[1.0, 0.0, 0.0], top_k=0) == {"documents": []}


async def test_merged_filters_narrow_the_retrievers_own(
    document_store: RepokitDocumentStore,
) -> None:
    document_store.write_documents(DOCS)
    retriever = RepokitEmbeddingRetriever(
        document_store,
        filters={"field": "meta.n", "operator": "<=", "value": 2},
        filter_policy=FilterPolicy.MERGE,
    )
    found = retriever.run(
        query_embedding=[0.0, 0.0, 1.0],
        filters={"field": "meta.side", "operator": "!=", "value": "east"},
    )
    assert [doc.id for doc in found["documents"]] == ["y"]


async def test_fields_without_a_column_round_trip(document_store: RepokitDocumentStore) -> None:
    documents = [
        Document(id="b", blob=ByteStream(b"\x00\xffpng", meta={"page": 1}, mime_type="image/png")),
        Document(
            id="s",
            content="sparse",
            sparse_embedding=SparseEmbedding(indices=[1, 7], values=[0.5, 0.25]),
            score=0.75,
        ),
    ]
    assert await document_store.write_documents_async(documents) == 2
    found = {doc.id: doc for doc in await document_store.filter_documents_async()}
    assert found == {doc.id: doc for doc in documents}


def test_ids_are_filterable_and_content_is_not(document_store: RepokitDocumentStore) -> None:
    document_store.write_documents(DOCS)
    by_id = document_store.filter_documents({"field": "id", "operator": "in", "value": ["w", "z"]})
    assert sorted(doc.id for doc in by_id) == ["w", "z"]
    with pytest.raises(FilterError, match="cannot be filtered on"):
        document_store.filter_documents({"field": "content", "operator": "==", "value": "up"})


def test_a_wrong_embedding_length_writes_nothing(document_store: RepokitDocumentStore) -> None:
    with pytest.raises(ValueError, match="embedding has 2 numbers"):
        document_store.write_documents([DOCS[0], Document(id="bad", embedding=[1.0, 2.0])])
    assert document_store.count_documents() == 0


def test_a_pipeline_runs_the_retriever() -> None:
    store = RepokitDocumentStore("memory://", embedding_dim=DIM)
    store.write_documents(DOCS)
    pipeline = Pipeline()
    pipeline.add_component("retriever", RepokitEmbeddingRetriever(store, top_k=1))
    result = pipeline.run({"retriever": {"query_embedding": [0.0, 1.0, 0.0]}})
    assert [doc.id for doc in result["retriever"]["documents"]] == ["y"]


class TestSerialisation:
    def test_the_retriever_and_its_store_round_trip(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TEST_REPOKIT_URL", "memory://")
        store = RepokitDocumentStore(
            Secret.from_env_var("TEST_REPOKIT_URL"), embedding_dim=DIM, metric="l2"
        )
        retriever = RepokitEmbeddingRetriever(store, top_k=3, filter_policy=FilterPolicy.MERGE)
        copy = RepokitEmbeddingRetriever.from_dict(retriever.to_dict())
        assert copy.to_dict() == retriever.to_dict()
        assert copy.document_store.metric == "l2"
        assert copy.filter_policy is FilterPolicy.MERGE

    def test_a_password_in_a_plain_url_is_never_written_out(self) -> None:
        store = RepokitDocumentStore("postgresql://app:hunter2@db/rag", embedding_dim=DIM)
        with pytest.raises(ConfigurationError, match="Secret") as raised:
            store.to_dict()
        assert "hunter2" not in str(raised.value)

    def test_a_url_without_a_password_is_written_as_it_is(self) -> None:
        data = RepokitDocumentStore("sqlite:///rag.db", embedding_dim=DIM).to_dict()
        assert data["init_parameters"]["url"] == "sqlite:///rag.db"

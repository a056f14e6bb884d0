"""Contract: ``search_similar`` — exact answers for every metric, ``k``, filters and scopes."""

from __future__ import annotations

from collections.abc import Sequence
from math import sqrt
from typing import Any

import pytest

from repokit.domain.entities import Document, ScoredChunk
from repokit.domain.errors import CapabilityError, InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import basis, chunk, document, uid, vector
from repokit.testing.stored import stored_document, stored_workspace


def close_to(score: float) -> Any:
    """``score`` to about six significant digits: embeddings are float32."""
    return pytest.approx(score, rel=1e-5, abs=1e-6)


async def stored_vectors(
    store: StorePort,
    vectors: dict[str, dict[int, float]],
    doc: Document | None = None,
    first_id: int = 1,
) -> Document:
    """One document whose chunks hold the given sparse embeddings, named by their content.

    Chunk ``i`` gets the id ``uid(first_id + i)``, so ties order as the dict does.
    """
    doc = doc or await stored_document(store, "vectors")
    dim = store.embedding_dim
    await store.documents.add_chunks(
        doc.id,
        [
            chunk(doc, index, vector(dim, values), content=name, id=uid(first_id + index))
            for index, (name, values) in enumerate(vectors.items())
        ],
    )
    return doc


def ranking(hits: Sequence[ScoredChunk]) -> list[tuple[str, float]]:
    """``(content, score)`` of each hit, best first."""
    return [(hit.chunk.content, hit.score) for hit in hits]


async def metric_supported(store: StorePort, metric: str) -> bool:
    """True when the store advertises ``metric``; otherwise check it raises ``CapabilityError``."""
    if metric in store.capabilities.metrics:
        return True
    with pytest.raises(CapabilityError):
        await store.documents.search_similar(basis(store.embedding_dim, 0), metric=metric)
    return False


class SearchContract(ContractMixin):
    """Similarity search: higher is more similar, best first, ties by chunk id."""

    async def test_cosine_scores_are_cosine_similarities(self, store: StorePort) -> None:
        if not await metric_supported(store, "cosine"):
            return
        await stored_vectors(
            store,
            {
                "diagonal": {0: 3, 1: 3},
                "x": {0: 1},
                "x+w": {0: 1, 3: 1},
                "z": {2: 1},
                "-x": {0: -1},
            },
        )
        query = vector(store.embedding_dim, {0: 1, 1: 1})
        hits = await store.documents.search_similar(query, k=5, metric="cosine")
        assert ranking(hits) == [
            ("diagonal", close_to(1.0)),
            ("x", close_to(1 / sqrt(2))),
            ("x+w", close_to(0.5)),
            ("z", close_to(0.0)),
            ("-x", close_to(-1 / sqrt(2))),
        ]

    async def test_cosine_is_the_default_metric(self, store: StorePort) -> None:
        await stored_vectors(store, {"long x": {0: 10}, "diagonal": {0: 1, 1: 1}})
        hits = await store.documents.search_similar(basis(store.embedding_dim, 0, 2.0))
        assert ranking(hits) == [
            ("long x", close_to(1.0)),
            ("diagonal", close_to(1 / sqrt(2))),
        ]

    async def test_l2_scores_are_minus_euclidean_distances(self, store: StorePort) -> None:
        if not await metric_supported(store, "l2"):
            return
        await stored_vectors(
            store,
            {"far": {0: 1, 1: 3, 2: 4}, "same": {0: 1}, "near": {0: 1, 1: 1}, "mid": {0: 1, 2: 2}},
        )
        hits = await store.documents.search_similar(basis(store.embedding_dim, 0), k=4, metric="l2")
        assert ranking(hits) == [
            ("same", close_to(0.0)),
            ("near", close_to(-1.0)),
            ("mid", close_to(-2.0)),
            ("far", close_to(-5.0)),
        ]

    async def test_inner_product_scores_are_dot_products(self, store: StorePort) -> None:
        if not await metric_supported(store, "inner_product"):
            return
        await stored_vectors(
            store, {"x": {0: 3}, "y": {1: 4}, "negative": {0: -1, 1: -1}, "diagonal": {0: 2, 1: 2}}
        )
        query = vector(store.embedding_dim, {0: 1, 1: 2})
        hits = await store.documents.search_similar(query, k=4, metric="inner_product")
        assert ranking(hits) == [
            ("y", close_to(8.0)),
            ("diagonal", close_to(6.0)),
            ("x", close_to(3.0)),
            ("negative", close_to(-3.0)),
        ]

    @pytest.mark.parametrize("metric", ["cosine", "l2", "inner_product"])
    async def test_equal_scores_are_ordered_by_chunk_id(
        self, store: StorePort, metric: str
    ) -> None:
        if not await metric_supported(store, metric):
            return
        doc = await stored_document(store)
        dim = store.embedding_dim
        await store.documents.add_chunks(
            doc.id,
            [
                chunk(doc, ordinal, basis(dim, 1), content=str(n), id=uid(n))
                for ordinal, n in enumerate([30, 10, 20])
            ],
        )
        hits = await store.documents.search_similar(basis(dim, 1), k=3, metric=metric)
        assert [hit.chunk.id for hit in hits] == [uid(10), uid(20), uid(30)]

    async def test_hits_carry_the_stored_chunk(self, store: StorePort) -> None:
        doc = await stored_vectors(store, {"only": {0: 0.1, 1: 0.2}})
        (hit,) = await store.documents.search_similar(basis(store.embedding_dim, 0))
        assert hit.chunk == (await store.documents.get_chunks(doc.id))[0]

    async def test_k_larger_than_the_population_returns_every_chunk(self, store: StorePort) -> None:
        await stored_vectors(store, {"a": {0: 1}, "b": {1: 1}, "c": {2: 1}})
        hits = await store.documents.search_similar(basis(store.embedding_dim, 0), k=1000)
        assert [hit.chunk.content for hit in hits] == ["a", "b", "c"]

    async def test_k_limits_the_hits_to_the_best(self, store: StorePort) -> None:
        await stored_vectors(store, {"a": {0: 1}, "b": {0: 1, 1: 1}, "c": {1: 1}})
        hits = await store.documents.search_similar(basis(store.embedding_dim, 0), k=2)
        assert [hit.chunk.content for hit in hits] == ["a", "b"]

    async def test_an_empty_store_finds_nothing(self, store: StorePort) -> None:
        assert await store.documents.search_similar(basis(store.embedding_dim, 0)) == []

    async def test_a_filtered_search_returns_k_hits_when_k_chunks_match(
        self, store: StorePort
    ) -> None:
        dim = store.embedding_dim
        matching = {7, 23, 41}
        docs = await store.documents.save_many(
            [
                document(f"doc {i}", metadata={"group": "match" if i in matching else "other"})
                for i in range(50)
            ]
        )
        rank = 0
        for i, doc in enumerate(docs):
            chunks = []
            for ordinal in range(4):
                if i in matching:
                    rank += 1  # matching chunks are less similar, rank by rank
                    embedding, content = vector(dim, {0: 1, 1: rank}), f"match {rank}"
                else:
                    embedding, content = basis(dim, 0), "other"
                chunks.append(chunk(doc, ordinal, embedding, content=content))
            await store.documents.add_chunks(doc.id, chunks)
        hits = await store.documents.search_similar(
            basis(dim, 0), k=10, where={"metadata.group": "match"}
        )
        assert ranking(hits) == [
            (f"match {r}", close_to(1 / sqrt(1 + r * r))) for r in range(1, 11)
        ]

    async def test_exact_search_gives_the_same_hits(self, store: StorePort) -> None:
        await stored_vectors(store, {"a": {0: 1}, "b": {0: 1, 1: 1}, "c": {1: 1}})
        query = basis(store.embedding_dim, 0)
        default = await store.documents.search_similar(query, k=3)
        assert await store.documents.search_similar(query, k=3, exact=True) == default

    async def test_search_by_workspace_id_and_workspace_ids(self, store: StorePort) -> None:
        first = await stored_workspace(store, "first")
        second = await stored_workspace(store, "second")
        in_first = await stored_document(store, "a", workspace_id=first.id)
        in_second = await stored_document(store, "b", workspace_id=second.id)
        await stored_vectors(store, {"in first": {0: 1}}, in_first, first_id=10)
        await stored_vectors(store, {"in second": {0: 2}}, in_second, first_id=20)
        await stored_vectors(store, {"in none": {0: 3}}, first_id=30)
        query = basis(store.embedding_dim, 0)
        by_one = await store.documents.search_similar(query, workspace_id=first.id)
        assert [hit.chunk.content for hit in by_one] == ["in first"]
        by_many = await store.documents.search_similar(query, workspace_ids=[first.id, second.id])
        assert sorted(hit.chunk.content for hit in by_many) == ["in first", "in second"]
        assert await store.documents.search_similar(query, workspace_ids=[]) == []

    async def test_where_and_workspaces_combine_with_and(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        tagged = await stored_document(store, "tagged", workspace_id=space.id, metadata={"t": 1})
        plain = await stored_document(store, "plain", workspace_id=space.id)
        outside = await stored_document(store, "outside", metadata={"t": 1})
        for index, doc in enumerate((tagged, plain, outside)):
            await stored_vectors(store, {doc.title: {0: 1}}, doc, first_id=10 * index + 1)
        hits = await store.documents.search_similar(
            basis(store.embedding_dim, 0), workspace_ids=[space.id], where={"metadata.t": 1}
        )
        assert [hit.chunk.content for hit in hits] == ["tagged"]
        both = await store.documents.search_similar(
            basis(store.embedding_dim, 0), workspace_id=space.id, workspace_ids=[uid(1)]
        )
        assert both == []

    @pytest.mark.parametrize("delta", [-1, 1])
    async def test_a_query_of_the_wrong_length_raises_invalid_query_error(
        self, store: StorePort, delta: int
    ) -> None:
        with pytest.raises(InvalidQueryError):
            await store.documents.search_similar([1.0] * (store.embedding_dim + delta))

    @pytest.mark.parametrize("k", [0, -1, 1001])
    async def test_k_outside_1_to_1000_raises_invalid_query_error(
        self, store: StorePort, k: int
    ) -> None:
        with pytest.raises(InvalidQueryError):
            await store.documents.search_similar(basis(store.embedding_dim, 0), k=k)

    async def test_an_unknown_metric_raises_invalid_query_error(self, store: StorePort) -> None:
        with pytest.raises(InvalidQueryError):
            await store.documents.search_similar(basis(store.embedding_dim, 0), metric="dot")

    async def test_a_zero_query_under_cosine_raises_invalid_query_error(
        self, store: StorePort
    ) -> None:
        await stored_vectors(store, {"a": {0: 1}})
        with pytest.raises(InvalidQueryError):
            await store.documents.search_similar(vector(store.embedding_dim), metric="cosine")

    async def test_the_store_names_its_metrics(self, store: StorePort) -> None:
        assert store.capabilities.metrics <= {"cosine", "l2", "inner_product"}
        assert "cosine" in store.capabilities.metrics

    async def test_tune_search_on_exact_search_reports_recall_1_and_changes_nothing(
        self, store: StorePort
    ) -> None:
        if store.capabilities.vector_search != "exact":
            return  # approximate search: measured on its own data (adapter tests)
        await stored_vectors(store, {"a": {0: 1}, "b": {1: 1}})
        report = await store.documents.tune_search(target_recall=0.9)
        assert (report.target_recall, report.recall, report.changed) == (0.9, 1.0, False)
        assert report.met is True
        assert report.ef_search is None

    @pytest.mark.parametrize("target", [0, -0.5, 1.5, float("nan")])
    async def test_tune_search_rejects_a_target_outside_0_to_1(
        self, store: StorePort, target: float
    ) -> None:
        with pytest.raises(InvalidQueryError):
            await store.documents.tune_search(target_recall=target)

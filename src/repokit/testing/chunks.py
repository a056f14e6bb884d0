"""Contract: ``add_chunks``, ``bulk_load_chunks`` and ``get_chunks`` — ordinals, float32
embeddings, all or nothing."""

from __future__ import annotations

from itertools import pairwise

import pytest

from repokit.domain.errors import CapabilityError, DuplicateError, InvalidQueryError, NotFoundError
from repokit.domain.ports import StorePort
from repokit.domain.vectors import as_float32
from repokit.testing.base import ContractMixin
from repokit.testing.samples import basis, chunk, document, uid, vector
from repokit.testing.stored import stored_document


class ChunkContract(ContractMixin):
    """Chunks belong to one stored document, are unique by id and ordinal, and read back exactly."""

    async def test_get_chunks_returns_chunks_by_ordinal(self, store: StorePort) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        await store.documents.add_chunks(
            doc.id, [chunk(doc, 2, basis(dim, 2)), chunk(doc, 0, basis(dim, 0))]
        )
        await store.documents.add_chunks(doc.id, [chunk(doc, 1, basis(dim, 1))])
        found = await store.documents.get_chunks(doc.id)
        assert [c.ordinal for c in found] == [0, 1, 2]

    async def test_chunks_read_back_exactly_with_float32_embeddings(self, store: StorePort) -> None:
        doc = await stored_document(store)
        embedding = vector(store.embedding_dim, {0: 0.1, 1: -1e-8, 2: 1 / 3, 3: 123456.789})
        written = chunk(doc, 0, embedding, content="Grüße 🚀", metadata={"page": 3, "x": [1.5]})
        await store.documents.add_chunks(doc.id, [written])
        (found,) = await store.documents.get_chunks(doc.id)
        assert found.embedding == as_float32(embedding)
        assert found.model_dump(exclude={"embedding"}) == written.model_dump(exclude={"embedding"})

    async def test_a_document_without_chunks_has_an_empty_chunk_list(
        self, store: StorePort
    ) -> None:
        doc = await stored_document(store)
        assert await store.documents.get_chunks(doc.id) == []
        assert await store.documents.get_chunks(uid(5)) == []

    async def test_add_chunks_of_nothing_changes_nothing(self, store: StorePort) -> None:
        doc = await stored_document(store)
        await store.documents.add_chunks(doc.id, [])
        assert await store.documents.get_chunks(doc.id) == []

    async def test_add_chunks_to_a_missing_document_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        ghost = document("never saved")
        with pytest.raises(NotFoundError):
            await store.documents.add_chunks(
                ghost.id, [chunk(ghost, 0, basis(store.embedding_dim, 0))]
            )
        assert await store.documents.get_chunks(ghost.id) == []

    async def test_a_chunk_of_another_document_raises_invalid_query_error(
        self, store: StorePort
    ) -> None:
        doc = await stored_document(store, "target")
        other = await stored_document(store, "other")
        dim = store.embedding_dim
        batch = [chunk(doc, 0, basis(dim, 0)), chunk(other, 1, basis(dim, 1))]
        with pytest.raises(InvalidQueryError):
            await store.documents.add_chunks(doc.id, batch)
        assert await store.documents.get_chunks(doc.id) == []
        assert await store.documents.get_chunks(other.id) == []

    async def test_a_stored_chunk_id_raises_duplicate_error_and_writes_nothing(
        self, store: StorePort
    ) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        first = chunk(doc, 0, basis(dim, 0))
        await store.documents.add_chunks(doc.id, [first])
        batch = [chunk(doc, 1, basis(dim, 1)), chunk(doc, 2, basis(dim, 2), id=first.id)]
        with pytest.raises(DuplicateError):
            await store.documents.add_chunks(doc.id, batch)
        assert [c.id for c in await store.documents.get_chunks(doc.id)] == [first.id]

    async def test_a_stored_ordinal_raises_duplicate_error_and_writes_nothing(
        self, store: StorePort
    ) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        first = chunk(doc, 0, basis(dim, 0))
        await store.documents.add_chunks(doc.id, [first])
        with pytest.raises(DuplicateError):
            await store.documents.add_chunks(
                doc.id, [chunk(doc, 1, basis(dim, 1)), chunk(doc, 0, basis(dim, 2))]
            )
        assert [c.id for c in await store.documents.get_chunks(doc.id)] == [first.id]

    async def test_one_ordinal_twice_in_a_batch_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        with pytest.raises(DuplicateError):
            await store.documents.add_chunks(
                doc.id, [chunk(doc, 4, basis(dim, 0)), chunk(doc, 4, basis(dim, 1))]
            )
        assert await store.documents.get_chunks(doc.id) == []

    @pytest.mark.parametrize("delta", [-1, 1])
    async def test_a_wrong_embedding_length_raises_invalid_query_error_and_writes_nothing(
        self, store: StorePort, delta: int
    ) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        batch = [
            chunk(doc, 0, basis(dim, 0)),
            chunk(doc, 1, basis(dim, 1)),
            chunk(doc, 2, [1.0] * (dim + delta)),
        ]
        with pytest.raises(InvalidQueryError):
            await store.documents.add_chunks(doc.id, batch)
        assert await store.documents.get_chunks(doc.id) == []
        assert await store.documents.search_similar(basis(dim, 0), k=10) == []

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e39])
    async def test_a_non_finite_embedding_raises_invalid_query_error(
        self, store: StorePort, bad: float
    ) -> None:
        doc = await stored_document(store)
        with pytest.raises(InvalidQueryError):
            await store.documents.add_chunks(
                doc.id, [chunk(doc, 0, vector(store.embedding_dim, {0: bad}))]
            )
        assert await store.documents.get_chunks(doc.id) == []

    async def test_deleting_a_document_deletes_its_chunks(self, store: StorePort) -> None:
        doc = await stored_document(store, "gone")
        kept = await stored_document(store, "kept")
        dim = store.embedding_dim
        await store.documents.add_chunks(doc.id, [chunk(doc, 0, basis(dim, 0))])
        await store.documents.add_chunks(kept.id, [chunk(kept, 0, basis(dim, 1))])
        await store.documents.delete(doc.id)
        assert await store.documents.get_chunks(doc.id) == []
        hits = await store.documents.search_similar(basis(dim, 0), k=10)
        assert [hit.chunk.document_id for hit in hits] == [kept.id]

    # -- bulk_load_chunks ----------------------------------------------------------------

    async def test_bulk_load_chunks_stores_the_chunks_of_several_documents(
        self, store: StorePort
    ) -> None:
        docs = [await stored_document(store, f"bulk{i}") for i in range(3)]
        dim = store.embedding_dim
        batch = [
            chunk(doc, ordinal, basis(dim, (i + ordinal) % dim))
            for ordinal in (2, 0, 1)
            for i, doc in enumerate(docs)
        ]
        batch += [chunk(docs[0], 3, basis(dim, 3))]
        reports: list[int] = []
        assert await store.documents.bulk_load_chunks(batch, progress=reports.append) == 10
        assert [c.ordinal for c in await store.documents.get_chunks(docs[0].id)] == [0, 1, 2, 3]
        for doc in docs[1:]:
            assert [c.ordinal for c in await store.documents.get_chunks(doc.id)] == [0, 1, 2]
        assert reports, "progress was never called"
        assert all(a < b for a, b in pairwise(reports))
        assert reports[-1] == 10
        hits = await store.documents.search_similar(basis(dim, 3), k=3)
        assert hits[0].chunk.embedding == as_float32(basis(dim, 3))

    async def test_bulk_load_chunks_into_a_store_with_chunks_keeps_them(
        self, store: StorePort
    ) -> None:
        old = await stored_document(store, "old")
        new = await stored_document(store, "new")
        dim = store.embedding_dim
        await store.documents.add_chunks(old.id, [chunk(old, 0, basis(dim, 0))])
        batch = [chunk(old, 1, basis(dim, 1)), chunk(new, 0, basis(dim, 2))]
        assert await store.documents.bulk_load_chunks(batch) == 2
        assert [c.ordinal for c in await store.documents.get_chunks(old.id)] == [0, 1]
        assert [c.ordinal for c in await store.documents.get_chunks(new.id)] == [0]
        hits = await store.documents.search_similar(basis(dim, 2), k=1)
        assert [hit.chunk.document_id for hit in hits] == [new.id]

    async def test_bulk_load_chunks_of_nothing_returns_zero(self, store: StorePort) -> None:
        assert await store.documents.bulk_load_chunks([]) == 0

    @pytest.mark.parametrize("delta", [-1, 1])
    async def test_bulk_load_chunks_with_a_wrong_embedding_length_raises_invalid_query_error(
        self, store: StorePort, delta: int
    ) -> None:
        good = await stored_document(store, "good")
        bad = await stored_document(store, "bad")
        dim = store.embedding_dim
        batch = [
            chunk(good, 0, basis(dim, 0)),
            chunk(bad, 0, basis(dim, 1)),
            chunk(bad, 1, [1.0] * (dim + delta)),
        ]
        with pytest.raises(InvalidQueryError):
            await store.documents.bulk_load_chunks(batch)
        assert await store.documents.get_chunks(bad.id) == []

    async def test_bulk_load_chunks_for_an_unknown_document_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        ghost = document("never saved")
        dim = store.embedding_dim
        with pytest.raises(NotFoundError):
            await store.documents.bulk_load_chunks([chunk(ghost, 0, basis(dim, 0))])
        assert await store.documents.get_chunks(ghost.id) == []

    async def test_bulk_load_chunks_with_a_repeated_ordinal_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        batch = [chunk(doc, 0, basis(dim, 0)), chunk(doc, 0, basis(dim, 1))]
        with pytest.raises(DuplicateError):
            await store.documents.bulk_load_chunks(batch)
        assert await store.documents.get_chunks(doc.id) == []

    async def test_bulk_load_chunks_in_a_unit_of_work(self, store: StorePort) -> None:
        doc = await stored_document(store)
        dim = store.embedding_dim
        if not store.capabilities.transactions:
            with pytest.raises(CapabilityError):
                async with store.unit_of_work():
                    pass
            return
        async with store.unit_of_work() as uow:
            assert await uow.documents.bulk_load_chunks([chunk(doc, 0, basis(dim, 0))]) == 1
        assert [c.ordinal for c in await store.documents.get_chunks(doc.id)] == [0]

"""Contract: documents — save rules, reads, counts, deletes and batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from repokit.domain.entities import Document
from repokit.domain.errors import ConcurrencyError, DuplicateError, NotFoundError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import at, document, uid
from repokit.testing.stored import stored_document, stored_workspace


class DocumentContract(ContractMixin):
    """``store.documents``: ``save``, ``save_many``, ``get_by_id``, ``count``, ``delete``."""

    async def test_save_inserts_a_new_document_with_version_1(self, store: StorePort) -> None:
        saved = await store.documents.save(document("first", metadata={"k": "v"}))
        assert saved.version == 1
        assert (saved.title, saved.content, saved.metadata) == ("first", "first", {"k": "v"})

    async def test_save_returns_a_new_instance_and_leaves_its_argument_alone(
        self, store: StorePort
    ) -> None:
        draft = document("draft")
        saved = await store.documents.save(draft)
        assert saved is not draft
        assert draft.version == 0

    async def test_get_by_id_returns_what_save_returned(self, store: StorePort) -> None:
        saved = await stored_document(store, "kept", metadata={"n": 1})
        assert await store.documents.get_by_id(saved.id) == saved

    async def test_get_by_id_of_an_unknown_id_returns_none(self, store: StorePort) -> None:
        assert await store.documents.get_by_id(uid(42)) is None

    async def test_save_keeps_created_at_given_on_insert(self, store: StorePort) -> None:
        saved = await stored_document(store, created_at=at(0))
        assert saved.created_at == at(0)
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert fetched.created_at == at(0)

    async def test_save_sets_updated_at_to_now_on_insert(self, store: StorePort) -> None:
        before = datetime.now(UTC).replace(microsecond=0)
        saved = await stored_document(store, updated_at=datetime(2000, 1, 1, tzinfo=UTC))
        assert saved.updated_at >= before

    async def test_save_of_version_n_updates_and_returns_version_n_plus_1(
        self, store: StorePort
    ) -> None:
        saved = await stored_document(store, "old")
        updated = await store.documents.save(saved.model_copy(update={"title": "new"}))
        assert updated.version == 2
        again = await store.documents.save(updated.model_copy(update={"content": "body"}))
        assert again.version == 3
        assert await store.documents.get_by_id(saved.id) == again
        assert (again.title, again.content) == ("new", "body")

    async def test_update_keeps_the_stored_created_at(self, store: StorePort) -> None:
        saved = await stored_document(store, created_at=at(0))
        updated = await store.documents.save(saved.model_copy(update={"created_at": at(3600)}))
        assert updated.created_at == at(0)
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert fetched.created_at == at(0)

    async def test_update_sets_updated_at_to_now(self, store: StorePort) -> None:
        saved = await stored_document(store)
        stale = saved.model_copy(update={"updated_at": datetime(2000, 1, 1, tzinfo=UTC)})
        updated = await store.documents.save(stale)
        assert updated.updated_at >= saved.updated_at

    async def test_save_of_a_new_document_with_a_stored_id_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        saved = await stored_document(store, "original")
        with pytest.raises(DuplicateError):
            await store.documents.save(document("impostor", id=saved.id))
        assert await store.documents.get_by_id(saved.id) == saved

    async def test_save_with_a_stale_version_raises_concurrency_error(
        self, store: StorePort
    ) -> None:
        saved = await stored_document(store, "v1")
        current = await store.documents.save(saved.model_copy(update={"title": "v2"}))
        with pytest.raises(ConcurrencyError):
            await store.documents.save(saved.model_copy(update={"title": "lost update"}))
        assert await store.documents.get_by_id(saved.id) == current

    async def test_save_with_a_version_ahead_of_the_stored_one_raises_concurrency_error(
        self, store: StorePort
    ) -> None:
        saved = await stored_document(store)
        with pytest.raises(ConcurrencyError):
            await store.documents.save(saved.model_copy(update={"version": 5}))
        assert await store.documents.get_by_id(saved.id) == saved

    async def test_update_of_an_id_never_stored_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        with pytest.raises(NotFoundError):
            await store.documents.save(document("ghost", version=3))
        assert await store.documents.count() == 0

    async def test_save_with_an_unknown_workspace_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        with pytest.raises(NotFoundError):
            await store.documents.save(document("orphan", workspace_id=uid(7)))
        assert await store.documents.count() == 0

    async def test_update_moving_a_document_to_an_unknown_workspace_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        workspace = await stored_workspace(store)
        saved = await stored_document(store, workspace_id=workspace.id)
        with pytest.raises(NotFoundError):
            await store.documents.save(saved.model_copy(update={"workspace_id": uid(7)}))
        assert await store.documents.get_by_id(saved.id) == saved

    async def test_save_many_inserts_every_document(self, store: StorePort) -> None:
        saved = await store.documents.save_many([document("a"), document("b"), document("c")])
        assert [(doc.title, doc.version) for doc in saved] == [("a", 1), ("b", 1), ("c", 1)]
        assert await store.documents.count() == 3

    async def test_save_many_of_nothing_returns_an_empty_list(self, store: StorePort) -> None:
        assert await store.documents.save_many([]) == []
        assert await store.documents.count() == 0

    async def test_save_many_inserts_and_updates_in_one_batch(self, store: StorePort) -> None:
        old = await stored_document(store, "old")
        saved = await store.documents.save_many(
            [old.model_copy(update={"title": "renamed"}), document("new")]
        )
        assert [(doc.title, doc.version) for doc in saved] == [("renamed", 2), ("new", 1)]

    async def test_save_many_is_all_or_nothing(self, store: StorePort) -> None:
        existing = await stored_document(store, "existing")
        batch = [document("a"), document("clash", id=existing.id), document("c")]
        with pytest.raises(DuplicateError):
            await store.documents.save_many(batch)
        assert await store.documents.count() == 1
        assert await store.documents.get_by_id(batch[0].id) is None

    async def test_save_many_rejects_one_id_twice_in_a_batch(self, store: StorePort) -> None:
        first = document("first")
        with pytest.raises(DuplicateError):
            await store.documents.save_many([first, document("second", id=first.id)])
        assert await store.documents.count() == 0

    async def test_save_many_with_a_stale_version_changes_nothing(self, store: StorePort) -> None:
        saved = await stored_document(store, "v1")
        await store.documents.save(saved.model_copy(update={"title": "v2"}))
        with pytest.raises(ConcurrencyError):
            await store.documents.save_many([document("new"), saved])
        assert await store.documents.count() == 1

    async def test_count_counts_every_document(self, store: StorePort) -> None:
        assert await store.documents.count() == 0
        await store.documents.save_many([document("a"), document("b")])
        assert await store.documents.count() == 2

    async def test_count_and_list_by_workspace_id(self, store: StorePort) -> None:
        first = await stored_workspace(store, "first")
        second = await stored_workspace(store, "second")
        await store.documents.save_many(
            [
                document("in first", workspace_id=first.id, created_at=at(1)),
                document("also in first", workspace_id=first.id, created_at=at(2)),
                document("in second", workspace_id=second.id),
                document("in none"),
            ]
        )
        assert await store.documents.count(workspace_id=first.id) == 2
        listed = await store.documents.list(workspace_id=first.id)
        assert [doc.title for doc in listed] == ["in first", "also in first"]

    async def test_delete_removes_the_document_and_returns_true(self, store: StorePort) -> None:
        saved = await stored_document(store)
        assert await store.documents.delete(saved.id) is True
        assert await store.documents.get_by_id(saved.id) is None
        assert await store.documents.count() == 0

    async def test_delete_of_an_unknown_id_returns_false(self, store: StorePort) -> None:
        kept = await stored_document(store)
        assert await store.documents.delete(uid(9)) is False
        assert await store.documents.get_by_id(kept.id) == kept

    async def test_a_deleted_id_can_be_inserted_again(self, store: StorePort) -> None:
        saved = await stored_document(store, "first life")
        await store.documents.delete(saved.id)
        reborn = await store.documents.save(Document(id=saved.id, title="second", content=""))
        assert reborn.version == 1

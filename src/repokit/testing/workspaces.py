"""Contract: workspaces — owner references, save rules, listing and the delete cascade."""

from __future__ import annotations

import pytest

from repokit.domain.entities import AuditEvent, Role, Workspace
from repokit.domain.errors import ConcurrencyError, DuplicateError, NotFoundError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import at, basis, chunk, uid
from repokit.testing.stored import stored_document, stored_user, stored_workspace


class WorkspaceContract(ContractMixin):
    """``store.workspaces``: ``save``, ``get_by_id``, ``list``, ``delete`` and its cascade."""

    async def test_save_inserts_a_workspace_with_version_1(self, store: StorePort) -> None:
        owner = await stored_user(store)
        saved = await store.workspaces.save(Workspace(name="Team", owner_id=owner.id))
        assert (saved.name, saved.owner_id, saved.version) == ("Team", owner.id, 1)
        assert await store.workspaces.get_by_id(saved.id) == saved

    async def test_get_workspace_by_an_unknown_id_returns_none(self, store: StorePort) -> None:
        assert await store.workspaces.get_by_id(uid(8)) is None

    async def test_a_missing_owner_raises_not_found_error(self, store: StorePort) -> None:
        with pytest.raises(NotFoundError):
            await store.workspaces.save(Workspace(name="orphan", owner_id=uid(1)))
        assert await store.workspaces.list() == []

    async def test_changing_the_owner_to_a_missing_user_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        space = await stored_workspace(store)
        with pytest.raises(NotFoundError):
            await store.workspaces.save(space.model_copy(update={"owner_id": uid(1)}))
        assert await store.workspaces.get_by_id(space.id) == space

    async def test_update_increments_the_version(self, store: StorePort) -> None:
        space = await stored_workspace(store, "old")
        renamed = await store.workspaces.save(space.model_copy(update={"name": "new"}))
        assert (renamed.name, renamed.version) == ("new", 2)

    async def test_save_of_a_new_workspace_with_a_stored_id_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        space = await stored_workspace(store)
        with pytest.raises(DuplicateError):
            await store.workspaces.save(Workspace(id=space.id, name="x", owner_id=space.owner_id))
        assert await store.workspaces.get_by_id(space.id) == space

    async def test_workspace_save_with_a_stale_version_raises_concurrency_error(
        self, store: StorePort
    ) -> None:
        space = await stored_workspace(store, "v1")
        current = await store.workspaces.save(space.model_copy(update={"name": "v2"}))
        with pytest.raises(ConcurrencyError):
            await store.workspaces.save(space.model_copy(update={"name": "lost"}))
        assert await store.workspaces.get_by_id(space.id) == current

    async def test_update_of_an_unknown_workspace_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        owner = await stored_user(store)
        with pytest.raises(NotFoundError):
            await store.workspaces.save(Workspace(name="ghost", owner_id=owner.id, version=2))

    async def test_workspaces_list_orders_by_created_at_then_id(self, store: StorePort) -> None:
        owner = await stored_user(store)
        for name, number, seconds in [("c", 3, 5), ("b", 2, 1), ("a", 1, 1), ("z", 9, 0)]:
            await stored_workspace(store, name, owner, id=uid(number), created_at=at(seconds))
        assert [w.name for w in await store.workspaces.list()] == ["z", "a", "b", "c"]
        assert [w.name for w in await store.workspaces.list(1, 2)] == ["a", "b"]

    async def test_list_by_owner(self, store: StorePort) -> None:
        ann = await stored_user(store, "ann")
        bob = await stored_user(store, "bob")
        await stored_workspace(store, "ann 1", ann, created_at=at(1))
        await stored_workspace(store, "bob 1", bob, created_at=at(2))
        await stored_workspace(store, "ann 2", ann, created_at=at(3))
        assert [w.name for w in await store.workspaces.list(owner_id=ann.id)] == ["ann 1", "ann 2"]
        assert await store.workspaces.list(owner_id=uid(5)) == []

    async def test_delete_of_an_unknown_workspace_returns_false(self, store: StorePort) -> None:
        assert await store.workspaces.delete(uid(2)) is False

    async def test_delete_cascades_to_acl_documents_and_chunks(self, store: StorePort) -> None:
        owner = await stored_user(store, "owner")
        member = await stored_user(store, "member")
        doomed = await stored_workspace(store, "doomed", owner)
        kept = await stored_workspace(store, "kept", owner)
        dim = store.embedding_dim
        for space in (doomed, kept):
            await store.acl.grant(space.id, member.id, Role.VIEWER)
            doc = await stored_document(store, space.name, workspace_id=space.id)
            await store.documents.add_chunks(doc.id, [chunk(doc, 0, basis(dim, 0))])
        doomed_doc = (await store.documents.list(workspace_id=doomed.id))[0]

        assert await store.workspaces.delete(doomed.id) is True

        assert await store.workspaces.get_by_id(doomed.id) is None
        assert await store.acl.role_of(doomed.id, member.id) is None
        assert [e.workspace_id for e in await store.acl.workspaces_of(member.id)] == [kept.id]
        assert await store.documents.get_by_id(doomed_doc.id) is None
        assert await store.documents.get_chunks(doomed_doc.id) == []
        assert [d.title for d in await store.documents.list()] == ["kept"]
        hits = await store.documents.search_similar(basis(dim, 0), k=10)
        assert [hit.chunk.content for hit in hits] == ["kept#0"]
        assert await store.users.get_by_id(member.id) is not None

    async def test_delete_keeps_audit_events(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        await store.audit.append(
            AuditEvent(action="created", entity_type="workspace", entity_id=str(space.id))
        )
        await store.workspaces.delete(space.id)
        events = (await store.audit.page(entity_id=str(space.id))).items
        assert [e.action for e in events] == ["created"]

"""Contract: the application's use cases on this store, and their atomicity.

Each use case writes several things (a document, its chunks and an audit event;
an ACL entry and an audit event). A failure injected after each of those writes
(:class:`~repokit.testing.faults.FailingStore`) must leave nothing of the use
case behind: on a store with transactions the unit of work rolls it all back;
without them the use case undoes its own earlier writes (an audit line, being
append-only, may then outlive it).
"""

from __future__ import annotations

from typing import cast

import pytest

from repokit.application.hashing import HashingEmbedder
from repokit.application.ingestion import ingest_document
from repokit.application.results import stable_document_id
from repokit.application.retrieval import search
from repokit.application.users import register_user
from repokit.application.workspaces import create_workspace, share_workspace
from repokit.domain.entities import Role, User, Workspace
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.faults import FailingStore, InjectedFailure

TEXT = "Vector search finds chunks by meaning. Keyset pages list documents in a stable order."
INGEST_STEPS = ("documents.save", "documents.add_chunks", "audit.append")
"""The writes of ``ingest_document``, in order."""
SHARE_STEPS = ("acl.grant", "audit.append")
"""The writes of ``share_workspace``, in order."""
CREATE_WRITES = 3
"""``create_workspace`` writes the workspace, the owner's ACL entry, then its audit event."""
REGISTER_WRITES = 2
"""``register_user`` writes the user, then its audit event."""


def failing(store: StorePort, fail_after: int | None) -> tuple[StorePort, FailingStore]:
    """``store`` wrapped to fail after its ``fail_after``-th write, typed as the port."""
    wrapped = FailingStore(store, fail_after)
    return cast(StorePort, wrapped), wrapped


async def owner_and_workspace(store: StorePort) -> tuple[User, Workspace]:
    """A registered user and the workspace they own."""
    owner = await register_user(store, email="owner@example.com", display_name="Owner")
    workspace = await create_workspace(store, owner_id=owner.id, name="Research")
    return owner, workspace


async def audit_actions(store: StorePort, entity_type: str) -> list[str]:
    """The actions of the audit events about ``entity_type``, oldest first."""
    page = await store.audit.page(100, entity_type=entity_type)
    return [event.action for event in page.items]


class UseCaseContract(ContractMixin):
    """Ingest, share, register and search on this store; atomic when steps fail."""

    async def test_ingest_stores_the_document_its_chunks_and_an_audit_event(
        self, store: StorePort
    ) -> None:
        owner, workspace = await owner_and_workspace(store)
        result = await ingest_document(
            store,
            HashingEmbedder(store.embedding_dim),
            actor_id=owner.id,
            workspace_id=workspace.id,
            title="Notes",
            content=TEXT,
            max_chars=40,
            overlap=0,
        )
        chunks = await store.documents.get_chunks(result.document.id)
        assert result.created
        assert result.chunks_written == len(chunks) > 1
        assert await audit_actions(store, "document") == ["document.ingested"]

    async def test_search_finds_ingested_text_only_in_readable_workspaces(
        self, store: StorePort
    ) -> None:
        owner, workspace = await owner_and_workspace(store)
        stranger = await register_user(store, email="x@example.com", display_name="X")
        embedder = HashingEmbedder(store.embedding_dim)
        await ingest_document(
            store, embedder, actor_id=owner.id, workspace_id=workspace.id, title="N", content=TEXT
        )
        hits = await search(store, embedder, user_id=owner.id, query="vector search meaning")
        assert [hit.document.title for hit in hits] == ["N"]
        assert await search(store, embedder, user_id=stranger.id, query="vector search") == []

    async def test_share_grants_the_role_and_audits_it(self, store: StorePort) -> None:
        owner, workspace = await owner_and_workspace(store)
        guest = await register_user(store, email="guest@example.com", display_name="Guest")
        await share_workspace(
            store, actor_id=owner.id, workspace_id=workspace.id, user_id=guest.id, role=Role.EDITOR
        )
        assert await store.acl.role_of(workspace.id, guest.id) is Role.EDITOR
        assert await audit_actions(store, "workspace") == ["workspace.created", "workspace.shared"]

    @pytest.mark.parametrize("fail_after", range(1, len(INGEST_STEPS) + 1))
    async def test_a_failed_ingest_leaves_nothing_behind(
        self, store: StorePort, fail_after: int
    ) -> None:
        owner, workspace = await owner_and_workspace(store)
        document_id = stable_document_id(workspace.id, "notes")
        broken, wrapped = failing(store, fail_after)
        with pytest.raises(InjectedFailure):
            await ingest_document(
                broken,
                HashingEmbedder(store.embedding_dim),
                actor_id=owner.id,
                workspace_id=workspace.id,
                title="Notes",
                content=TEXT,
                document_id=document_id,
                max_chars=40,
                overlap=0,
            )
        assert wrapped.counter.writes[:fail_after] == list(INGEST_STEPS[:fail_after])
        assert await store.documents.get_by_id(document_id) is None
        assert await store.documents.get_chunks(document_id) == []
        assert await store.documents.count() == 0
        if store.capabilities.transactions:
            assert await audit_actions(store, "document") == []

    @pytest.mark.parametrize("fail_after", range(1, len(SHARE_STEPS) + 1))
    async def test_a_failed_share_leaves_the_acl_as_it_was(
        self, store: StorePort, fail_after: int
    ) -> None:
        owner, workspace = await owner_and_workspace(store)
        guest = await register_user(store, email="guest@example.com", display_name="Guest")
        await share_workspace(
            store, actor_id=owner.id, workspace_id=workspace.id, user_id=guest.id, role=Role.VIEWER
        )
        broken, wrapped = failing(store, fail_after)
        with pytest.raises(InjectedFailure):
            await share_workspace(
                broken,
                actor_id=owner.id,
                workspace_id=workspace.id,
                user_id=guest.id,
                role=Role.EDITOR,
            )
        assert wrapped.counter.writes[:fail_after] == list(SHARE_STEPS[:fail_after])
        assert await store.acl.role_of(workspace.id, guest.id) is Role.VIEWER
        if store.capabilities.transactions:
            assert await audit_actions(store, "workspace") == [
                "workspace.created",
                "workspace.shared",
            ]

    @pytest.mark.parametrize("fail_after", range(1, CREATE_WRITES + 1))
    async def test_a_failed_workspace_creation_leaves_nothing_behind(
        self, store: StorePort, fail_after: int
    ) -> None:
        owner = await register_user(store, email="owner@example.com", display_name="Owner")
        broken, _ = failing(store, fail_after)
        with pytest.raises(InjectedFailure):
            await create_workspace(broken, owner_id=owner.id, name="Research")
        assert await store.workspaces.list() == []
        assert await store.acl.workspaces_of(owner.id) == []
        if store.capabilities.transactions:
            assert await audit_actions(store, "workspace") == []

    @pytest.mark.parametrize("fail_after", range(1, REGISTER_WRITES + 1))
    async def test_a_failed_registration_leaves_nothing_behind(
        self, store: StorePort, fail_after: int
    ) -> None:
        broken, _ = failing(store, fail_after)
        with pytest.raises(InjectedFailure):
            await register_user(broken, email="ann@example.com", display_name="Ann")
        assert await store.users.find_by_email("ann@example.com") is None
        if store.capabilities.transactions:
            assert await audit_actions(store, "user") == []

"""Use cases: ingest, search and delete documents, under the workspace ACL."""

from __future__ import annotations

import pytest

from repokit.application import (
    HashingEmbedder,
    create_workspace,
    delete_document,
    ingest_document,
    search,
    share_workspace,
    stable_document_id,
)
from repokit.domain.entities import Role, User, Workspace
from repokit.domain.errors import (
    DuplicateError,
    InvalidQueryError,
    PermissionDeniedError,
)
from repokit.domain.ports import StorePort

LONG_TEXT = " ".join(f"Sentence {i} is about vector search in PostgreSQL." for i in range(40))


async def grant(
    store: StorePort, owner: User, workspace: Workspace, user: User, role: Role
) -> None:
    await share_workspace(
        store, actor_id=owner.id, workspace_id=workspace.id, user_id=user.id, role=role
    )


async def test_editor_ingests_document_chunks_and_audit(
    store: StorePort, embedder: HashingEmbedder, alice: User, bob: User, workspace: Workspace
) -> None:
    await grant(store, alice, workspace, bob, Role.EDITOR)
    result = await ingest_document(
        store,
        embedder,
        actor_id=bob.id,
        workspace_id=workspace.id,
        title="Vectors",
        content=LONG_TEXT,
        metadata={"lang": "en"},
        max_chars=300,
        overlap=50,
    )
    assert result.created
    chunks = await store.documents.get_chunks(result.document.id)
    assert result.chunks_written == len(chunks) > 1
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    assert all(len(chunk.embedding) == store.embedding_dim for chunk in chunks)
    assert result.document.metadata == {"lang": "en"}
    events = (await store.audit.page(10, entity_type="document")).items
    assert [(e.action, e.actor_id, e.payload["chunks"]) for e in events] == [
        ("document.ingested", bob.id, len(chunks))
    ]


@pytest.mark.parametrize("role", [None, Role.VIEWER])
async def test_less_than_editor_cannot_ingest(
    store: StorePort,
    embedder: HashingEmbedder,
    alice: User,
    bob: User,
    workspace: Workspace,
    role: Role | None,
) -> None:
    if role is not None:
        await grant(store, alice, workspace, bob, role)
    with pytest.raises(PermissionDeniedError, match="needs at least the editor role"):
        await ingest_document(
            store,
            embedder,
            actor_id=bob.id,
            workspace_id=workspace.id,
            title="Nope",
            content="text",
        )
    assert await store.documents.count() == 0


async def test_ingest_with_a_known_id_is_idempotent(
    store: StorePort, embedder: HashingEmbedder, alice: User, workspace: Workspace
) -> None:
    document_id = stable_document_id(workspace.id, "Vectors")
    first = await ingest_document(
        store,
        embedder,
        actor_id=alice.id,
        workspace_id=workspace.id,
        title="Vectors",
        content=LONG_TEXT,
        document_id=document_id,
    )
    again = await ingest_document(
        store,
        embedder,
        actor_id=alice.id,
        workspace_id=workspace.id,
        title="Vectors",
        content=LONG_TEXT,
        document_id=document_id,
    )
    assert (first.created, again.created, again.chunks_written) == (True, False, 0)
    assert again.document == first.document
    assert await store.documents.count() == 1
    assert len((await store.audit.page(10, entity_type="document")).items) == 1


async def test_known_id_from_another_workspace_is_a_duplicate(
    store: StorePort, embedder: HashingEmbedder, alice: User, workspace: Workspace
) -> None:
    other = await create_workspace(store, owner_id=alice.id, name="Other")
    document_id = stable_document_id(workspace.id, "Vectors")
    await ingest_document(
        store,
        embedder,
        actor_id=alice.id,
        workspace_id=workspace.id,
        title="Vectors",
        content="a",
        document_id=document_id,
    )
    with pytest.raises(DuplicateError, match="another workspace"):
        await ingest_document(
            store,
            embedder,
            actor_id=alice.id,
            workspace_id=other.id,
            title="Vectors",
            content="a",
            document_id=document_id,
        )


async def test_failed_ingest_leaves_nothing_behind(
    alice: User, workspace: Workspace, store: StorePort
) -> None:
    # Without transactions the use case deletes the document it wrote (and its chunks).
    wrong_dim = HashingEmbedder(store.embedding_dim + 1)
    with pytest.raises(InvalidQueryError):
        await ingest_document(
            store,
            wrong_dim,
            actor_id=alice.id,
            workspace_id=workspace.id,
            title="Bad",
            content="some words",
        )
    assert await store.documents.count() == 0
    assert (await store.audit.page(10, entity_type="document")).items == []


async def test_search_sees_only_readable_workspaces(
    store: StorePort, embedder: HashingEmbedder, alice: User, bob: User, workspace: Workspace
) -> None:
    private = await create_workspace(store, owner_id=alice.id, name="Private")
    for target, title in [(workspace, "Shared vectors"), (private, "Private vectors")]:
        await ingest_document(
            store,
            embedder,
            actor_id=alice.id,
            workspace_id=target.id,
            title=title,
            content="vector search with pgvector",
        )
    assert await search(store, embedder, user_id=bob.id, query="vector search") == []
    await grant(store, alice, workspace, bob, Role.VIEWER)
    hits = await search(store, embedder, user_id=bob.id, query="vector search", k=10)
    assert [hit.document.title for hit in hits] == ["Shared vectors"]
    owner_hits = await search(store, embedder, user_id=alice.id, query="vector search", k=10)
    assert {hit.document.title for hit in owner_hits} == {"Shared vectors", "Private vectors"}


async def test_search_ranks_the_closest_text_first(
    store: StorePort, embedder: HashingEmbedder, alice: User, workspace: Workspace
) -> None:
    texts = {
        "Dough": "Yeast makes bread dough rise by releasing carbon dioxide.",
        "Stars": "A red giant star swells when its core runs out of hydrogen.",
        "Index": "An HNSW index finds the nearest vectors quickly.",
    }
    for title, content in texts.items():
        await ingest_document(
            store,
            embedder,
            actor_id=alice.id,
            workspace_id=workspace.id,
            title=title,
            content=content,
        )
    hits = await search(store, embedder, user_id=alice.id, query="why does bread dough rise", k=3)
    assert hits[0].document.title == "Dough"
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


async def test_search_filters_documents(
    store: StorePort, embedder: HashingEmbedder, alice: User, workspace: Workspace
) -> None:
    for lang in ("en", "fr"):
        await ingest_document(
            store,
            embedder,
            actor_id=alice.id,
            workspace_id=workspace.id,
            title=lang,
            content="vector search",
            metadata={"lang": lang},
        )
    hits = await search(
        store, embedder, user_id=alice.id, query="vector search", k=5, where={"metadata.lang": "fr"}
    )
    assert [hit.document.title for hit in hits] == ["fr"]


async def test_search_in_an_unreadable_workspace_is_denied(
    store: StorePort, embedder: HashingEmbedder, bob: User, workspace: Workspace
) -> None:
    with pytest.raises(PermissionDeniedError, match="needs at least the viewer role"):
        await search(store, embedder, user_id=bob.id, query="x", workspace_id=workspace.id)


async def test_search_without_words_is_invalid(
    store: StorePort, embedder: HashingEmbedder, alice: User, workspace: Workspace
) -> None:
    with pytest.raises(InvalidQueryError, match="no words"):
        await search(store, embedder, user_id=alice.id, query="the ... of")


async def test_editor_deletes_and_viewer_cannot(
    store: StorePort, embedder: HashingEmbedder, alice: User, bob: User, workspace: Workspace
) -> None:
    result = await ingest_document(
        store, embedder, actor_id=alice.id, workspace_id=workspace.id, title="T", content="words"
    )
    await grant(store, alice, workspace, bob, Role.VIEWER)
    with pytest.raises(PermissionDeniedError, match="to delete documents"):
        await delete_document(store, actor_id=bob.id, document_id=result.document.id)
    assert await store.documents.get_by_id(result.document.id) is not None
    await grant(store, alice, workspace, bob, Role.EDITOR)
    assert await delete_document(store, actor_id=bob.id, document_id=result.document.id)
    assert await store.documents.get_by_id(result.document.id) is None
    assert await store.documents.get_chunks(result.document.id) == []
    events = (await store.audit.page(10, entity_type="document")).items
    assert [event.action for event in events] == ["document.ingested", "document.deleted"]


async def test_deleting_a_missing_document_returns_false(store: StorePort, alice: User) -> None:
    assert not await delete_document(
        store, actor_id=alice.id, document_id=stable_document_id(alice.id, "none")
    )

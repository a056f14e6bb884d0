"""Seeding the demo corpus through the use cases, idempotently.

Every id is derived from a name (UUIDv5), so a second run finds what the first
one stored and writes nothing: the corpus is never duplicated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from repokit.application import (
    EmbedderPort,
    create_workspace,
    ingest_document,
    register_user,
    stable_document_id,
)
from repokit.demo.corpus import DemoCorpus
from repokit.domain.entities import User, Workspace
from repokit.domain.errors import DuplicateError
from repokit.domain.ports import StorePort

DEMO_EMAIL = "demo@repokit.dev"
_NAMESPACE = uuid5(NAMESPACE_URL, "https://repokit.dev/ns/demo")


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What seeding did: the demo user, its workspaces by name, and what was new."""

    user: User
    workspaces: dict[str, Workspace]
    created: int
    skipped: int


async def ensure_demo_user(store: StorePort) -> User:
    """The demo user, registered on first use."""
    existing = await store.users.find_by_email(DEMO_EMAIL)
    if existing is not None:
        return existing
    try:
        return await register_user(
            store,
            email=DEMO_EMAIL,
            display_name="Demo User",
            user_id=uuid5(_NAMESPACE, "user/demo"),
        )
    except DuplicateError:
        # Another demo run registered it between our read and our write.
        found = await store.users.find_by_email(DEMO_EMAIL)
        if found is None:
            raise
        return found


async def ensure_workspace(store: StorePort, owner: User, name: str) -> Workspace:
    """The demo workspace called ``name``, created (owned by ``owner``) on first use."""
    workspace_id = uuid5(_NAMESPACE, f"workspace/{name}")
    existing = await store.workspaces.get_by_id(workspace_id)
    if existing is not None:
        return existing
    try:
        return await create_workspace(
            store, owner_id=owner.id, name=name, workspace_id=workspace_id
        )
    except DuplicateError:
        found = await store.workspaces.get_by_id(workspace_id)
        if found is None:
            raise
        return found


async def seed_corpus(
    store: StorePort,
    embedder: EmbedderPort,
    corpus: DemoCorpus,
    on_document: Callable[[str, bool], None] | None = None,
) -> SeedReport:
    """Store every corpus text not stored yet; ``on_document(title, created)`` after each."""
    user = await ensure_demo_user(store)
    workspaces: dict[str, Workspace] = {}
    created = skipped = 0
    for topic in corpus.workspaces:
        workspace = await ensure_workspace(store, user, topic.name)
        workspaces[topic.name] = workspace
        for item in topic.documents:
            result = await ingest_document(
                store,
                embedder,
                actor_id=user.id,
                workspace_id=workspace.id,
                title=item.title,
                content=item.content,
                metadata={"topic": topic.name, "tags": list(item.tags)},
                document_id=stable_document_id(workspace.id, item.title),
                max_chars=400,
                overlap=80,
            )
            created += result.created
            skipped += not result.created
            if on_document is not None:
                on_document(item.title, result.created)
    return SeedReport(user, workspaces, created, skipped)


def workspace_names(report: SeedReport) -> dict[UUID, str]:
    """Workspace names by id, for showing hits."""
    return {workspace.id: name for name, workspace in report.workspaces.items()}


__all__ = ["DEMO_EMAIL", "SeedReport", "ensure_demo_user", "ensure_workspace", "seed_corpus"]

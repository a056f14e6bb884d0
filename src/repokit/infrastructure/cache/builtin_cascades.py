"""The built-ins' cascades beyond ``Ref``: what the backend's own tables drop with them.

A workspace's delete removes its documents and its members' ACL entries, a
user's delete their ACL entries; those tables are not declared entities, so the
generic ``Ref`` walk (:mod:`.removals`) cannot see them. These hooks name the
cached keys they make stale, read in the same unit as the delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from repokit.domain.entities import User, Workspace
from repokit.domain.entity import Entity
from repokit.domain.ports import RepositoriesPort
from repokit.infrastructure.cache.keys import CacheKey, CacheKeys
from repokit.infrastructure.cache.removals import CASCADE_PAGE, CascadeHook


async def workspace_cascade(
    repositories: RepositoriesPort, keys_of: CacheKeys, workspace_id: UUID
) -> list[CacheKey]:
    """The cached keys a workspace's delete makes stale: its documents, its members' roles."""
    members = await repositories.acl.members(workspace_id)
    keys = [keys_of.role(workspace_id, entry.user_id) for entry in members]
    cursor: str | None = None
    while True:
        page = await repositories.documents.page(CASCADE_PAGE, cursor, workspace_id=workspace_id)
        keys.extend(keys_of.document(document.id) for document in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return keys


async def user_cascade(
    repositories: RepositoriesPort, keys_of: CacheKeys, user_id: UUID
) -> list[CacheKey]:
    """The cached keys a user's delete makes stale: their roles."""
    entries = await repositories.acl.workspaces_of(user_id)
    return [keys_of.role(entry.workspace_id, user_id) for entry in entries]


BUILTIN_CASCADES: Mapping[type[Entity], CascadeHook] = {
    User: user_cascade,
    Workspace: workspace_cascade,
}
"""The hooks of the built-in entities, by class."""


__all__ = ["BUILTIN_CASCADES", "user_cascade", "workspace_cascade"]

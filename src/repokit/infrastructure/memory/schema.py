"""The in-memory schema: tables, foreign keys and unique constraints, declared once.

Row operations (:mod:`.rows`) read these declarations to check references on
write and to cascade or restrict deletes, and a commit that merges with a
concurrent one re-checks the whole state against them. A user-defined entity
later gets its own :class:`Table` and the same machinery.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic
from uuid import UUID

from repokit.domain.entities import (
    AclEntry,
    AuditEvent,
    ChatMessage,
    Chunk,
    Document,
    User,
    Workspace,
)
from repokit.infrastructure.memory.state import K, MemoryState, R, Table

DOCUMENTS: Table[UUID, Document] = Table("documents", "document")
CHUNKS: Table[UUID, tuple[Chunk, ...]] = Table("chunks", "chunks of document")
"""Chunks by document id, each tuple in ordinal order: the document's chunk list."""
USERS: Table[UUID, User] = Table("users", "user")
WORKSPACES: Table[UUID, Workspace] = Table("workspaces", "workspace")
ACL: Table[tuple[UUID, UUID], AclEntry] = Table("acl", "ACL entry")
"""ACL entries keyed by ``(workspace_id, user_id)``."""
AUDIT: Table[UUID, AuditEvent] = Table("audit", "audit event")
CHATS: Table[UUID, ChatMessage] = Table("chats", "chat message")


class OnDelete(enum.Enum):
    """What deleting a parent row does to the rows that reference it."""

    CASCADE = "cascade"
    RESTRICT = "restrict"


@dataclass(frozen=True, slots=True)
class ForeignKey(Generic[K, R]):
    """Rows of ``child`` reference a row of ``parent`` (or nothing, when None)."""

    child: Table[K, R]
    reference: Callable[[K, R], UUID | None]
    parent: Table[UUID, Any]
    on_delete: OnDelete


@dataclass(frozen=True, slots=True)
class Unique(Generic[K, R]):
    """No value returned by ``values`` may appear twice in ``table``."""

    table: Table[K, R]
    values: Callable[[R], Iterable[Hashable]]
    what: str


FOREIGN_KEYS: tuple[ForeignKey[Any, Any], ...] = (
    ForeignKey(DOCUMENTS, lambda _id, doc: doc.workspace_id, WORKSPACES, OnDelete.CASCADE),
    ForeignKey(CHUNKS, lambda document_id, _chunks: document_id, DOCUMENTS, OnDelete.CASCADE),
    ForeignKey(WORKSPACES, lambda _id, ws: ws.owner_id, USERS, OnDelete.RESTRICT),
    ForeignKey(ACL, lambda key, _entry: key[0], WORKSPACES, OnDelete.CASCADE),
    ForeignKey(ACL, lambda key, _entry: key[1], USERS, OnDelete.CASCADE),
)

UNIQUE: tuple[Unique[Any, Any], ...] = (
    Unique(USERS, lambda user: (user.email,), "email"),
    Unique(CHUNKS, lambda chunks: [chunk.id for chunk in chunks], "chunk id"),
    Unique(
        CHUNKS,
        lambda chunks: [(chunk.document_id, chunk.ordinal) for chunk in chunks],
        "chunk (document_id, ordinal)",
    ),
)


def find_violation(state: MemoryState) -> str | None:
    """Describe the first constraint ``state`` breaks, or None when it keeps them all.

    Only a commit that merges with a concurrent commit needs this: every single
    write already checks its own rows.
    """
    for fk in FOREIGN_KEYS:
        parents = state.rows(fk.parent)
        for key, row in state.rows(fk.child).items():
            parent = fk.reference(key, row)
            if parent is not None and parent not in parents:
                return f"{fk.child.entity} {key} references a missing {fk.parent.entity} {parent}"
    for unique in UNIQUE:
        counts = Counter(v for row in state.rows(unique.table).values() for v in unique.values(row))
        repeated = [value for value, count in counts.items() if count > 1]
        if repeated:
            return f"{unique.what} {repeated[0]} is used twice"
    return None

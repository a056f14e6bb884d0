"""Collections and the named indexes ``store.migrate()`` creates (idempotently).

Every listing the ports offer has an index whose keys are its filter fields
followed by its sort order, so keyset pages and ordered listings are index
scans. Unique indexes carry the save rules: a repeated ``_id`` or email, or a
repeated chunk ordinal, is refused by the server, not by a read-then-write race.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASCENDING = 1


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """One secondary index of one collection.

    Attributes:
        collection: the collection.
        name: the index's name (what ``explain`` and duplicate key errors show).
        keys: the indexed paths, ascending.
        unique: a unique index.
        partial: when not None, the index holds only the documents whose first key is at
            least this value (the least of its type, so every value but null): a unique
            optional field, of which several entities may leave null, as in SQL.
    """

    collection: str
    name: str
    keys: tuple[str, ...]
    unique: bool = False
    partial: Any = None

    def options(self) -> dict[str, Any]:
        """``create_index``'s options for this index."""
        options: dict[str, Any] = {"name": self.name, "unique": self.unique}
        if self.partial is not None:
            # $gte the least value rather than $type: an equality query on the field
            # implies a bound of its own type, so MongoDB chooses the index for it.
            options["partialFilterExpression"] = {self.keys[0]: {"$gte": self.partial}}
        return options


INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("users", "uq_users_email", ("email",), unique=True),
    IndexSpec("users", "ix_users_created", ("created_at", "_id")),
    IndexSpec("workspaces", "ix_workspaces_created", ("created_at", "_id")),
    IndexSpec("workspaces", "ix_workspaces_owner", ("owner_id", "created_at", "_id")),
    IndexSpec(
        "workspace_acl", "ix_workspace_acl_workspace", ("workspace_id", "granted_at", "user_id")
    ),
    IndexSpec("workspace_acl", "ix_workspace_acl_user", ("user_id", "granted_at", "workspace_id")),
    IndexSpec("documents", "ix_documents_created", ("created_at", "_id")),
    IndexSpec("documents", "ix_documents_workspace", ("workspace_id", "created_at", "_id")),
    IndexSpec("chunks", "uq_chunks_document_ordinal", ("document_id", "ordinal"), unique=True),
    IndexSpec("audit_events", "ix_audit_events_occurred", ("occurred_at", "_id")),
    IndexSpec(
        "audit_events", "ix_audit_events_entity", ("entity_type", "entity_id", "occurred_at", "_id")
    ),
    IndexSpec("audit_events", "ix_audit_events_actor", ("actor_id", "occurred_at", "_id")),
    IndexSpec("chat_messages", "ix_chat_messages_session", ("session_id", "created_at", "_id")),
)
"""The indexes of the schema, by the names ``explain`` and error messages show."""

META_COLLECTION = "repokit_meta"
"""Holds one document, ``{"_id": "schema", "embedding_dim": n}``."""

VECTOR_INDEX = "repokit_chunks_embedding"
"""The Atlas Vector Search index on ``chunks.embedding`` (cosine), where the server has one."""

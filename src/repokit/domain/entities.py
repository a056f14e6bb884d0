"""The entities repokit stores, as pydantic v2 models.

Every entity carries an ``id`` (UUIDv7 by default) and, where it can be updated,
a ``version``: the optimistic-locking counter, 0 meaning "never stored".
Timestamps are aware UTC with millisecond precision (see :mod:`repokit.domain.clock`).

``User`` and ``Workspace`` are declared entities (:class:`repokit.Entity`), stored
by the same generic repositories as a service's own entities; their ports add
their special rules. Documents, chunks, ACL entries, audit events and chat
messages have their own repositories: chunks and search, a composite key, and
append-only logs without a version do not fit the declared-entity shape.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, field_validator

from repokit.domain.clock import normalize_timestamp, utc_now
from repokit.domain.entity import Entity, StoredModel, VersionedModel
from repokit.domain.json_values import INT64_LIMIT, check_json
from repokit.domain.markers import Immutable, Indexed, Ref, Unique

Timestamp = Annotated[datetime, AfterValidator(normalize_timestamp)]
"""An aware UTC datetime truncated to milliseconds; naive input is taken as UTC."""


def _portable_metadata(value: dict[str, JsonValue]) -> dict[str, JsonValue]:
    check_json(value)
    return value


Metadata = Annotated[dict[str, JsonValue], AfterValidator(_portable_metadata)]
"""Free-form JSON metadata (finite floats, 64-bit integers); filters address it as
``metadata.<dotted path>``."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def normalize_email(email: str) -> str:
    """The stored form of an email: stripped and lower-cased.

    Adapters apply it again on ``save`` because ``model_copy(update=...)`` skips
    validation, and uniqueness must hold for every stored row.
    """
    return email.strip().lower()


class Document(VersionedModel):
    """A text document, optionally inside a workspace, with JSON metadata."""

    workspace_id: UUID | None = None
    title: str
    content: str
    metadata: Metadata = Field(default_factory=dict)
    created_at: Timestamp = Field(default_factory=utc_now)
    updated_at: Timestamp = Field(default_factory=utc_now)


class Chunk(StoredModel):
    """A slice of a document with its embedding, the unit of semantic search."""

    document_id: UUID
    ordinal: int = Field(ge=0)
    content: str
    embedding: list[float]
    metadata: Metadata = Field(default_factory=dict)


class ScoredChunk(BaseModel):
    """A search hit. ``score`` is higher for more similar chunks, whatever the metric."""

    model_config = ConfigDict(frozen=True)

    chunk: Chunk
    score: float


class User(Entity, collection="users"):
    """A person; ``email`` is unique and stored lower-cased."""

    email: Annotated[str, Unique()]
    display_name: str
    created_at: Annotated[Timestamp, Immutable(), Indexed()] = Field(default_factory=utc_now)

    @field_validator("email")
    @classmethod
    def _normalize_email(cls, value: str) -> str:
        email = normalize_email(value)
        if not _EMAIL.match(email):
            raise ValueError(f"not an email address: {value!r}")
        return email


class Workspace(Entity, collection="workspaces", indexes=[("owner_id", "created_at")]):
    """A named space owned by one user and shared with others through the ACL."""

    name: str
    owner_id: Annotated[UUID, Ref(User, on_delete="restrict")]
    created_at: Annotated[Timestamp, Immutable(), Indexed()] = Field(default_factory=utc_now)


class Role(enum.StrEnum):
    """A user's role in a workspace, ordered VIEWER < EDITOR < OWNER."""

    VIEWER = "viewer"
    EDITOR = "editor"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        """Position in the order VIEWER < EDITOR < OWNER."""
        return _ROLE_RANK[self]

    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: Any) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: Any) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: Any) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank >= other.rank


_ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class AclEntry(BaseModel):
    """One user's role in one workspace."""

    model_config = ConfigDict(frozen=True)

    workspace_id: UUID
    user_id: UUID
    role: Role
    granted_at: Timestamp = Field(default_factory=utc_now)


class AuditEvent(StoredModel):
    """An append-only record of something that happened."""

    occurred_at: Timestamp = Field(default_factory=utc_now)
    actor_id: UUID | None = None
    action: str
    entity_type: str
    entity_id: str
    payload: Metadata = Field(default_factory=dict)


ChatRole = Literal["user", "assistant", "system", "tool"]


class ChatMessage(StoredModel):
    """One message of a chat session, with its token use and exact cost."""

    session_id: UUID
    role: ChatRole
    content: str
    tokens_used: int = Field(default=0, ge=0)
    model: str = ""
    cost_usd: Decimal = Decimal("0")
    created_at: Timestamp = Field(default_factory=utc_now)

    @field_validator("cost_usd")
    @classmethod
    def _finite_cost(cls, value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("cost_usd must be a finite decimal")
        return value


__all__ = [
    "INT64_LIMIT",
    "AclEntry",
    "AuditEvent",
    "ChatMessage",
    "ChatRole",
    "Chunk",
    "Document",
    "Entity",
    "Metadata",
    "Role",
    "ScoredChunk",
    "StoredModel",
    "Timestamp",
    "User",
    "VersionedModel",
    "Workspace",
    "normalize_email",
]

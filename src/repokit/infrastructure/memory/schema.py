"""The in-memory schema: tables, foreign keys and unique constraints, declared once.

Row operations (:mod:`.rows`) read these declarations to check references on
write and to cascade or restrict deletes, and a commit that merges with a
concurrent one re-checks the whole state against them. The built-in tables are
fixed; each declared entity (``store.repository(Model)``) adds its table, its
``Ref`` foreign keys and its unique constraints to the database's
:class:`MemorySchema`, from the entity's spec.
"""

from __future__ import annotations

import enum
import threading
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
from repokit.domain.entity_spec import EntitySpec, spec_of
from repokit.infrastructure.memory.state import K, MemoryState, R, Table


def entity_table(spec: EntitySpec) -> Table[UUID, Any]:
    """The table of a declared entity: its collection, rows keyed by id."""
    return Table(spec.table(), spec.noun)


DOCUMENTS: Table[UUID, Document] = Table("documents", "document")
CHUNKS: Table[UUID, tuple[Chunk, ...]] = Table("chunks", "chunks of document")
"""Chunks by document id, each tuple in ordinal order: the document's chunk list."""
USERS: Table[UUID, User] = entity_table(spec_of(User))
WORKSPACES: Table[UUID, Workspace] = entity_table(spec_of(Workspace))
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


_BUILT_IN_KEYS: tuple[ForeignKey[Any, Any], ...] = (
    ForeignKey(DOCUMENTS, lambda _id, doc: doc.workspace_id, WORKSPACES, OnDelete.CASCADE),
    ForeignKey(CHUNKS, lambda document_id, _chunks: document_id, DOCUMENTS, OnDelete.CASCADE),
    ForeignKey(ACL, lambda key, _entry: key[0], WORKSPACES, OnDelete.CASCADE),
    ForeignKey(ACL, lambda key, _entry: key[1], USERS, OnDelete.CASCADE),
)

_BUILT_IN_UNIQUE: tuple[Unique[Any, Any], ...] = (
    Unique(CHUNKS, lambda chunks: [chunk.id for chunk in chunks], "chunk id"),
    Unique(
        CHUNKS,
        lambda chunks: [(chunk.document_id, chunk.ordinal) for chunk in chunks],
        "chunk (document_id, ordinal)",
    ),
)


class MemorySchema:
    """The constraints of one in-memory database: the built-in ones and those of every
    declared entity it has stored."""

    def __init__(self) -> None:
        self.foreign_keys: list[ForeignKey[Any, Any]] = list(_BUILT_IN_KEYS)
        self.unique: list[Unique[Any, Any]] = list(_BUILT_IN_UNIQUE)
        self._entities: dict[str, Table[UUID, Any]] = {}
        self._lock = threading.RLock()
        for model in (User, Workspace):
            self.add_entity(spec_of(model))

    def add_entity(self, spec: EntitySpec) -> Table[UUID, Any]:
        """The table of ``spec``, its constraints (and its references' tables) added once."""
        with self._lock:
            known = self._entities.get(spec.table())
            if known is not None:
                return known
            table = entity_table(spec)
            keys = [
                ForeignKey(
                    table,
                    _field_reader(ref.field),
                    self.add_entity(ref.target_spec),
                    OnDelete(ref.on_delete),
                )
                for ref in spec.refs
            ]
            unique = [
                Unique(table, _unique_values(group), group[0] if len(group) == 1 else str(group))
                for group in spec.unique
            ]
            # New lists, not appends: transactions in other threads may be iterating the old.
            self.foreign_keys = [*self.foreign_keys, *keys]
            self.unique = [*self.unique, *unique]
            self._entities[spec.table()] = table
            return table

    def find_violation(self, state: MemoryState) -> str | None:
        """Describe the first constraint ``state`` breaks, or None when it keeps them all.

        Only a commit that merges with a concurrent commit needs this: every single
        write already checks its own rows.
        """
        for fk in self.foreign_keys:
            parents = state.rows(fk.parent)
            for key, row in state.rows(fk.child).items():
                parent = fk.reference(key, row)
                if parent is not None and parent not in parents:
                    return (
                        f"{fk.child.entity} {key} references a missing {fk.parent.entity} {parent}"
                    )
        for unique in self.unique:
            counts = Counter(
                v for row in state.rows(unique.table).values() for v in unique.values(row)
            )
            repeated = [value for value, count in counts.items() if count > 1]
            if repeated:
                return f"{unique.what} {repeated[0]} is used twice"
        return None


def _field_reader(name: str) -> Callable[[UUID, Any], UUID | None]:
    def reference(_key: UUID, row: Any) -> UUID | None:
        value: UUID | None = row.__dict__[name]
        return value

    return reference


def _unique_values(group: tuple[str, ...]) -> Callable[[Any], Iterable[Hashable]]:
    """The row's value of a unique group; none when a member is null (nulls never clash)."""
    if len(group) == 1:
        (name,) = group

        def single(row: Any) -> Iterable[Hashable]:
            value = row.__dict__[name]
            return () if value is None else (value,)

        return single

    def compound(row: Any) -> Iterable[Hashable]:
        values = tuple(row.__dict__[name] for name in group)
        return () if None in values else (values,)

    return compound

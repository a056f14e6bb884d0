"""Every collection the adapter writes, described once: codec, save rules, references.

A :class:`Table` is what the generic save rules (:mod:`.records`) and the delete
cascades (:mod:`.cascade`) need of a collection; :func:`table_of` derives it for
a declared entity from its spec, and the built-in collections are declared here.
:func:`child_links` lists what refers to a collection: every declared entity's
``Ref`` to it and the built-in references (documents and ACL entries to their
workspace, ACL entries to their user, chunks to their document).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from repokit.domain.entities import Document, User, Workspace
from repokit.domain.entity import declared_entities
from repokit.domain.entity_spec import EntitySpec, spec_of
from repokit.infrastructure.firestore import codec as codecs
from repokit.infrastructure.firestore.codec import ModelCodec, entity_codec

M = TypeVar("M", bound=BaseModel)

GUARDS = "repokit_unique"
"""The collection of guard documents: one per stored value of a unique field (group)."""
CHUNKS = "chunks"
"""The subcollection of a document holding its chunks."""


@dataclass(frozen=True, slots=True)
class RefRule:
    """Field ``field`` holds the id of a document of collection ``target``."""

    field: str
    target: str
    noun: str


CONTENT_PARTS = "content"
"""The subcollection holding the rest of a document's text when it is too long for one
Firestore document (1 MiB); ``content_parts`` in the document says how many parts."""
PART_CHARS = 200_000
"""Characters per part: at most 800,000 bytes of UTF-8, under Firestore's 1 MiB."""


def split_content(ref: Any, data: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    """A document's text past :data:`PART_CHARS`, moved out of ``data`` into parts:
    ``(reference, fields)`` of each part document to write."""
    content = data.get("content")
    if not isinstance(content, str) or len(content) <= PART_CHARS:
        data["content_parts"] = 0
        return []
    pieces = [content[i : i + PART_CHARS] for i in range(0, len(content), PART_CHARS)]
    data["content"] = pieces[0]
    data["content_parts"] = len(pieces) - 1
    parts = ref.collection(CONTENT_PARTS)
    return [(parts.document(f"{n:06d}"), {"text": piece}) for n, piece in enumerate(pieces[1:], 1)]


@dataclass(frozen=True)
class Table(Generic[M]):
    """A collection and the rules of what it stores (``split``: documents' long text)."""

    name: str
    noun: str
    codec: ModelCodec[M]
    kept_on_update: tuple[str, ...] = ()
    stamps_updated_at: bool = False
    unique: tuple[tuple[str, ...], ...] = ()
    refs: tuple[RefRule, ...] = ()
    split: bool = False

    def guard_id(self, group: tuple[str, ...], stored: dict[str, Any]) -> str | None:
        """The guard document id of ``group``'s values in ``stored`` (None if one is null)."""
        values = [stored.get(name) for name in group]
        if any(value is None for value in values):
            return None
        text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
        digest = hashlib.sha256(text.encode()).hexdigest()
        return f"{self.name}.{'+'.join(group)}.{digest}"


@dataclass(frozen=True, slots=True)
class ChildLink:
    """Documents of ``child`` whose ``field`` holds a parent's id (``sub``: the parent's
    subcollection ``child``, all of whose documents go with it)."""

    child: str
    field: str
    on_delete: Literal["cascade", "restrict"]
    noun: str
    sub: bool = False


def table_of(spec: EntitySpec) -> Table[Any]:
    """The table of a declared entity."""
    return _entity_tables.get(spec)


class _EntityTables:
    def __init__(self) -> None:
        self._made: dict[type[Any], Table[Any]] = {}
        self._lock = threading.Lock()

    def get(self, spec: EntitySpec) -> Table[Any]:
        table = self._made.get(spec.model)
        if table is None:
            table = Table(
                spec.table(),
                spec.noun,
                entity_codec(spec),
                kept_on_update=spec.immutable,
                unique=spec.unique,
                refs=tuple(
                    RefRule(ref.field, ref.target_spec.table(), ref.target_spec.noun)
                    for ref in spec.refs
                ),
            )
            with self._lock:
                self._made[spec.model] = table
        return table


_entity_tables = _EntityTables()

DOCUMENTS: Table[Document] = Table(
    "documents",
    "document",
    codecs.DOCUMENTS,
    kept_on_update=("created_at",),
    stamps_updated_at=True,
    refs=(RefRule("workspace_id", "workspaces", "workspace"),),
    split=True,
)
ACL_COLLECTION = "workspace_acl"
AUDIT_COLLECTION = "audit_events"
CHATS_COLLECTION = "chat_messages"

_BUILT_IN_LINKS: dict[str, tuple[ChildLink, ...]] = {
    spec_of(Workspace).table(): (
        ChildLink(ACL_COLLECTION, "workspace_id", "cascade", "ACL entry"),
        ChildLink("documents", "workspace_id", "cascade", "document"),
    ),
    spec_of(User).table(): (ChildLink(ACL_COLLECTION, "user_id", "cascade", "ACL entry"),),
    "documents": (
        ChildLink(CHUNKS, "document_id", "cascade", "chunk", sub=True),
        ChildLink(CONTENT_PARTS, "", "cascade", "text part", sub=True),
    ),
}


def child_links(collection: str) -> tuple[ChildLink, ...]:
    """What refers to documents of ``collection``: declared references, then built-ins."""
    declared = tuple(
        ChildLink(spec.table(), ref.field, ref.on_delete, spec.noun)
        for spec in map(spec_of, declared_entities())
        for ref in spec.refs
        if ref.target_spec.table() == collection
    )
    return (*declared, *_BUILT_IN_LINKS.get(collection, ()))


def table_named(collection: str) -> Table[Any] | None:
    """The table of a collection with save rules (documents or a declared entity)."""
    if collection == "documents":
        return DOCUMENTS
    for model in declared_entities():
        spec = spec_of(model)
        if spec.table() == collection:
            return table_of(spec)
    return None


__all__ = [
    "ACL_COLLECTION",
    "AUDIT_COLLECTION",
    "CHATS_COLLECTION",
    "CHUNKS",
    "CONTENT_PARTS",
    "DOCUMENTS",
    "GUARDS",
    "PART_CHARS",
    "ChildLink",
    "RefRule",
    "Table",
    "child_links",
    "split_content",
    "table_named",
    "table_of",
]

"""Values and entities <-> BSON documents: the one mapping every repository uses.

Representation choices (the same on MongoDB and on the nx-27017 stand-in):

* UUIDs are stored as their canonical lower-case strings. Their order is the
  UUIDs' byte order (fixed-width hex), so ties by id sort as on every backend,
  and no driver-wide ``uuidRepresentation`` setting is involved.
* ``Decimal`` (``ChatMessage.cost_usd``) is stored as ``str(Decimal)``: exact,
  scale kept. Nothing filters or sums it, so ``Decimal128`` would buy nothing.
* Timestamps are BSON dates (UTC milliseconds, which is what repokit keeps);
  the client decodes them as aware UTC datetimes.
* Embeddings are BSON binary vectors (subtype 9, float32): 4 bytes a
  dimension, the format Atlas Vector Search indexes, read back with one
  ``numpy.frombuffer``.
* Metadata keys are data: a key holding ``.``, ``$``, ``%`` or a NUL (which
  MongoDB would read as a path or an operator, or cannot store) is stored
  percent-escaped and unescaped on read. Filter paths only ever name segments
  of letters, digits, ``_`` and ``-``, which escaping leaves alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID

import numpy as np
from bson.binary import Binary, BinaryVectorDtype
from bson.int64 import Int64
from pydantic import BaseModel

from repokit.domain.entities import (
    AclEntry,
    AuditEvent,
    ChatMessage,
    Chunk,
    Document,
    Role,
)

M = TypeVar("M", bound=BaseModel)

_ESCAPE = re.compile(r"[%.$\x00]")
_UNESCAPE = re.compile(r"%(25|2E|24|00)")
VECTOR_HEADER = 2
"""A BSON binary vector starts with its dtype and padding bytes."""


def encode_id(value: UUID | None) -> str | None:
    """A UUID as it is stored (None stays None)."""
    return None if value is None else str(value)


def decode_id(value: Any) -> UUID | None:
    """A stored id back as a UUID."""
    return None if value is None else UUID(value)


def decode_time(value: datetime) -> datetime:
    """A stored date as an aware UTC datetime."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def escape_key(key: str) -> str:
    """A metadata key as stored: ``.``, ``$``, ``%`` and NUL percent-escaped."""
    if _ESCAPE.search(key) is None:
        return key
    return _ESCAPE.sub(lambda m: f"%{ord(m.group()):02X}", key)


def unescape_key(key: str) -> str:
    """The inverse of :func:`escape_key`."""
    if "%" not in key:
        return key
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), key)


def encode_json(value: Any) -> Any:
    """JSON (metadata, or a declared entity's list, dict or nested model) as stored, its
    keys escaped at every level."""
    if isinstance(value, dict):
        return {escape_key(k): encode_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode_json(item) for item in value]
    if isinstance(value, BaseModel):
        return encode_json(value.model_dump(mode="json"))
    return value


def decode_json(value: Any) -> Any:
    """Stored metadata back as JSON (BSON's ``Int64`` back to a plain ``int``)."""
    if type(value) is Int64:
        return int(value)
    if isinstance(value, dict):
        return {unescape_key(k): decode_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_json(item) for item in value]
    return value


def encode_embedding(values: list[float]) -> Binary:
    """An embedding (already float32-rounded) as a BSON float32 vector."""
    return Binary.from_vector(values, BinaryVectorDtype.FLOAT32)


def embedding_array(value: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A stored embedding as float32 numbers.

    ``bytes(value)`` is the vector's payload with its 2-byte header whether the
    server kept the binary subtype (MongoDB: ``Binary``) or not (plain bytes).
    """
    return np.frombuffer(bytes(value), dtype="<f4", offset=VECTOR_HEADER)


def decode_embedding(value: Any) -> list[float]:
    """A stored embedding back as Python floats."""
    return [float(x) for x in embedding_array(value).tolist()]


@dataclass(frozen=True, slots=True)
class EntityCodec(Generic[M]):
    """How one entity type maps to a BSON document (``_id`` is the entity's id)."""

    collection: str
    noun: str
    encode: Callable[[M], dict[str, Any]]
    decode: Callable[[Mapping[str, Any]], M]


def _document_doc(d: Document) -> dict[str, Any]:
    return {
        "_id": str(d.id),
        "workspace_id": encode_id(d.workspace_id),
        "title": d.title,
        "content": d.content,
        "metadata": encode_json(d.metadata),
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "version": d.version,
    }


def _document(doc: Mapping[str, Any]) -> Document:
    return Document.model_construct(
        id=UUID(doc["_id"]),
        workspace_id=decode_id(doc.get("workspace_id")),
        title=doc["title"],
        content=doc["content"],
        metadata=decode_json(doc.get("metadata", {})),
        created_at=decode_time(doc["created_at"]),
        updated_at=decode_time(doc["updated_at"]),
        version=doc["version"],
    )


def _chunk_doc(c: Chunk) -> dict[str, Any]:
    return {
        "_id": str(c.id),
        "document_id": str(c.document_id),
        "ordinal": c.ordinal,
        "content": c.content,
        "embedding": encode_embedding(c.embedding),
        "metadata": encode_json(c.metadata),
    }


def _chunk(doc: Mapping[str, Any]) -> Chunk:
    return Chunk.model_construct(
        id=UUID(doc["_id"]),
        document_id=UUID(doc["document_id"]),
        ordinal=doc["ordinal"],
        content=doc["content"],
        embedding=decode_embedding(doc["embedding"]),
        metadata=decode_json(doc.get("metadata", {})),
    )


def acl_key(workspace_id: UUID, user_id: UUID) -> str:
    """The ``_id`` of an ACL entry: one entry per (workspace, user)."""
    return f"{workspace_id}:{user_id}"


def _acl_doc(e: AclEntry) -> dict[str, Any]:
    return {
        "_id": acl_key(e.workspace_id, e.user_id),
        "workspace_id": str(e.workspace_id),
        "user_id": str(e.user_id),
        "role": e.role.value,
        "granted_at": e.granted_at,
    }


def _acl(doc: Mapping[str, Any]) -> AclEntry:
    return AclEntry.model_construct(
        workspace_id=UUID(doc["workspace_id"]),
        user_id=UUID(doc["user_id"]),
        role=Role(doc["role"]),
        granted_at=decode_time(doc["granted_at"]),
    )


def _audit_doc(e: AuditEvent) -> dict[str, Any]:
    return {
        "_id": str(e.id),
        "occurred_at": e.occurred_at,
        "actor_id": encode_id(e.actor_id),
        "action": e.action,
        "entity_type": e.entity_type,
        "entity_id": e.entity_id,
        "payload": encode_json(e.payload),
    }


def _audit(doc: Mapping[str, Any]) -> AuditEvent:
    return AuditEvent.model_construct(
        id=UUID(doc["_id"]),
        occurred_at=decode_time(doc["occurred_at"]),
        actor_id=decode_id(doc.get("actor_id")),
        action=doc["action"],
        entity_type=doc["entity_type"],
        entity_id=doc["entity_id"],
        payload=decode_json(doc.get("payload", {})),
    )


def _chat_doc(m: ChatMessage) -> dict[str, Any]:
    return {
        "_id": str(m.id),
        "session_id": str(m.session_id),
        "role": m.role,
        "content": m.content,
        "tokens_used": m.tokens_used,
        "model": m.model,
        "cost_usd": str(m.cost_usd),
        "created_at": m.created_at,
    }


def _chat(doc: Mapping[str, Any]) -> ChatMessage:
    return ChatMessage.model_construct(
        id=UUID(doc["_id"]),
        session_id=UUID(doc["session_id"]),
        role=doc["role"],
        content=doc["content"],
        tokens_used=doc["tokens_used"],
        model=doc["model"],
        cost_usd=Decimal(doc["cost_usd"]),
        created_at=decode_time(doc["created_at"]),
    )


DOCUMENTS: EntityCodec[Document] = EntityCodec("documents", "document", _document_doc, _document)
CHUNKS: EntityCodec[Chunk] = EntityCodec("chunks", "chunk", _chunk_doc, _chunk)
ACL: EntityCodec[AclEntry] = EntityCodec("workspace_acl", "ACL entry", _acl_doc, _acl)
AUDIT: EntityCodec[AuditEvent] = EntityCodec("audit_events", "audit event", _audit_doc, _audit)
CHATS: EntityCodec[ChatMessage] = EntityCodec("chat_messages", "chat message", _chat_doc, _chat)

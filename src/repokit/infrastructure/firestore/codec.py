"""Models to Firestore documents and back: one :class:`ModelCodec` per stored model.

A declared entity's codec is derived from its spec (:func:`entity_codec`); the
built-in models name their fields' kinds here once. Every field is a top-level
field of the document under its own name (a decimal adds ``<name>~``, see
:mod:`.values`); the document id is the entity's id (an ACL entry's is
``<workspace_id>_<user_id>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter

from repokit.domain.entities import AclEntry, AuditEvent, ChatMessage, Chunk, Document
from repokit.domain.entity_spec import EntitySpec, FieldKind
from repokit.infrastructure.firestore.values import VECTOR, from_store, store_fields

M = TypeVar("M", bound=BaseModel)

K = FieldKind


class ModelCodec(Generic[M]):
    """Encodes and decodes one model class; ``kinds`` names each field's kind."""

    def __init__(self, model: type[M], kinds: Mapping[str, FieldKind | str]) -> None:
        self.model = model
        self.kinds = dict(kinds)
        self._json: dict[str, TypeAdapter[Any]] = {
            name: TypeAdapter(model.model_fields[name].annotation or Any)
            for name, kind in self.kinds.items()
            if kind in (FieldKind.JSON, VECTOR)
        }
        self.json_fields = tuple(self._json)
        """The fields holding lists, dicts or models (copied when an entity is copied)."""

    def kind(self, name: str) -> FieldKind | str | None:
        """The kind of field ``name`` (None for an unknown one)."""
        return self.kinds.get(name)

    def encode(self, entity: M) -> dict[str, Any]:
        """The document's fields."""
        values = entity.__dict__
        out: dict[str, Any] = {}
        for name, kind in self.kinds.items():
            value = values[name]
            if kind is FieldKind.JSON and value is not None and not _plain_json(value):
                value = self._json[name].dump_python(value, mode="json")
            store_fields(name, kind, value, out)
        return out

    def decode(self, data: Mapping[str, Any]) -> M:
        """The model stored as ``data`` (validated: enums, nested models and bounds)."""
        return self.model.model_validate(
            {name: from_store(kind, name, data) for name, kind in self.kinds.items()}
        )


def _plain_json(value: Any) -> bool:
    """True for a dict or list of plain JSON values (no models): stored as it is."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def entity_codec(spec: EntitySpec) -> ModelCodec[Any]:
    """The codec of a declared entity, from its spec."""
    return ModelCodec(spec.model, {field.name: field.kind for field in spec.fields})


DOCUMENTS: ModelCodec[Document] = ModelCodec(
    Document,
    {
        "id": K.UUID,
        "workspace_id": K.UUID,
        "title": K.STR,
        "content": K.STR,
        "metadata": K.JSON,
        "created_at": K.DATETIME,
        "updated_at": K.DATETIME,
        "version": K.INT,
    },
)
CHUNKS: ModelCodec[Chunk] = ModelCodec(
    Chunk,
    {
        "id": K.UUID,
        "document_id": K.UUID,
        "ordinal": K.INT,
        "content": K.STR,
        "embedding": VECTOR,
        "metadata": K.JSON,
    },
)
ACL: ModelCodec[AclEntry] = ModelCodec(
    AclEntry,
    {"workspace_id": K.UUID, "user_id": K.UUID, "role": K.ENUM, "granted_at": K.DATETIME},
)
AUDIT: ModelCodec[AuditEvent] = ModelCodec(
    AuditEvent,
    {
        "id": K.UUID,
        "occurred_at": K.DATETIME,
        "actor_id": K.UUID,
        "action": K.STR,
        "entity_type": K.STR,
        "entity_id": K.STR,
        "payload": K.JSON,
    },
)
CHATS: ModelCodec[ChatMessage] = ModelCodec(
    ChatMessage,
    {
        "id": K.UUID,
        "session_id": K.UUID,
        "role": K.LITERAL,
        "content": K.STR,
        "tokens_used": K.INT,
        "model": K.STR,
        "cost_usd": K.DECIMAL,
        "created_at": K.DATETIME,
    },
)

__all__ = ["ACL", "AUDIT", "CHATS", "CHUNKS", "DOCUMENTS", "ModelCodec", "entity_codec"]

"""Cached values as bytes: entities in JSON (orjson), stamped with the schema token.

A cached value is ``<schema token>|<payload>``. :data:`SCHEMA_TOKEN` is a hash
of the cached entities' field definitions: a release that changes an entity's
shape finds the other release's values stamped differently and treats them as
misses, so it never decodes a shape it does not know. The payload is an entity
as orjson writes its fields, or :data:`ABSENT` for a cached "not found".
"""

from __future__ import annotations

import hashlib
from typing import Any, Final, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel

from repokit.domain.entities import Document, Role, User, Workspace

E = TypeVar("E", bound=BaseModel)

ABSENT: Final = b"-"
"""The payload of a cached "not found"."""

CACHED_MODELS: tuple[type[BaseModel], ...] = (Document, User, Workspace)


def _schema_token() -> str:
    shapes = orjson.dumps(
        [model.model_json_schema() for model in CACHED_MODELS] + [[role.value for role in Role]],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.blake2s(shapes, digest_size=4).hexdigest()


SCHEMA_TOKEN: Final = _schema_token()
"""Changes whenever a cached entity's fields (or the roles) change."""

def _other(value: Any) -> Any:
    # orjson writes exact uuid.UUID itself; drivers may hand out subclasses (asyncpg's).
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not cached")


def encode_entity(entity: BaseModel) -> bytes:
    """The JSON payload of a stored entity (every field, as stored)."""
    return orjson.dumps(entity.__dict__, default=_other)


def decode_entity(model: type[E], payload: bytes) -> E:
    """The entity a payload of :func:`encode_entity` holds.

    Parsed and validated by pydantic's JSON validator (Rust): as fast as
    rebuilding it by hand without validation, and a value that is not what this
    release wrote fails here rather than later.

    Raises:
        pydantic.ValidationError: the payload is not a valid ``model``.
    """
    return model.model_validate_json(payload)


def stamp(token: bytes, payload: bytes) -> bytes:
    """``payload`` stamped with the schema token of the release that wrote it."""
    return token + b"|" + payload


def unstamp(value: bytes) -> tuple[bytes, bytes]:
    """``(schema token, payload)`` of a stamped value."""
    token, _, payload = value.partition(b"|")
    return token, payload


__all__ = [
    "ABSENT",
    "SCHEMA_TOKEN",
    "decode_entity",
    "encode_entity",
    "stamp",
    "unstamp",
]

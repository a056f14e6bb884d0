"""Cached values as bytes: entities in JSON (orjson), tagged with their key's generation.

A cached value is ``<generation>|<payload>``. The generation is the value of the
key's generation counter when the value was read from the backend (see
:mod:`.keys`); a reader serves the value only while the counter still says so,
which is how an invalidation made after a write closes the window for a stale
value filled by a slower reader. The payload is an entity as orjson writes its
fields, or :data:`ABSENT` for a cached "not found".

:data:`SCHEMA_TOKEN` is a hash of the cached entities' field definitions, and
part of every value key: a release that changes an entity's shape reads and
writes other keys, so it never decodes a value of the old shape.
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


def tag(generation: bytes, payload: bytes) -> bytes:
    """``payload`` tagged with the generation it was read at."""
    return generation + b"|" + payload


def untag(value: bytes) -> tuple[bytes, bytes]:
    """``(generation, payload)`` of a tagged value."""
    generation, _, payload = value.partition(b"|")
    return generation, payload


__all__ = [
    "ABSENT",
    "SCHEMA_TOKEN",
    "decode_entity",
    "encode_entity",
    "tag",
    "untag",
]

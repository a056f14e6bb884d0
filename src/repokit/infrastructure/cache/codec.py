"""Cached values as bytes: entities in JSON (orjson), stamped with the schema token.

A cached value is ``<schema token>|<payload>``. :data:`SCHEMA_TOKEN` is a hash
of the cached entities' field definitions: a release that changes an entity's
shape finds the other release's values stamped differently and treats them as
misses, so it never decodes a shape it does not know. The payload is an entity
as orjson writes its fields, or :data:`ABSENT` for a cached "not found".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Generic, TypeVar, get_origin
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


class EntityDecoder(Generic[E]):
    """Rebuilds one model's entities from payloads of :func:`encode_entity`.

    A payload is not validated a second time: it was written from an entity
    that was validated when it was built, by a release with the same
    :data:`SCHEMA_TOKEN` (a value stamped otherwise never gets here). Decoding
    is then JSON parsing plus turning the UUID and datetime fields back into
    their types, about 3x faster than pydantic's validating JSON parser with
    the entities' Python validators — the bulk of a cache hit's own cost. The
    instance is assembled the way ``model_construct`` assembles one, without
    its per-field alias and default handling (every field is in the payload).

    A payload that is not JSON, or lacks or adds a field, raises ValueError and
    is then treated as a miss (read from the database and cached again).

    Raises:
        TypeError: at construction, when ``model`` has a field type this codec
            cannot rebuild, private attributes, or a ``model_post_init``.
    """

    def __init__(self, model: type[E]) -> None:
        if model.__private_attributes__ or model.__pydantic_post_init__:
            raise TypeError(f"{model.__name__}: private attributes or post-init are not cached")
        self.model = model
        self._fields = frozenset(model.model_fields)
        self._converters = tuple(
            (name, convert)
            for name, field in model.model_fields.items()
            if (convert := _converter(model, name, field.annotation)) is not None
        )

    def __call__(self, payload: bytes) -> E:
        """The entity ``payload`` holds.

        Raises:
            ValueError: the payload is not one this release writes for the model.
        """
        try:
            fields = orjson.loads(payload)
            if fields.keys() != self._fields:
                raise ValueError("other fields")
            for name, convert in self._converters:
                fields[name] = convert(fields[name])
        except (AttributeError, TypeError, ValueError) as exc:
            raise ValueError(f"not a cached {self.model.__name__}: {exc}") from exc
        entity = self.model.__new__(self.model)
        _set(entity, "__dict__", fields)
        _set(entity, "__pydantic_fields_set__", set(self._fields))
        _set(entity, "__pydantic_extra__", None)
        _set(entity, "__pydantic_private__", None)
        return entity


_set = object.__setattr__  # entities validate assignments; these are pydantic's own slots


def _optional_uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(value)


_AS_JSON: tuple[Any, ...] = (str, int, float, bool)
"""Field types orjson gives back as they were written."""


def _converter(model: type[BaseModel], name: str, annotation: Any) -> Callable[[Any], Any] | None:
    """How a field's JSON value becomes the field's value (None: it already is)."""
    if annotation is UUID:
        return UUID
    if annotation == UUID | None:
        return _optional_uuid
    if annotation is datetime:
        # encode_entity wrote it with its offset; validated entities are aware UTC.
        return datetime.fromisoformat
    if annotation in _AS_JSON or get_origin(annotation) is dict:
        return None
    raise TypeError(f"{model.__name__}.{name}: the cache codec cannot rebuild {annotation!r}")


def stamp(token: bytes, payload: bytes) -> bytes:
    """``payload`` stamped with the schema token of the release that wrote it."""
    return token + b"|" + payload


__all__ = [
    "ABSENT",
    "SCHEMA_TOKEN",
    "EntityDecoder",
    "encode_entity",
    "stamp",
]

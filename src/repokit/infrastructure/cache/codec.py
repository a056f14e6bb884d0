"""Cached values as bytes: entities in JSON (msgspec), stamped with their shape's token.

A cached value is ``<token>|<payload>``. Each kind of value has a
:class:`ValueCodec` whose token is a hash of the shape it decodes (an entity's
field definitions, the roles): a release that changes a declaration finds the
other release's values stamped differently and treats them as misses, so it
never decodes a shape it does not know. The payload is an entity's fields as
JSON, or :data:`ABSENT` for a cached "not found".
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar
from uuid import UUID

import msgspec
from pydantic import BaseModel

from repokit.domain.entities import Role
from repokit.infrastructure.cache.wire_types import assemble, model_wires, typed_fields

E = TypeVar("E", bound=BaseModel)
T = TypeVar("T")

ABSENT: Final = b"-"
"""The payload of a cached "not found"."""

CODEC_FORMAT = 2
"""Part of every token: a change to how values are written is a new format."""


def _encode_nested(value: Any) -> Any:
    # Nested models go out as their fields; msgspec handles everything else itself.
    if isinstance(value, BaseModel):
        return value.__dict__
    raise NotImplementedError(f"cannot cache a {type(value).__name__}")


_ENCODER = msgspec.json.Encoder(enc_hook=_encode_nested)


def encode_entity(entity: BaseModel) -> bytes:
    """The JSON payload of a stored entity (every field, as stored)."""
    return _ENCODER.encode(entity.__dict__)


class EntityDecoder(Generic[E]):
    """Rebuilds one model's entities from payloads of :func:`encode_entity`.

    msgspec parses the payload into a dict typed like the model's fields (see
    :mod:`.wire_types`: decimals with their scale, UUIDs, datetimes, dates,
    enums, Literals, lists, dicts and nested models, type-checked, in C), and
    the entity is assembled from it the way pydantic's ``model_construct``
    assembles one. The entities' own validators do not run again: the payload
    was written from an entity they had validated, by a release with the same
    token (a value stamped otherwise never gets here). That makes a decode about
    4x cheaper than ``model_validate_json``, and decoding is most of what a cache
    hit costs beside its ``GET``.

    A payload that is not JSON, lacks a field or has one of the wrong type
    raises ValueError; the caller then treats it as a miss (read from the
    database and cached again). A key the model does not have is ignored.

    Raises:
        DeclarationError: at construction, when ``model`` has a field type this
            codec cannot decode exactly (naming the field), private attributes,
            a ``model_post_init`` or extra fields.
    """

    def __init__(self, model: type[E]) -> None:
        self.model = model
        wires = model_wires(model)
        self._fields = frozenset(wires)
        # Only fields holding nested models need a step after msgspec's decode.
        self._builds = tuple((name, w.build) for name, w in wires.items() if w.build is not None)
        self._decoder = msgspec.json.Decoder(typed_fields(f"{model.__name__}Fields", wires))

    def __call__(self, payload: bytes) -> E:
        """The entity ``payload`` holds.

        Raises:
            ValueError: the payload is not one this release writes for the model.
        """
        try:
            fields: dict[str, Any] = self._decoder.decode(payload)
            for name, build in self._builds:
                fields[name] = build(fields[name])
        except msgspec.DecodeError as exc:
            raise ValueError(f"not a cached {self.model.__name__}: {exc}") from exc
        return assemble(self.model, fields, self._fields)


def schema_token(shape: Any) -> bytes:
    """A short hash of ``shape`` (JSON-able), which changes whenever the shape does."""
    text = json.dumps([CODEC_FORMAT, shape], sort_keys=True, default=str)
    return hashlib.blake2s(text.encode(), digest_size=4).hexdigest().encode()


def stamp(token: bytes, payload: bytes) -> bytes:
    """``payload`` stamped with ``token``."""
    return token + b"|" + payload


@dataclass(frozen=True, slots=True)
class ValueCodec(Generic[T]):
    """One kind of cached value: how it becomes bytes and back, and the stamp it carries.

    ``stamp`` is what every value of this kind starts with (its token and ``|``);
    a cached value that starts otherwise is a miss.
    """

    stamp: bytes
    encode: Callable[[T], bytes]
    decode: Callable[[bytes], T]


_CODECS: dict[type[BaseModel], ValueCodec[Any]] = {}
_CODECS_LOCK = threading.Lock()


def entity_codec(model: type[E]) -> ValueCodec[E]:
    """The codec of ``model``'s entities, stamped with a token of its field definitions.

    Made once per class (each store and unit of work asks again).

    Raises:
        DeclarationError: a field type the codec cannot decode exactly (see
            :class:`EntityDecoder`).
    """
    codec = _CODECS.get(model)
    if codec is None:
        decoder = EntityDecoder(model)
        token = schema_token(model.model_json_schema())
        codec = ValueCodec(stamp(token, b""), encode_entity, decoder)
        with _CODECS_LOCK:
            codec = _CODECS.setdefault(model, codec)
    return codec


def id_codec(entities: ValueCodec[Any]) -> ValueCodec[UUID]:
    """Ids (what a lookup by unique values caches), stamped like the entities they name:
    a changed declaration misses on both."""
    return ValueCodec(entities.stamp, _uuid_bytes, _uuid)


def _uuid_bytes(value: UUID) -> bytes:
    return value.bytes


def _uuid(payload: bytes) -> UUID:
    return UUID(bytes=payload)  # ValueError unless 16 bytes: a miss


def _role_bytes(role: Role) -> bytes:
    return role.value.encode()


def _role(payload: bytes) -> Role:
    return Role(payload.decode())  # ValueError for an unknown role: a miss


ROLE_CODEC: Final = ValueCodec(
    stamp(schema_token([role.value for role in Role]), b""), _role_bytes, _role
)
"""``acl.role_of``'s values: the role's name."""


__all__ = [
    "ABSENT",
    "CODEC_FORMAT",
    "ROLE_CODEC",
    "EntityDecoder",
    "ValueCodec",
    "encode_entity",
    "entity_codec",
    "id_codec",
    "schema_token",
    "stamp",
]

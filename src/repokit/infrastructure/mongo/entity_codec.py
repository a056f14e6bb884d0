"""Declared entities <-> BSON documents, derived once from the entity's spec.

``_id`` is the entity's id; every other field is stored under its own name:

==================  ===========================================  ================
field type          stored as                                    filtered at
==================  ===========================================  ================
str, bool, float    the value                                    ``<field>``
int                 int32/int64 (read back as ``int``)           ``<field>``
Decimal             ``{"key": order key, "text": str(value)}``   ``<field>.key``
                    (:mod:`.decimals`)
UUID                canonical lower-case string (as every id)    ``<field>``
datetime            BSON date (UTC milliseconds)                 ``<field>``
date                BSON date at midnight UTC                    ``<field>``
enum, Literal       the value (a string or an integer)           ``<field>``
list, dict, model   a BSON array or document; dict keys escaped  ``<field>.<path>``
                    as metadata's are (:func:`.codec.escape_key`)
==================  ===========================================  ================

A null is stored as null. Decoding builds the entity with ``model_construct``
(no validation: the values were validated when the entity was made), nested
models included, so it equals the saved entity field for field and type for
type. A field missing from an older document takes its declared default.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from bson.int64 import Int64
from pydantic import BaseModel, TypeAdapter

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import EntitySpec, FieldKind, FieldSpec, JsonShape
from repokit.domain.query import FieldRef, Scalar
from repokit.infrastructure.mongo.codec import EntityCodec, decode_json, decode_time, encode_json
from repokit.infrastructure.mongo.decimals import KEY, decode_decimal, encode_decimal, order_key

E = TypeVar("E", bound=Entity)
Convert = Callable[[Any], Any]

ID_PATH = "_id"


@dataclass(frozen=True, slots=True)
class StoredField:
    """How one field is stored, read back and compared.

    Attributes:
        name: the field's name.
        path: where filters, sorts and indexes find its value (``_id``, ``total.key``).
        encode: a non-null value as stored.
        decode: a stored non-null value back.
        operand: a non-null filter operand (already checked) as the value at ``path``.
        lowest: a value at ``path`` no non-null value of the field is below, of the same
            BSON type bracket (``""``, ``-inf``, ...); None for JSON fields.
    """

    name: str
    path: str
    encode: Convert
    decode: Convert
    operand: Convert
    lowest: Any


class EntityDocuments(Generic[E]):
    """The mapping of one declared entity to BSON documents, and its stored paths."""

    def __init__(self, spec: EntitySpec) -> None:
        self.spec = spec
        self.fields: dict[str, StoredField] = {f.name: stored_field(spec, f) for f in spec.fields}
        self._others = tuple(field for name, field in self.fields.items() if name != "id")
        # (name, conversion) for the hot paths; None where a value is stored as it is.
        self._writers = tuple((f.name, _unless_same(f.encode)) for f in self._others)
        self._readers = tuple((f.name, _unless_same(f.decode)) for f in self._others)
        self._model = spec.model
        self.codec: EntityCodec[E] = EntityCodec(spec.table(), spec.noun, self.encode, self.decode)

    def encode(self, entity: E) -> dict[str, Any]:
        """The document of ``entity``."""
        values = entity.__dict__
        doc: dict[str, Any] = {ID_PATH: str(values["id"])}
        for name, encode in self._writers:
            value = values[name]
            doc[name] = value if encode is None or value is None else encode(value)
        return doc

    def decode(self, doc: Mapping[str, Any]) -> E:
        """The entity of a stored document, without validating it again."""
        values: dict[str, Any] = {"id": UUID(doc[ID_PATH])}
        for name, decode in self._readers:
            try:
                value = doc[name]
            except KeyError:  # a field added since the document was written: its default
                continue
            values[name] = value if decode is None or value is None else decode(value)
        entity: E = self._model.model_construct(**values)  # type: ignore[assignment]
        return entity

    def path(self, name: str) -> str:
        """Where the value of field ``name`` is found."""
        return self.fields[name].path

    def value(self, name: str, operand: Any) -> Any:
        """A checked operand of field ``name`` (or a value of it) as found at its path."""
        return None if operand is None else self.fields[name].operand(operand)

    # -- the filter compiler's view (``filters.StoredFields``) ------------------------

    def field_path(self, field: FieldRef) -> str:
        """The stored path of a filter field (a JSON path stays as written)."""
        return field.dotted if field.json else self.fields[field.name].path

    def field_operand(self, field: FieldRef, value: Scalar) -> Any:
        """A filter operand as stored (JSON operands are stored as they are)."""
        return value if field.json else self.value(field.name, value)

    def root_may_be_array(self, field: FieldRef) -> bool:
        """Only a field of any JSON value (``JsonValue``) may hold an array at its root
        and still take a path (a list field takes none)."""
        return self.spec.by_name[field.name].shape is JsonShape.ANY


def stored_field(spec: EntitySpec, field: FieldSpec) -> StoredField:
    """How ``field`` of ``spec`` is stored."""
    name = field.name
    if name == "id":
        return StoredField(name, ID_PATH, str, UUID, str, "")
    kind = field.kind
    if kind is FieldKind.JSON:
        annotation = spec.model.model_fields[name].annotation
        return StoredField(name, name, encode_json, json_decoder(annotation), _same, None)
    if kind is FieldKind.DECIMAL:
        return StoredField(name, f"{name}.{KEY}", encode_decimal, decode_decimal, order_key, "")
    if kind is FieldKind.UUID:
        return StoredField(name, name, str, UUID, str, "")
    if kind is FieldKind.DATETIME:
        return StoredField(name, name, _same, decode_time, _same, _EARLIEST)
    if kind is FieldKind.DATE:
        return StoredField(name, name, _midnight, _day, _midnight, _EARLIEST)
    if kind is FieldKind.ENUM:
        assert field.enum is not None
        members = {member.value: member for member in field.enum}
        return StoredField(
            name, name, _enum_value, members.__getitem__, _enum_value, _lowest_choice(field)
        )
    if kind is FieldKind.LITERAL:
        return StoredField(name, name, _same, _same, _same, _lowest_choice(field))
    if kind is FieldKind.INT:
        return StoredField(name, name, _same, _plain_int, _same, _LEAST_NUMBER)
    return StoredField(name, name, _same, _same, _same, _LOWEST[kind])


_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LEAST_NUMBER = float("-inf")
_LOWEST: dict[FieldKind, Any] = {
    FieldKind.STR: "",
    FieldKind.BOOL: False,
    FieldKind.FLOAT: _LEAST_NUMBER,
}


def _same(value: Any) -> Any:
    return value


def _unless_same(convert: Convert) -> Convert | None:
    return None if convert is _same else convert


def _plain_int(value: Any) -> int:
    # BSON int64 reads back as bson's Int64; the entity holds a plain int.
    return int(value) if type(value) is Int64 else value


def _midnight(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _day(value: datetime) -> date:
    return decode_time(value).date()


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _lowest_choice(field: FieldSpec) -> Any:
    return "" if field.choice_type is str else _LEAST_NUMBER


# -- JSON fields: nested models rebuilt without validation --------------------------------


def json_decoder(annotation: Any) -> Convert:
    """Stored JSON back as the field holds it: plain JSON, with nested models rebuilt."""
    build = _builder(annotation, {})
    if build is None:
        return decode_json
    rebuild: Convert = build

    def decode(value: Any) -> Any:
        return rebuild(decode_json(value))

    return decode


def _builder(annotation: Any, models: dict[type[BaseModel], Convert]) -> Convert | None:
    """What turns plain JSON into ``annotation``'s value; None when it holds no model."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_builder(annotation, models)
    if origin is list and args:
        item = _builder(args[0], models)
        return None if item is None else _each(item)
    if origin is dict and len(args) == 2:
        value = _builder(args[1], models)
        return None if value is None else _each_value(value)
    members = [arg for arg in args if arg is not type(None)] if _is_union(annotation) else []
    builders = [_builder(member, models) for member in members]
    if not any(builders):
        return None
    only = builders[0]
    if len(members) == 1 and only is not None:
        return _optional(only)
    # Several types, models among them: only validation can tell which one a value is.
    return TypeAdapter(annotation).validate_python


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _model_builder(model: type[BaseModel], models: dict[type[BaseModel], Convert]) -> Convert:
    known = models.get(model)
    if known is not None:
        return known
    fields: dict[str, Convert] = {}

    def build(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return model.model_construct(
            **{
                name: fields[name](item) if name in fields and item is not None else item
                for name, item in value.items()
            }
        )

    models[model] = build  # before the fields: a model may hold itself
    for name, info in model.model_fields.items():
        nested = _builder(info.annotation, models)
        if nested is not None:
            fields[name] = nested
    return build


def _each(item: Convert) -> Convert:
    def build(value: Any) -> Any:
        return [item(v) for v in value] if isinstance(value, list) else value

    return build


def _each_value(item: Convert) -> Convert:
    def build(value: Any) -> Any:
        return {k: item(v) for k, v in value.items()} if isinstance(value, dict) else value

    return build


def _optional(item: Convert) -> Convert:
    def build(value: Any) -> Any:
        return None if value is None else item(value)

    return build


__all__ = ["ID_PATH", "EntityDocuments", "StoredField", "json_decoder", "stored_field"]

"""What msgspec decodes each field of a cached model to, derived from its annotation.

msgspec decodes JSON straight into ``str``, ``int``, ``float``, ``bool``, ``None``,
``Decimal`` (its scale kept), ``UUID``, ``datetime``, ``date``, enums (by value),
``Literal`` values, lists and ``dict[str, ...]``, each type-checked, in C. A
nested pydantic model is decoded to a dict typed like its fields and then
assembled into the model (:func:`assemble`), without running its validators:
the payload was written from a model they had validated.

A type this cannot decode exactly raises :class:`DeclarationError` naming the
field, when the decoder is built (so when the cached repository is made).
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypedDict, TypeVar, Union
from uuid import UUID

import msgspec
from pydantic import BaseModel

from repokit.domain.errors import DeclarationError
from repokit.infrastructure.assembly import assemble

M = TypeVar("M", bound=BaseModel)

Build = Callable[[Any], Any]
"""Turns what msgspec decoded into the field's value (a nested model from its dict)."""

_NATIVE: frozenset[Any] = frozenset(
    {str, int, float, bool, type(None), Decimal, UUID, datetime, date, Any}
)
"""Types msgspec decodes to exactly what a validated model holds."""

_set = object.__setattr__  # models validate assignments; these are pydantic's own slots
# Types built at run time from annotations, which mypy cannot follow:
_typed_dict: Any = TypedDict
_literal: Any = Literal
_union_of: Any = Union


@dataclass(frozen=True, slots=True)
class Wire:
    """How one value travels: the type msgspec decodes, and the step after it (if any)."""

    type: Any
    build: Build | None = None


def model_wires(model: type[BaseModel], seen: frozenset[type] = frozenset()) -> dict[str, Wire]:
    """The :class:`Wire` of each field of ``model``.

    Raises:
        DeclarationError: a field (or something nested in it) cannot be decoded exactly,
            or the model keeps state outside its fields (private attributes, a
            ``model_post_init``, extra fields).
    """
    _check_assemblable(model)
    enum_values = bool(model.model_config.get("use_enum_values"))
    wires: dict[str, Wire] = {}
    for name, field in model.model_fields.items():
        where = f"{model.__name__}.{name}"
        wire = _wire(field.annotation, where, enum_values, seen | {model})
        try:
            msgspec.json.Decoder(wire.type)
        except TypeError as exc:  # msgspec refuses some unions (two dict-like members, ...)
            raise DeclarationError(f"{where}: the cache cannot decode this type ({exc})") from None
        wires[name] = wire
    return wires


def typed_fields(name: str, wires: dict[str, Wire]) -> Any:
    """A TypedDict of the wires' types: msgspec decodes a model's JSON straight to a dict."""
    return _typed_dict(name, {field: wire.type for field, wire in wires.items()})


def _check_assemblable(model: type[BaseModel]) -> None:
    if model.__private_attributes__ or model.__pydantic_post_init__:
        raise DeclarationError(
            f"{model.__name__}: a model with private attributes or a model_post_init "
            "cannot be cached (its state is not all in its fields)"
        )
    if model.model_config.get("extra") == "allow":
        raise DeclarationError(
            f"{model.__name__}: a model that allows extra fields cannot be cached exactly"
        )


def _wire(annotation: Any, where: str, enum_values: bool, seen: frozenset[type]) -> Wire:
    annotation = _strip_annotated(annotation)
    if annotation in _NATIVE or _is_json_value(annotation):
        return Wire(Any if _is_json_value(annotation) else annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        # With use_enum_values the model holds the values, not the members.
        values = tuple(member.value for member in annotation)
        return Wire(_literal[values] if enum_values else annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return Wire(annotation)
    if origin is Union or origin is types.UnionType:
        return _union([_wire(arg, where, enum_values, seen) for arg in args], where)
    if origin is list:
        item = _wire(args[0] if args else Any, f"{where}[]", enum_values, seen)
        build = None if item.build is None else _each(item.build)
        return Wire(list.__class_getitem__(item.type), build)
    if origin is dict:
        key, value = args if args else (str, Any)
        if key is not str:
            raise DeclarationError(f"{where}: the cache decodes dicts with str keys only")
        inner = _wire(value, f"{where}{{}}", enum_values, seen)
        wire_type = dict.__class_getitem__((str, inner.type))
        return Wire(wire_type, None if inner.build is None else _each_value(inner.build))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _nested(annotation, where, seen)
    raise DeclarationError(f"{where}: the cache cannot decode {annotation!r}")


def _union(members: list[Wire], where: str) -> Wire:
    union_type = _union_of[tuple(member.type for member in members)]
    built = [member for member in members if member.build is not None]
    if not built:
        return Wire(union_type)
    if len(built) > 1 or len(members) > 2 or not any(m.type is type(None) for m in members):
        raise DeclarationError(
            f"{where}: the cache decodes a nested model in a union only as `Model | None`"
        )
    build = built[0].build
    assert build is not None

    def optional(value: Any) -> Any:
        return None if value is None else build(value)

    return Wire(union_type, optional)


def _nested(model: type[BaseModel], where: str, seen: frozenset[type]) -> Wire:
    if model in seen:
        raise DeclarationError(f"{where}: the cache cannot decode a recursive model ({model!r})")
    wires = model_wires(model, seen)
    names = frozenset(wires)
    builds = tuple((name, wire.build) for name, wire in wires.items() if wire.build is not None)

    def build(fields: dict[str, Any]) -> Any:
        for name, step in builds:
            fields[name] = step(fields[name])
        return assemble(model, fields, names)

    return Wire(typed_fields(f"{model.__name__}Fields", wires), build)


def _each(build: Build) -> Build:
    def each(values: list[Any]) -> list[Any]:
        return [build(value) for value in values]

    return each


def _each_value(build: Build) -> Build:
    def each_value(values: dict[str, Any]) -> dict[str, Any]:
        return {key: build(value) for key, value in values.items()}

    return each_value


def _strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_json_value(annotation: Any) -> bool:
    # pydantic's JsonValue: any JSON value, which msgspec decodes untyped.
    named = getattr(annotation, "__name__", None) == "JsonValue"
    return named and not isinstance(annotation, type)


__all__ = ["Build", "Wire", "assemble", "model_wires", "typed_fields"]

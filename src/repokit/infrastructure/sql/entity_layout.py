"""The SQL columns of a declared entity's fields, derived from its spec.

Each field becomes one column named after it, typed for both dialects
(:mod:`.types` picks the storage per dialect):

=================  ==============================  ==================================
field kind         SQLite                          PostgreSQL
=================  ==============================  ==================================
``str``            TEXT (BINARY: code points)      ``text COLLATE "C"``
``int``            INTEGER (64-bit)                ``bigint``
``float``          DOUBLE (a REAL)                 ``double precision``
``bool``           BOOLEAN (0/1)                   ``boolean``
``Decimal``        two columns, below              two columns, below
``UUID``           16-byte BLOB                    ``uuid``
``datetime``       INTEGER microseconds            ``timestamptz``
``date``           TEXT ``YYYY-MM-DD``             ``date``
enum / Literal     as its values (``str``/``int``)  as its values
list/dict/model    JSON text (json1)               ``jsonb``
=================  ==============================  ==================================

A ``Decimal`` field ``total`` has the column ``total``, which compares, orders
and is indexed (``numeric`` on PostgreSQL; on SQLite the order-preserving text
of :mod:`.decimal_key`), and ``total__exact``, its exact text (``str(value)``),
which is what is read back: ``numeric`` drops a positive exponent
(``Decimal("1E+10")`` would read back as ``10000000000``) and SQLite has no
exact decimal type, so neither column alone returns the value exactly.

``id`` (the primary key) comes first and ``version`` (an ``INTEGER``) last, as
in repokit's own tables.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import BigInteger, Boolean, Double, Integer, Text
from sqlalchemy.types import TypeEngine

from repokit.domain.entity_spec import EntitySpec, FieldKind, FieldSpec
from repokit.domain.errors import DeclarationError
from repokit.infrastructure.sql.types import (
    CalendarDate,
    CodePointText,
    DecimalKey,
    JsonDocument,
    UtcDateTime,
    UUIDType,
)

Converter = Callable[[Any], Any]
EXACT_SUFFIX = "__exact"
"""The exact-text column of a ``Decimal`` field is its name plus this."""


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """One column of an entity's table.

    Attributes:
        name: the column's name.
        field: the field whose value it holds (or, for a decimal's comparable
            column, is computed from).
        type: the column type (one for both dialects).
        nullable: it may hold NULL.
        read: the field is read back from this column (False for a decimal's
            comparable column).
        to_column: turns the field's value into what the column type takes.
        to_field: turns what the column type gives back into the field's value.
    """

    name: str
    field: str
    type: TypeEngine[Any]
    nullable: bool
    read: bool = True
    to_column: Converter | None = None
    to_field: Converter | None = None


def entity_columns(spec: EntitySpec) -> tuple[ColumnPlan, ...]:
    """Every column of the table of ``spec``: ``id``, the declared fields in order, then
    ``version`` (the order of repokit's own tables)."""
    names = set(spec.by_name)
    plans: list[ColumnPlan] = []
    ordered = sorted(spec.fields, key=lambda f: {"id": 0, "version": 2}.get(f.name, 1))
    for field in ordered:
        plans.extend(_field_columns(spec, field))
    for plan in plans:
        if plan.name != plan.field and plan.name in names:
            raise DeclarationError(
                f"{spec.name}.{plan.name}: the name is taken by the exact-text column of the "
                f"Decimal field {plan.field!r} on SQL backends; rename the field"
            )
    return tuple(plans)


def _field_columns(spec: EntitySpec, field: FieldSpec) -> tuple[ColumnPlan, ...]:
    name, nullable = field.name, field.nullable
    if name == "id":
        return (ColumnPlan(name, name, UUIDType(), False),)
    if name == "version":
        return (ColumnPlan(name, name, Integer(), False),)
    kind = field.kind
    if kind is FieldKind.DECIMAL:
        return (
            ColumnPlan(name, name, DecimalKey(), nullable, read=False),
            ColumnPlan(name + EXACT_SUFFIX, name, Text(), nullable, to_column=_text, to_field=_dec),
        )
    if kind in (FieldKind.ENUM, FieldKind.LITERAL):
        column_type: TypeEngine[Any] = CodePointText() if field.choice_type is str else BigInteger()
        back = None if field.enum is None else _enum_member(field.enum)
        return (ColumnPlan(name, name, column_type, nullable, to_column=_choice, to_field=back),)
    if kind is FieldKind.JSON:
        annotation = spec.model.model_fields[name].annotation or Any
        if not _holds_model(annotation):
            # Lists and dicts of JSON values are stored and read back as they are.
            return (ColumnPlan(name, name, JsonDocument, nullable),)
        adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        dump, load = _json_dumper(adapter), adapter.validate_python
        return (ColumnPlan(name, name, JsonDocument, nullable, to_column=dump, to_field=load),)
    return (ColumnPlan(name, name, _SCALAR_TYPES[kind](), nullable),)


_SCALAR_TYPES: dict[FieldKind, Callable[[], TypeEngine[Any]]] = {
    FieldKind.STR: CodePointText,
    FieldKind.INT: BigInteger,
    FieldKind.FLOAT: Double,
    FieldKind.BOOL: lambda: Boolean(create_constraint=False),
    FieldKind.UUID: UUIDType,
    FieldKind.DATETIME: UtcDateTime,
    FieldKind.DATE: CalendarDate,
}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _choice(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _enum_member(model: type[enum.Enum]) -> Converter:
    def member(value: Any) -> Any:
        return None if value is None else model(value)

    return member


def _json_dumper(adapter: TypeAdapter[Any]) -> Converter:
    dump = adapter.dump_python

    def to_json(value: Any) -> Any:
        # Nested models become the plain JSON the filters read (and memory compares).
        return dump(value, mode="json")

    return to_json


def _holds_model(annotation: Any) -> bool:
    """True when a nested pydantic model occurs anywhere in ``annotation`` (then a read
    must rebuild it; plain JSON is read back as it is)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in typing.get_args(annotation))


__all__ = ["EXACT_SUFFIX", "ColumnPlan", "entity_columns"]

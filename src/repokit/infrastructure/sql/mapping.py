"""Row <-> entity mapping, shared by every SQL repository.

An :class:`EntityMapping` pairs a pydantic entity with a table whose columns
bear the entity's field names. It encodes entities into driver-ready rows and
decodes rows back with the *same* per-column processors SQLAlchemy itself
would apply (``bind_processor``/``result_processor`` of each column type), so
rows read through SQLAlchemy and rows read straight from the driver give
identical entities.

Rows come from our own tables and were validated on the way in, so entities are
rebuilt with ``model_construct`` (no second validation): reading is the hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.engine import Dialect

E = TypeVar("E", bound=BaseModel)
Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


class EntityMapping(Generic[E]):
    """How ``entity`` maps onto ``table`` for one dialect.

    Args:
        entity: the pydantic model; its field names are the table's column names.
        table: the table (every column must be a field of ``entity``).
        dialect: the dialect whose column processors encode and decode values.
        to_column: per-field conversion before the column type's (e.g. an enum to its value).
        to_field: per-field conversion after the column type's (e.g. a value to its enum).
    """

    def __init__(
        self,
        entity: type[E],
        table: Table,
        dialect: Dialect,
        *,
        to_column: Mapping[str, Converter] | None = None,
        to_field: Mapping[str, Converter] | None = None,
    ) -> None:
        self.entity = entity
        self.table = table
        self.dialect = dialect
        self.columns: tuple[str, ...] = tuple(column.name for column in table.columns)
        missing = set(self.columns) - set(entity.model_fields)
        if missing:
            raise TypeError(f"{entity.__name__} has no fields for columns {sorted(missing)}")
        self._encoders: dict[str, Converter] = {}
        self._decoders: list[Converter] = []
        to_column = to_column or {}
        to_field = to_field or {}
        for column in table.columns:
            # Values are bound through the dialect's own form of the type, so a
            # TypeDecorator's value reaches the driver as load_dialect_impl's type
            # takes it (psycopg would wrap a UUID as LargeBinary's Binary otherwise).
            # Results need no such care: the driver already returned native values.
            encode = column.type.dialect_impl(dialect).bind_processor(dialect) or _identity
            decode = column.type.result_processor(dialect, None) or _identity
            self._encoders[column.name] = _compose(to_column.get(column.name), encode)
            self._decoders.append(_compose(decode, to_field.get(column.name)))
        self._field_decoders = dict(zip(self.columns, self._decoders, strict=True))
        self._value_converters = [to_field.get(name) for name in self.columns]

    def encoder(self, column: str) -> Converter:
        """The function that turns a field value into the driver value of ``column``."""
        return self._encoders[column]

    def encode(self, entity: E, columns: Sequence[str] | None = None) -> tuple[Any, ...]:
        """Driver values of ``entity`` for ``columns`` (all, in table order, by default)."""
        data = entity.__dict__
        encoders = self._encoders
        return tuple(encoders[name](data[name]) for name in columns or self.columns)

    def decode(self, row: Sequence[Any]) -> E:
        """An entity from a raw driver row holding every column in table order."""
        values = {
            name: decode(value)
            for name, decode, value in zip(self.columns, self._decoders, row, strict=True)
        }
        return self.entity.model_construct(**values)

    def from_row(self, row: Sequence[Any]) -> E:
        """An entity from a SQLAlchemy row (already processed by the column types)."""
        values = {
            name: value if convert is None else convert(value)
            for name, convert, value in zip(self.columns, self._value_converters, row, strict=True)
        }
        return self.entity.model_construct(**values)

    def decode_column(self, column: str, value: Any) -> Any:
        """One raw driver value of ``column`` as the entity holds it."""
        return self._field_decoders[column](value)


def _compose(first: Converter | None, second: Converter | None) -> Converter:
    first = None if first is _identity else first
    second = None if second is _identity else second
    if first is None and second is None:
        return _identity
    if first is None:
        assert second is not None
        return second
    if second is None:
        return first
    return lambda value: second(first(value))


__all__ = ["EntityMapping"]

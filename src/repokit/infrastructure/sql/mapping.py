"""Row <-> entity mapping, shared by every SQL repository.

An :class:`EntityMapping` pairs a pydantic entity with a table whose columns
bear the entity's field names (a column may also hold a value computed from a
field, such as a declared decimal's comparable key, which is written but not
read back). It encodes entities into driver-ready rows and
decodes rows back with the *same* per-column processors SQLAlchemy itself
would apply (``bind_processor``/``result_processor`` of each column type), so
rows read through SQLAlchemy and rows read straight from the driver give
identical entities.

Rows come from our own tables and were validated on the way in, so entities are
rebuilt with ``model_construct`` (no second validation): reading is the hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from repokit.infrastructure.assembly import assemblable, assemble

E = TypeVar("E", bound=BaseModel)
Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


class EntityMapping(Generic[E]):
    """How ``entity`` maps onto ``table`` for one dialect.

    Args:
        entity: the pydantic model; its field names are the table's column names.
        table: the table (every column must hold a field of ``entity``).
        dialect: the dialect whose column processors encode and decode values.
        to_column: per-column conversion before the column type's (e.g. an enum to its value).
        to_field: per-column conversion after the column type's (e.g. a value to its enum).
        sources: the field a column holds, for columns not named after their field
            (default: the column's own name).
        unread: columns written but never read back (:attr:`read_columns` leaves them out).
    """

    def __init__(
        self,
        entity: type[E],
        table: Table,
        dialect: Dialect,
        *,
        to_column: Mapping[str, Converter] | None = None,
        to_field: Mapping[str, Converter] | None = None,
        sources: Mapping[str, str] | None = None,
        unread: Collection[str] = (),
    ) -> None:
        self.entity = entity
        self.table = table
        self.dialect = dialect
        self.columns: tuple[str, ...] = tuple(column.name for column in table.columns)
        """Every column, in table order: what inserts write."""
        self.read_columns: tuple[str, ...] = tuple(c for c in self.columns if c not in unread)
        """The columns a read selects, in table order: what :meth:`decode` takes."""
        sources = sources or {}
        self._fields = {name: sources.get(name, name) for name in self.columns}
        missing = set(self._fields.values()) - set(entity.model_fields)
        if missing:
            raise TypeError(f"{entity.__name__} has no fields for columns {sorted(missing)}")
        self._encoders: dict[str, Converter] = {}
        to_column = to_column or {}
        to_field = to_field or {}
        decoders: dict[str, Converter] = {}
        for column in table.columns:
            # Values are bound through the dialect's own form of the type, so a
            # TypeDecorator's value reaches the driver as load_dialect_impl's type
            # takes it (psycopg would wrap a UUID as LargeBinary's Binary otherwise).
            # Results need no such care: the driver already returned native values.
            encode = column.type.dialect_impl(dialect).bind_processor(dialect) or _identity
            self._encoders[column.name] = _compose(to_column.get(column.name), encode)
            if column.name in self.read_columns:
                decode = column.type.result_processor(dialect, None) or _identity
                decoders[column.name] = _compose(decode, to_field.get(column.name))
        # Only the columns whose values change are converted one by one; the others are
        # copied in bulk (a function call per value per row is what a read costs most).
        self._written_fields = [self._fields[name] for name in self.columns]
        self._encoding = [
            (index, self._encoders[name])
            for index, name in enumerate(self.columns)
            if self._encoders[name] is not _identity
        ]
        self._read_fields = tuple(self._fields[name] for name in self.read_columns)
        self._decoding = [
            (index, decoders[name])
            for index, name in enumerate(self.read_columns)
            if decoders[name] is not _identity
        ]
        self._field_decoders = decoders
        self._read_names = frozenset(self._read_fields)
        # A row holding every field is the whole entity: built without pydantic's
        # model_construct walk over the fields (see repokit.infrastructure.assembly).
        self._assemblable = assemblable(entity, self._read_names)
        self._converting = [
            (index, convert)
            for index, name in enumerate(self.read_columns)
            if (convert := to_field.get(name)) is not None
        ]

    def field_of(self, column: str) -> str:
        """The field whose value ``column`` holds."""
        return self._fields[column]

    def encoder(self, column: str) -> Converter:
        """The function that turns a field value into the driver value of ``column``."""
        return self._encoders[column]

    def encode(self, entity: E, columns: Sequence[str] | None = None) -> tuple[Any, ...]:
        """Driver values of ``entity`` for ``columns`` (all, in table order, by default)."""
        return self.encode_values(entity.__dict__, columns)

    def encode_values(
        self, data: Mapping[str, Any], columns: Sequence[str] | None = None
    ) -> tuple[Any, ...]:
        """Driver values for ``columns`` of the field values in ``data``."""
        if columns is None:
            values = [data[field] for field in self._written_fields]
            for index, encode in self._encoding:
                values[index] = encode(values[index])
            return tuple(values)
        encoders, fields = self._encoders, self._fields
        return tuple([encoders[name](data[fields[name]]) for name in columns])

    def decode(self, row: Sequence[Any]) -> E:
        """An entity from a raw driver row holding the :attr:`read_columns` in order."""
        return self._construct(row, self._decoding)

    def from_row(self, row: Sequence[Any]) -> E:
        """An entity from a SQLAlchemy row of the :attr:`read_columns` (already processed
        by the column types)."""
        return self._construct(row, self._converting)

    def _construct(self, row: Sequence[Any], conversions: list[tuple[int, Converter]]) -> E:
        values = dict(zip(self._read_fields, row, strict=True))
        fields = self._read_fields
        for index, convert in conversions:
            values[fields[index]] = convert(row[index])
        if self._assemblable:
            return assemble(self.entity, values, self._read_names)
        return self.entity.model_construct(**values)

    def decode_column(self, column: str, value: Any) -> Any:
        """One raw driver value of ``column`` (a read column) as its field holds it."""
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

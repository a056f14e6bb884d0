"""Queries over a declared entity: its filter fields, orderings, cursors and ``get_by`` keys.

One :class:`EntityQueries` per entity spec holds the rules every backend shares:

* **filters** use the document filter language over the entity's own fields.
  A scalar field takes operands of its type (a ``Decimal`` for a ``Decimal``
  field, a ``date`` for a ``date`` field, an enum member or its value for an
  enum field); a JSON field (list, dict, nested model) is compared with the JSON
  rules of document metadata, and dotted paths reach inside dicts and nested
  models (checked against the nested model's fields). ``{"f": None}`` matches a
  null field; on a list field ``$eq``/``$in`` match when any element does.
* **orderings** name a required scalar field; ties are broken by id, and keyset
  pages run over ``(field, id)`` in the listing's direction.
* **get_by** takes exactly one unique group: a ``Unique()`` field, a compound
  unique's fields, or ``id``.

The reference evaluator (:mod:`.matching`) reads entities through
:meth:`EntityQueries.read`, which presents each field as the backends compare it
(enums as their values, JSON fields as plain JSON).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, TypeAdapter

from repokit.domain.entity import check_decimal
from repokit.domain.entity_spec import EntitySpec, FieldKind, FieldSpec, JsonShape
from repokit.domain.errors import InvalidQueryError
from repokit.domain.json_values import INT64_LIMIT
from repokit.domain.matching import read_json_path
from repokit.domain.paging import (
    Page,
    decode_keyset_cursor,
    encode_keyset_cursor,
    validate_limit,
)
from repokit.domain.query import (
    MAX_PATH_DEPTH,
    ORDERING_OPS,
    FieldRef,
    Filter,
    FilterNode,
    Scalar,
    datetime_operand,
    describe,
    json_operand,
    parse_filter,
    parse_json_path,
    uuid_operand,
)

DEFAULT_ORDER = "id"
"""What ``list`` and ``page`` order by when not told: ids are UUIDv7, so creation order."""

_UNORDERED = frozenset({FieldKind.JSON})


E = TypeVar("E", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Ordering:
    """A validated ordering: by ``field`` (then id), ascending unless ``descending``."""

    field: FieldSpec
    descending: bool
    cursor_kind: str

    @property
    def name(self) -> str:
        """The field's name."""
        return self.field.name


class EntityQueries:
    """The filter schema, orderings, cursors and ``get_by`` keys of one declared entity."""

    def __init__(self, spec: EntitySpec) -> None:
        self.spec = spec
        self._fields = spec.by_name
        self._unique_groups = {frozenset(group): group for group in (("id",), *spec.unique)}
        # get_by is a hot path: its error-message labels are made once, not per call.
        self._get_by_labels = {
            name: f"get_by({name}=...)" for group in self._unique_groups.values() for name in group
        }
        self._json_dumpers: dict[str, Callable[[Any], Any]] = {
            f.name: _json_dumper(spec.model, f.name) for f in spec.fields if f.is_json
        }

    # -- FilterSchema -------------------------------------------------------------

    def field(self, key: str) -> FieldRef:
        """The field ``key`` names (``name`` or ``name.path`` into a JSON field)."""
        head, _, rest = key.partition(".")
        spec = self._fields.get(head)
        if spec is None:
            allowed = ", ".join(self._fields)
            raise InvalidQueryError(
                f"unknown filter field {key!r} of {self.spec.name}; allowed fields: {allowed}"
            )
        if not spec.is_json:
            if rest:
                raise InvalidQueryError(
                    f"{self.spec.name}.{head} is not a dict or nested model: {key!r} has no path"
                )
            return FieldRef(head)
        if not rest:
            return FieldRef(head, json=True)
        if spec.shape is JsonShape.LIST:
            raise InvalidQueryError(
                f"{self.spec.name}.{head} is a list: filter it without a path "
                "(a condition on a list matches when any element does)"
            )
        path = parse_json_path(head, rest, key)
        if spec.model is not None:
            _check_model_path(spec.model, path, key)
        return FieldRef(head, path, json=True)

    def operand(self, field: FieldRef, op: str, value: Any) -> Scalar:
        """``value`` as ``op`` on ``field`` takes it, or ``InvalidQueryError``."""
        where = f"{op!r} on {field.dotted!r}"
        ordering = op in ORDERING_OPS
        if field.json:
            return json_operand(value, ordering, where)
        spec = self._fields[field.name]
        if value is None:
            if ordering:
                raise InvalidQueryError(f"{where} takes a value, not null")
            return None
        if ordering and spec.kind is FieldKind.BOOL:
            raise InvalidQueryError(f"{where} is not allowed: booleans are not ordered")
        return scalar_operand(spec, value, where)

    # -- filters, orderings, cursors ----------------------------------------------

    def parse(self, where: Filter | None) -> FilterNode | None:
        """The validated filter AST of ``where`` (None for everything)."""
        return parse_filter(where, self)

    def ordering(self, order_by: str, descending: bool) -> Ordering:
        """The ordering ``order_by`` names, or ``InvalidQueryError`` listing the allowed fields."""
        if not isinstance(descending, bool):
            raise InvalidQueryError(f"descending must be True or False, got {descending!r}")
        spec = self._fields.get(order_by) if isinstance(order_by, str) else None
        if spec is None or spec.kind in _UNORDERED or spec.nullable:
            allowed = ", ".join(
                f.name for f in self.spec.fields if f.kind not in _UNORDERED and not f.nullable
            )
            raise InvalidQueryError(
                f"cannot order {self.spec.name} by {order_by!r}; allowed: {allowed} "
                "(required fields that are not lists, dicts or nested models)"
            )
        direction = "desc" if descending else "asc"
        return Ordering(spec, descending, f"{self.spec.collection}:{order_by}:{direction}")

    def page_start(
        self, limit: int, cursor: str | None, order_by: str, descending: bool
    ) -> tuple[Ordering, tuple[Any, UUID] | None]:
        """The ordering of a ``page`` call and the ``(value, id)`` it resumes after
        (None from the start), every argument checked: the first half of every
        backend's ``page``; :meth:`page_of` is the second."""
        validate_limit(limit)
        ordering = self.ordering(order_by, descending)
        after = None if cursor is None else self.decode_cursor(ordering, cursor)
        return ordering, after

    def page_of(
        self, ordering: Ordering, rows: Sequence[E], limit: int, cursor: str | None
    ) -> Page[E]:
        """The page of the first ``limit`` of ``rows``, read with ``limit + 1`` so that
        one more row tells whether another page follows."""
        items = list(rows[:limit])
        next_cursor = self.next_cursor(ordering, items, len(rows) > limit, cursor)
        # The items come from the backend's own rows: no need to validate them again.
        return Page[E].model_construct(items=items, next_cursor=next_cursor)

    def encode_cursor(self, ordering: Ordering, entity: BaseModel) -> str:
        """The cursor after ``entity`` in ``ordering``."""
        data = entity.__dict__
        value = _to_json(ordering.field, self.order_value(ordering.field, data[ordering.name]))
        return encode_keyset_cursor(ordering.cursor_kind, value, data["id"])

    def next_cursor(
        self, ordering: Ordering, items: Sequence[BaseModel], more: bool, cursor: str | None
    ) -> str | None:
        """The ``next_cursor`` of a page of ``items`` that read ``cursor``'s position on:
        None when ``more`` rows did not follow, else after the last item (or, for an
        empty page, where it started)."""
        if not more:
            return None
        if items:
            return self.encode_cursor(ordering, items[-1])
        return cursor if cursor is not None else self.start_cursor(ordering)

    def start_cursor(self, ordering: Ordering) -> str:
        """A cursor before every row: what an empty first page (``limit=0``) hands back."""
        return encode_keyset_cursor(ordering.cursor_kind, None, UUID(int=0))

    def decode_cursor(self, ordering: Ordering, cursor: str) -> tuple[Any, UUID] | None:
        """``(value, id)`` of a cursor of ``ordering`` (the value as :meth:`order_value` has
        it); None for :meth:`start_cursor`'s cursor, which starts at the beginning."""
        raw, id_ = decode_keyset_cursor(ordering.cursor_kind, cursor)
        if raw is None:
            return None
        try:
            return _from_json(ordering.field, raw), id_
        except (TypeError, ValueError, ArithmeticError):
            raise InvalidQueryError("cursor is not valid: unreadable payload") from None

    @staticmethod
    def order_value(spec: FieldSpec, value: Any) -> Any:
        """A field value as listings compare it (an enum by its value)."""
        return value.value if isinstance(value, enum.Enum) else value

    @staticmethod
    def order_value_of(entity: BaseModel, name: str) -> Any:
        """The value of field ``name`` of ``entity`` as listings and ``get_by`` compare it."""
        value = entity.__dict__[name]
        return value.value if isinstance(value, enum.Enum) else value

    # -- get_by ---------------------------------------------------------------------

    def unique_key(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``get_by``'s arguments checked against the unique groups; values as stored."""
        group = self._unique_groups.get(frozenset(values))
        if group is None:
            choices = " or ".join(
                ", ".join(names) if len(names) == 1 else f"({', '.join(names)})"
                for names in self._unique_groups.values()
            )
            raise InvalidQueryError(
                f"get_by takes the fields of one unique constraint of {self.spec.name}: "
                f"{choices}; got {', '.join(values) or 'nothing'}"
            )
        key: dict[str, Any] = {}
        for name in group:
            value = values[name]
            if value is None:
                raise InvalidQueryError(f"get_by({name}=None): null is never unique")
            key[name] = scalar_operand(self._fields[name], value, self._get_by_labels[name])
        return key

    # -- the reference evaluator's view ---------------------------------------------

    def read(self, entity: Any, field: FieldRef) -> tuple[bool, Any]:
        """``(present, value)`` of ``field`` as every backend compares it."""
        value = entity.__dict__[field.name]
        if not field.json:
            return True, value.value if isinstance(value, enum.Enum) else value
        return read_json_path(self._json_dumpers[field.name](value), field.path)


def scalar_operand(spec: FieldSpec, value: Any, where: str) -> Scalar:
    """``value`` as the scalar field ``spec`` compares it, or ``InvalidQueryError``."""
    kind = spec.kind
    if kind is FieldKind.STR:
        if not isinstance(value, str):
            raise InvalidQueryError(f"{where} takes a string, got {describe(value)}")
        if "\x00" in value:
            raise InvalidQueryError(f"{where}: text must not contain a NUL character")
        return value
    if kind in (FieldKind.INT, FieldKind.FLOAT):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidQueryError(f"{where} takes a number, got {describe(value)}")
        return json_operand(value, False, where)
    if kind is FieldKind.BOOL:
        if not isinstance(value, bool):
            raise InvalidQueryError(f"{where} takes true or false, got {describe(value)}")
        return value
    if kind is FieldKind.DECIMAL:
        return _decimal_operand(value, where)
    if kind is FieldKind.UUID:
        return uuid_operand(value, where)
    if kind is FieldKind.DATETIME:
        return datetime_operand(value, where)
    if kind is FieldKind.DATE:
        return _date_operand(value, where)
    return _choice_operand(spec, value, where)


def _decimal_operand(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidQueryError(
            f"{where} takes a Decimal (or an int), got {describe(value)}; "
            "floats are not exact: write Decimal('...')"
        )
    number = Decimal(value)
    try:
        check_decimal(number, where)
    except ValueError as exc:
        raise InvalidQueryError(str(exc)) from None
    return number


def _date_operand(value: Any, where: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidQueryError(f"{where}: {value!r} is not an ISO-8601 date") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidQueryError(f"{where} takes a date, got {describe(value)}")
    return value


def _choice_operand(spec: FieldSpec, value: Any, where: str) -> str | int:
    if isinstance(value, enum.Enum):
        if spec.enum is None or not isinstance(value, spec.enum):
            raise InvalidQueryError(f"{where} takes a {spec.name} value, got {describe(value)}")
        value = value.value
    if isinstance(value, bool) or value not in spec.choices:
        choices = ", ".join(repr(choice) for choice in spec.choices)
        raise InvalidQueryError(f"{where} takes one of {choices}, got {describe(value)}")
    if type(value) is not type(spec.choices[0]):
        raise InvalidQueryError(f"{where} takes one of {spec.choices!r}, got {describe(value)}")
    chosen: str | int = value
    return chosen


def _check_model_path(model: type[BaseModel], path: tuple[str, ...], key: str) -> None:
    """Refuse a path naming a field the nested model does not have (while it stays in models)."""
    current: Any = model
    for segment in path[:MAX_PATH_DEPTH]:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return
        info = current.model_fields.get(segment)
        if info is None:
            raise InvalidQueryError(
                f"unknown filter field {key!r}: {current.__name__} has no field {segment!r} "
                f"(fields: {', '.join(current.model_fields)})"
            )
        current = _model_inside(info.annotation)


def _model_inside(annotation: Any) -> Any:
    """The nested model of ``annotation`` (through ``| None``), or the annotation itself."""
    args = getattr(annotation, "__args__", None)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _json_dumper(model: type[BaseModel], name: str) -> Callable[[Any], Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(model.model_fields[name].annotation or Any)

    def dump(value: Any) -> Any:
        return adapter.dump_python(value, mode="json")

    return dump


def _to_json(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in (FieldKind.DECIMAL, FieldKind.UUID):
        return str(value)
    if spec.kind in (FieldKind.DATETIME, FieldKind.DATE):
        return value.isoformat()
    return value


def _from_json(spec: FieldSpec, raw: Any) -> Any:
    kind = spec.kind
    if kind is FieldKind.DECIMAL:
        return Decimal(str(raw))
    if kind is FieldKind.UUID:
        return UUID(raw)
    if kind is FieldKind.DATETIME:
        return datetime_operand(raw, "cursor")
    if kind is FieldKind.DATE:
        return date.fromisoformat(raw)
    if kind is FieldKind.BOOL:
        if not isinstance(raw, bool):
            raise TypeError("not a boolean")
        return raw
    if kind in (FieldKind.INT, FieldKind.FLOAT):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise TypeError("not a number")
        if isinstance(raw, int) and not -INT64_LIMIT <= raw < INT64_LIMIT:
            raise ValueError("out of range")
        return raw
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise TypeError("not a text or number")
    return raw


__all__ = ["DEFAULT_ORDER", "EntityQueries", "Ordering", "scalar_operand"]

"""The filter language, validated into a small AST before any backend sees it.

A filter is a Mongo-style dict::

    {"metadata.tag": "a", "metadata.year": {"$gte": 2020}, "$or": [...]}

:func:`parse_filter` turns it into :data:`FilterNode` values or raises
:class:`InvalidQueryError` naming the offending part. Backends compile the AST,
never the raw dict, so field names reach a backend only from this whitelist.

Semantics (the same on every backend, see ``docs/filters.md``):

* ``$ne`` and ``$nin`` are the negations of ``$eq`` and ``$in``: they match a
  missing field. The parser lowers them to ``Not(...)``.
* ``{"f": None}`` matches a null or a missing field.
* A metadata field holding an array matches ``$eq``/``$in``/comparisons when
  any element does, as in MongoDB.
* Comparisons only match values of the operand's kind: numbers with numbers
  (booleans are not numbers), strings with strings (code-point order).

Which fields a filter may name, and what operands they take, is a
:class:`FilterSchema`: :data:`DOCUMENT_FIELDS` for documents, and one derived
from the declaration for each ``repokit.Entity`` (:mod:`repokit.domain.entity_query`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeAlias
from uuid import UUID

from repokit.domain.clock import normalize_timestamp
from repokit.domain.errors import InvalidQueryError
from repokit.domain.json_values import INT64_LIMIT

Filter: TypeAlias = Mapping[str, Any]
"""The raw, user-facing filter dict."""

CompareOp = Literal["$eq", "$gt", "$gte", "$lt", "$lte"]
Scalar: TypeAlias = str | int | float | bool | Decimal | datetime | date | UUID | None

FIELD_KINDS: dict[str, str] = {
    "title": "text",
    "created_at": "datetime",
    "updated_at": "datetime",
    "workspace_id": "uuid",
}
"""Top-level filterable fields and the kind of value they hold."""

OPERATORS = frozenset(
    {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$and", "$or", "$not"}
)
ORDERING_OPS = frozenset({"$gt", "$gte", "$lt", "$lte"})
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_PATH_DEPTH = 16
_MAX_IN_VALUES = 1000
_MAX_NESTING = 32


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A validated field: a scalar column, or a path inside a JSON field.

    Attributes:
        name: the top-level field (a column, or the JSON field such as ``metadata``).
        path: the keys inside a JSON field (``metadata.a.b`` -> ``("a", "b")``).
        json: the field holds JSON (metadata, lists, dicts, nested models): it is
            compared with the JSON rules (kinds, any array element), not as a column.
    """

    name: str
    path: tuple[str, ...] = ()
    json: bool = False

    @property
    def dotted(self) -> str:
        """The field as the user wrote it, e.g. ``metadata.a.b``."""
        return ".".join((self.name, *self.path))


@dataclass(frozen=True, slots=True)
class Compare:
    """``field <op> value`` for one of ``$eq $gt $gte $lt $lte``."""

    field: FieldRef
    op: CompareOp
    value: Scalar


@dataclass(frozen=True, slots=True)
class In:
    """``field`` equals one of ``values`` (``$in``); ``$nin`` is ``Not(In(...))``."""

    field: FieldRef
    values: tuple[Scalar, ...]


@dataclass(frozen=True, slots=True)
class Exists:
    """``field`` is present (``exists=True``) or absent; a stored null is present."""

    field: FieldRef
    exists: bool


@dataclass(frozen=True, slots=True)
class And:
    """All clauses hold."""

    clauses: tuple[FilterNode, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one clause holds."""

    clauses: tuple[FilterNode, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The clause does not hold (two-valued: a missing field makes ``Compare`` false)."""

    clause: FilterNode


FilterNode: TypeAlias = Compare | In | Exists | And | Or | Not


class FilterSchema(Protocol):
    """The fields a filter may name and the operands each takes."""

    def field(self, key: str) -> FieldRef:
        """The field ``key`` names, or ``InvalidQueryError`` listing the allowed ones."""
        ...

    def operand(self, field: FieldRef, op: str, value: Any) -> Scalar:
        """``value`` checked for ``op`` on ``field`` and normalised, or ``InvalidQueryError``."""
        ...


def parse_filter(raw: Filter | None, schema: FilterSchema | None = None) -> FilterNode | None:
    """Validate a filter dict into an AST; ``None`` or ``{}`` mean "everything".

    Args:
        raw: the filter dict.
        schema: the fields it may name; documents' (:data:`DOCUMENT_FIELDS`) by default.

    Raises:
        InvalidQueryError: naming the operator, field or value that is not allowed.
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise InvalidQueryError(f"a filter must be a dict, got {type(raw).__name__}")
    if not raw:
        return None
    return _parse_document(schema or DOCUMENT_FIELDS, raw, depth=0)


def _parse_document(schema: FilterSchema, raw: Mapping[Any, Any], depth: int) -> FilterNode:
    if depth > _MAX_NESTING:
        raise InvalidQueryError(f"filter is nested deeper than {_MAX_NESTING} levels")
    if not raw:
        raise InvalidQueryError("an empty filter dict is only allowed at the top level")
    clauses: list[FilterNode] = []
    for key, value in raw.items():
        if not isinstance(key, str):
            raise InvalidQueryError(f"filter keys must be strings, got {key!r}")
        if key in ("$and", "$or"):
            clauses.append(_parse_logical(schema, key, value, depth))
        elif key == "$not":
            if not isinstance(value, Mapping):
                raise InvalidQueryError("top-level '$not' takes a filter dict")
            clauses.append(Not(_parse_document(schema, value, depth + 1)))
        elif key.startswith("$"):
            raise InvalidQueryError(f"unknown or misplaced operator {key!r} at the top level")
        else:
            field = schema.field(key)
            clauses.append(_parse_field_condition(schema, field, value, depth))
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def _parse_logical(schema: FilterSchema, op: str, value: Any, depth: int) -> FilterNode:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes) or not value:
        raise InvalidQueryError(f"{op!r} takes a non-empty list of filter dicts")
    parsed = []
    for item in value:
        if not isinstance(item, Mapping):
            raise InvalidQueryError(f"{op!r} items must be filter dicts, got {item!r}")
        parsed.append(_parse_document(schema, item, depth + 1))
    return And(tuple(parsed)) if op == "$and" else Or(tuple(parsed))


def parse_json_path(name: str, rest: str, key: str) -> tuple[str, ...]:
    """The validated segments of the path ``rest`` inside JSON field ``name`` (``key`` in full)."""
    path = tuple(rest.split("."))
    if len(path) > MAX_PATH_DEPTH:
        raise InvalidQueryError(f"{name} path {key!r} is deeper than {MAX_PATH_DEPTH}")
    for segment in path:
        if not _PATH_SEGMENT.match(segment):
            raise InvalidQueryError(
                f"invalid {name} path segment {segment!r} in {key!r}: "
                "use letters, digits, '_' and '-' only"
            )
    return path


def _parse_field_condition(
    schema: FilterSchema, field: FieldRef, value: Any, depth: int
) -> FilterNode:
    if not isinstance(value, Mapping):
        return Compare(field, "$eq", schema.operand(field, "$eq", value))
    if not value:
        raise InvalidQueryError(f"empty operator dict for field {field.dotted!r}")
    clauses: list[FilterNode] = []
    for op, operand in value.items():
        if not isinstance(op, str) or not op.startswith("$"):
            raise InvalidQueryError(
                f"field {field.dotted!r} takes a scalar or an operator dict, "
                f"not an object with key {op!r}"
            )
        clauses.append(_parse_operator(schema, field, op, operand, depth))
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def _parse_operator(
    schema: FilterSchema, field: FieldRef, op: str, operand: Any, depth: int
) -> FilterNode:
    if op == "$eq" or op in ORDERING_OPS:
        return Compare(field, op, schema.operand(field, op, operand))  # type: ignore[arg-type]
    if op == "$ne":
        return Not(Compare(field, "$eq", schema.operand(field, "$eq", operand)))
    if op in ("$in", "$nin"):
        node = In(field, _in_values(schema, field, op, operand))
        return node if op == "$in" else Not(node)
    if op == "$exists":
        if not (field.json and field.path):
            raise InvalidQueryError(
                f"'$exists' applies to paths inside JSON fields only, not {field.dotted!r}"
            )
        if not isinstance(operand, bool):
            raise InvalidQueryError(f"'$exists' on {field.dotted!r} takes true or false")
        return Exists(field, operand)
    if op == "$not":
        if not isinstance(operand, Mapping) or not operand:
            raise InvalidQueryError(f"'$not' on {field.dotted!r} takes an operator dict")
        if depth > _MAX_NESTING:
            raise InvalidQueryError(f"filter is nested deeper than {_MAX_NESTING} levels")
        return Not(_parse_field_condition(schema, field, operand, depth + 1))
    if op in OPERATORS:
        raise InvalidQueryError(f"operator {op!r} is not allowed on field {field.dotted!r}")
    raise InvalidQueryError(f"unknown operator {op!r} on field {field.dotted!r}")


def _in_values(
    schema: FilterSchema, field: FieldRef, op: str, operand: Any
) -> tuple[Scalar, ...]:
    if not isinstance(operand, Sequence) or isinstance(operand, str | bytes):
        raise InvalidQueryError(f"{op!r} on {field.dotted!r} takes a list of values")
    if len(operand) > _MAX_IN_VALUES:
        raise InvalidQueryError(f"{op!r} on {field.dotted!r} takes at most {_MAX_IN_VALUES} values")
    return tuple(schema.operand(field, "$eq", item) for item in operand)


class _DocumentFields:
    """Documents' filter fields: :data:`FIELD_KINDS` and ``metadata.<path>``."""

    def field(self, key: str) -> FieldRef:
        if key in FIELD_KINDS:
            return FieldRef(key)
        head, _, rest = key.partition(".")
        if head != "metadata" or not rest:
            allowed = ", ".join([*FIELD_KINDS, "metadata.<path>"])
            raise InvalidQueryError(f"unknown filter field {key!r}; allowed fields: {allowed}")
        return FieldRef("metadata", parse_json_path("metadata", rest, key), json=True)

    def operand(self, field: FieldRef, op: str, value: Any) -> Scalar:
        return _document_operand(field, op, value)


DOCUMENT_FIELDS: FilterSchema = _DocumentFields()
"""The fields of a document filter."""


def _document_operand(field: FieldRef, op: str, value: Any) -> Scalar:
    """Check ``value`` against the field's kind and the operator; return it normalised."""
    where = f"{op!r} on {field.dotted!r}"
    kind = "metadata" if field.json else FIELD_KINDS[field.name]
    ordering = op in ORDERING_OPS
    if kind == "metadata":
        return json_operand(value, ordering, where)
    if kind == "text":
        if not isinstance(value, str):
            raise InvalidQueryError(f"{where} takes a string, got {describe(value)}")
        return value
    if kind == "datetime":
        return datetime_operand(value, where)
    if ordering:
        raise InvalidQueryError(f"{where} is not allowed: workspace ids are not ordered")
    if value is None:
        return value
    return uuid_operand(value, where)


def uuid_operand(value: Any, where: str) -> UUID:
    """A UUID operand (a UUID or its string form), else ``InvalidQueryError``."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            pass
    raise InvalidQueryError(f"{where} takes a UUID or null, got {describe(value)}")


def json_operand(value: Any, ordering: bool, where: str) -> Scalar:
    """An operand compared with JSON values: a string, a 64-bit int, a finite float, a
    boolean or (not for orderings) null."""
    if isinstance(value, bool):
        if ordering:
            raise InvalidQueryError(f"{where} takes a number or a string, not a boolean")
        return value
    if isinstance(value, int):
        if not -INT64_LIMIT <= value < INT64_LIMIT:
            raise InvalidQueryError(f"{where}: integer {value} is outside the 64-bit range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidQueryError(f"{where}: {value} is not a finite number")
        return value
    if isinstance(value, str):
        return value
    if value is None and not ordering:
        return None
    kinds = "a number or a string" if ordering else "a string, number, boolean or null"
    raise InvalidQueryError(f"{where} takes {kinds}, got {describe(value)}")


def datetime_operand(value: Any, where: str) -> datetime:
    """A datetime operand (or its ISO-8601 text) in UTC, microseconds kept."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidQueryError(f"{where}: {value!r} is not an ISO-8601 datetime") from None
    if not isinstance(value, datetime):
        raise InvalidQueryError(f"{where} takes a datetime, got {describe(value)}")
    # Operands keep their microseconds: only stored values are truncated.
    moment: datetime = value
    return normalize_timestamp(moment).replace(microsecond=moment.microsecond)


def describe(value: Any) -> str:
    """A short description of a rejected value for error messages."""
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}"


__all__ = [
    "DOCUMENT_FIELDS",
    "FIELD_KINDS",
    "MAX_PATH_DEPTH",
    "OPERATORS",
    "ORDERING_OPS",
    "And",
    "Compare",
    "CompareOp",
    "Exists",
    "FieldRef",
    "Filter",
    "FilterNode",
    "FilterSchema",
    "In",
    "Not",
    "Or",
    "Scalar",
    "datetime_operand",
    "describe",
    "json_operand",
    "parse_filter",
    "parse_json_path",
    "uuid_operand",
]

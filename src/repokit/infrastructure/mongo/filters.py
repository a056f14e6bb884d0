"""The validated filter AST compiled to a MongoDB query document.

Field names come only from the AST (so from :func:`repokit.domain.query.parse_filter`'s
whitelist) and values are only ever placed in operand position, so no user
data can become an operator: a metadata value ``{"$where": ...}`` cannot even
reach here (operands are scalars), and a key starting with ``$`` is refused by
the parser before any backend sees it.

MongoDB already shares most of repokit's filter semantics (``docs/semantics.md``):
a field holding an array matches when an element does, ``{"f": null}`` matches
null and missing, comparisons stay within a kind (numbers with numbers, strings
by code point, booleans apart). Three rules need help:

* ``Not`` is ``$nor`` of its clause: the exact complement, whatever the clause.
* Paths never traverse arrays in the middle (``metadata.items.k`` does not look
  inside a list of objects, and ``metadata.a.0`` does not index a list), which
  MongoDB would do: each proper prefix of a nested path is guarded with
  ``{"<prefix>": {"$type": "array"}}``, and a document where a prefix is an array
  sees the field as missing.
* Timestamp operands keep their microseconds while stored timestamps have
  milliseconds, so a sub-millisecond operand is turned into the millisecond
  bound that selects exactly the same stored values.

Where a field is stored and how an operand looks there is a :class:`StoredFields`:
documents' by default; a declared entity's from its codec (an id at ``_id``, a
decimal's order key at ``<field>.key``, a date as a BSON date).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from repokit.domain.query import And, Compare, Exists, FieldRef, FilterNode, In, Not, Or, Scalar

MATCH_ALL: dict[str, Any] = {}
MATCH_NONE: dict[str, Any] = {"_id": {"$in": []}}
_MS = timedelta(milliseconds=1)


class StoredFields(Protocol):
    """Where each filter field is stored, and its operands as stored values."""

    def field_path(self, field: FieldRef) -> str:
        """The stored document's path of ``field``."""
        ...

    def field_operand(self, field: FieldRef, value: Scalar) -> Any:
        """A checked operand of ``field`` as the value stored at its path."""
        ...

    def root_may_be_array(self, field: FieldRef) -> bool:
        """The JSON field itself may hold an array, so a path into it needs a guard too."""
        ...


class _DocumentStorage:
    """Documents' fields: stored under their own names, UUIDs as strings."""

    def field_path(self, field: FieldRef) -> str:
        return field.dotted

    def field_operand(self, field: FieldRef, value: Scalar) -> Any:
        return str(value) if isinstance(value, UUID) else value

    def root_may_be_array(self, field: FieldRef) -> bool:
        return False  # metadata is always an object


DOCUMENT_STORAGE: StoredFields = _DocumentStorage()
"""How documents (and their metadata) are stored."""


def compile_filter(
    node: FilterNode | None, stored: StoredFields = DOCUMENT_STORAGE
) -> dict[str, Any]:
    """A MongoDB query document equivalent to ``node`` (``{}`` for None)."""
    return MATCH_ALL if node is None else _compile(node, stored)


def _compile(node: FilterNode, stored: StoredFields) -> dict[str, Any]:
    if isinstance(node, And):
        return {"$and": [_compile(clause, stored) for clause in node.clauses]}
    if isinstance(node, Or):
        return {"$or": [_compile(clause, stored) for clause in node.clauses]}
    if isinstance(node, Not):
        return {"$nor": [_compile(node.clause, stored)]}
    native = _leaf(node, stored)
    guards = _array_prefixes(node.field, stored.root_may_be_array(node.field))
    if not guards:
        return native
    if _matches_missing(node):
        # A document whose path runs through an array sees the field as missing.
        return {"$or": [native, *guards]}
    return {"$and": [{"$nor": guards}, native]}


def _leaf(node: Compare | In | Exists, stored: StoredFields) -> dict[str, Any]:
    field = node.field
    path = stored.field_path(field)
    if isinstance(node, Exists):
        return {path: {"$exists": node.exists}}
    if isinstance(node, In):
        values = [stored.field_operand(field, value) for value in node.values]
        # A sub-millisecond datetime equals no stored (millisecond) timestamp.
        kept = [v for v in values if not (isinstance(v, datetime) and v.microsecond % 1000)]
        return {path: {"$in": kept}}
    value = stored.field_operand(field, node.value)
    if isinstance(value, datetime):
        return _datetime_compare(path, node.op, value)
    if node.op == "$eq" and value is not None:
        # The bare form: MongoDB reads {f: v} and {f: {$eq: v}} alike; the nx-27017
        # stand-in matches array elements only in the bare form (and a null only in
        # the other, under $nor). Operands are scalars, so a value can never be
        # taken for an operator or a sub-document here.
        return {path: value}
    return {path: {node.op: value}}


def _array_prefixes(field: FieldRef, root: bool) -> list[dict[str, Any]]:
    """``{"prefix": {"$type": "array"}}`` for each proper prefix of a JSON path (the field
    itself too when ``root``)."""
    if not field.json or not field.path:
        return []
    return [
        {".".join((field.name, *field.path[:end])): {"$type": "array"}}
        for end in range(0 if root else 1, len(field.path))
    ]


def _matches_missing(node: Compare | In | Exists) -> bool:
    if isinstance(node, Exists):
        return not node.exists
    if isinstance(node, In):
        return None in node.values
    return node.op == "$eq" and node.value is None


def _datetime_compare(path: str, op: str, value: datetime) -> dict[str, Any]:
    if op == "$eq":
        # No stored (millisecond) value equals a sub-millisecond operand.
        return {path: value} if value.microsecond % 1000 == 0 else MATCH_NONE
    bound_op, bound = time_bound(op, value)
    return {path: {bound_op: bound}}


def time_bound(op: str, value: datetime) -> tuple[str, datetime]:
    """An ordering of millisecond timestamps against ``value``, as a millisecond bound.

    BSON dates hold milliseconds, so a microsecond operand would be truncated on
    the wire; ``s > 12:00:00.0015`` must become ``s >= 12:00:00.002``.
    """
    if value.microsecond % 1000 == 0:
        return op, value
    floor = value.replace(microsecond=value.microsecond - value.microsecond % 1000)
    if op in ("$gt", "$gte"):
        return "$gte", floor + _MS
    return "$lte", floor


__all__ = [
    "DOCUMENT_STORAGE",
    "MATCH_ALL",
    "MATCH_NONE",
    "StoredFields",
    "compile_filter",
    "time_bound",
]

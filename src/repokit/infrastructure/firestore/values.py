"""Field values to Firestore values and back, kind by kind.

Firestore keeps strings (compared by code point, as Python does), 64-bit
integers and doubles (compared as numbers, as the reference evaluator does),
booleans, timestamps (microseconds), maps, arrays and vectors. repokit stores:

* ``str``, ``int``, ``float``, ``bool``: as they are; enums and literals by value;
* ``UUID``: its canonical text (lower-case, hyphens), which sorts as UUIDs do;
* ``datetime``: a timestamp; ``date``: ISO text (``2024-05-01``), which sorts as dates;
* ``Decimal``: the order-preserving key of :mod:`repokit.infrastructure.sql.decimal_key`
  in the field itself (so filters, orderings and ``get_by`` run on it, and ``1.0``
  equals ``1.00``) and the exact text, scale kept, in ``<field>~`` beside it;
* JSON (metadata, lists, dicts, nested models): maps and arrays, with two escapes
  for what Firestore refuses: a map key that is empty or starts with ``__`` or ``~``
  gets a ``~`` in front, and an array directly inside an array is wrapped in a map
  ``{"~a": [...]}``. Filters on paths inside JSON are evaluated on the decoded
  values (:mod:`.filters`), so no path needs escaping;
* embeddings: a Firestore ``Vector`` (what ``find_nearest`` searches).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from google.cloud.firestore_v1.vector import Vector

from repokit.domain.entity_spec import FieldKind
from repokit.infrastructure.sql.decimal_key import decimal_key

DECIMAL_TEXT = "~"
"""Suffix of the field holding a decimal's exact text."""

_WRAPPED_LIST = "~a"
VECTOR = "vector"
"""The kind of an embedding field (not a declarable kind)."""


def escape_key(key: str) -> str:
    """A JSON map key as stored: Firestore refuses empty keys and reserves ``__...``."""
    if not key or key.startswith(("__", "~")):
        return "~" + key
    return key


def _unescape_key(key: str) -> str:
    return key[1:] if key.startswith("~") else key


def json_to_store(value: Any, *, in_list: bool = False) -> Any:
    """A JSON value in the form Firestore accepts (see the module doc)."""
    if isinstance(value, dict):
        return {escape_key(k): json_to_store(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [json_to_store(item, in_list=True) for item in value]
        return {_WRAPPED_LIST: items} if in_list else items
    return value


def json_from_store(value: Any) -> Any:
    """The JSON value :func:`json_to_store` stored."""
    if isinstance(value, dict):
        if len(value) == 1 and _WRAPPED_LIST in value:
            return [json_from_store(item) for item in value[_WRAPPED_LIST]]
        return {_unescape_key(k): json_from_store(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_from_store(item) for item in value]
    if isinstance(value, datetime):  # never written by repokit; read defensively
        return value.isoformat()
    return value


def to_store(kind: FieldKind | str, value: Any) -> Any:
    """A field value as stored (for a decimal: its key; see :func:`store_fields`)."""
    if value is None:
        return None
    if kind is FieldKind.UUID:
        return str(value)
    if kind is FieldKind.DATETIME:
        return value
    if kind is FieldKind.DATE:
        return value.isoformat()
    if kind is FieldKind.DECIMAL:
        return decimal_key(Decimal(value))
    if kind in (FieldKind.ENUM, FieldKind.LITERAL):
        return getattr(value, "value", value)
    if kind is FieldKind.JSON:
        return json_to_store(value)
    if kind == VECTOR:
        return Vector([float(x) for x in value])
    return value


def store_fields(name: str, kind: FieldKind | str, value: Any, out: dict[str, Any]) -> None:
    """Put field ``name`` into the stored map ``out`` (a decimal takes two fields)."""
    out[name] = to_store(kind, value)
    if kind is FieldKind.DECIMAL:
        out[name + DECIMAL_TEXT] = None if value is None else str(value)


def from_store(kind: FieldKind | str, name: str, data: Mapping[str, Any]) -> Any:
    """Field ``name`` of the stored map ``data`` as the model takes it."""
    value = data.get(name)
    if value is None:
        return None
    if kind is FieldKind.DATETIME:
        return as_datetime(value)
    if kind is FieldKind.DECIMAL:
        return Decimal(data[name + DECIMAL_TEXT])
    if kind is FieldKind.UUID:
        return UUID(value)
    if kind is FieldKind.DATE:
        return date.fromisoformat(value)
    if kind is FieldKind.JSON:
        return json_from_store(value)
    if kind == VECTOR:
        return list(value)
    return value


def as_datetime(value: datetime) -> datetime:
    """A plain aware UTC datetime of a stored timestamp (the client's is a subclass)."""
    value = value.astimezone(UTC)
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=UTC,
    )


def operand_to_store(kind: FieldKind | str | None, value: Any) -> Any:
    """A filter operand as the stored field holds it (JSON operands are as given)."""
    if kind is None or kind is FieldKind.JSON:
        return value
    return to_store(kind, value)


__all__ = [
    "DECIMAL_TEXT",
    "VECTOR",
    "as_datetime",
    "escape_key",
    "from_store",
    "json_from_store",
    "json_to_store",
    "operand_to_store",
    "store_fields",
    "to_store",
]

"""Field values of declared entities as DynamoDB key strings: order keys and unique keys.

Two encodings of a non-null scalar value, derived from its field's kind:

* :func:`order_key`, for the sort keys of the GSI pool. Monotone: ``a < b``
  implies ``order_key(a) <= order_key(b)`` as strings (code-point order, which
  DynamoDB's UTF-8 byte order agrees with), and every key uses only characters
  above ``"``, so ``!`` separates the fields of a compound key. Keys may tie for
  different values (text is cut at :data:`TEXT_KEY_BYTES`): readers re-sort a run
  of equal keys in-process and check every item against the filter, so a key
  only ever narrows what is read.
* :func:`unique_key`, for guard items: exact (equal values, ``1.0`` and ``1.00``
  for a ``Decimal``, share it; different values never do), hashed when long.

======================  ================================================
kind                    order key
======================  ================================================
str                     UTF-8 bytes in hex, the first 100 bytes
int                     ``value + 2**63`` as 16 hex digits
float                   the IEEE-754 bits made sortable, 16 hex digits
bool                    ``0`` / ``1``
Decimal                 MongoDB's decimal order key (:mod:`..mongo.decimals`)
UUID                    canonical lower-case text (sorts like its bytes)
datetime                UTC, fixed width, milliseconds (``items.ts``)
date                    ISO ``YYYY-MM-DD``
enum, Literal           the value, as str or int above
======================  ================================================
"""

from __future__ import annotations

import enum
import hashlib
import json
import struct
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from repokit.domain.entity_spec import FieldKind, FieldSpec
from repokit.infrastructure.dynamodb.items import ts
from repokit.infrastructure.mongo.decimals import order_key as decimal_order_key

SEPARATOR = "!"
"""Between the fields of a compound order key: below every character a key holds."""
ABOVE_SEPARATOR = '"'
"""The character right after :data:`SEPARATOR`: ``key + ABOVE_SEPARATOR`` bounds every
sort key that starts with ``key + SEPARATOR``."""
TEXT_KEY_BYTES = 100
"""Bytes of a text value kept in its order key (a GSI sort key holds 1 KB at most)."""
UNIQUE_KEY_CHARS = 512
"""Longer unique keys are replaced by their SHA-256 (a partition key holds 2 KB at most)."""
_INT_BIAS = 1 << 63


def order_key(field: FieldSpec, value: Any) -> str:
    """The order key of a value of ``field`` (``""`` for null: before every other key)."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    kind = field.kind
    if kind in (FieldKind.ENUM, FieldKind.LITERAL):
        kind = FieldKind.STR if field.choice_type is str else FieldKind.INT
    if kind is FieldKind.STR:
        return str(value).encode("utf-8", "surrogatepass")[:TEXT_KEY_BYTES].hex()
    if kind is FieldKind.BOOL:
        return "1" if value else "0"
    if kind is FieldKind.DECIMAL:
        return decimal_order_key(Decimal(value))
    if kind is FieldKind.UUID:
        return str(value)
    if kind is FieldKind.DATETIME:
        return ts(value)
    if kind is FieldKind.DATE:
        return date.isoformat(value)
    if kind is FieldKind.INT and isinstance(value, int):
        return f"{value + _INT_BIAS:016x}"
    return _float_key(float(value))


def _float_key(value: float) -> str:
    """IEEE-754 bits reordered so the hex text sorts like the numbers (``-0.0`` is ``0.0``)."""
    (bits,) = struct.unpack(">Q", struct.pack(">d", value + 0.0))
    bits = bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits >> 63 else bits | 1 << 63
    return f"{bits:016x}"


def compound_order_key(fields: tuple[FieldSpec, ...], values: tuple[Any, ...]) -> str:
    """The order keys of several fields, joined by :data:`SEPARATOR`."""
    return SEPARATOR.join(order_key(f, v) for f, v in zip(fields, values, strict=True))


def unique_key(fields: tuple[FieldSpec, ...], values: tuple[Any, ...]) -> str:
    """The exact key of a unique group's values (none of them null)."""
    text = json.dumps([_canonical(f, v) for f, v in zip(fields, values, strict=True)])
    if len(text) > UNIQUE_KEY_CHARS:
        return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return text


def _canonical(field: FieldSpec, value: Any) -> str | int:
    """One value as its unique key holds it: numerically equal numbers agree."""
    if isinstance(value, enum.Enum):
        value = value.value
    kind = field.kind
    if kind is FieldKind.DECIMAL:
        return decimal_order_key(Decimal(value))
    if kind in (FieldKind.INT, FieldKind.FLOAT) and not isinstance(value, bool):
        number = float(value) if kind is FieldKind.FLOAT else value
        if isinstance(number, float) and number.is_integer() and kind is FieldKind.INT:
            number = int(number)
        return repr(number + 0.0) if isinstance(number, float) else int(number)
    if kind is FieldKind.DATETIME and isinstance(value, datetime):
        # Exact (not the millisecond key): an operand finer than stored values matches none.
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int) else str(value)


__all__ = [
    "ABOVE_SEPARATOR",
    "SEPARATOR",
    "TEXT_KEY_BYTES",
    "compound_order_key",
    "order_key",
    "unique_key",
]

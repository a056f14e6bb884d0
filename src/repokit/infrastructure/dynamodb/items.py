"""DynamoDB attribute values and entity bodies: the adapter's one row <-> entity mapping.

Items are written in the low-level typed form (``{"S": ...}``) without boto3's
TypeSerializer, which costs more than the request on a fast endpoint. An
entity's whole body is its pydantic JSON, so every field (metadata types,
``Decimal`` scale, millisecond timestamps) round-trips exactly. Large bodies:
over :data:`INLINE_LIMIT` they are zlib-compressed (``z``); when that is still
over :data:`PART_SIZE` the compressed bytes are split across part items
(``PART#0000``...) under the entity's partition, written in the same
transaction, because one DynamoDB item stops at 400 KB.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any, TypeAlias, TypeVar

from pydantic import BaseModel

Key: TypeAlias = tuple[str, str]
"""An item's primary key: (PK, SK)."""
Item: TypeAlias = dict[str, Any]
"""An item in DynamoDB's typed form."""

M = TypeVar("M", bound=BaseModel)

INLINE_LIMIT = 64 * 1024
"""Bodies up to this many bytes are stored as plain JSON (readable in the console)."""
PART_SIZE = 300 * 1024
"""Compressed bodies larger than this are split into part items of this size."""
GONE = "gone"
"""Attribute of an item being deleted in batches: readers treat it as absent."""


def s(value: str) -> dict[str, str]:
    """A string attribute value."""
    return {"S": value}


def n(value: int) -> dict[str, str]:
    """A number attribute value."""
    return {"N": str(value)}


def key_attrs(key: Key) -> Item:
    """The primary key as item attributes."""
    return {"PK": {"S": key[0]}, "SK": {"S": key[1]}}


def key_of(item: Item) -> Key:
    """An item's primary key."""
    return (item["PK"]["S"], item["SK"]["S"])


def live(item: Item | None) -> Item | None:
    """``item`` unless it is absent or marked as being deleted."""
    return None if item is None or GONE in item else item


def version_of(item: Item) -> int:
    """The stored optimistic-locking version of an entity item."""
    return int(item["v"]["N"])


def ts(moment: datetime) -> str:
    """A timestamp as a fixed-width, sortable UTC string with milliseconds."""
    m = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


def ts_after(moment: datetime) -> str:
    """A sort-key bound just above every ``ts(moment)#id`` key (``$`` sorts after ``#``)."""
    return ts(moment) + "$"


def position(moment: datetime, id_: object) -> str:
    """The sort key of an entity in a (timestamp, id) listing.

    Fixed-width timestamps and lower-case UUID strings compare like the
    (datetime, UUID) pairs they encode, so index order is keyset order.
    """
    return f"{ts(moment)}#{id_}"


def parse_ts(value: str) -> datetime:
    """The datetime of a :func:`ts` string."""
    return datetime.fromisoformat(value)


def encode_body(entity: BaseModel) -> tuple[Item, list[bytes]]:
    """The body attributes of ``entity`` and the part payloads, if it needs parts."""
    raw = entity.model_dump_json().encode()
    if len(raw) <= INLINE_LIMIT:
        return {"d": {"S": raw.decode()}}, []
    packed = zlib.compress(raw, 6)
    if len(packed) <= PART_SIZE:
        return {"z": {"B": packed}}, []
    parts = [packed[i : i + PART_SIZE] for i in range(0, len(packed), PART_SIZE)]
    return {"parts": n(len(parts))}, parts


def part_count(item: Item) -> int:
    """How many part items hold the body of ``item`` (0 when it is inline)."""
    parts = item.get("parts")
    return int(parts["N"]) if parts else 0


def decode_body(model: type[M], item: Item, parts: list[bytes] | None = None) -> M:
    """The entity stored in ``item`` (``parts``: the payloads of its part items, in order)."""
    if "d" in item:
        return model.model_validate_json(item["d"]["S"])
    if "z" in item:
        return model.model_validate_json(zlib.decompress(item["z"]["B"]))
    if parts is None or len(parts) != part_count(item):
        raise RuntimeError("the body of this item is split into parts that were not read")
    return model.model_validate_json(zlib.decompress(b"".join(parts)))

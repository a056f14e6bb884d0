"""Pages, keyset cursors and the validation of windows and orderings.

Keyset order is ``(timestamp, id)`` ascending, so rows that share a timestamp
are neither lost nor repeated. Cursors are opaque: a base64url JSON payload
with a keyed BLAKE2 digest, so an edited or truncated cursor is rejected with
:class:`InvalidQueryError` instead of silently paging from a wrong place. The
key is public (in this source), so the digest guards against accidents, not
forgery; a forged cursor can only move the page start, never widen the filter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel

from repokit.domain.errors import InvalidQueryError

T = TypeVar("T")

DOCUMENT_ORDER_FIELDS = frozenset({"created_at", "updated_at", "title"})
MAX_PAGE_SIZE = 10_000
_CURSOR_KEY = b"repokit.cursor.v1"
_DIGEST_SIZE = 12


class Page(BaseModel, Generic[T]):
    """One page of a keyset listing; pass ``next_cursor`` back for the next one."""

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class KeysetPosition:
    """The last row of a page: where the next page starts (exclusive)."""

    at: datetime
    id: UUID


def encode_cursor(kind: str, position: KeysetPosition) -> str:
    """Encode ``position`` as an opaque cursor bound to a listing ``kind``."""
    return encode_keyset_cursor(kind, position.at.isoformat(), position.id)


def decode_cursor(kind: str, cursor: str) -> KeysetPosition:
    """Decode a cursor made by :func:`encode_cursor` for the same ``kind``.

    Raises:
        InvalidQueryError: when the cursor was edited, truncated or made for another listing.
    """
    at, id_ = decode_keyset_cursor(kind, cursor)
    try:
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive timestamp")
    except (ValueError, TypeError):
        raise InvalidQueryError("cursor is not valid: unreadable payload") from None
    return KeysetPosition(moment.astimezone(UTC), id_)


def encode_keyset_cursor(kind: str, value: Any, id_: UUID) -> str:
    """An opaque cursor after the row ``(value, id_)`` of a listing ``kind``.

    ``value`` is the row's ordering value as JSON (a string, number or boolean).
    """
    body = json.dumps([kind, value, str(id_)], separators=(",", ":"))
    payload = body.encode()
    digest = hmac.new(_CURSOR_KEY, payload, hashlib.blake2b).digest()[:_DIGEST_SIZE]
    return base64.urlsafe_b64encode(digest + payload).decode().rstrip("=")


def decode_keyset_cursor(kind: str, cursor: str) -> tuple[Any, UUID]:
    """The ``(value, id)`` of a cursor made by :func:`encode_keyset_cursor` for ``kind``.

    Raises:
        InvalidQueryError: when the cursor was edited, truncated or made for another listing.
    """
    if not isinstance(cursor, str) or not cursor:
        raise InvalidQueryError("cursor must be a non-empty string")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidQueryError("cursor is not valid: it was altered or truncated") from None
    digest, payload = raw[:_DIGEST_SIZE], raw[_DIGEST_SIZE:]
    expected = hmac.new(_CURSOR_KEY, payload, hashlib.blake2b).digest()[:_DIGEST_SIZE]
    if not hmac.compare_digest(digest, expected):
        raise InvalidQueryError("cursor is not valid: it was altered or truncated")
    try:
        cursor_kind, value, id_ = json.loads(payload)
        identifier = UUID(id_)
    except (ValueError, TypeError):
        raise InvalidQueryError("cursor is not valid: unreadable payload") from None
    if cursor_kind != kind:
        raise InvalidQueryError(f"cursor belongs to a {cursor_kind!r} listing, not {kind!r}")
    return value, identifier


def validate_window(offset: int, limit: int) -> None:
    """Reject negative offsets and limits outside ``0..MAX_PAGE_SIZE``."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidQueryError(f"offset must be an integer >= 0, got {offset!r}")
    validate_limit(limit)


def validate_limit(limit: int) -> None:
    """Reject page sizes outside ``0..MAX_PAGE_SIZE``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_PAGE_SIZE:
        raise InvalidQueryError(f"limit must be an integer in 0..{MAX_PAGE_SIZE}, got {limit!r}")


def validate_order_by(order_by: str) -> str:
    """Return ``order_by`` if documents can be ordered by it."""
    if order_by not in DOCUMENT_ORDER_FIELDS:
        allowed = ", ".join(sorted(DOCUMENT_ORDER_FIELDS))
        raise InvalidQueryError(f"cannot order by {order_by!r}; allowed: {allowed}")
    return order_by

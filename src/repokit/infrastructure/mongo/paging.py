"""Keyset pages on MongoDB: ``(field, _id)`` order, opaque cursors from the domain.

A page asks for ``limit + 1`` documents after the cursor's position, sorted by
the index's keys: the extra document only says whether another page follows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from repokit.domain.paging import KeysetPosition, decode_cursor, encode_cursor
from repokit.infrastructure.mongo.codec import decode_time

T = TypeVar("T")

_START = KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))
ID = "_id"


def cursor_position(kind: str, cursor: str | None) -> KeysetPosition | None:
    """Decode ``cursor`` for a listing of ``kind``; None starts at the beginning."""
    if cursor is None:
        return None
    position = decode_cursor(kind, cursor)
    at = position.at
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return KeysetPosition(at, position.id)


def after(field: str, position: KeysetPosition | None) -> dict[str, Any]:
    """The query clause "after ``position`` in (``field``, ``_id``) order"."""
    if position is None:
        return {}
    return beyond(field, position.at, str(position.id))


def beyond(path: str, value: Any, id_: str, *, descending: bool = False) -> dict[str, Any]:
    """The query clause "after ``(value, id_)`` in (``path``, ``_id``) order", or before it
    when ``descending`` (the listing's direction)."""
    op = "$lt" if descending else "$gt"
    if path == ID:
        return {ID: {op: id_}}
    return {"$or": [{path: {op: value}}, {path: value, ID: {op: id_}}]}


def keyset_sort(path: str, *, descending: bool = False) -> list[tuple[str, int]]:
    """The sort of a listing by ``path`` then ``_id``, both in one direction."""
    direction = -1 if descending else 1
    return [(ID, direction)] if path == ID else [(path, direction), (ID, direction)]


def and_(*clauses: Mapping[str, Any]) -> dict[str, Any]:
    """The conjunction of the non-empty ``clauses``."""
    present = [dict(clause) for clause in clauses if clause]
    if not present:
        return {}
    return present[0] if len(present) == 1 else {"$and": present}


def page_items(
    docs: Sequence[Mapping[str, Any]],
    field: str,
    *,
    kind: str,
    limit: int,
    start: KeysetPosition | None,
    decode: Callable[[Mapping[str, Any]], T],
) -> tuple[list[T], str | None]:
    """The page's entities from ``limit + 1`` fetched documents, and the next cursor.

    The next cursor is None exactly when no document follows the page; with
    ``limit == 0`` and documents left it points where this page started.
    """
    items = docs[:limit]
    next_cursor: str | None = None
    if len(docs) > limit:
        if items:
            last = items[-1]
            position = KeysetPosition(decode_time(last[field]), UUID(last["_id"]))
        else:
            position = start or _START
        next_cursor = encode_cursor(kind, position)
    return [decode(doc) for doc in items], next_cursor

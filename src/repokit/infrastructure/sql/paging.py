"""Offset windows and keyset pages, shared by every SQL listing.

Keyset pages read ``limit + 1`` rows in ``(timestamp, id)`` order after the
cursor's position; the extra row only says whether a next page exists, so
``next_cursor`` is None exactly on the last page. The position comparison is a
row value, ``(ts, id) > (:at, :id)``, which SQLite and PostgreSQL both answer
from the ``(…, ts, id)`` indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, literal, tuple_

from repokit.domain.paging import KeysetPosition, Page, decode_cursor, encode_cursor

T = TypeVar("T")

START = KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))
"""Before every row: where a first page starts."""


def window(statement: Select[Any], offset: int, limit: int) -> Select[Any]:
    """``statement`` restricted to ``limit`` rows after the first ``offset`` (already validated)."""
    return statement.offset(offset).limit(limit)


def after_position(
    at: ColumnElement[Any], id_: ColumnElement[Any], position: KeysetPosition
) -> ColumnElement[bool]:
    """Rows strictly after ``position`` in ``(at, id)`` order."""
    return tuple_(at, id_) > tuple_(literal(position.at, at.type), literal(position.id, id_.type))


def keyset_page(
    statement: Select[Any],
    at: ColumnElement[Any],
    id_: ColumnElement[Any],
    *,
    kind: str,
    cursor: str | None,
    limit: int,
) -> tuple[Select[Any], KeysetPosition | None]:
    """``statement`` after ``cursor`` (of listing ``kind``), ordered, with one row to spare;
    and the position the cursor named."""
    after = None if cursor is None else decode_cursor(kind, cursor)
    if after is not None:
        statement = statement.where(after_position(at, id_, after))
    return statement.order_by(at, id_).limit(limit + 1), after


def make_page(
    items: Sequence[T],
    *,
    limit: int,
    kind: str,
    position: Callable[[T], KeysetPosition],
    after: KeysetPosition | None,
) -> Page[T]:
    """The page of the first ``limit`` items; a cursor only when more rows were read.

    With ``limit == 0`` and rows remaining, the cursor points where this page started.
    """
    # The items are entities read from our own tables: no need to validate them again.
    if len(items) <= limit:
        return Page[T].model_construct(items=list(items), next_cursor=None)
    kept = list(items[:limit])
    last = position(kept[-1]) if kept else (after or START)
    next_cursor = encode_cursor(kind, last)
    return Page[T].model_construct(items=kept, next_cursor=next_cursor)


__all__ = ["START", "after_position", "keyset_page", "make_page", "window"]

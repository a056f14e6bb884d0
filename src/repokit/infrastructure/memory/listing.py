"""Filtering, ordering and windowing of rows: offset windows and keyset pages.

Filters are validated by :func:`repokit.domain.query.parse_filter` and evaluated
by the reference evaluator :func:`repokit.domain.matching.matches`, so the
memory backend gives the answers every other backend is compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel

from repokit.domain.errors import InvalidQueryError
from repokit.domain.matching import matches
from repokit.domain.paging import KeysetPosition, decode_cursor, encode_cursor
from repokit.domain.query import And, Compare, FieldRef, Filter, FilterNode, In, parse_filter
from repokit.infrastructure.memory.rows import to_entity

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

Position = tuple[datetime, UUID]
"""A row's place in a keyset listing: (timestamp, id)."""

_START = KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))
_WORKSPACE_ID = FieldRef("workspace_id")


def as_uuid(value: Any, what: str) -> UUID:
    """``value`` as a UUID (a UUID string is accepted), else ``InvalidQueryError``."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            pass
    raise InvalidQueryError(f"{what} must be a UUID, got {value!r}")


def as_utc(value: Any, what: str) -> datetime:
    """``value`` as an aware datetime (naive is taken as UTC), else ``InvalidQueryError``."""
    if not isinstance(value, datetime):
        raise InvalidQueryError(f"{what} must be a datetime, got {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def document_filter(
    where: Filter | None,
    *,
    workspace_id: UUID | None = None,
    workspace_ids: Sequence[UUID] | None = None,
) -> FilterNode | None:
    """Validate ``where`` and AND it with the workspace restrictions, as one filter AST.

    ``workspace_ids=[]`` matches nothing: ``$in`` over no values is never true.
    """
    clauses: list[FilterNode] = []
    node = parse_filter(where)
    if node is not None:
        clauses.append(node)
    if workspace_id is not None:
        clauses.append(Compare(_WORKSPACE_ID, "$eq", as_uuid(workspace_id, "workspace_id")))
    if workspace_ids is not None:
        if isinstance(workspace_ids, str | bytes):
            raise InvalidQueryError("workspace_ids must be a list of UUIDs")
        ids = tuple(as_uuid(value, "workspace_ids item") for value in workspace_ids)
        clauses.append(In(_WORKSPACE_ID, ids))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def select(rows: Iterable[T], node: FilterNode | None) -> list[T]:
    """The rows that satisfy ``node`` (all of them when it is None)."""
    return [row for row in rows if matches(node, row)]


def offset_window(
    rows: Iterable[T], key: Callable[[T], Any], offset: int, limit: int, *, descending: bool = False
) -> list[T]:
    """Rows sorted by ``key`` (the whole key reversed when descending), then sliced."""
    ordered = sorted(rows, key=key, reverse=descending)
    return ordered[offset : offset + limit]


def cursor_position(kind: str, cursor: str | None) -> KeysetPosition | None:
    """Decode ``cursor`` for a listing of ``kind``; None starts at the beginning."""
    if cursor is None:
        return None
    position = decode_cursor(kind, cursor)
    # decode_cursor can return a naive datetime (the signing key is public); make it
    # comparable with stored aware timestamps instead of failing with a TypeError.
    return KeysetPosition(as_utc(position.at, "cursor position"), position.id)


def keyset_window(
    rows: Iterable[M],
    position_of: Callable[[M], Position],
    *,
    kind: str,
    limit: int,
    after: KeysetPosition | None,
) -> tuple[list[M], str | None]:
    """The ``limit`` rows after ``after`` in ``position_of`` order, as copies, and the next cursor.

    The next cursor is None exactly when no row follows the page. With
    ``limit == 0`` and rows remaining, it points where this page started.
    """
    ordered = sorted(rows, key=position_of)
    if after is not None:
        start = (after.at, after.id)
        ordered = [row for row in ordered if position_of(row) > start]
    items = ordered[:limit]
    next_cursor: str | None = None
    if len(ordered) > limit:
        last = KeysetPosition(*position_of(items[-1])) if items else (after or _START)
        next_cursor = encode_cursor(kind, last)
    return [to_entity(row) for row in items], next_cursor

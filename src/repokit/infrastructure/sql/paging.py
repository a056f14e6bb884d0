"""Offset windows and keyset pages, shared by every SQL listing.

Keyset pages read ``limit + 1`` rows in ``(timestamp, id)`` order after the
cursor's position; the extra row only says whether a next page exists, so
``next_cursor`` is None exactly on the last page. The position comparison
(:class:`Beyond`) is a row value, ``(ts, id) > (:at, :id)``, which SQLite and
PostgreSQL both answer from the ``(…, ts, id)`` indexes. MySQL and MariaDB do
not turn a row-value comparison into an index range (measured: thousands of rows
read for a page of 20), so there it compiles to the expanded form
``ts > :at OR (ts = :at AND id > :id)``, which they do (20 rows read).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Boolean, ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from repokit.domain.paging import KeysetPosition, Page, decode_cursor, encode_cursor

T = TypeVar("T")

START = KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))
"""Before every row: where a first page starts."""


def window(statement: Select[Any], offset: int, limit: int) -> Select[Any]:
    """``statement`` restricted to ``limit`` rows after the first ``offset`` (already validated)."""
    return statement.offset(offset).limit(limit)


class Beyond(ColumnElement[bool]):
    """``(first, second)`` strictly after (or, ``descending``, before) ``(value, id)``:
    a row value where the dialect serves one from an index, else the expanded form."""

    __visit_name__ = "repokit_keyset_beyond"
    inherit_cache = True
    _traverse_internals = [
        ("columns", InternalTraversal.dp_clauseelement_tuple),
        ("values", InternalTraversal.dp_clauseelement_tuple),
        ("descending", InternalTraversal.dp_boolean),
    ]
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: no "= 1" on MySQL

    def __init__(
        self,
        columns: tuple[ColumnElement[Any], ColumnElement[Any]],
        values: tuple[ColumnElement[Any], ColumnElement[Any]],
        *,
        descending: bool = False,
    ) -> None:
        self.columns = columns
        self.values = values
        self.descending = descending

    def row_value(self) -> ColumnElement[bool]:
        """``(a, b) > (x, y)`` (``<`` when descending)."""
        current, position = tuple_(*self.columns), tuple_(*self.values)
        return current < position if self.descending else current > position

    def expanded(self) -> ColumnElement[bool]:
        """``a > x OR (a = x AND b > y)`` (``<`` when descending)."""
        (first, second), (value, id_) = self.columns, self.values
        if self.descending:
            return or_(first < value, and_(first == value, second < id_))
        return or_(first > value, and_(first == value, second > id_))


@compiles(Beyond)
def _compile_row_value(element: Beyond, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.row_value(), **kw)


@compiles(Beyond, "mysql")
def _compile_expanded(element: Beyond, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.expanded(), **kw)})"


def after_position(
    at: ColumnElement[Any], id_: ColumnElement[Any], position: KeysetPosition
) -> ColumnElement[bool]:
    """Rows strictly after ``position`` in ``(at, id)`` order."""
    return Beyond((at, id_), (literal(position.at, at.type), literal(position.id, id_.type)))


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


__all__ = ["START", "Beyond", "after_position", "keyset_page", "make_page", "window"]

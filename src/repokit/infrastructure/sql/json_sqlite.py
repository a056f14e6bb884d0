"""SQLite's side of the filter compiler: JSON access through the json1 functions.

``json_type(doc, path)`` tells a value's kind ('integer', 'real', 'text',
'true', 'false', 'null', 'array', 'object') and is SQL NULL when the path is
missing; ``json_extract`` gives the value itself; ``json_each`` lists an array's
elements with the same ``type`` and ``value`` columns. The path is always a bound
parameter. A PostgreSQL twin would implement :class:`~.filters.JsonDialect` with
``jsonb_typeof``, ``#>`` and ``jsonb_array_elements``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, bindparam, exists, func, literal, select

from repokit.infrastructure.sql.filters import JsonDialect, JsonValueTest

_MISSING = "missing"
_NUMBER_TYPES = ("integer", "real")


def _text(value: str) -> ColumnElement[str]:
    return literal(value, String())


class SqliteJson(JsonDialect):
    """The json1 functions of SQLite (3.38+ builds them in; Python's sqlite3 ships them)."""

    def path(self, segments: tuple[str, ...]) -> ColumnElement[str]:
        # Quoted keys: segments may hold '-' (and digits), which an unquoted path misreads.
        # parse_filter allows only [A-Za-z0-9_-] in a segment, so no quote can appear.
        text = "$" + "".join(f'."{segment}"' for segment in segments)
        return bindparam(None, text, type_=String())

    def kind(self, document: ColumnElement[Any], path: ColumnElement[str]) -> ColumnElement[str]:
        # Never NULL: a missing path reads as 'missing', keeping the logic two-valued.
        return func.coalesce(func.json_type(document, path), _text(_MISSING))

    def value(self, document: ColumnElement[Any], path: ColumnElement[str]) -> ColumnElement[Any]:
        return func.json_extract(document, path)

    def present(
        self, document: ColumnElement[Any], path: ColumnElement[str]
    ) -> ColumnElement[bool]:
        return func.json_type(document, path).is_not(None)

    def any_element(
        self,
        document: ColumnElement[Any],
        path: ColumnElement[str],
        kind: ColumnElement[str],
        test: JsonValueTest,
    ) -> ColumnElement[bool]:
        elements = func.json_each(document, path).table_valued("type", "value").alias()
        condition = test(elements.c.type, elements.c.value, in_array=True)
        return and_(
            kind == _text("array"),
            exists(select(literal(1)).select_from(elements).where(condition)),
        )

    def is_number(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind.in_([_text(name) for name in _NUMBER_TYPES])

    def is_string(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind == _text("text")

    def is_boolean(self, kind: ColumnElement[str], value: bool) -> ColumnElement[bool]:
        return kind == _text("true" if value else "false")

    def is_null(self, kind: ColumnElement[str], *, or_missing: bool) -> ColumnElement[bool]:
        if or_missing:
            return kind.in_([_text("null"), _text(_MISSING)])
        return kind == _text("null")


SQLITE_JSON = SqliteJson()

__all__ = ["SQLITE_JSON", "SqliteJson"]

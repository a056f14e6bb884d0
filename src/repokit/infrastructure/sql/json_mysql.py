"""MySQL's and MariaDB's side of the filter compiler: JSON access through JSON_* functions.

``JSON_EXTRACT(doc, path)`` gives the JSON text at a path, or SQL NULL when the
path is missing (a JSON null is the text ``null``, never SQL NULL);
``JSON_TYPE`` names its kind (``INTEGER``, ``DOUBLE``, ``DECIMAL``, ``STRING``,
``BOOLEAN``, ``NULL``, ``ARRAY``, ``OBJECT``). The kind this module reports
splits ``BOOLEAN`` into ``true``/``false`` (the value's own text) and reads a
missing path as ``missing``, so no test is ever SQL NULL and ``NOT`` stays
two-valued. The path is a bound parameter everywhere but inside ``JSON_TABLE``,
whose path must be a literal: there it is written from the segments, which the
filter parser allows only from ``[A-Za-z0-9_-]`` (no quote can appear).

* numbers compare as ``DECIMAL(65,30)``: exact for 64-bit integers and for the
  decimals ``json.dumps`` writes for ordinary floats (``1 = 1.0``); a float
  operand is bound as the decimal of its ``repr``, as on PostgreSQL;
* strings compare as the document's text in ``utf8mb4_bin`` (code-point order);
* an array matches when an element does: ``EXISTS`` over ``JSON_TABLE(doc,
  '$.path[*]' COLUMNS (v JSON PATH '$'))``, one row per element as JSON text.

No index serves these tests; a MySQL index inside JSON needs a generated column
(see ``docs/backends.md``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    collate,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.mysql import DECIMAL
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.functions import FunctionElement

from repokit.infrastructure.sql.filters import JsonDialect, JsonValueTest

_MISSING = "missing"
_NUMBER_TYPES = ("INTEGER", "UNSIGNED INTEGER", "DOUBLE", "DECIMAL")
_NUMBER = DECIMAL(65, 30)
"""What JSON numbers compare as (MySQL's widest exact type)."""
CODE_POINT_COLLATION = "utf8mb4_bin"
"""UTF-8 byte order, which is code-point order."""


def _text(value: str) -> ColumnElement[str]:
    return literal(value, String())


def _path_text(segments: tuple[str, ...]) -> str:
    # Quoted keys: segments may hold '-' and digits, which an unquoted path misreads.
    return "$" + "".join(f'."{segment}"' for segment in segments)


class ArrayElements(FunctionElement[Any]):
    """``JSON_TABLE(document, '<path>[*]' COLUMNS (v JSON PATH '$'))``: the elements of
    the array at ``path``, one row each, as JSON text in column ``v``."""

    name = "json_table"
    inherit_cache = False  # the path is an attribute, not a bound parameter

    def __init__(self, document: ColumnElement[Any], path: str) -> None:
        super().__init__(document)
        self.path = path


@compiles(ArrayElements)
def _compile_array_elements(element: ArrayElements, compiler: SQLCompiler, **kw: Any) -> str:
    (document,) = element.clauses.clauses
    path = element.path + "[*]"
    return f"JSON_TABLE({compiler.process(document, **kw)}, '{path}' COLUMNS (v JSON PATH '$'))"


class MysqlJson(JsonDialect):
    """The JSON functions of MySQL 8 and MariaDB 10.6+ (``JSON_TABLE`` needs those)."""

    def path(self, segments: tuple[str, ...]) -> ColumnElement[str]:
        return bindparam(None, _path_text(segments), type_=String())

    def kind(self, document: ColumnElement[Any], path: ColumnElement[str]) -> ColumnElement[str]:
        return _kind(func.json_extract(document, path))

    def value(self, document: ColumnElement[Any], path: ColumnElement[str]) -> ColumnElement[Any]:
        return func.json_extract(document, path)

    def present(
        self, document: ColumnElement[Any], path: ColumnElement[str]
    ) -> ColumnElement[bool]:
        return func.json_extract(document, path).is_not(None)

    def any_element(
        self,
        document: ColumnElement[Any],
        path: ColumnElement[str],
        kind: ColumnElement[str],
        test: JsonValueTest,
    ) -> ColumnElement[bool]:
        # JSON_TABLE takes its path as a literal only: the text :meth:`path` bound.
        assert isinstance(path, BindParameter)
        elements = ArrayElements(document, str(path.value)).table_valued("v").alias()
        condition = test(_kind(elements.c.v), elements.c.v, in_array=True)
        return and_(
            kind == _text("ARRAY"),
            exists(select(literal(1)).select_from(elements).where(condition)),
        )

    def is_number(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind.in_([_text(name) for name in _NUMBER_TYPES])

    def is_string(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind == _text("STRING")

    def is_boolean(self, kind: ColumnElement[str], value: bool) -> ColumnElement[bool]:
        return kind == _text("true" if value else "false")

    def is_null(self, kind: ColumnElement[str], *, or_missing: bool) -> ColumnElement[bool]:
        if or_missing:
            return kind.in_([_text("NULL"), _text(_MISSING)])
        return kind == _text("NULL")

    def as_number(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return cast(value, _NUMBER)

    def as_string(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return collate(func.json_unquote(value), CODE_POINT_COLLATION)

    def number(self, operand: int | float) -> Any:
        # The decimal json.dumps wrote for a float is its repr: compare against that.
        exact = Decimal(repr(operand)) if isinstance(operand, float) else Decimal(operand)
        return literal(exact, _NUMBER)


def _kind(json_value: ColumnElement[Any]) -> ColumnElement[str]:
    """The kind of ``json_value`` (JSON text or SQL NULL), booleans split, never NULL."""
    json_type = func.json_type(json_value)
    return case(
        (json_type == _text("BOOLEAN"), func.json_unquote(json_value)),
        else_=func.coalesce(json_type, _text(_MISSING)),
    )


MYSQL_JSON = MysqlJson()

__all__ = ["CODE_POINT_COLLATION", "MYSQL_JSON", "ArrayElements", "MysqlJson"]

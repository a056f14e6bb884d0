"""PostgreSQL's side of the filter compiler: ``jsonb`` operators and functions.

* A value is read with ``metadata #> :path`` (the path a bound ``text[]``).
  ``#>`` would index into an array when a segment is an integer, while the
  filter language never traverses lists in the middle of a path; a path with
  such a segment after the first is read with
  ``jsonb_path_query_first(metadata, :jsonpath, '{}', true)`` in ``strict``
  mode instead, where ``."0"`` is only ever an object key.
* Its kind is ``jsonb_typeof`` with booleans split into ``'true'``/``'false'``
  and a missing value read as ``'missing'``, never SQL NULL (two-valued logic).
* Numbers compare as ``numeric`` (exact, ``1 = 1.0``); a float operand is bound
  as the decimal of its ``repr``, which is exactly how ``json.dumps`` stored
  floats. Strings compare with ``COLLATE "C"``: code-point order on UTF-8.
* Casts and element scans sit behind ``CASE`` on the kind, because SQL does not
  promise to evaluate ``AND`` left to right.
* Equality (``$eq``, ``$in`` without null) compiles to containment,
  ``metadata @> '{"a":{"b":v}}' OR metadata @> '{"a":{"b":[v]}}'``: the same
  answer (a scalar equal to ``v``, or an array holding it), and the GIN index
  ``ix_documents_metadata_gin`` (``jsonb_path_ops``) serves it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    Text,
    and_,
    bindparam,
    case,
    cast,
    collate,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.types import TypeDecorator, UserDefinedType

from repokit.domain.query import Scalar
from repokit.infrastructure.sql.filters import JsonDialect, JsonValueTest
from repokit.infrastructure.sql.types import CodePointText

_MISSING = "missing"
_INTEGER_SEGMENT = re.compile(r"^[+-]?\s*\d+\s*$")
_EMPTY_ARRAY = literal_column("'[]'::jsonb", JSONB)
_NO_VARIABLES = literal_column("'{}'::jsonb", JSONB)


class _JsonPathText(TypeDecorator[str]):
    """Marks a bound path that must be read as a strict SQL/JSON path."""

    impl = Text
    cache_ok = True


class _JsonPath(UserDefinedType[str]):
    """PostgreSQL's ``jsonpath`` type, for the cast of a bound path."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "jsonpath"


def _text(value: str) -> ColumnElement[str]:
    return literal(value, Text())


def _kind_of(value: ColumnElement[Any]) -> ColumnElement[str]:
    kind = func.jsonb_typeof(value)
    return case(
        (value.is_(None), _text(_MISSING)),
        (kind == _text("boolean"), value.op("#>>")(literal_column("'{}'::text[]"))),
        else_=kind,
    )


class PostgresJson(JsonDialect):
    """``jsonb`` access for the shared filter compiler."""

    def path(self, segments: tuple[str, ...]) -> ColumnElement[Any]:
        if any(_INTEGER_SEGMENT.match(segment) for segment in segments[1:]):
            # parse_filter allows only [A-Za-z0-9_-] in a segment: no quote can appear.
            text = "strict $" + "".join(f'."{segment}"' for segment in segments)
            return bindparam(None, text, type_=_JsonPathText())
        return bindparam(None, list(segments), type_=ARRAY(Text()))

    def value(self, document: ColumnElement[Any], path: ColumnElement[Any]) -> ColumnElement[Any]:
        if isinstance(path.type, _JsonPathText):
            return func.jsonb_path_query_first(
                document, cast(path, _JsonPath()), _NO_VARIABLES, True, type_=JSONB
            )
        return document.op("#>", return_type=JSONB)(path)

    def kind(self, document: ColumnElement[Any], path: ColumnElement[Any]) -> ColumnElement[str]:
        return _kind_of(self.value(document, path))

    def present(
        self, document: ColumnElement[Any], path: ColumnElement[Any]
    ) -> ColumnElement[bool]:
        return self.value(document, path).is_not(None)

    def any_element(
        self,
        document: ColumnElement[Any],
        path: ColumnElement[Any],
        kind: ColumnElement[str],
        test: JsonValueTest,
    ) -> ColumnElement[bool]:
        value = self.value(document, path)
        # Only an array is scanned: jsonb_array_elements raises on anything else.
        array = case((func.jsonb_typeof(value) == _text("array"), value), else_=_EMPTY_ARRAY)
        elements = func.jsonb_array_elements(array).table_valued("value").alias()
        element = elements.c.value
        condition = test(_kind_of(element), element, in_array=True)
        return and_(
            func.jsonb_typeof(value) == _text("array"),
            exists(select(literal(1)).select_from(elements).where(condition)),
        )

    def is_number(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind == _text("number")

    def is_string(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        return kind == _text("string")

    def is_boolean(self, kind: ColumnElement[str], value: bool) -> ColumnElement[bool]:
        return kind == _text("true" if value else "false")

    def is_null(self, kind: ColumnElement[str], *, or_missing: bool) -> ColumnElement[bool]:
        if or_missing:
            return kind.in_([_text("null"), _text(_MISSING)])
        return kind == _text("null")

    def as_number(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return case((func.jsonb_typeof(value) == _text("number"), cast(value, Numeric())))

    def number(self, operand: int | float) -> Any:
        # The decimal json.dumps wrote for a float is its repr: compare against that.
        exact = Decimal(repr(operand)) if isinstance(operand, float) else Decimal(operand)
        return literal(exact, Numeric())

    def as_string(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        text = value.op("#>>", return_type=Text)(literal_column("'{}'::text[]"))
        return collate(case((func.jsonb_typeof(value) == _text("string"), text)), "C")

    def code_point(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        if isinstance(column.type, CodePointText):
            return column  # already COLLATE "C": a plain index on it serves the comparison
        return collate(column, "C")

    def equality(
        self, document: ColumnElement[Any], segments: tuple[str, ...], values: tuple[Scalar, ...]
    ) -> ColumnElement[bool] | None:
        if any(value is None for value in values):
            return None  # null also matches a missing field: containment cannot say that
        clauses: list[ColumnElement[bool]] = []
        for value in values:
            for form in (value, [value]):
                nested: Any = form
                for segment in reversed(segments):
                    nested = {segment: nested}
                clauses.append(document.op("@>")(bindparam(None, nested, type_=JSONB)))
        return or_(*clauses)


POSTGRES_JSON = PostgresJson()

__all__ = ["POSTGRES_JSON", "PostgresJson"]

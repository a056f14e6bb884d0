"""Compile the domain's filter AST into a SQLAlchemy boolean expression.

The result agrees with :func:`repokit.domain.matching.matches` on every
document and declared entity, which the contract suites' property tests check.
A filter addresses scalar columns and JSON documents (a document's
``metadata``; a declared entity's list, dict and nested-model fields), each by
field name (:class:`FilterTarget`):

* two-valued logic: every leaf is TRUE or FALSE, never SQL NULL, so ``NOT``
  turns "no match" into "match" exactly as the reference evaluator does (a
  missing JSON field reads as the kind ``'missing'``, never as NULL; a test on
  a nullable column is ``col IS NOT NULL AND ...``);
* a scalar column compares with operands of its own kind; a number of the
  other kind (a float against an integer column, or the reverse) is rewritten
  first so the comparison stays exact (:mod:`.numeric_operands`);
* comparisons only between values of the operand's kind, guarded by the JSON
  type: numbers with numbers (``1 == 1.0``; booleans are not numbers), strings
  with strings in code-point order, booleans only by equality;
* ``{"f": None}`` matches a JSON null or a missing field;
* a JSON array matches ``$eq``/``$in``/comparisons when any element does;
* ``$in: []`` matches nothing.

Every value and every JSON path is a bound parameter; field names come only
from the AST's whitelist. The JSON functions are the dialect's business
(:class:`JsonDialect`; SQLite's is :mod:`.json_sqlite`), the logic above is
shared.
"""

from __future__ import annotations

import operator
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Table, and_, false, not_, or_, true

from repokit.domain.query import And, Compare, Exists, FieldRef, FilterNode, In, Not, Or, Scalar
from repokit.infrastructure.sql.numeric_operands import Rewritten

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "$eq": operator.eq,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


class JsonValueTest(Protocol):
    """A test of one JSON value given its kind and value expressions."""

    def __call__(
        self, kind: ColumnElement[str], value: ColumnElement[Any], *, in_array: bool
    ) -> ColumnElement[bool]: ...


class JsonDialect(ABC):
    """How one database reads JSON: the only dialect-specific part of the compiler."""

    @abstractmethod
    def path(self, segments: tuple[str, ...]) -> ColumnElement[Any]:
        """A bound parameter addressing ``segments`` inside a JSON document."""

    @abstractmethod
    def kind(self, document: ColumnElement[Any], path: ColumnElement[Any]) -> ColumnElement[str]:
        """The JSON kind at ``path``, or a 'missing' marker; never SQL NULL."""

    @abstractmethod
    def value(self, document: ColumnElement[Any], path: ColumnElement[Any]) -> ColumnElement[Any]:
        """The value at ``path`` as SQL compares it."""

    @abstractmethod
    def present(
        self, document: ColumnElement[Any], path: ColumnElement[Any]
    ) -> ColumnElement[bool]:
        """``path`` exists (a JSON null exists)."""

    @abstractmethod
    def any_element(
        self,
        document: ColumnElement[Any],
        path: ColumnElement[Any],
        kind: ColumnElement[str],
        test: JsonValueTest,
    ) -> ColumnElement[bool]:
        """``path`` holds an array one of whose elements passes ``test``."""

    @abstractmethod
    def is_number(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        """The kind is a number (not a boolean)."""

    @abstractmethod
    def is_string(self, kind: ColumnElement[str]) -> ColumnElement[bool]:
        """The kind is a string."""

    @abstractmethod
    def is_boolean(self, kind: ColumnElement[str], value: bool) -> ColumnElement[bool]:
        """The value is the boolean ``value``."""

    @abstractmethod
    def is_null(self, kind: ColumnElement[str], *, or_missing: bool) -> ColumnElement[bool]:
        """The value is JSON null (or, with ``or_missing``, absent)."""

    def as_number(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """``value`` (known to be a number) as SQL compares numbers."""
        return value

    def as_string(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """``value`` (known to be a string) as SQL compares strings by code point."""
        return value

    def number(self, operand: int | float) -> Any:
        """A number operand as it is bound against :meth:`as_number` values."""
        return operand

    def code_point(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """A text column as it compares by code point (SQLite's BINARY already does)."""
        return column

    def equality(
        self, document: ColumnElement[Any], segments: tuple[str, ...], values: tuple[Scalar, ...]
    ) -> ColumnElement[bool] | None:
        """An indexable test that the value at ``segments`` (or an element of the array
        there) equals one of ``values``; None when the dialect has none (the generic
        compiled test is used)."""
        return None


OperandRule = Callable[[str, Scalar], Rewritten]
"""Rewrites ``(op, operand)`` for a column of another kind (see :mod:`.numeric_operands`)."""


@dataclass(frozen=True, slots=True)
class FilterTarget:
    """What a filter can address: scalar columns and JSON documents, by field name.

    Attributes:
        columns: the scalar fields and the expression each compares with (a column;
            for a declared decimal, its comparable column).
        json: the JSON dialect of the documents.
        documents: the JSON fields (``metadata``, a declared list, dict or model field)
            and their columns.
        nullable: the fields that may be SQL NULL: every test on them stays two-valued.
        operands: per scalar field, how an operand of another numeric kind is compared.
    """

    columns: Mapping[str, ColumnElement[Any]]
    json: JsonDialect
    documents: Mapping[str, ColumnElement[Any]] = field(default_factory=dict)
    nullable: frozenset[str] = frozenset()
    operands: Mapping[str, OperandRule] = field(default_factory=dict)

    @classmethod
    def for_table(
        cls, table: Table, json: JsonDialect, fields: Sequence[str], metadata: str = "metadata"
    ) -> FilterTarget:
        """The target for ``fields`` of ``table`` (nullable columns found from the table)
        and its JSON column ``metadata``."""
        columns = {name: table.c[name] for name in fields}
        nullable = frozenset(name for name, column in columns.items() if column.nullable)
        return cls(columns, json, {metadata: table.c[metadata]}, nullable)


class CompiledFilterCache:
    """Recently compiled filters of one target, keyed by the ``repr`` of their AST.

    The key is the repr, not the node: AST nodes compare by value, and ``1``,
    ``1.0`` and ``True`` are equal (and hash alike) in Python while the filter
    language tells them apart; their reprs differ.

    Building SQLAlchemy expressions costs far more than running a selective query,
    and services repeat the same filters; a cached expression is also the same
    statement structure, so SQLAlchemy's own compiled-SQL cache hits too.
    """

    def __init__(self, target: FilterTarget, size: int = 256) -> None:
        self.target = target
        self._size = size
        self._entries: OrderedDict[str, ColumnElement[bool]] = OrderedDict()
        # Stores in several threads share one cache (a sync store, a shared catalog).
        self._lock = threading.Lock()

    def compile(self, node: FilterNode | None) -> ColumnElement[bool] | None:
        """``compile_filter(node, target)``, from the cache when possible."""
        if node is None:
            return None
        key = repr(node)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
        compiled = _FilterCompiler(self.target).compile(node)
        with self._lock:
            self._entries[key] = compiled
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return compiled


def compile_filter(node: FilterNode | None, target: FilterTarget) -> ColumnElement[bool] | None:
    """A WHERE clause equivalent to ``matches(node, row)``; None for "everything"."""
    if node is None:
        return None
    return _FilterCompiler(target).compile(node)


class _FilterCompiler:
    def __init__(self, target: FilterTarget) -> None:
        self.target = target
        self.json = target.json

    def compile(self, node: FilterNode) -> ColumnElement[bool]:
        if isinstance(node, And):
            return and_(*(self.compile(clause) for clause in node.clauses))
        if isinstance(node, Or):
            return or_(*(self.compile(clause) for clause in node.clauses))
        if isinstance(node, Not):
            return not_(self.compile(node.clause))
        if isinstance(node, Exists):
            document = self.target.documents[node.field.name]
            present = self.json.present(document, self.json.path(node.field.path))
            return present if node.exists else not_(present)
        if isinstance(node, Compare):
            if node.field.json:
                if node.op == "$eq":
                    indexed = self._equality(node.field, (node.value,))
                    if indexed is not None:
                        return indexed
                return self._document(node.field, self._compare_test(node.op, node.value))
            return self._column_compare(node.field, node.op, node.value)
        if isinstance(node, In):
            if not node.values:
                return false()
            if node.field.json:
                indexed = self._equality(node.field, node.values)
                if indexed is not None:
                    return indexed
                return self._document(node.field, self._in_test(node.values))
            return self._column_in(node.field, node.values)
        raise TypeError(f"not a filter node: {node!r}")

    # -- JSON documents ---------------------------------------------------------------

    def _equality(self, field: FieldRef, values: tuple[Scalar, ...]) -> ColumnElement[bool] | None:
        document = self.target.documents[field.name]
        test = self.json.equality(document, field.path, values)
        if test is None or field.name not in self.target.nullable:
            return test
        # A SQL NULL document makes containment NULL, not false: keep it two-valued.
        return and_(document.is_not(None), test)

    def _document(self, field: FieldRef, test: JsonValueTest) -> ColumnElement[bool]:
        json, document = self.json, self.target.documents[field.name]
        kind = json.kind(document, json.path(field.path))
        value = json.value(document, json.path(field.path))
        return or_(
            test(kind, value, in_array=False),
            json.any_element(document, json.path(field.path), kind, test),
        )

    def _compare_test(self, op: str, operand: Scalar) -> JsonValueTest:
        json, compare = self.json, _OPERATORS[op]

        def test(
            kind: ColumnElement[str], value: ColumnElement[Any], *, in_array: bool
        ) -> ColumnElement[bool]:
            if operand is None:
                return json.is_null(kind, or_missing=not in_array)
            if isinstance(operand, bool):
                return json.is_boolean(kind, operand)
            if isinstance(operand, int | float):
                number = json.number(operand)
                return and_(json.is_number(kind), compare(json.as_number(value), number))
            return and_(json.is_string(kind), compare(json.as_string(value), operand))

        return test

    def _in_test(self, values: tuple[Scalar, ...]) -> JsonValueTest:
        json = self.json
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        strings = [v for v in values if isinstance(v, str)]
        booleans = {v for v in values if isinstance(v, bool)}
        with_null = any(v is None for v in values)

        def test(
            kind: ColumnElement[str], value: ColumnElement[Any], *, in_array: bool
        ) -> ColumnElement[bool]:
            clauses: list[ColumnElement[bool]] = []
            if with_null:
                clauses.append(json.is_null(kind, or_missing=not in_array))
            clauses.extend(json.is_boolean(kind, flag) for flag in sorted(booleans))
            if numbers:
                # One equality per number, not IN: SQLite compares an IN list's integers
                # and reals as doubles, so 2**53 + 1 would equal 2.0**53; '=' is exact.
                number = json.as_number(value)
                clauses.append(
                    and_(
                        json.is_number(kind),
                        or_(*(number == json.number(item) for item in numbers)),
                    )
                )
            if strings:
                clauses.append(and_(json.is_string(kind), json.as_string(value).in_(strings)))
            return or_(*clauses) if clauses else false()

        return test

    # -- columns ----------------------------------------------------------------------

    def _column_compare(self, field: FieldRef, op: str, operand: Scalar) -> ColumnElement[bool]:
        column = self.target.columns[field.name]
        nullable = field.name in self.target.nullable
        if operand is None:  # only $eq takes null
            return column.is_(None) if nullable else false()
        rewritten = self._operand(field.name, op, operand)
        if isinstance(rewritten, bool):
            if not rewritten:
                return false()
            return column.is_not(None) if nullable else true()
        op, operand = rewritten
        if isinstance(operand, str):
            column = self.json.code_point(column)
        test: ColumnElement[bool] = _OPERATORS[op](column, operand)
        # Two-valued: a NULL column fails the test instead of making it NULL.
        return and_(column.is_not(None), test) if nullable else test

    def _column_in(self, field: FieldRef, values: tuple[Scalar, ...]) -> ColumnElement[bool]:
        column = self.target.columns[field.name]
        present: list[Scalar] = []
        for value in values:
            if value is None:
                continue
            rewritten = self._operand(field.name, "$eq", value)
            if not isinstance(rewritten, bool):
                present.append(rewritten[1])
        if field.name not in self.target.nullable:
            return column.in_(present) if present else false()
        clauses: list[ColumnElement[bool]] = []
        if present:
            clauses.append(and_(column.is_not(None), column.in_(present)))
        if any(value is None for value in values):
            clauses.append(column.is_(None))
        return or_(*clauses) if clauses else false()

    def _operand(self, name: str, op: str, operand: Scalar) -> Rewritten:
        rule = self.target.operands.get(name)
        return (op, operand) if rule is None else rule(op, operand)


__all__ = [
    "CompiledFilterCache",
    "FilterTarget",
    "JsonDialect",
    "JsonValueTest",
    "OperandRule",
    "compile_filter",
]

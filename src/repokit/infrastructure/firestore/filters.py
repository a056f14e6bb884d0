"""The filter AST split into what Firestore answers and what the reference evaluator does.

Firestore answers, exactly as the reference evaluator does (:mod:`repokit.domain.matching`):

* ``$eq`` on a scalar field (not null, which must also match a missing field):
  ``==`` on the stored form (a UUID's text, a decimal's key, an enum's value...);
* one ``$in`` of 1..30 such values: ``in``;
* ``$gt $gte $lt $lte`` on the field the listing is ordered by (Firestore orders
  by an inequality's field first, so any other field's range would reorder it);
* one ``$eq`` of a string, number or boolean on a path into a JSON field
  (``metadata.tag``) or on a whole list field (``tags``), when no ``$in`` is
  sent: ``path == v OR path array_contains v``, which is the reference's rule (a
  list matches when an element does; numbers compare across int and float,
  booleans only with booleans). Map keys are stored escaped (:mod:`.values`), and
  so is the path.

Only top-level conjuncts are sent; everything else (``$ne``, ``$nin``,
``$exists``, ``$or``, ``$not``, nulls, other JSON conditions, ranges on other
fields) is the *residual*: Firestore streams the documents matching what
it answers, in the listing's order, and the reference evaluator keeps those that
match the rest. The cost is the documents read and dropped; the answers are the
same as on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.cloud.firestore_v1 import FieldFilter, Or
from google.cloud.firestore_v1.field_path import FieldPath

from repokit.domain.entity_spec import FieldKind
from repokit.domain.query import And, Compare, FilterNode, In
from repokit.infrastructure.firestore.values import escape_key, operand_to_store

KindOf = Callable[[str], "FieldKind | str | None"]
"""A field name's kind (None: not a stored scalar field)."""

MAX_IN_VALUES = 30
"""Firestore's limit on the values of one ``in``."""

JSON_EQ = "json=="
"""The operator of a JSON equality: ``==`` or ``array_contains`` (see the module doc)."""

_RANGES = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@dataclass(slots=True)
class SplitFilter:
    """The conditions sent to Firestore and the residual the evaluator checks."""

    conditions: list[tuple[str, str, Any]] = field(default_factory=list)
    residual: FilterNode | None = None

    def apply(self, query: Any) -> Any:
        """``query`` with the conditions added."""
        for path, op, value in self.conditions:
            if op == JSON_EQ:
                either: list[Any] = [
                    FieldFilter(path, "==", value),
                    FieldFilter(path, "array_contains", value),
                ]
                query = query.where(filter=Or(either))
            else:
                query = query.where(filter=FieldFilter(path, op, value))
        return query


def split_filter(node: FilterNode | None, kind_of: KindOf, order_field: str | None) -> SplitFilter:
    """Split ``node`` (see the module doc); ``order_field`` is the listing's order."""
    out = SplitFilter()
    if node is None:
        return out
    clauses = node.clauses if isinstance(node, And) else (node,)
    rest: list[FilterNode] = []
    used: set[str] = set()
    for clause in clauses:
        condition = _native(clause, kind_of, order_field, used)
        if condition is None:
            rest.append(clause)
            continue
        used.add(condition[1])
        out.conditions.append(condition)
    if rest:
        out.residual = rest[0] if len(rest) == 1 else And(tuple(rest))
    return out


def _native(
    clause: FilterNode, kind_of: KindOf, order_field: str | None, used: set[str]
) -> tuple[str, str, Any] | None:
    if not isinstance(clause, Compare | In):
        return None
    if clause.field.json:
        # One OR per query, and none beside an `in`: Firestore's disjunction limits.
        if not isinstance(clause, Compare) or clause.op != "$eq" or used & {"in", JSON_EQ}:
            return None
        value = clause.value
        if not isinstance(value, str | int | float | bool):
            return None
        segments = (clause.field.name, *(escape_key(key) for key in clause.field.path))
        return FieldPath(*segments).to_api_repr(), JSON_EQ, value
    name = clause.field.name
    kind = kind_of(name)
    if kind is None or kind is FieldKind.JSON:
        return None
    if isinstance(clause, In):
        values = clause.values
        if used & {"in", JSON_EQ} or not 0 < len(values) <= MAX_IN_VALUES or None in values:
            return None
        return name, "in", [operand_to_store(kind, v) for v in values]
    if clause.value is None:
        return None
    if clause.op == "$eq":
        return name, "==", operand_to_store(kind, clause.value)
    if clause.op in _RANGES and name == order_field:
        return name, _RANGES[clause.op], operand_to_store(kind, clause.value)
    return None


__all__ = ["JSON_EQ", "MAX_IN_VALUES", "SplitFilter", "split_filter"]

"""The filter AST split into what Firestore answers and what the reference evaluator does.

Firestore answers, exactly as the reference evaluator does (:mod:`repokit.domain.matching`):

* ``$eq`` on a scalar field (not null, which must also match a missing field):
  ``==`` on the stored form (a UUID's text, a decimal's key, an enum's value...);
* one ``$in`` of 1..30 such values: ``in``;
* ``$gt $gte $lt $lte`` on the field the listing is ordered by (Firestore orders
  by an inequality's field first, so any other field's range would reorder it).

Only top-level conjuncts are sent; everything else (``$ne``, ``$nin``,
``$exists``, ``$or``, ``$not``, nulls, JSON paths into ``metadata``, ranges on
other fields) is the *residual*: Firestore streams the documents matching what
it answers, in the listing's order, and the reference evaluator keeps those that
match the rest. The cost is the documents read and dropped; the answers are the
same as on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.cloud.firestore_v1 import FieldFilter

from repokit.domain.entity_spec import FieldKind
from repokit.domain.query import And, Compare, FilterNode, In
from repokit.infrastructure.firestore.values import operand_to_store

KindOf = Callable[[str], "FieldKind | str | None"]
"""A field name's kind (None: not a stored scalar field)."""

MAX_IN_VALUES = 30
"""Firestore's limit on the values of one ``in``."""

_RANGES = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@dataclass(slots=True)
class SplitFilter:
    """The conditions sent to Firestore and the residual the evaluator checks."""

    conditions: list[tuple[str, str, Any]] = field(default_factory=list)
    residual: FilterNode | None = None

    def apply(self, query: Any) -> Any:
        """``query`` with the conditions added."""
        for path, op, value in self.conditions:
            query = query.where(filter=FieldFilter(path, op, value))
        return query


def split_filter(node: FilterNode | None, kind_of: KindOf, order_field: str | None) -> SplitFilter:
    """Split ``node`` (see the module doc); ``order_field`` is the listing's order."""
    out = SplitFilter()
    if node is None:
        return out
    clauses = node.clauses if isinstance(node, And) else (node,)
    rest: list[FilterNode] = []
    used_in = False
    for clause in clauses:
        condition = _native(clause, kind_of, order_field, used_in)
        if condition is None:
            rest.append(clause)
            continue
        used_in = used_in or condition[1] == "in"
        out.conditions.append(condition)
    if rest:
        out.residual = rest[0] if len(rest) == 1 else And(tuple(rest))
    return out


def _native(
    clause: FilterNode, kind_of: KindOf, order_field: str | None, used_in: bool
) -> tuple[str, str, Any] | None:
    if not isinstance(clause, Compare | In) or clause.field.json:
        return None
    name = clause.field.name
    kind = kind_of(name)
    if kind is None or kind is FieldKind.JSON:
        return None
    if isinstance(clause, In):
        values = clause.values
        if used_in or not 0 < len(values) <= MAX_IN_VALUES or None in values:
            return None
        return name, "in", [operand_to_store(kind, v) for v in values]
    if clause.value is None:
        return None
    if clause.op == "$eq":
        return name, "==", operand_to_store(kind, clause.value)
    if clause.op in _RANGES and name == order_field:
        return name, _RANGES[clause.op], operand_to_store(kind, clause.value)
    return None


__all__ = ["MAX_IN_VALUES", "SplitFilter", "split_filter"]

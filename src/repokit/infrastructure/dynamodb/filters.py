"""Compiling the filter AST to a DynamoDB ``FilterExpression`` that never drops a match.

Only what DynamoDB can judge exactly from top-level attributes is compiled: the
timestamps (``ca``/``ua``, millisecond strings) and ``workspace_id`` (``ws``),
from the clauses of a top-level AND. The expression keeps a superset of the
matches (bounds are compared inclusively, since a sub-millisecond operand is
truncated), and every item read is then checked by
:func:`repokit.domain.matching.matches`, the in-memory adapter's evaluator, which
also decides everything not compiled (metadata, ``title``, ``$or``, ``$not``).
Names and values go in as placeholders only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from repokit.domain.query import And, Compare, FilterNode, In
from repokit.infrastructure.dynamodb.items import ts
from repokit.infrastructure.dynamodb.queries import Prefilter

_ATTRIBUTES = {"created_at": "ca", "updated_at": "ua", "workspace_id": "ws"}
_INCLUSIVE = {"$eq": "=", "$gt": ">=", "$gte": ">=", "$lt": "<=", "$lte": "<="}
_MAX_IN = 100  # DynamoDB's limit of IN operands


def compile_prefilter(node: FilterNode | None) -> Prefilter | None:
    """A ``FilterExpression`` implied by ``node``, or None when nothing can be compiled."""
    if node is None:
        return None
    clauses = node.clauses if isinstance(node, And) else (node,)
    terms: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for clause in clauses:
        term = _term(clause, len(values), values)
        if term is not None:
            attribute = _ATTRIBUTES[clause.field.name]  # type: ignore[union-attr]
            names[f"#{attribute}"] = attribute
            terms.append(term)
    if not terms:
        return None
    return Prefilter(" AND ".join(terms), names, values)


def _term(clause: FilterNode, index: int, values: dict[str, Any]) -> str | None:
    if isinstance(clause, Compare) and clause.field.name in ("created_at", "updated_at"):
        if not isinstance(clause.value, datetime):
            return None
        attribute = _ATTRIBUTES[clause.field.name]
        values[f":f{index}"] = {"S": ts(clause.value)}
        return f"#{attribute} {_INCLUSIVE[clause.op]} :f{index}"
    if clause_on_workspace(clause):
        wanted = [clause.value] if isinstance(clause, Compare) else list(clause.values)  # type: ignore[union-attr]
        if not wanted or len(wanted) > _MAX_IN or not all(isinstance(v, UUID) for v in wanted):
            return None  # null (no workspace) and empty lists are left to the evaluator
        placeholders = []
        for offset, value in enumerate(wanted):
            placeholder = f":f{index}_{offset}"
            values[placeholder] = {"S": str(value)}
            placeholders.append(placeholder)
        return f"#ws IN ({', '.join(placeholders)})"
    return None


def clause_on_workspace(clause: FilterNode) -> bool:
    """True for ``workspace_id`` ``$eq`` / ``$in`` clauses."""
    if isinstance(clause, Compare):
        return clause.field.name == "workspace_id" and clause.op == "$eq"
    return isinstance(clause, In) and clause.field.name == "workspace_id"

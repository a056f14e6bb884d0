"""The reference evaluator of the filter AST, in plain Python.

The in-memory adapter filters with it, backends that cannot express a filter
natively (DynamoDB) finish with it, and the property tests compare every
backend's answers with it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from repokit.domain.query import And, Compare, Exists, FieldRef, FilterNode, In, Not, Or, Scalar

FieldReader = Callable[[Any, FieldRef], tuple[bool, Any]]
"""Reads a field from an entity: ``(present, value)``."""

_MISSING = object()
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": operator.eq,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def read_attribute_field(entity: Any, field: FieldRef) -> tuple[bool, Any]:
    """Read ``field`` from an object with attributes (JSON fields as plain JSON values)."""
    value: Any = getattr(entity, field.name)
    if not field.json:
        return True, value
    return read_json_path(value, field.path)


def read_json_path(value: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    """``(present, value)`` at ``path`` inside a JSON value; paths never index into lists."""
    for segment in path:
        if not isinstance(value, dict):
            return False, None
        value = value.get(segment, _MISSING)
        if value is _MISSING:
            return False, None
    return True, value


def matches(node: FilterNode | None, entity: Any, read: FieldReader = read_attribute_field) -> bool:
    """True when ``entity`` satisfies the filter (``None`` matches everything)."""
    if node is None:
        return True
    if isinstance(node, And):
        return all(matches(clause, entity, read) for clause in node.clauses)
    if isinstance(node, Or):
        return any(matches(clause, entity, read) for clause in node.clauses)
    if isinstance(node, Not):
        return not matches(node.clause, entity, read)
    present, value = read(entity, node.field)
    if isinstance(node, Exists):
        return present == node.exists
    if isinstance(node, Compare):
        return _any_element(present, value, lambda item: scalar_compare(node.op, item, node.value))
    if isinstance(node, In):
        return _any_element(present, value, lambda item: _equals_any(item, node.values))
    raise TypeError(f"not a filter node: {node!r}")


def _any_element(present: bool, value: Any, test: Callable[[Any], bool]) -> bool:
    if not present:
        # Only "equals null" matches a missing field, as in MongoDB.
        return test(_MISSING)
    if isinstance(value, list):
        return any(test(item) for item in value)
    return test(value)


def _equals_any(stored: Any, wanted: tuple[Scalar, ...]) -> bool:
    return any(scalar_compare("$eq", stored, operand) for operand in wanted)


def scalar_compare(op: str, stored: Any, operand: Scalar) -> bool:
    """Compare one stored value with an operand, only within the same kind of value."""
    if operand is None:
        return op == "$eq" and (stored is None or stored is _MISSING)
    if stored is _MISSING or stored is None or isinstance(stored, dict | list):
        return False
    if isinstance(operand, bool) or isinstance(stored, bool):
        return op == "$eq" and isinstance(operand, bool) and stored is operand
    if isinstance(operand, int | float):
        if not isinstance(stored, int | float):
            return False
    elif type(stored) is not type(operand):
        return False
    return _ORDER[op](stored, operand)

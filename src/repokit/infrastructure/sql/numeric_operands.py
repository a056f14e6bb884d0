"""Numbers of the other kind against an integer or a float column, compared exactly.

An ``int`` field takes float operands and a ``float`` field int operands, and the
reference compares them as Python does: exactly (``2**63 - 1 < 2.0**63``). SQL
would not: PostgreSQL casts one side (a ``bigint`` column cannot even bind
``2.5``, and ``2**53 + 1`` equals ``2.0**53`` as a double). So each such operand
is rewritten, before it is bound, into a comparison of the column's own kind
with the same answer for every stored value, or into a constant when no stored
value (or every one) passes:

* ``int_col > 2.5`` is ``int_col > 2``; ``int_col = 2.5`` is false;
  ``int_col < 1e300`` is true for every 64-bit integer;
* an integer outside a 32-bit ``version`` column's range is such a constant too;
* ``float_col > 2**53 + 1`` is ``float_col > 2.0**53`` (the largest double below
  the integer), ``float_col = 2**53 + 1`` is false.
"""

from __future__ import annotations

import math
from typing import Any

from repokit.domain.json_values import INT64_LIMIT

INT32_LIMIT = 2**31
"""One past the largest ``INTEGER`` (PostgreSQL's ``int4``)."""
Rewritten = tuple[str, Any] | bool
"""``(op, operand)`` to compare with instead, or the answer for every non-null value."""


def integer_operand(op: str, operand: Any) -> Rewritten:
    """``op`` with ``operand`` (any number) against a 64-bit integer column."""
    return _integer(op, operand, INT64_LIMIT)


def int32_operand(op: str, operand: Any) -> Rewritten:
    """``op`` with ``operand`` against a 32-bit column (``version``), which PostgreSQL
    cannot even bind a larger integer to."""
    return _integer(op, operand, INT32_LIMIT)


def _integer(op: str, operand: Any, limit: int) -> Rewritten:
    if operand >= limit:
        return op in ("$lt", "$lte")
    if operand < -limit:
        return op in ("$gt", "$gte")
    if not isinstance(operand, float):
        return op, operand
    if operand.is_integer():
        return op, int(operand)
    # Between two integers: none equals it; "> 2.5" is "> 2", "< 2.5" is "<= 2".
    below = math.floor(operand)
    if op == "$eq":
        return False
    return ("$gt", below) if op in ("$gt", "$gte") else ("$lte", below)


def float_operand(op: str, operand: Any) -> Rewritten:
    """``op`` with ``operand`` (any number) against a double column."""
    if not isinstance(operand, int) or isinstance(operand, bool):
        return op, operand
    nearest = float(operand)
    if nearest == operand:  # exact: Python compares int and float exactly
        return op, nearest
    # Between two doubles: none equals it; "> n" is "> the double below n".
    if nearest > operand:
        below, above = math.nextafter(nearest, -math.inf), nearest
    else:
        below, above = nearest, math.nextafter(nearest, math.inf)
    if op == "$eq":
        return False
    return ("$gt", below) if op in ("$gt", "$gte") else ("$lt", above)


__all__ = ["INT32_LIMIT", "Rewritten", "float_operand", "int32_operand", "integer_operand"]

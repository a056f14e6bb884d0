"""How the SQL adapter compares declared entities' values: decimal keys and mixed numbers.

Both must agree with Python's own comparisons (what the in-memory reference
uses) for every value a declared entity can hold; hypothesis draws them
(derandomized, so runs are deterministic).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repokit.domain.entity import MAX_DECIMAL_DIGITS
from repokit.infrastructure.sql.decimal_key import KEY_LENGTH, decimal_key
from repokit.infrastructure.sql.numeric_operands import (
    INT32_LIMIT,
    Rewritten,
    float_operand,
    int32_operand,
    integer_operand,
)

SETTINGS = settings(max_examples=400, derandomize=True, database=None, deadline=None)
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": operator.eq,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def decimals() -> st.SearchStrategy[Decimal]:
    """Decimal128 values: up to 34 digits, exponents across the whole range."""
    digits = st.integers(-(10**MAX_DECIMAL_DIGITS) + 1, 10**MAX_DECIMAL_DIGITS - 1)
    small = st.integers(-(10**4), 10**4)
    exponents = st.one_of(st.integers(-40, 40), st.integers(-6100, 6100))
    build = st.builds(lambda d, e: Decimal(d).scaleb(e), st.one_of(digits, small), exponents)
    edge = st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("0E+5"), Decimal("1.10")])
    return st.one_of(build, edge).filter(lambda d: d == 0 or -6143 <= d.adjusted() <= 6144)


@SETTINGS
@given(decimals(), decimals())
def test_decimal_keys_compare_as_their_numbers(a: Decimal, b: Decimal) -> None:
    key_a, key_b = decimal_key(a), decimal_key(b)
    assert len(key_a) == KEY_LENGTH
    assert (key_a < key_b) == (a < b)
    assert (key_a == key_b) == (a == b)


def test_equal_decimals_of_another_scale_share_a_key() -> None:
    assert decimal_key(Decimal("1")) == decimal_key(Decimal("1.0")) == decimal_key(Decimal("1.00"))
    assert decimal_key(Decimal("1E+1")) == decimal_key(Decimal("10"))
    assert decimal_key(Decimal("-0")) == decimal_key(Decimal("0E-3"))


@pytest.mark.parametrize(
    "bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E+100000"), Decimal("1E-20000")]
)
def test_a_decimal_no_entity_can_hold_has_no_key(bad: Decimal) -> None:
    with pytest.raises(ValueError, match=r"decimal|Decimal128"):
        decimal_key(bad)


def holds(rewritten: Rewritten, stored: Any) -> bool:
    """What the rewritten comparison answers for ``stored``."""
    if isinstance(rewritten, bool):
        return rewritten
    op, operand = rewritten
    return OPS[op](stored, operand)


INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(2**64), 2**64).map(float),
    st.integers(-1000, 1000).map(lambda n: n / 4),
)


@SETTINGS
@given(INT64, FLOATS, st.sampled_from(sorted(OPS)))
def test_a_float_against_an_integer_column_answers_as_python(
    stored: int, operand: float, op: str
) -> None:
    rewritten = integer_operand(op, operand)
    assert holds(rewritten, stored) == OPS[op](stored, operand)
    if not isinstance(rewritten, bool):
        assert isinstance(rewritten[1], int)


@SETTINGS
@given(st.integers(-(2**31), 2**31 - 1), INT64, st.sampled_from(sorted(OPS)))
def test_an_integer_outside_32_bits_against_version_answers_as_python(
    stored: int, operand: int, op: str
) -> None:
    rewritten = int32_operand(op, operand)
    assert holds(rewritten, stored) == OPS[op](stored, operand)
    if not isinstance(rewritten, bool):
        assert -INT32_LIMIT <= rewritten[1] < INT32_LIMIT


@SETTINGS
@given(FLOATS, st.one_of(INT64, st.integers(2**53 - 4, 2**53 + 4)), st.sampled_from(sorted(OPS)))
def test_an_integer_against_a_float_column_answers_as_python(
    stored: float, operand: int, op: str
) -> None:
    rewritten = float_operand(op, operand)
    assert holds(rewritten, stored) == OPS[op](stored, operand)
    if not isinstance(rewritten, bool):
        assert isinstance(rewritten[1], float)
        assert math.isfinite(rewritten[1])

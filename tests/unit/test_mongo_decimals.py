"""MongoDB decimals: order keys that compare as the values do, text that reads back exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pymongo")

from repokit.domain.entity import MAX_DECIMAL_DIGITS
from repokit.infrastructure.mongo.decimals import (
    decode_decimal,
    encode_decimal,
    order_key,
)

DECIMALS = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(-(10**MAX_DECIMAL_DIGITS) + 1, 10**MAX_DECIMAL_DIGITS - 1),
    st.integers(-6100, 6100),
) | st.sampled_from([Decimal(text) for text in ("0", "-0", "0E-9", "1", "-1", "1.10", "-1.23")])
"""Decimals a ``Decimal`` field holds (34 significant digits, Decimal128's exponents)."""

DETERMINISTIC = settings(max_examples=400, derandomize=True, database=None, deadline=None)


@DETERMINISTIC
@given(DECIMALS, DECIMALS)
def test_order_keys_compare_as_the_decimals_do(a: Decimal, b: Decimal) -> None:
    assert (order_key(a) < order_key(b)) == (a < b)
    assert (order_key(a) == order_key(b)) == (a == b)


@DETERMINISTIC
@given(DECIMALS)
def test_a_stored_decimal_reads_back_with_its_scale(value: Decimal) -> None:
    back = decode_decimal(encode_decimal(value))
    assert back == value
    assert back.as_tuple() == value.as_tuple()


def test_numerically_equal_decimals_share_one_key() -> None:
    assert order_key(Decimal("1")) == order_key(Decimal("1.0")) == order_key(Decimal("1.00"))
    assert order_key(Decimal("0")) == order_key(Decimal("-0")) == order_key(Decimal("0E-5"))


def test_keys_order_signs_magnitudes_and_digits() -> None:
    values = [Decimal(text) for text in ("-10", "-2", "-1.23", "-1.2", "0", "1E-40", "1.2", "10")]
    assert sorted(values, key=order_key) == values

"""The DynamoDB order keys sort like the values they encode; unique keys are exact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from repokit.domain.entity_spec import FieldKind, FieldSpec

pytest.importorskip("boto3")

from repokit.infrastructure.dynamodb.entity_keys import (
    SEPARATOR,
    compound_order_key,
    order_key,
    unique_key,
)

INT64 = st.integers(-(2**63), 2**63 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: len(d.as_tuple().digits) <= 34 and -6143 <= d.adjusted() <= 6144
)
TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=30)
MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000))
CASES: list[tuple[FieldKind, Any]] = [
    (FieldKind.INT, INT64),
    (FieldKind.FLOAT, FLOATS),
    (FieldKind.DECIMAL, DECIMALS),
    (FieldKind.STR, TEXT),
    (FieldKind.UUID, st.uuids()),
    (FieldKind.DATETIME, MOMENTS),
    (FieldKind.DATE, st.dates()),
]


@pytest.mark.parametrize(("kind", "values"), CASES, ids=[kind.value for kind, _ in CASES])
def test_order_keys_sort_like_their_values(kind: FieldKind, values: Any) -> None:
    field = FieldSpec("f", kind)

    @given(values, values)
    def check(a: Any, b: Any) -> None:
        ka, kb = order_key(field, a), order_key(field, b)
        if a < b:
            assert ka <= kb
        elif a == b:
            assert ka == kb
        assert SEPARATOR not in ka
        assert all(c > '"' for c in ka)

    check()


def test_text_keys_tie_only_past_their_kept_bytes() -> None:
    field = FieldSpec("f", FieldKind.STR)
    assert order_key(field, "a") < order_key(field, "a\x01") < order_key(field, "b")
    assert order_key(field, "x" * 100 + "a") == order_key(field, "x" * 100 + "b")


def test_a_compound_key_orders_by_its_first_field_first() -> None:
    fields = (FieldSpec("a", FieldKind.STR), FieldSpec("b", FieldKind.INT))
    low = compound_order_key(fields, ("ab", 9))
    high = compound_order_key(fields, ("abc", 1))
    assert low < high


def test_null_sorts_before_every_value() -> None:
    for kind, example in [
        (FieldKind.INT, -(2**63)),
        (FieldKind.DATETIME, datetime(1, 1, 1, tzinfo=UTC)),
        (FieldKind.DATE, date(1, 1, 1)),
        (FieldKind.UUID, UUID(int=0)),
    ]:
        assert order_key(FieldSpec("f", kind), None) < order_key(FieldSpec("f", kind), example)


def test_unique_keys_of_equal_numbers_agree_and_of_different_values_differ() -> None:
    decimal = (FieldSpec("d", FieldKind.DECIMAL),)
    assert unique_key(decimal, (Decimal("1.0"),)) == unique_key(decimal, (Decimal("1.00"),))
    assert unique_key(decimal, (Decimal("1.0"),)) != unique_key(decimal, (Decimal("1.01"),))
    number = (FieldSpec("n", FieldKind.INT),)
    assert unique_key(number, (1,)) == unique_key(number, (1.0,))
    text = (FieldSpec("t", FieldKind.STR), FieldSpec("u", FieldKind.STR))
    assert unique_key(text, ("a", "b,c")) != unique_key(text, ("a,b", "c"))
    moment = (FieldSpec("m", FieldKind.DATETIME),)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    assert unique_key(moment, (base,)) != unique_key(moment, (base + timedelta(milliseconds=1),))


def test_long_unique_keys_are_hashed() -> None:
    text = (FieldSpec("t", FieldKind.STR),)
    key = unique_key(text, ("x" * 2000,))
    assert key.startswith("sha256:")
    assert key != unique_key(text, ("x" * 1999 + "y",))

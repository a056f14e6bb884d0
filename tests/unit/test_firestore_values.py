"""What Firestore refuses, stored anyway: escaped keys, wrapped nested arrays, decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytest.importorskip("google.cloud.firestore")

from repokit.domain.entity_spec import FieldKind
from repokit.infrastructure.firestore.values import (
    escape_key,
    from_store,
    json_from_store,
    json_to_store,
    store_fields,
)


def test_keys_firestore_refuses_are_escaped_and_read_back() -> None:
    value = {"": 1, "__x__": 2, "~a": [3], "plain": {"": None}}
    stored = json_to_store(value)
    assert stored == {"~": 1, "~__x__": 2, "~~a": [3], "plain": {"~": None}}
    assert json_from_store(stored) == value


def test_an_array_inside_an_array_is_wrapped_and_read_back() -> None:
    value = [[1, [2]], {"k": [[3]]}]
    stored = json_to_store(value)
    assert stored == [{"~a": [1, {"~a": [2]}]}, {"k": [{"~a": [3]}]}]
    assert json_from_store(stored) == value


def test_only_keys_firestore_refuses_are_escaped() -> None:
    assert [escape_key(k) for k in ("tag", "", "__id__", "~x")] == ["tag", "~", "~__id__", "~~x"]


def test_a_decimal_is_stored_as_its_key_and_its_exact_text() -> None:
    out: dict[str, object] = {}
    store_fields("total", FieldKind.DECIMAL, Decimal("1.50"), out)
    other: dict[str, object] = {}
    store_fields("total", FieldKind.DECIMAL, Decimal("1.5"), other)
    assert out["total"] == other["total"]  # equal decimals, one key
    assert out["total~"] == "1.50"
    assert from_store(FieldKind.DECIMAL, "total", out) == Decimal("1.50")
    smaller: dict[str, object] = {}
    store_fields("total", FieldKind.DECIMAL, Decimal("-20"), smaller)
    assert str(smaller["total"]) < str(out["total"])

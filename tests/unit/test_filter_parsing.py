"""parse_filter: the filter dict -> validated AST, or InvalidQueryError naming the bad part."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from repokit.domain.errors import InvalidQueryError
from repokit.domain.query import And, Compare, Exists, FieldRef, In, Not, Or, parse_filter

TAG = FieldRef("metadata", ("tag",), json=True)
YEAR = FieldRef("metadata", ("year",), json=True)
WORKSPACE = UUID("01900000-0000-7000-8000-000000000001")


@pytest.mark.parametrize("empty", [None, {}])
def test_no_filter_means_everything(empty: dict[str, Any] | None) -> None:
    assert parse_filter(empty) is None


def test_a_bare_value_means_eq() -> None:
    assert parse_filter({"metadata.tag": "a"}) == Compare(TAG, "$eq", "a")


def test_several_keys_combine_with_and() -> None:
    parsed = parse_filter({"metadata.tag": "a", "metadata.year": {"$gte": 2020}})
    assert parsed == And((Compare(TAG, "$eq", "a"), Compare(YEAR, "$gte", 2020)))


def test_ne_and_nin_become_negations() -> None:
    assert parse_filter({"metadata.tag": {"$ne": "a"}}) == Not(Compare(TAG, "$eq", "a"))
    assert parse_filter({"metadata.tag": {"$nin": ["a", "b"]}}) == Not(In(TAG, ("a", "b")))


def test_or_and_not_at_the_top_level() -> None:
    parsed = parse_filter({"$or": [{"metadata.tag": "a"}, {"$not": {"metadata.year": 1}}]})
    assert parsed == Or((Compare(TAG, "$eq", "a"), Not(Compare(YEAR, "$eq", 1))))


def test_not_on_a_field() -> None:
    assert parse_filter({"metadata.year": {"$not": {"$gt": 1}}}) == Not(Compare(YEAR, "$gt", 1))


def test_exists_on_a_nested_metadata_path() -> None:
    parsed = parse_filter({"metadata.a.b-c.d_e": {"$exists": False}})
    assert parsed == Exists(FieldRef("metadata", ("a", "b-c", "d_e"), json=True), False)


def test_timestamps_accept_iso_strings() -> None:
    parsed = parse_filter({"created_at": {"$lt": "2024-01-02T03:04:05+00:00"}})
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parsed == Compare(FieldRef("created_at"), "$lt", moment)


def test_workspace_id_accepts_uuid_strings() -> None:
    parsed = parse_filter({"workspace_id": str(WORKSPACE)})
    assert parsed == Compare(FieldRef("workspace_id"), "$eq", WORKSPACE)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"metadata.tag": {"$regex": "a"}}, "'$regex'"),
        ({"$where": "1"}, "'$where'"),
        ({"password": "x"}, "'password'"),
        ({"title; DROP TABLE documents": "x"}, "'title; DROP TABLE documents'"),
        ({"metadata.a'b": 1}, '"a\'b"'),
        ({"metadata.": 1}, "'metadata.'"),
        ({"metadata.tag": {"$eq": [1, 2]}}, "'metadata.tag'"),
        ({"metadata.tag": {"$eq": {"nested": 1}}}, "'metadata.tag'"),
        ({"metadata.tag": {"$in": "abc"}}, "'$in'"),
        ({"metadata.year": {"$gt": True}}, "'$gt'"),
        ({"metadata.year": {"$gt": float("nan")}}, "nan"),
        ({"title": {"$gt": 3}}, "'title'"),
        ({"created_at": {"$gt": "yesterday"}}, "'yesterday'"),
        ({"workspace_id": {"$gt": str(WORKSPACE)}}, "'workspace_id'"),
        ({"workspace_id": "not-a-uuid"}, "'workspace_id'"),
        ({"title": {"$exists": True}}, "'title'"),
        ({"$or": []}, "'$or'"),
        ({"$and": [1]}, "'$and'"),
        ({"metadata.tag": {}}, "'metadata.tag'"),
        ({"metadata.year": 2**63}, "64-bit"),
    ],
)
def test_invalid_filters_name_the_offending_part(raw: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidQueryError) as caught:
        parse_filter(raw)
    assert named in str(caught.value)


def test_a_filter_must_be_a_dict() -> None:
    with pytest.raises(InvalidQueryError, match="must be a dict"):
        parse_filter(["metadata.tag"])  # type: ignore[arg-type]


def test_invalid_filter_errors_are_value_errors() -> None:
    # Callers that only know the standard library can still catch them.
    with pytest.raises(ValueError, match="unknown operator"):
        parse_filter({"metadata.tag": {"$like": "a%"}})

"""The reference evaluator (repokit.domain.matching): the semantics every backend copies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from repokit.domain.matching import matches
from repokit.domain.query import parse_filter


@dataclass
class Row:
    """The fields a filter can read: a title and JSON metadata."""

    title: str = "t"
    metadata: dict[str, Any] = field(default_factory=dict)


def check(raw: dict[str, Any], row: Row) -> bool:
    return matches(parse_filter(raw), row)


def test_no_filter_matches_everything() -> None:
    assert matches(None, Row())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"metadata.n": 1}, True),
        ({"metadata.n": 1.0}, True),
        ({"metadata.n": {"$gt": 0}}, True),
        ({"metadata.n": {"$lte": 0}}, False),
        ({"metadata.n": "1"}, False),
        ({"metadata.n": {"$in": [3, 1]}}, True),
        ({"metadata.n": {"$nin": [3, 1]}}, False),
    ],
)
def test_numbers_compare_with_numbers_only(raw: dict[str, Any], expected: bool) -> None:
    assert check(raw, Row(metadata={"n": 1})) is expected


def test_booleans_are_not_numbers() -> None:
    assert not check({"metadata.flag": 1}, Row(metadata={"flag": True}))
    assert check({"metadata.flag": True}, Row(metadata={"flag": True}))


def test_strings_compare_in_code_point_order() -> None:
    assert check({"metadata.s": {"$gt": "Z"}}, Row(metadata={"s": "a"}))
    assert not check({"metadata.s": {"$gt": 1}}, Row(metadata={"s": "a"}))


def test_ne_and_nin_match_a_missing_field() -> None:
    assert check({"metadata.tag": {"$ne": "a"}}, Row())
    assert check({"metadata.tag": {"$nin": ["a"]}}, Row())


def test_null_matches_null_or_missing() -> None:
    assert check({"metadata.tag": None}, Row())
    assert check({"metadata.tag": None}, Row(metadata={"tag": None}))
    assert not check({"metadata.tag": None}, Row(metadata={"tag": "a"}))


def test_a_stored_null_exists() -> None:
    assert check({"metadata.tag": {"$exists": True}}, Row(metadata={"tag": None}))
    assert check({"metadata.tag": {"$exists": False}}, Row())


def test_a_list_matches_when_any_element_does() -> None:
    row = Row(metadata={"tags": ["a", "b"]})
    assert check({"metadata.tags": "b"}, row)
    assert check({"metadata.tags": {"$in": ["x", "a"]}}, row)
    assert not check({"metadata.tags": {"$ne": "a"}}, row)
    assert check({"metadata.tags": {"$ne": "c"}}, row)


def test_lists_are_not_traversed_mid_path() -> None:
    assert not check({"metadata.a.b": 1}, Row(metadata={"a": [{"b": 1}]}))


def test_nested_paths_read_nested_objects() -> None:
    assert check({"metadata.a.b.c": 3}, Row(metadata={"a": {"b": {"c": 3}}}))


def test_logical_operators() -> None:
    row = Row(title="x", metadata={"n": 5})
    assert check({"$or": [{"title": "y"}, {"metadata.n": 5}]}, row)
    assert not check({"$and": [{"title": "y"}, {"metadata.n": 5}]}, row)
    assert check({"$not": {"title": "y"}}, row)
    assert not check({"metadata.n": {"$not": {"$gte": 5}}}, row)

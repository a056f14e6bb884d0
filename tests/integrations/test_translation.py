"""The pure parts of the integrations: filter translation and the record codec.

Their place in the layers is checked in ``tests/unit/test_dependency_rule.py``.
"""

from __future__ import annotations

import os
import uuid

import pytest

from repokit import Document, DuplicateError, InvalidQueryError
from repokit.integrations.codec import (
    EXTRAS_KEY,
    KEY_NAMESPACE,
    Record,
    from_document,
    key_uuid,
    packed_embeddings,
    to_entities,
)
from repokit.integrations.policy import WritePolicy, unique_records

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")


# -- LangChain's dialect -------------------------------------------------------------


@pytest.mark.parametrize(
    ("langchain", "repokit"),
    [
        ({"genre": "sf"}, {"metadata.genre": "sf"}),
        ({"year": {"$gte": 2000}}, {"metadata.year": {"$gte": 2000}}),
        (
            {"a": 1, "b": {"$in": [1, 2]}},
            {"$and": [{"metadata.a": 1}, {"metadata.b": {"$in": [1, 2]}}]},
        ),
        ({"rating": {"$between": [3, 5]}}, {"metadata.rating": {"$gte": 3, "$lte": 5}}),
        ({"$or": [{"a": 1}, {"b": 2}]}, {"$or": [{"metadata.a": 1}, {"metadata.b": 2}]}),
        ({"$not": {"a": 1}}, {"$not": {"metadata.a": 1}}),
        (
            {"$not": [{"a": 1}, {"b": 2}]},
            {"$and": [{"$not": {"metadata.a": 1}}, {"$not": {"metadata.b": 2}}]},
        ),
        ({"draft": {"$exists": False}}, {"metadata.draft": {"$exists": False}}),
        ({"author.name": "ada"}, {"metadata.author.name": "ada"}),
        ({"$AND": [{"a": 1}]}, {"$and": [{"metadata.a": 1}]}),
        ({}, None),
        (None, None),
    ],
)
def test_langchain_filters_translate(langchain: dict | None, repokit: dict | None) -> None:
    from repokit.integrations.langchain import translate_filter

    assert translate_filter(langchain) == repokit


@pytest.mark.parametrize(
    ("langchain", "message"),
    [
        ({"name": {"$like": "a%"}}, "pattern matching"),
        ({"name": {"$regex": "a"}}, "unknown operator"),
        ({"$nor": [{"a": 1}]}, "not a filter operator"),
        ({"a b": 1}, "invalid metadata path segment"),
        ({"a": {"$between": [1]}}, r"\[low, high\]"),
        ({"a": {"$in": "xyz"}}, "list of values"),
        ({"$or": []}, "non-empty list"),
    ],
)
def test_langchain_filters_that_repokit_cannot_run_are_refused(
    langchain: dict, message: str
) -> None:
    from repokit.integrations.langchain import translate_filter

    with pytest.raises(InvalidQueryError, match=message):
        translate_filter(langchain)


# -- Haystack's syntax ---------------------------------------------------------------


def comparison(field: str, operator: str, value: object) -> dict[str, object]:
    return {"field": field, "operator": operator, "value": value}


@pytest.mark.parametrize(
    ("haystack", "repokit"),
    [
        (comparison("meta.a", "==", 1), {"metadata.a": {"$eq": 1}}),
        (comparison("meta.a.b", "!=", None), {"metadata.a.b": {"$ne": None}}),
        (comparison("id", "in", ["x", "y"]), {"title": {"$in": ["x", "y"]}}),
        (comparison("legacy", "not in", [1]), {"metadata.legacy": {"$nin": [1]}}),
        (
            comparison("meta.d", ">", "2020-01-01T00:00:00"),
            {"metadata.d": {"$gt": "2020-01-01T00:00:00"}},
        ),
        (
            {"operator": "NOT", "conditions": [comparison("meta.a", "==", 1)]},
            {"$not": {"$and": [{"metadata.a": {"$eq": 1}}]}},
        ),
    ],
)
def test_haystack_filters_translate(haystack: dict, repokit: dict) -> None:
    from repokit.integrations.haystack import translate_filter

    assert translate_filter(haystack) == repokit


def test_haystack_none_orderings_and_empty_logic_follow_haystack() -> None:
    from repokit.integrations.haystack.filters import EVERYTHING, NOTHING, translate_filter

    assert translate_filter(comparison("meta.a", "<=", None)) == NOTHING
    assert translate_filter({"operator": "AND", "conditions": []}) == EVERYTHING
    assert translate_filter({"operator": "OR", "conditions": []}) == NOTHING
    assert translate_filter({"operator": "NOT", "conditions": []}) == NOTHING


@pytest.mark.parametrize(
    "haystack",
    [
        comparison("meta.a", ">", "1"),
        comparison("meta.a", ">", [1]),
        comparison("meta.a", "in", (1, 2)),
        comparison("meta.a", "==", [1]),
        comparison("meta.a", "~", 1),
        comparison("content", "==", "x"),
        {"operator": "XOR", "conditions": []},
        {"conditions": []},
        {"field": "meta.a", "operator": "=="},
    ],
)
def test_haystack_filters_repokit_cannot_run_raise_both_errors(haystack: dict) -> None:
    from haystack.errors import FilterError

    from repokit.integrations.haystack import translate_filter

    with pytest.raises(FilterError) as raised:
        translate_filter(haystack)
    assert isinstance(raised.value, InvalidQueryError)


# -- the record codec ----------------------------------------------------------------


def test_a_canonical_uuid_key_is_the_document_id_and_other_keys_hash() -> None:
    canonical = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    assert key_uuid(canonical) == uuid.UUID(canonical)
    assert key_uuid(canonical.upper()) == uuid.uuid5(KEY_NAMESPACE, canonical.upper())
    assert key_uuid("doc-1") == uuid.uuid5(KEY_NAMESPACE, "doc-1")


def test_a_record_is_one_document_and_one_chunk_that_both_carry_it() -> None:
    record = Record("k1", "text", {"year": 2024}, [1.0, 0.0], {"score": 0.5})
    stored = to_entities(record, embedding_dim=2)
    assert stored.document.id == key_uuid("k1")
    assert stored.document.title == "k1"
    assert stored.document.metadata == {"year": 2024, EXTRAS_KEY: {"score": 0.5}}
    assert stored.chunk is not None
    assert stored.chunk.metadata == {"key": "k1", "metadata": stored.document.metadata}
    read = from_document(stored.document)
    assert read == Record("k1", "text", {"year": 2024}, None, {"score": 0.5})


def test_a_document_written_without_an_integration_is_keyed_by_its_id() -> None:
    document = Document(title="Notes", content="...", metadata={"a": 1})
    assert from_document(document).key == str(document.id)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (Record("k", "t", {EXTRAS_KEY: 1}), "reserved"),
        (Record("k", "t", {"x": float("nan")}), "finite"),
        (Record("k", "t", {}, [1.0]), "2"),
        (Record("", "t"), "non-empty id"),
    ],
)
def test_records_repokit_cannot_store_are_refused(record: Record, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        to_entities(record, embedding_dim=2)


def test_a_key_repeated_in_one_write_follows_the_policy() -> None:
    first, second = Record("k", "one"), Record("k", "two")
    assert unique_records([first, second], WritePolicy.OVERWRITE) == [second]
    assert unique_records([first, second], WritePolicy.SKIP) == [first]
    with pytest.raises(DuplicateError):
        unique_records([first, second], WritePolicy.FAIL)


def test_a_batch_of_embeddings_is_packed_into_one_matrix_of_the_same_values() -> None:
    import numpy as np

    embeddings = [[0.1, 0.2, 0.3], [1.0, -2.5, 3e-8]]
    packed = packed_embeddings(embeddings)
    assert isinstance(packed, np.ndarray)
    assert packed.dtype == np.float64
    assert packed.tolist() == embeddings
    row = packed[1]
    chunk = to_entities(Record("k", "text", {}, row), 3).chunk
    assert chunk is not None
    assert chunk.embedding is row  # the row itself, not a copy


@pytest.mark.parametrize(
    "embeddings",
    [[[0.1, 0.2], [0.3]], [[0.1, "x"]], [], [[[0.1]]]],
    ids=["ragged", "not-a-number", "empty", "nested"],
)
def test_embeddings_that_make_no_matrix_are_left_for_the_record_checks(
    embeddings: list[object],
) -> None:
    assert packed_embeddings(embeddings) is embeddings  # type: ignore[arg-type]

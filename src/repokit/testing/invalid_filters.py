"""Contract: malformed filters raise ``InvalidQueryError`` everywhere and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from repokit.domain.errors import InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import basis, chunk, uid
from repokit.testing.stored import snapshot, stored_document

INJECTIONS: list[Any] = [
    {"title; DROP TABLE documents": "x"},
    {"metadata.a') OR 1=1 --": 1},
    {'metadata.a" OR "1"="1': 1},
    {"metadata.a'; DELETE FROM documents; --": 1},
    {"metadata.$where": "1"},
    {"metadata.a.b c": 1},
    {"title) OR (1=1": "x"},
    {"metadata": {"$ne": None}},
    {"$where": "this.title == 'x'"},
    {"title": {"$regex": ".*"}},
    {"metadata.a": {"$eq": "x', '$')); DROP TABLE documents; --"}, "bogus": 1},
]
"""SQL, JSON-path and operator injection attempts: each must be rejected before any query."""

MALFORMED: list[Any] = [
    {"author": "x"},
    {"id": "x"},
    {"content": "x"},
    {"metadata.": 1},
    {"metadata..a": 1},
    {"metadata": 1},
    {"metadata.a": {"$foo": 1}},
    {"metadata.a": {"b": 1}},
    {"metadata.a": [1, 2]},
    {"metadata.a": {"$eq": {"b": 1}}},
    {"metadata.a": {"$eq": [1]}},
    {"metadata.a": {}},
    {"metadata.a": {"$not": {}}},
    {"metadata.a": {"$not": 1}},
    {"metadata.a": {"$and": [{"metadata.b": 1}]}},
    {"$and": []},
    {"$or": []},
    {"$or": {"metadata.a": 1}},
    {"$and": [1]},
    {"$not": [{"metadata.a": 1}]},
    {"$nor": [{"metadata.a": 1}]},
    {"metadata.a": {"$gt": True}},
    {"metadata.a": {"$gt": None}},
    {"metadata.a": {"$lt": [1]}},
    {"metadata.a": float("nan")},
    {"metadata.a": {"$gte": float("inf")}},
    {"metadata.a": 2**63},
    {"metadata.a": {"$in": "abc"}},
    {"metadata.a": {"$in": 5}},
    {"metadata.a": {"$in": [[1]]}},
    {"metadata.a": {"$nin": [{"b": 1}]}},
    {"metadata.a": {"$exists": "yes"}},
    {"title": {"$exists": True}},
    {"title": 3},
    {"title": {"$gt": 3}},
    {"title": None},
    {"created_at": {"$gte": "not a date"}},
    {"created_at": {"$gt": 5}},
    {"workspace_id": {"$gt": str(uid(1))}},
    {"workspace_id": "not-a-uuid"},
    {"$and": [{"metadata.a": 1}, {"bogus": 2}]},
    {"$or": [{"metadata.a": 1}, {"$not": {"metadata.b": {"$regex": "x"}}}]},
    {"metadata.a": 1, "$or": [{"title": {"$gt": 1}}]},
    ["metadata.a", 1],
    "metadata.a = 1",
]
"""Unknown fields and operators, bad path segments and operands of the wrong kind."""


def _case_id(case: Any) -> str:
    return repr(case)[:60]


async def stored_corpus(store: StorePort) -> None:
    """Three documents with one chunk each, for reads to reject filters against."""
    for index in range(3):
        doc = await stored_document(store, f"doc {index}", metadata={"a": index})
        await store.documents.add_chunks(doc.id, [chunk(doc, 0, basis(store.embedding_dim, 0))])


async def assert_rejected_everywhere(store: StorePort, where: Any) -> None:
    """``list``, ``count``, ``page`` and ``search_similar`` reject ``where``; nothing changes."""
    before = await snapshot(store)
    count = await store.documents.count()
    query = basis(store.embedding_dim, 0)
    with pytest.raises(InvalidQueryError):
        await store.documents.list(where=where)
    with pytest.raises(InvalidQueryError):
        await store.documents.count(where=where)
    with pytest.raises(InvalidQueryError):
        await store.documents.page(where=where)
    with pytest.raises(InvalidQueryError):
        await store.documents.search_similar(query, where=where)
    assert await store.documents.count() == count
    assert await snapshot(store) == before


class InvalidFilterContract(ContractMixin):
    """Every read that takes ``where`` rejects a bad filter before touching the data."""

    @pytest.mark.parametrize("where", INJECTIONS, ids=_case_id)
    async def test_injection_attempts_raise_invalid_query_error_and_change_nothing(
        self, store: StorePort, where: Any
    ) -> None:
        await stored_corpus(store)
        await assert_rejected_everywhere(store, where)

    @pytest.mark.parametrize("where", MALFORMED, ids=_case_id)
    async def test_malformed_filters_raise_invalid_query_error_and_change_nothing(
        self, store: StorePort, where: Any
    ) -> None:
        await stored_corpus(store)
        await assert_rejected_everywhere(store, where)

    async def test_the_error_names_the_offending_field(self, store: StorePort) -> None:
        with pytest.raises(InvalidQueryError, match="DROP TABLE"):
            await store.documents.list(where={"title; DROP TABLE documents": "x"})

    async def test_the_error_names_the_offending_operator(self, store: StorePort) -> None:
        with pytest.raises(InvalidQueryError, match=r"\$regex"):
            await store.documents.count(where={"title": {"$regex": "a"}})

    async def test_a_rejected_filter_leaves_the_tables_usable(self, store: StorePort) -> None:
        await stored_corpus(store)
        with pytest.raises(InvalidQueryError):
            await store.documents.list(where={"title; DROP TABLE documents": "x"})
        assert [doc.title for doc in await store.documents.list()] == ["doc 0", "doc 1", "doc 2"]

    async def test_sql_inside_a_value_is_only_data(self, store: StorePort) -> None:
        await stored_corpus(store)
        before = await snapshot(store)
        payload = "x'); DROP TABLE documents; --"
        assert await store.documents.list(where={"metadata.a": payload}) == []
        assert await store.documents.list(where={"title": {"$in": [payload, "doc 1"]}}) != []
        assert await snapshot(store) == before

"""Contract: random filters give exactly the reference evaluator's answer (hypothesis).

The dataset is stored once per test; hypothesis varies only the filters. The
hypothesis test is synchronous: for the async store it runs in a worker thread
and hands each store call to the test's event loop (see
:mod:`repokit.testing.bridge`), so the ``store`` fixture, its connections and
its loop are exactly those of every other contract test, and hypothesis never
meets an async function or a function-scoped fixture.

Runs are deterministic (:mod:`repokit.testing.hypothesis_settings`): the same
filters on every run, nothing remembered between runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from repokit.domain.entities import Document
from repokit.domain.errors import InvalidQueryError
from repokit.domain.matching import matches
from repokit.domain.ports import StorePort
from repokit.domain.query import parse_filter
from repokit.testing.base import ContractMixin
from repokit.testing.bridge import StoreCaller, run_check, store_caller
from repokit.testing.filter_strategies import (
    CREATED_OFFSETS,
    Filter,
    FilterPools,
    invalid_filters,
    random_documents,
    valid_filters,
)
from repokit.testing.hypothesis_settings import PropertySettings
from repokit.testing.samples import at, basis, chunk
from repokit.testing.stored import snapshot, stored_user, stored_workspace

MAX_EXAMPLES = 60
FILTERS = 5
"""Valid filters checked per example: more filters for the same number of examples."""
DOCUMENTS = 80

PROPERTY_SETTINGS = PropertySettings(
    MAX_EXAMPLES, HealthCheck.too_slow, HealthCheck.filter_too_much
)
"""Deterministic: the same filters on every run, nothing remembered between runs
(shrinking only outside known failures)."""


async def stored_dataset(
    store: StorePort, count: int = DOCUMENTS
) -> tuple[list[Document], FilterPools]:
    """The random documents, stored, in (created_at, id) order, and the pools for filters."""
    owner = await stored_user(store, "property-owner")
    first = await stored_workspace(store, "first", owner)
    second = await stored_workspace(store, "second", owner)
    saved = await store.documents.save_many(random_documents(count, [None, first.id, second.id]))
    ordered = sorted(saved, key=lambda doc: (doc.created_at, doc.id))
    moments = {at(offset) for offset in CREATED_OFFSETS} | {doc.updated_at for doc in saved}
    return ordered, FilterPools(tuple(sorted(moments)), (None, first.id, second.id))


def page_ids(on_loop: StoreCaller, store: StorePort, where: Filter) -> list[Any]:
    """Ids of every page of ``documents.page(where=...)``, in order."""
    ids: list[Any] = []
    cursor: str | None = None
    for _ in range(DOCUMENTS + 1):
        page = on_loop(store.documents.page(16, cursor, where=where))
        ids.extend(doc.id for doc in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("documents.page never returned next_cursor=None")


class FilterPropertyContract(ContractMixin):
    """Random valid filters match the reference evaluator; random invalid ones are refused."""

    async def test_random_filters_select_what_the_reference_evaluator_selects(
        self, store: StorePort
    ) -> None:
        documents, pools = await stored_dataset(store)
        on_loop = await store_caller()

        @PROPERTY_SETTINGS
        @given(filters=st.lists(valid_filters(pools), min_size=FILTERS, max_size=FILTERS))
        def check(filters: list[Filter]) -> None:
            for where in filters:
                node = parse_filter(where)
                expected = [doc.id for doc in documents if matches(node, doc)]
                listed = on_loop(store.documents.list(0, 10_000, where=where))
                assert [doc.id for doc in listed] == expected, f"list(where={where!r})"
                count = on_loop(store.documents.count(where=where))
                assert count == len(expected), f"count(where={where!r})"
                assert page_ids(on_loop, store, where) == expected, f"page(where={where!r})"

        await run_check(check)

    async def test_random_invalid_filters_are_refused_and_change_nothing(
        self, store: StorePort
    ) -> None:
        documents, pools = await stored_dataset(store, 20)
        for doc in documents[:5]:
            await store.documents.add_chunks(doc.id, [chunk(doc, 0, basis(store.embedding_dim, 0))])
        before = await snapshot(store)
        query = basis(store.embedding_dim, 0)
        on_loop = await store_caller()

        @PROPERTY_SETTINGS
        @given(where=invalid_filters(pools))
        def check(where: Any) -> None:
            # The generator must make only invalid filters, or this test proves nothing.
            with pytest.raises(InvalidQueryError):
                parse_filter(where)
            calls: list[Callable[[], Awaitable[Any]]] = [
                lambda: store.documents.list(where=where),
                lambda: store.documents.count(where=where),
                lambda: store.documents.page(where=where),
                lambda: store.documents.search_similar(query, where=where),
            ]
            for call in calls:
                with pytest.raises(InvalidQueryError):
                    on_loop(call())
            assert on_loop(store.documents.count()) == len(documents)

        await run_check(check)
        assert await snapshot(store) == before

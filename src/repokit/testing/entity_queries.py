"""Contract: filters, orderings and keyset pages of every declared entity.

The answers are compared with the reference: the filter evaluator of
:mod:`repokit.domain.matching` over the stored entities, and Python's own sort
of ``(field, id)``. Hypothesis draws the filters; runs are deterministic
(``derandomize=True``, no example database).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from repokit.domain.entity import Entity
from repokit.domain.entity_query import EntityQueries
from repokit.domain.entity_spec import FieldKind, spec_of
from repokit.domain.errors import InvalidQueryError
from repokit.domain.matching import matches
from repokit.domain.ports import StorePort
from repokit.domain.query import ORDERING_OPS
from repokit.testing.base import ContractMixin
from repokit.testing.bridge import run_check, store_caller
from repokit.testing.entity_filter_strategies import (
    entity_filters,
    invalid_entity_filters,
    json_paths,
)
from repokit.testing.entity_samples import pool_of
from repokit.testing.entity_stored import entity_snapshot, stored_dataset, walk_pages
from repokit.testing.hypothesis_settings import PropertySettings

Ordering = tuple[type[Entity], str, bool]
FILTERS = 4
"""Valid filters checked per hypothesis example."""

QUERY_SETTINGS = PropertySettings(40, HealthCheck.too_slow, HealthCheck.filter_too_much)


def expected_ids(entity: type[Entity], rows: list[Any], where: Any) -> list[Any]:
    """Ids of ``rows`` (in their order) that the reference evaluator selects."""
    queries = EntityQueries(spec_of(entity))
    node = queries.parse(where)
    return [row.id for row in rows if matches(node, row, queries.read)]


def sorted_rows(rows: list[Any], name: str, descending: bool) -> list[Any]:
    """``rows`` in ``(name, id)`` order, both in one direction."""
    return sorted(
        rows,
        key=lambda row: (EntityQueries.order_value_of(row, name), row.id),
        reverse=descending,
    )


def operator_filters(entity: type[Entity], rows: list[Any]) -> list[dict[str, Any]]:
    """One filter per operator per field, with operands taken from the stored rows."""
    spec = spec_of(entity)
    filters: list[dict[str, Any]] = []
    for field in spec.fields:
        if field.is_json:
            paths = json_paths(spec, field) or (field.name,)
            for path in paths:
                filters += [
                    {path: "a"},
                    {path: {"$ne": 1}},
                    {path: {"$gt": 0}},
                    {path: {"$lte": "b"}},
                    {path: {"$in": [1, "a", True, None]}},
                    {path: {"$nin": ["", 2.5]}},
                    {path: None},
                ]
                if path != field.name:
                    filters += [{path: {"$exists": True}}, {path: {"$exists": False}}]
            continue
        present = [row.__dict__[field.name] for row in rows if row.__dict__[field.name] is not None]
        values = present[:2] or list(pool_of(field))[:2]
        value = values[0]
        filters += [
            {field.name: value},
            {field.name: {"$ne": value}},
            {field.name: {"$in": [*values, None]}},
            {field.name: {"$nin": values}},
            {field.name: None},
            {field.name: {"$not": {"$eq": value}}},
        ]
        if field.kind is not FieldKind.BOOL:
            filters += [{field.name: {op: value}} for op in sorted(ORDERING_OPS)]
    return filters


class EntityFilterContract(ContractMixin):
    """Every operator on every field, and random filters, select what the reference selects."""

    entities: tuple[type[Entity], ...] = ()

    async def test_each_operator_on_each_field_selects_what_the_reference_selects(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        rows = sorted_rows(await stored_dataset(store, entity), "id", False)
        repository = store.repository(entity)
        for where in operator_filters(entity, rows):
            expected = expected_ids(entity, rows, where)
            listed = await repository.list(0, 10_000, where=where)
            assert [row.id for row in listed] == expected, f"list(where={where!r})"
            assert await repository.count(where=where) == len(expected), f"count({where!r})"

    async def test_random_filters_select_what_the_reference_selects(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        rows = sorted_rows(await stored_dataset(store, entity), "id", False)
        repository = store.repository(entity)
        on_loop = await store_caller()

        filters = entity_filters(spec_of(entity), rows)

        @QUERY_SETTINGS
        @given(filters=st.lists(filters, min_size=FILTERS, max_size=FILTERS))
        def check(filters: list[dict[str, Any]]) -> None:
            for where in filters:
                expected = expected_ids(entity, rows, where)
                listed = on_loop(repository.list(0, 10_000, where=where))
                assert [row.id for row in listed] == expected, f"list(where={where!r})"
                count = on_loop(repository.count(where=where))
                assert count == len(expected), f"count(where={where!r})"
                paged = on_loop(walk_pages(store, entity, size=16, where=where))
                assert [row.id for row in paged] == expected, f"page(where={where!r})"

        await run_check(check)

    async def test_invalid_filters_raise_invalid_query_error_and_change_nothing(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        await stored_dataset(store, entity, 10)
        before = await entity_snapshot(store, self.entities)
        repository = store.repository(entity)
        on_loop = await store_caller()

        @QUERY_SETTINGS
        @given(where=invalid_entity_filters(spec_of(entity)))
        def check(where: Any) -> None:
            with pytest.raises(InvalidQueryError):
                EntityQueries(spec_of(entity)).parse(where)
            for call in (
                lambda: repository.list(where=where),
                lambda: repository.count(where=where),
                lambda: repository.page(where=where),
            ):
                with pytest.raises(InvalidQueryError):
                    on_loop(call())

        await run_check(check)
        assert await entity_snapshot(store, self.entities) == before

    async def test_count_without_a_filter_counts_every_entity(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        rows = await stored_dataset(store, entity, 12)
        assert await store.repository(entity).count() == len(rows)


class EntityOrderingContract(ContractMixin):
    """Orderings by every orderable field, offset windows and keyset pages."""

    entities: tuple[type[Entity], ...] = ()

    async def test_lists_and_pages_order_by_the_field_then_id(
        self, store: StorePort, ordering: Ordering
    ) -> None:
        entity, name, descending = ordering
        rows = await stored_dataset(store, entity)
        expected = [row.id for row in sorted_rows(rows, name, descending)]
        listed = await store.repository(entity).list(
            0, 10_000, order_by=name, descending=descending
        )
        assert [row.id for row in listed] == expected, "list"
        walked = await walk_pages(store, entity, size=7, order_by=name, descending=descending)
        assert [row.id for row in walked] == expected, "pages"

    async def test_offset_and_limit_window_the_ordered_entities(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        rows = sorted_rows(await stored_dataset(store, entity, 15), "id", False)
        window = await store.repository(entity).list(4, 5)
        assert [row.id for row in window] == [row.id for row in rows[4:9]]
        assert await store.repository(entity).list(0, 0) == []

    async def test_an_empty_first_page_points_at_the_start(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        rows = sorted_rows(await stored_dataset(store, entity, 5), "id", False)
        repository = store.repository(entity)
        empty = await repository.page(0)
        assert empty.items == []
        assert empty.next_cursor is not None
        first = await repository.page(2, empty.next_cursor)
        assert [row.id for row in first.items] == [row.id for row in rows[:2]]

    async def test_the_last_page_has_no_cursor(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        await stored_dataset(store, entity, 4)
        page = await store.repository(entity).page(4)
        assert len(page.items) == 4
        assert page.next_cursor is None

    async def test_a_tampered_cursor_raises_invalid_query_error(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        await stored_dataset(store, entity, 4)
        repository = store.repository(entity)
        page = await repository.page(2)
        assert page.next_cursor is not None
        tampered = page.next_cursor[:-2] + ("AA" if not page.next_cursor.endswith("AA") else "BB")
        with pytest.raises(InvalidQueryError):
            await repository.page(2, tampered)

    async def test_a_cursor_of_another_ordering_is_refused(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        await stored_dataset(store, entity, 4)
        repository = store.repository(entity)
        page = await repository.page(2)
        assert page.next_cursor is not None
        with pytest.raises(InvalidQueryError):
            await repository.page(2, page.next_cursor, descending=True)

    async def test_ordering_by_a_field_that_has_no_order_is_refused(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        spec = spec_of(entity)
        unordered = [f.name for f in spec.fields if f.is_json or f.nullable]
        repository = store.repository(entity)
        for name in [*unordered, "no_such_field"]:
            with pytest.raises(InvalidQueryError):
                await repository.list(order_by=name)
            with pytest.raises(InvalidQueryError):
                await repository.page(order_by=name)

    async def test_bad_windows_are_refused(self, store: StorePort, entity: type[Entity]) -> None:
        repository = store.repository(entity)
        for offset, limit in ((-1, 10), (0, -1), (0, 10_001)):
            with pytest.raises(InvalidQueryError):
                await repository.list(offset, limit)
        with pytest.raises(InvalidQueryError):
            await repository.page(-1)


__all__ = ["EntityFilterContract", "EntityOrderingContract", "Ordering"]

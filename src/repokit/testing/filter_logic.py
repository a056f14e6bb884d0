"""Contract: logical filter operators, arrays and the top-level fields, on the catalog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.catalog import TITLES, except_, stored_catalog
from repokit.testing.samples import at
from repokit.testing.stored import titles


class FilterLogicContract(ContractMixin):
    """``$and``/``$or``/``$not``, array fields, and ``title``/timestamps/``workspace_id``."""

    async def test_and_requires_every_clause(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {"$and": [{"metadata.n": {"$gte": 1}}, {"metadata.s": {"$lt": "b"}}]}
        assert await titles(store, where) == ["apple", "cherry"]

    async def test_several_fields_in_one_dict_combine_with_and(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.info.color": "red", "metadata.flag": True}) == [
            "apple"
        ]

    async def test_or_requires_any_clause(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {"$or": [{"metadata.s": "b"}, {"metadata.n": {"$lt": 0}}]}
        assert await titles(store, where) == ["banana", "kiwi"]

    async def test_not_on_a_field_negates_its_condition(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {"metadata.n": {"$not": {"$gt": 1}}}
        assert await titles(store, where) == except_("banana", "cherry")

    async def test_not_on_a_whole_filter(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"$not": {"metadata.info.color": "red"}}) == except_(
            "apple", "cherry"
        )

    async def test_not_of_or(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {"$not": {"$or": [{"metadata.flag": True}, {"metadata.flag": False}]}}
        assert await titles(store, where) == except_("apple", "banana")

    async def test_not_of_exists(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {"metadata.nothing": {"$not": {"$exists": True}}}
        assert await titles(store, where) == except_("apple", "fig")

    async def test_or_nested_in_and(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {
            "$and": [
                {"$or": [{"metadata.info.color": "red"}, {"metadata.s": "b"}]},
                {"metadata.n": {"$gte": 2}},
            ]
        }
        assert await titles(store, where) == ["banana", "cherry"]

    async def test_an_array_matches_eq_when_any_element_does(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.tags": "green"}) == ["apple", "grape"]
        assert await titles(store, {"metadata.nums": 5}) == ["cherry", "kiwi"]
        assert await titles(store, {"metadata.nums": "5"}) == ["fig"]

    async def test_an_array_matches_in_when_any_element_does(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.tags": {"$in": ["yellow", "blue"]}}) == ["banana"]

    async def test_an_array_matches_a_comparison_when_any_element_does(
        self, store: StorePort
    ) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.nums": {"$gt": 8}}) == ["cherry"]
        assert await titles(store, {"metadata.nums": {"$lt": 2}}) == ["cherry"]

    async def test_ne_on_an_array_means_no_element_equals(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.tags": {"$ne": "green"}}) == except_("apple", "grape")

    async def test_nin_on_an_array_means_no_element_is_listed(self, store: StorePort) -> None:
        await stored_catalog(store)
        where = {"metadata.tags": {"$nin": ["red", "yellow"]}}
        assert await titles(store, where) == except_("apple", "banana")

    async def test_eq_null_matches_an_array_holding_null(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = ["date", "elder", "fig", "grape", "kiwi"]
        assert await titles(store, {"metadata.tags": None}) == expected

    async def test_an_empty_array_matches_no_element_condition(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert "cherry" not in await titles(store, {"metadata.tags": {"$gte": ""}})
        assert "cherry" in await titles(store, {"metadata.tags": {"$exists": True}})

    async def test_paths_do_not_traverse_arrays(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.items.k": 1}) == []
        assert await titles(store, {"metadata.items.k": {"$exists": True}}) == []

    async def test_title_eq_and_in(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"title": "fig"}) == ["fig"]
        assert await titles(store, {"title": {"$in": ["apple", "kiwi", "lime"]}}) == [
            "apple",
            "kiwi",
        ]
        assert await titles(store, {"title": {"$ne": "fig"}}) == except_("fig")

    async def test_title_comparisons_use_code_point_order(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"title": {"$gte": "g"}}) == ["grape", "kiwi"]
        assert await titles(store, {"title": {"$lt": "b"}}) == ["apple"]

    async def test_created_at_comparisons_with_datetimes(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"created_at": {"$gte": at(6)}}) == ["grape", "kiwi"]
        assert await titles(store, {"created_at": {"$lt": at(1)}}) == ["apple"]
        assert await titles(store, {"created_at": at(2)}) == ["cherry"]

    async def test_created_at_accepts_iso_strings(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"created_at": {"$lte": at(1).isoformat()}}) == [
            "apple",
            "banana",
        ]

    async def test_datetime_operands_keep_their_microseconds(self, store: StorePort) -> None:
        await stored_catalog(store)
        just_after = at(0) + timedelta(microseconds=500)
        assert await titles(store, {"created_at": {"$gt": just_after}}) == except_("apple")
        assert await titles(store, {"created_at": {"$lte": just_after}}) == ["apple"]

    async def test_naive_and_offset_datetime_operands_are_compared_in_utc(
        self, store: StorePort
    ) -> None:
        await stored_catalog(store)
        naive = at(1).replace(tzinfo=None)
        shifted = at(1).astimezone(timezone(timedelta(hours=5)))
        assert await titles(store, {"created_at": {"$lt": naive}}) == ["apple"]
        assert await titles(store, {"created_at": {"$lt": shifted}}) == ["apple"]

    async def test_updated_at_comparisons(self, store: StorePort) -> None:
        await stored_catalog(store)
        long_ago = datetime(2000, 1, 1, tzinfo=UTC)
        assert await titles(store, {"updated_at": {"$gt": long_ago}}) == list(TITLES)
        assert await titles(store, {"updated_at": {"$lt": long_ago}}) == []

    async def test_workspace_id_eq_and_null(self, store: StorePort) -> None:
        catalog = await stored_catalog(store)
        assert await titles(store, {"workspace_id": catalog.workspace_a.id}) == [
            "apple",
            "banana",
        ]
        assert await titles(store, {"workspace_id": str(catalog.workspace_b.id)}) == ["cherry"]
        assert await titles(store, {"workspace_id": None}) == except_("apple", "banana", "cherry")

    async def test_workspace_id_ne_matches_documents_without_a_workspace(
        self, store: StorePort
    ) -> None:
        catalog = await stored_catalog(store)
        where = {"workspace_id": {"$ne": catalog.workspace_a.id}}
        assert await titles(store, where) == except_("apple", "banana")

    async def test_workspace_id_in_and_nin(self, store: StorePort) -> None:
        catalog = await stored_catalog(store)
        both = [catalog.workspace_a.id, catalog.workspace_b.id]
        assert await titles(store, {"workspace_id": {"$in": [catalog.workspace_b.id, None]}}) == (
            except_("apple", "banana")
        )
        assert await titles(store, {"workspace_id": {"$nin": both}}) == except_(
            "apple", "banana", "cherry"
        )

    async def test_where_and_workspace_id_argument_combine_with_and(self, store: StorePort) -> None:
        catalog = await stored_catalog(store)
        where = {"metadata.n": {"$gt": 2}}
        found = await titles(store, where, workspace_id=catalog.workspace_a.id)
        assert found == ["banana"]
        assert await store.documents.count(workspace_id=catalog.workspace_a.id, where=where) == 1

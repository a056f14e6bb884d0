"""Contract: filter operators on metadata, against the catalog of :mod:`.catalog`."""

from __future__ import annotations

from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.catalog import TITLES, except_, stored_catalog
from repokit.testing.stored import titles


class FilterContract(ContractMixin):
    """Every comparison operator, ``$in``/``$nin``, ``$exists`` and nulls on metadata."""

    async def test_an_empty_filter_matches_every_document(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {}) == list(TITLES)

    async def test_a_bare_value_means_eq(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": "a"}) == ["apple"]

    async def test_eq_treats_int_and_float_as_one_number(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$eq": 1}}) == ["apple", "grape"]
        assert await titles(store, {"metadata.n": {"$eq": 1.0}}) == ["apple", "grape"]

    async def test_eq_does_not_match_a_string_with_a_number(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$eq": "3"}}) == ["date"]
        assert await titles(store, {"metadata.n": {"$eq": 3}}) == ["cherry"]

    async def test_booleans_match_only_booleans(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": True}) == ["fig"]
        assert await titles(store, {"metadata.flag": False}) == ["banana"]

    async def test_booleans_are_not_numbers_in_comparisons(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$lte": 1}}) == ["apple", "grape", "kiwi"]

    async def test_ne_matches_other_values_nulls_and_missing_fields(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": {"$ne": "a"}}) == except_("apple")

    async def test_gt_on_numbers(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$gt": 1}}) == ["banana", "cherry"]

    async def test_gte_on_numbers(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = ["apple", "banana", "cherry", "grape"]
        assert await titles(store, {"metadata.n": {"$gte": 1}}) == expected

    async def test_lt_on_numbers(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$lt": 1}}) == ["kiwi"]

    async def test_lte_on_numbers(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$lte": 1.0}}) == ["apple", "grape", "kiwi"]

    async def test_comparisons_on_strings_use_code_point_order(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": {"$gt": "a"}}) == ["banana", "date", "kiwi"]
        assert await titles(store, {"metadata.s": {"$gte": "a"}}) == [
            "apple",
            "banana",
            "date",
            "kiwi",
        ]
        assert await titles(store, {"metadata.s": {"$lt": "a"}}) == ["cherry"]
        assert await titles(store, {"metadata.s": {"$lte": "B"}}) == ["cherry"]

    async def test_a_string_operand_compares_only_with_strings(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.n": {"$gt": "2"}}) == ["date"]

    async def test_a_number_operand_compares_only_with_numbers(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.info": {"$gt": 0}}) == []
        assert await titles(store, {"metadata.info": {"$gt": ""}}) == ["date"]

    async def test_several_operators_on_one_field_combine_with_and(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = ["apple", "banana", "grape"]
        assert await titles(store, {"metadata.n": {"$gt": 0, "$lt": 3}}) == expected

    async def test_integers_beyond_double_precision_compare_exactly(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.big": 2**53 + 1}) == ["grape"]
        assert await titles(store, {"metadata.big": {"$gt": 2**53}}) == ["grape"]
        assert await titles(store, {"metadata.big": {"$lte": 2**53}}) == ["kiwi"]

    async def test_in_matches_any_listed_value_of_the_same_kind(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": {"$in": ["a", "B", "zzz"]}}) == [
            "apple",
            "cherry",
        ]
        assert await titles(store, {"metadata.n": {"$in": [3, "x"]}}) == ["cherry"]

    async def test_in_with_null_matches_nulls_and_missing_fields(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = ["banana", "elder", "fig", "grape"]
        assert await titles(store, {"metadata.s": {"$in": [None, "b"]}}) == expected

    async def test_in_with_no_values_matches_nothing(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": {"$in": []}}) == []

    async def test_nin_matches_other_values_and_missing_fields(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = except_("apple", "banana")
        assert await titles(store, {"metadata.s": {"$nin": ["a", "b"]}}) == expected

    async def test_nin_with_no_values_matches_everything(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": {"$nin": []}}) == list(TITLES)

    async def test_exists_true_counts_a_stored_null(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.nothing": {"$exists": True}}) == ["apple", "fig"]

    async def test_exists_false_matches_missing_fields(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = except_("apple", "fig")
        assert await titles(store, {"metadata.nothing": {"$exists": False}}) == expected

    async def test_exists_on_a_path_whose_parent_is_missing_or_not_an_object(
        self, store: StorePort
    ) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.info.size.cm": {"$exists": True}}) == [
            "apple",
            "banana",
        ]
        expected = ["date", "elder", "fig", "grape", "kiwi"]
        assert await titles(store, {"metadata.info.color": {"$exists": False}}) == expected

    async def test_eq_null_matches_a_null_or_a_missing_field(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.s": None}) == ["elder", "fig", "grape"]
        assert await titles(store, {"metadata.nothing": None}) == except_("fig")

    async def test_ne_null_matches_only_present_non_null_values(self, store: StorePort) -> None:
        await stored_catalog(store)
        expected = ["apple", "banana", "cherry", "date", "kiwi"]
        assert await titles(store, {"metadata.s": {"$ne": None}}) == expected

    async def test_nested_metadata_paths(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.info.color": "red"}) == ["apple", "cherry"]
        assert await titles(store, {"metadata.info.size.cm": {"$gte": 10}}) == ["banana"]

    async def test_an_object_never_equals_a_scalar(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.info": "brown"}) == ["date"]
        assert await titles(store, {"metadata.info": {"$ne": "red"}}) == list(TITLES)

    async def test_path_segments_may_hold_dashes_and_underscores(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await titles(store, {"metadata.with-dash_and_underscore": 1}) == ["kiwi"]

    async def test_count_agrees_with_list(self, store: StorePort) -> None:
        await stored_catalog(store)
        assert await store.documents.count(where={"metadata.info.color": "red"}) == 2
        assert await store.documents.count(where={"metadata.s": {"$ne": "a"}}) == 7

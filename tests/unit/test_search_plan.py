"""Choosing the plan of a filtered PostgreSQL search from its selectivity."""

from __future__ import annotations

from repokit.infrastructure.sql.search_plan import Selectivity, SelectivityCache


def test_a_filter_matching_few_chunks_is_searched_exactly() -> None:
    assert Selectivity(4_000).exact(exact_max_rows=4_000)
    assert Selectivity(0).exact(exact_max_rows=4_000)


def test_a_filter_matching_many_chunks_uses_the_index() -> None:
    # The count stops at exact_max_rows + 1: "more than the exact plan takes".
    assert not Selectivity(4_001).exact(exact_max_rows=4_000)


def test_a_filter_whose_index_scan_gave_up_is_searched_exactly() -> None:
    gave_up = Selectivity(4_001).gave_up()
    assert gave_up.exact(exact_max_rows=4_000)
    assert gave_up.matches == 4_001


def test_cached_selectivity_expires() -> None:
    cache = SelectivityCache(ttl_s=0.0)
    cache.put("f", Selectivity(10))
    assert cache.get("f") is None
    fresh = SelectivityCache()
    fresh.put("f", Selectivity(10))
    assert fresh.get("f") == Selectivity(10)

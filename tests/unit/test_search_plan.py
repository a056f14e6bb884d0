"""Choosing the plan of a filtered PostgreSQL search from its selectivity."""

from __future__ import annotations

from repokit.infrastructure.sql.search_plan import (
    MAX_FETCH,
    SearchPlan,
    Selectivity,
    SelectivityCache,
    choose_plan,
    fetch_for,
)


def test_a_filter_matching_few_chunks_is_searched_exactly() -> None:
    selectivity = Selectivity.counted(4_000, 20_000, exact_max_rows=4_000)
    assert choose_plan(selectivity, 10, exact_max_rows=4_000, min_fetch=250) == SearchPlan(
        exact=True
    )


def test_a_filter_matching_many_chunks_uses_the_index_with_room_for_k_hits() -> None:
    # The count stopped at 4,001 of 20,000 rows: the share is at least 0.2.
    selectivity = Selectivity.counted(4_001, 20_000, exact_max_rows=4_000)
    assert selectivity.share == 4_001 / 20_000
    plan = choose_plan(selectivity, 10, exact_max_rows=4_000, min_fetch=250)
    assert plan == SearchPlan(exact=False, fetch=256)  # 3 x 11 / 0.2 = 165, at least ef_search


def test_a_capped_count_of_a_big_table_assumes_a_tenth_until_scans_say_otherwise() -> None:
    selectivity = Selectivity.counted(4_001, 1_000_000, exact_max_rows=4_000)
    assert selectivity.share == 0.1
    assert fetch_for(selectivity.share, 10, 250) == 512  # 330 rounded up to a power of two
    seen = selectivity.seen(passed=3, fetched=512)
    assert seen.share == 3 / 512
    assert fetch_for(seen.share, 10, 250) == 8_192


def test_the_scan_never_fetches_more_than_the_cap() -> None:
    assert fetch_for(1e-6, 10, 250) == MAX_FETCH


def test_cached_selectivity_expires() -> None:
    cache = SelectivityCache(ttl_s=0.0)
    cache.put("f", Selectivity(10, 0.5))
    assert cache.get("f") is None
    fresh = SelectivityCache()
    fresh.put("f", Selectivity(10, 0.5))
    assert fresh.get("f") == Selectivity(10, 0.5)

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


def test_candidates_are_what_lets_the_wanted_chunks_pass_at_the_filters_share() -> None:
    # 10% of the table: ten candidates for each chunk wanted.
    assert Selectivity(2_000, total=20_000).candidates(33) == 330
    # A filter keeping everything (a count may exceed a stale estimate of the table).
    assert Selectivity(30_000, total=20_000).candidates(33) == 33


def test_no_candidates_when_the_share_is_unknown_or_too_small() -> None:
    assert Selectivity(2_000).candidates(33) is None  # the table was never analysed
    assert Selectivity(1_000, total=20_000).candidates(44) is None  # 880 > MAX_CANDIDATES
    # 330 candidates, but from 4,000 chunks the planner would scan the table instead.
    assert Selectivity(400, total=4_000).candidates(33) is None


def test_a_filter_whose_index_scan_gave_up_keeps_its_counts() -> None:
    assert Selectivity(2_000, total=20_000).gave_up() == Selectivity(2_000, 20_000, True)

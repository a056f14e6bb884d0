"""The one exact scorer and bounded top-k that every adapter's vector search uses."""

from __future__ import annotations

import struct
from uuid import UUID

import numpy as np
import pytest

from repokit.domain.errors import ConfigurationError, InvalidQueryError
from repokit.domain.vectors import Metric, similarity
from repokit.infrastructure.vector_scoring import ExactScorer, TopK


def packed(values: list[float], *, header: bytes = b"", order: str = "<") -> bytes:
    return header + struct.pack(f"{order}{len(values)}f", *values)


@pytest.mark.parametrize("metric", ["cosine", "l2", "inner_product"])
def test_scores_are_the_reference_scores(metric: Metric) -> None:
    scorer = ExactScorer(metric, [1.0, 2.0, -0.5], 3)
    rows = [[0.5, -1.0, 2.0], [3.0, 0.25, 1.0]]
    scores = scorer.score_packed([packed(row) for row in rows])
    expected = [similarity(metric, [1.0, 2.0, -0.5], row) for row in rows]
    assert scores.tolist() == pytest.approx(expected, abs=1e-15)


def test_a_zero_candidate_scores_zero_under_cosine() -> None:
    scorer = ExactScorer("cosine", [1.0, 0.0], 2)
    assert scorer.score_packed([packed([0.0, 0.0])]).tolist() == [0.0]


def test_a_zero_query_is_refused_under_cosine() -> None:
    with pytest.raises(InvalidQueryError, match="zero query vector"):
        ExactScorer("cosine", [0.0, 0.0], 2)


def test_a_query_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(InvalidQueryError, match="2 dimensions, expected 3"):
        ExactScorer("l2", [1.0, 2.0], 3)


def test_stored_rows_of_another_dimension_are_a_configuration_error() -> None:
    scorer = ExactScorer("l2", [1.0, 2.0, 3.0], 3)
    with pytest.raises(ConfigurationError, match="EMBEDDING_DIM"):
        scorer.score_packed([packed([1.0, 2.0])])


def test_a_header_and_a_byte_order_are_the_adapters_layout() -> None:
    scorer = ExactScorer("inner_product", [1.0, 1.0], 2)
    big_endian = scorer.matrix(
        [packed([1.5, -2.0], header=b"\x00\x02\x00\x00", order=">")], header=4, order=">"
    )
    bson_vector = scorer.matrix([packed([1.5, -2.0], header=b"\x27\x00")], header=2)
    assert big_endian.tolist() == [[1.5, -2.0]]
    assert bson_vector.tolist() == [[1.5, -2.0]]
    assert scorer.matrix([], header=4).shape == (0, 2)


def test_top_k_keeps_the_best_across_batches_and_breaks_ties_by_id() -> None:
    best: TopK[str] = TopK(3)
    best.push(np.array([0.5, 0.9, 0.5]), ["c", "x", "b"])
    best.push(np.array([0.5, 0.1, 0.5]), ["a", "y", "d"])
    assert best.result() == [(0.9, "x"), (0.5, "a"), (0.5, "b")]


def test_top_k_orders_ties_by_the_id_its_key_gives() -> None:
    low, high = UUID(int=1), UUID(int=2)
    best: TopK[dict[str, UUID]] = TopK(1, tie_key=lambda item: item["id"])
    best.push(np.array([1.0, 1.0]), [{"id": high}, {"id": low}])
    assert best.result() == [(1.0, {"id": low})]

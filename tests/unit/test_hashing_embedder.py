"""HashingEmbedder: deterministic, normalised, and similar texts score higher."""

from __future__ import annotations

import math

import pytest

from repokit.application import EmbedderPort, HashingEmbedder
from repokit.application.hashing import tokenize
from repokit.domain.vectors import similarity

QUERY = "How does PostgreSQL search vectors with pgvector?"
CLOSE = "pgvector adds vector search and nearest neighbour indexes to PostgreSQL."
FAR = "Knead the bread dough until the gluten is smooth and elastic."


def cosine(a: list[float], b: list[float]) -> float:
    return similarity("cosine", a, b)


def test_it_is_an_embedder() -> None:
    assert isinstance(HashingEmbedder(8), EmbedderPort)


def test_vectors_have_the_requested_length() -> None:
    assert [len(v) for v in HashingEmbedder(16).embed(["a b c", "d"])] == [16, 16]


def test_same_text_same_vector_across_instances() -> None:
    assert HashingEmbedder(64).embed([QUERY]) == HashingEmbedder(64).embed([QUERY])


def test_known_vector_is_stable_across_releases() -> None:
    # Stored embeddings must stay comparable with queries embedded after an upgrade.
    vector = HashingEmbedder(16).embed(["vector search"])[0]
    expected = [-0.4264, 0, 0, 0, 0, -0.2132, 0, -0.6396, 0.4264, 0, 0, 0, 0, 0, 0, -0.4264]
    assert vector == pytest.approx(expected, abs=1e-4)


def test_vectors_are_unit_length() -> None:
    for vector in HashingEmbedder(384).embed([QUERY, CLOSE, FAR]):
        assert math.sqrt(sum(x * x for x in vector)) == pytest.approx(1.0)


def test_text_without_words_is_the_zero_vector() -> None:
    assert HashingEmbedder(4).embed(["  ... !!", "the and of"]) == [[0.0] * 4, [0.0] * 4]


def test_similar_texts_score_higher() -> None:
    query, close, far = HashingEmbedder(384).embed([QUERY, CLOSE, FAR])
    assert cosine(query, close) > cosine(query, far)
    assert cosine(query, close) > 0.2


def test_shared_phrase_scores_higher_than_shared_words_in_another_order() -> None:
    query, same_order, shuffled = HashingEmbedder(384).embed(
        ["red giant star", "a red giant star forms", "star forms red giant"]
    )
    assert cosine(query, same_order) > cosine(query, shuffled)


def test_case_and_punctuation_do_not_matter() -> None:
    embedder = HashingEmbedder(128)
    assert embedder.embed(["Vector Search!"]) == embedder.embed(["vector search"])


def test_tokenize_drops_stop_words_and_folds_plurals() -> None:
    assert tokenize("The databases store queries, classes and status") == [
        "database",
        "store",
        "query",
        "class",
        "status",
    ]


def test_one_string_is_not_a_sequence_of_texts() -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        HashingEmbedder(8).embed("abc")


@pytest.mark.parametrize("dim", [0, -1, True])
def test_dim_must_be_positive(dim: int) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        HashingEmbedder(dim)

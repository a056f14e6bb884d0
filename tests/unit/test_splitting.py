"""split_text: paragraphs, then sentences, then words, with overlap."""

from __future__ import annotations

import pytest

from repokit.application import split_text


def test_short_text_is_one_chunk() -> None:
    assert split_text("One sentence. Two sentences.") == ["One sentence. Two sentences."]


@pytest.mark.parametrize("text", ["", "   \n\n  \t"])
def test_blank_text_gives_no_chunk(text: str) -> None:
    assert split_text(text) == []


def test_whitespace_is_collapsed_and_paragraphs_kept() -> None:
    assert split_text("a   b\nc\n\n\n  d") == ["a b c\n\nd"]


def test_splits_at_sentence_boundaries() -> None:
    text = "Alpha is first. Beta is second. Gamma is third."
    assert split_text(text, max_chars=32, overlap=0) == [
        "Alpha is first. Beta is second.",
        "Gamma is third.",
    ]


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    text = "Alpha is first. Beta is second. Gamma is third."
    assert split_text(text, max_chars=32, overlap=16) == [
        "Alpha is first. Beta is second.",
        "Beta is second. Gamma is third.",
    ]


def test_long_sentence_is_cut_at_spaces() -> None:
    assert split_text("one two three four five six", max_chars=10, overlap=0) == [
        "one two",
        "three four",
        "five six",
    ]


def test_word_longer_than_a_chunk_is_cut_anywhere() -> None:
    assert split_text("x" * 25, max_chars=10, overlap=0) == ["x" * 10, "x" * 10, "x" * 5]


def test_no_chunk_exceeds_max_chars() -> None:
    text = " ".join(f"Sentence number {i} says something about item {i * 7}." for i in range(200))
    chunks = split_text(text, max_chars=120, overlap=40)
    assert all(0 < len(chunk) <= 120 for chunk in chunks)
    assert chunks[0].startswith("Sentence number 0 ")
    assert chunks[-1].endswith("item 1393.")


@pytest.mark.parametrize(("max_chars", "overlap"), [(0, 0), (10, 10), (10, -1)])
def test_invalid_sizes_are_rejected(max_chars: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        split_text("text", max_chars=max_chars, overlap=overlap)

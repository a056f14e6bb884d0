"""Splitting a text into chunks of about ``max_chars`` characters for embedding.

Boundaries are chosen from the coarsest that fits: paragraphs (blank lines),
then sentences, then words, and only for a word longer than a whole chunk, raw
characters. Consecutive chunks share up to ``overlap`` characters of whole
pieces, so a sentence cut from its context still appears with its neighbour.
"""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, *, max_chars: int = 800, overlap: int = 100) -> list[str]:
    """Chunks of at most ``max_chars`` characters, each overlapping the previous one.

    Whitespace inside a paragraph is collapsed; paragraphs are joined by a blank
    line. A text of only whitespace gives no chunk.

    Raises:
        ValueError: ``max_chars < 1`` or ``overlap`` outside ``0..max_chars - 1``.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    if not 0 <= overlap < max_chars:
        raise ValueError(f"overlap must be in 0..{max_chars - 1}, got {overlap}")
    pieces = _pieces(text, max_chars)
    chunks: list[str] = []
    current: list[tuple[str, str]] = []  # (separator before the piece, piece)
    for separator, piece in pieces:
        if current and _length(current) + len(separator) + len(piece) > max_chars:
            chunks.append(_join(current))
            current = _tail(current, overlap, room=max_chars - len(piece) - len(separator))
        current.append((separator, piece))
    if current:
        chunks.append(_join(current))
    return chunks


def _pieces(text: str, max_chars: int) -> list[tuple[str, str]]:
    """Sentences (or parts of over-long ones), each with the separator that precedes it."""
    pieces: list[tuple[str, str]] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        first = True
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            for part in _fit(sentence, max_chars) if sentence else []:
                pieces.append(("\n\n" if first else " ", part))
                first = False
    return pieces


def _fit(sentence: str, max_chars: int) -> list[str]:
    """``sentence`` cut at spaces (or, for one huge word, anywhere) into parts that fit."""
    if len(sentence) <= max_chars:
        return [sentence]
    parts: list[str] = []
    current = ""
    for word in sentence.split(" "):
        while len(word) > max_chars:
            if current:
                parts.append(current)
                current = ""
            parts.append(word[:max_chars])
            word = word[max_chars:]
        if current and len(current) + 1 + len(word) > max_chars:
            parts.append(current)
            current = ""
        current = f"{current} {word}" if current else word
    if current:
        parts.append(current)
    return parts


def _tail(current: list[tuple[str, str]], overlap: int, room: int) -> list[tuple[str, str]]:
    """The last pieces of ``current`` that fit in ``overlap`` and leave room for the next."""
    limit = min(overlap, room)
    tail: list[tuple[str, str]] = []
    size = 0
    for separator, piece in reversed(current):
        # The piece becomes the first (its separator is dropped); the old first's counts now.
        added = len(piece) + (len(tail[0][0]) if tail else 0)
        if size + added > limit:
            break
        tail.insert(0, (separator, piece))
        size += added
    return tail


def _length(current: list[tuple[str, str]]) -> int:
    return len(_join(current))


def _join(current: list[tuple[str, str]]) -> str:
    return "".join(separator + piece for separator, piece in current).strip()


__all__ = ["split_text"]

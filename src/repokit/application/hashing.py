"""A deterministic embedder by feature hashing: no model, no download, no state.

Each text becomes a bag of features: its lower-cased words (minus a few very
common ones) and their adjacent pairs. Every feature is hashed with BLAKE2b to
two dimensions, each with a sign (the "hashing trick" of Weinberger et al.: signed
hashing keeps collisions from adding up in one direction), and the vector is
L2-normalised so cosine and inner product agree. Texts that share words and
phrases share dimensions, so they score higher; synonyms do not, which is the
price of needing no model.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# Words so common that they would make every text look alike.
_STOP_WORD_LIST = """
a about after all also an and any are as at be been but by can could did do does for from
had has have he her his how i if in into is it its me more most my no not of on or our she
should so some such than that the their them then there these they this to us was we were
what when where which while who why will with would you your
"""
_STOP_WORDS = frozenset(_STOP_WORD_LIST.split())
_BIGRAM_WEIGHT = 0.5  # pairs refine the match; words carry most of it
_PERSON = b"repokit-hash-v1"
# Each feature lands in two buckets: in a few hundred dimensions collisions are
# common, and with one bucket a collision of opposite signs erases a shared word.
_PROBES = 2  # a change of features must change every hash


class HashingEmbedder:
    """``EmbedderPort`` by signed feature hashing of word unigrams and bigrams."""

    def __init__(self, dim: int = 384) -> None:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        self._dim = dim

    @property
    def dim(self) -> int:
        """Length of every vector."""
        return self._dim

    def __repr__(self) -> str:
        return f"HashingEmbedder(dim={self._dim})"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text; a text without words gets the zero vector."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self._dim
        words = tokenize(text)
        features = [(word, 1.0) for word in words]
        features += [(f"{a} {b}", _BIGRAM_WEIGHT) for a, b in itertools.pairwise(words)]
        for feature, weight in features:
            for index, sign in self._buckets(feature):
                vector[index] += sign * weight
        norm = math.sqrt(math.fsum(x * x for x in vector))
        return [x / norm for x in vector] if norm else vector

    def _buckets(self, feature: str) -> list[tuple[int, float]]:
        """``_PROBES`` (index, sign) pairs for a feature, from one BLAKE2b digest."""
        digest = hashlib.blake2b(feature.encode(), digest_size=8 * _PROBES, person=_PERSON).digest()
        buckets = []
        for probe in range(_PROBES):
            value = int.from_bytes(digest[8 * probe : 8 * probe + 8], "big")
            # The lowest bit gives the sign, the rest the index, so the two are independent.
            buckets.append(((value >> 1) % self._dim, 1.0 if value & 1 else -1.0))
        return buckets


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text`` without stop words, with simple plurals folded."""
    return [_fold(word) for word in _WORD.findall(text.lower()) if word not in _STOP_WORDS]


def _fold(word: str) -> str:
    # "databases" and "database" should meet; "class", "status", "analysis" must not lose an s.
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


__all__ = ["HashingEmbedder", "tokenize"]

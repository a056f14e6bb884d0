"""An embedding's stored form in DynamoDB: packed little-endian float32 (the ``e`` attribute).

Scoring and the top-k live in :mod:`repokit.infrastructure.vector_scoring`,
shared by every adapter; what is DynamoDB's own is only this byte layout.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack_embedding(values: Sequence[float]) -> bytes:
    """An embedding as packed little-endian float32 (its stored form)."""
    return np.asarray(values, dtype="<f4").tobytes()


def unpack_embedding(data: bytes) -> list[float]:
    """The floats of a packed embedding (exactly the stored float32 values)."""
    values: list[float] = np.frombuffer(data, dtype="<f4").tolist()
    return values

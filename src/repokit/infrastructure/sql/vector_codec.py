"""pgvector's binary wire format of ``vector``, for both PostgreSQL drivers."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

_VECTOR_HEADER = struct.Struct(">HH")


def encode_vector(value: Any) -> bytes:
    """pgvector's binary input: dimension, an unused word, then big-endian float32s."""
    array = np.asarray(value, dtype=">f4")
    return _VECTOR_HEADER.pack(array.shape[0], 0) + array.tobytes()


def decode_vector(data: bytes) -> list[float]:
    """pgvector's binary output as Python floats (exactly the stored float32 values)."""
    values: list[float] = np.frombuffer(data, dtype=">f4", offset=4).tolist()
    return values


__all__ = ["decode_vector", "encode_vector"]

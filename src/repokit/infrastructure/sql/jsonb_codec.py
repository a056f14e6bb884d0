"""The JSON text PostgreSQL's ``jsonb`` columns are written with (both driver forms)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

# One encoder, made once: json.dumps with options builds a new one on every call.
_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_serializer(value: Any) -> str:
    """Compact JSON (non-ASCII kept as UTF-8) that ``jsonb`` reads back with its types.

    ``jsonb`` keeps numbers as ``numeric`` and prints ``1e+20`` as
    ``100000000000000000000``, which would read back as an int. A float whose repr
    has a positive exponent is therefore written out in full with ``.0``
    (``100000000000000000000.0``): numeric keeps that scale, and it reads back as
    the same float. Such floats are rare, so the fast encoder runs first.
    """
    text = _compact_json(value)
    if "e+" not in text:
        return text
    return _encode(value)


def _encode(value: Any) -> str:
    if isinstance(value, float):
        text = repr(value)
        return f"{Decimal(text):f}.0" if "e+" in text else text
    if isinstance(value, dict):
        items = ",".join(f"{_compact_json(str(k))}:{_encode(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    return _compact_json(value)


__all__ = ["json_serializer"]

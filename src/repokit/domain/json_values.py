"""JSON values every backend stores exactly: 64-bit integers, finite floats, no NUL.

Document metadata and the JSON fields of declared entities (lists, dicts,
nested models) are checked with :func:`check_json` when the entity is built, so
a value that some backend could not hold is refused before any backend sees it.
"""

from __future__ import annotations

import math
from typing import Any

INT64_LIMIT = 2**63
"""Integers (stored and filter operands) lie in ``[-INT64_LIMIT, INT64_LIMIT)``."""


def check_int(value: int, where: str) -> None:
    """Reject an integer outside the 64-bit range."""
    if not -INT64_LIMIT <= value < INT64_LIMIT:
        raise ValueError(f"{where}: integer {value} is outside the 64-bit range")


def check_float(value: float, where: str) -> None:
    """Reject NaN and infinity."""
    if not math.isfinite(value):
        raise ValueError(f"{where}: {value} is not a finite number")


def check_text(value: str, where: str) -> None:
    """Reject a NUL character, which PostgreSQL cannot store in text or JSON."""
    if "\x00" in value:
        raise ValueError(f"{where}: text must not contain a NUL character (\\x00)")


def check_json(value: Any, where: str = "metadata", *, text: bool = False) -> None:
    """Reject values some backend could not store exactly: NaN, infinity, huge integers.

    With ``text``, strings (keys included) holding a NUL are refused too.
    """
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        if text:
            check_text(value, where)
    elif isinstance(value, int):
        check_int(value, where)
    elif isinstance(value, float):
        check_float(value, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{where}[{index}]", text=text)
    elif isinstance(value, dict):
        for key, item in value.items():
            if text:
                check_text(key, f"{where} key")
            check_json(item, f"{where}.{key}", text=text)


__all__ = ["INT64_LIMIT", "check_float", "check_int", "check_json", "check_text"]

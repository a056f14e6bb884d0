"""Decimals on MongoDB: exact, scale kept, compared and ordered by their value.

A ``Decimal`` field is stored as a small document::

    {"key": "210001125", "text": "11.250"}

* ``text`` is ``str(value)``: exact, scale kept (``1.10`` reads back as ``1.10``).
* ``key`` is an order key: two decimals compare as their keys compare as strings
  (code-point order, which MongoDB and the nx-27017 stand-in both use for
  strings), and numerically equal decimals (``1.0``, ``1.00``) share one key. Filters,
  sorts, keyset pages and unique indexes use ``<field>.key``, so ``1.0 == 1.00``
  and ``-2 < -1.5 < 0 < 1E-40 < 3`` hold as in Python.

Why not ``Decimal128``: nx-27017 0.8.1, which runs the test suite, cannot store it
at all (``WriteError`` code 8, not JSON serializable), and one representation on
every server keeps the contract suite honest about the one MongoDB gets.

The key: a sign class (``0`` negative, ``1`` zero, ``2`` positive), then for a
non-zero value its adjusted exponent biased into five digits and its
significant digits without trailing zeros. A negative value takes the
nine's complement of both (so a larger magnitude sorts first) and a ``~`` after
its digits (above every digit, so ``-1.2`` sorts after ``-1.23``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

KEY = "key"
"""The field of the stored document that filters, sorts and indexes use."""
TEXT = "text"
"""The field holding ``str(value)``, read back exactly."""

_BIAS = 10_000
"""Added to the adjusted exponent (within +-6144 for what a Decimal128 holds)."""
_TOP = 99_999
_NEGATIVE, _ZERO, _POSITIVE = "0", "1", "2"
_NEGATIVE_END = "~"
_COMPLEMENT = str.maketrans("0123456789", "9876543210")


def order_key(value: Decimal) -> str:
    """The order key of a finite decimal: equal values share it, order is preserved."""
    if not value:
        return _ZERO
    sign, digits, _ = value.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    exponent = value.adjusted() + _BIAS
    if not sign:
        return f"{_POSITIVE}{exponent:05d}{significant}"
    flipped = significant.translate(_COMPLEMENT)
    return f"{_NEGATIVE}{_TOP - exponent:05d}{flipped}{_NEGATIVE_END}"


def encode_decimal(value: Decimal) -> dict[str, str]:
    """A decimal as it is stored."""
    return {KEY: order_key(value), TEXT: str(value)}


def decode_decimal(stored: Any) -> Decimal:
    """A stored decimal back, exactly as it was saved."""
    return Decimal(stored[TEXT])


__all__ = ["KEY", "TEXT", "decode_decimal", "encode_decimal", "order_key"]

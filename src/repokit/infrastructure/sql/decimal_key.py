"""An order-preserving text key of a ``Decimal``: how SQLite compares declared decimals.

SQLite has no exact decimal type (``REAL`` is a double), so a ``Decimal`` field
of a declared entity is stored in two columns: its exact text (``str(value)``,
scale kept, which is what is read back) and this key, which the filters,
orderings, keyset pages and indexes use. Two keys compare as text (SQLite's
``BINARY`` collation, ``COLLATE "C"`` elsewhere) exactly as their decimals
compare as numbers, and equal decimals of different scale (``1``, ``1.0``,
``1.00``) have the same key, so a unique index on the key refuses them as
duplicates, as the in-memory reference does.

Every key is :data:`KEY_LENGTH` ASCII characters: a sign class (``0`` negative,
``1`` zero, ``2`` positive), the adjusted exponent offset by 10,000 in five
digits, then the 34 significant digits, left-aligned and zero-padded; a
negative number stores the nines' complements of the exponent and the digits,
so a larger magnitude sorts first. Declared decimals hold at most 34
significant digits with adjusted exponents in -6143..6144 (a Decimal128); the
layout holds any adjusted exponent in -10000..89999.
"""

from __future__ import annotations

from decimal import Decimal

from repokit.domain.entity import MAX_DECIMAL_DIGITS

_EXPONENT_OFFSET = 10_000
_EXPONENT_DIGITS = 5
_COMPLEMENT = str.maketrans("0123456789", "9876543210")
KEY_LENGTH = 1 + _EXPONENT_DIGITS + MAX_DECIMAL_DIGITS
"""Characters in every key."""
_ZERO = "1" + "0" * (KEY_LENGTH - 1)


def decimal_key(value: Decimal) -> str:
    """The key of a finite ``value`` (ValueError past 34 digits or the exponent range)."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite decimal")
    if not value:
        return _ZERO
    # Scientific notation (C code, unlike as_tuple) gives the digits from the first
    # non-zero one: "-1.2300e+4" -> sign "-", digits "123".
    mantissa = f"{value:e}".partition("e")[0]
    negative = mantissa.startswith("-")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0")
    exponent = value.adjusted() + _EXPONENT_OFFSET
    if len(digits) > MAX_DECIMAL_DIGITS or not 0 <= exponent < 10**_EXPONENT_DIGITS:
        raise ValueError(f"{value} does not fit a decimal key (a Decimal128 does)")
    body = f"{exponent:0{_EXPONENT_DIGITS}d}{digits.ljust(MAX_DECIMAL_DIGITS, '0')}"
    return "0" + body.translate(_COMPLEMENT) if negative else "2" + body


__all__ = ["KEY_LENGTH", "decimal_key"]

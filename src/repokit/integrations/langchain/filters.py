"""LangChain's metadata filter dialect, translated into repokit's filter language.

LangChain has no single filter language; this follows the one of its PostgreSQL
store (``langchain_postgres.PGVector``), which most others resemble::

    {"genre": "sf"}                                   # equality
    {"year": {"$gte": 2000}, "lang": {"$in": ["en", "fr"]}}
    {"$or": [{...}, {...}]}, {"$and": [...]}, {"$not": {...}}, {"$not": [{...}, ...]}
    {"rating": {"$between": [3, 5]}}, {"draft": {"$exists": False}}

A field is a metadata key (``a.b`` reaches into a nested object) and becomes
``metadata.<key>``; ``$eq $ne $lt $lte $gt $gte $in $nin $exists $and $or`` are
repokit's own, ``$between [lo, hi]`` becomes ``$gte lo`` and ``$lte hi``, and
``$not`` of a list means "none of them", as in ``PGVector``. Values keep repokit's
semantics (``docs/semantics.md``): typed comparisons (``"3"`` is not ``3``), and
``$ne``/``$nin`` match documents without the field. ``$like``/``$ilike`` have no
counterpart in repokit's language and raise ``InvalidQueryError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from repokit.domain.errors import InvalidQueryError
from repokit.domain.query import Filter, parse_filter

_SAME = frozenset({"$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$nin", "$exists"})
_TEXT = frozenset({"$like", "$ilike"})


def translate_filter(raw: Mapping[str, Any] | None) -> Filter | None:
    """The repokit filter for a LangChain filter (None or ``{}``: no filter).

    Raises:
        InvalidQueryError: naming the part of the filter that is not understood.
    """
    if raw is None or (isinstance(raw, Mapping) and not raw):
        return None
    translated = _document(raw)
    parse_filter(translated)  # reject a bad field or value now, with repokit's message
    return translated


def _document(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidQueryError(f"a LangChain filter is a non-empty dict, got {raw!r}")
    clauses: list[dict[str, Any]] = []
    for key, value in raw.items():
        if not isinstance(key, str):
            raise InvalidQueryError(f"filter keys are strings, got {key!r}")
        lowered = key.lower()
        if lowered in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise InvalidQueryError(f"{key!r} takes a non-empty list of filters")
            clauses.append({lowered: [_document(item) for item in value]})
        elif lowered == "$not":
            clauses.append(_negation(value))
        elif key.startswith("$"):
            raise InvalidQueryError(f"{key!r} is not a filter operator at this level")
        else:
            clauses.append({f"metadata.{key}": _condition(key, value)})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _negation(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and value:
        return {"$and": [{"$not": _document(item)} for item in value]}
    if isinstance(value, Mapping):
        return {"$not": _document(value)}
    raise InvalidQueryError(f"'$not' takes a filter or a non-empty list of filters, got {value!r}")


def _condition(field: str, value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if not value:
        raise InvalidQueryError(f"empty operator dict for field {field!r}")
    condition: dict[str, Any] = {}
    for op, operand in value.items():
        lowered = op.lower() if isinstance(op, str) else op
        if lowered in _SAME:
            condition[lowered] = operand
        elif lowered == "$between":
            if not isinstance(operand, list | tuple) or len(operand) != 2:
                raise InvalidQueryError(f"'$between' on {field!r} takes [low, high]")
            condition["$gte"], condition["$lte"] = operand
        elif lowered in _TEXT:
            raise InvalidQueryError(
                f"{op!r} on {field!r}: repokit's filter language has no pattern matching; "
                "filter on exact values ($eq, $in) or ranges instead"
            )
        else:
            raise InvalidQueryError(f"unknown operator {op!r} on field {field!r}")
    return condition


__all__ = ["translate_filter"]

"""Haystack's filter syntax, translated into repokit's filter language.

Haystack filters are trees of comparisons ``{"field", "operator", "value"}``
(``== != > >= < <= in "not in"``) and logic nodes ``{"operator": "AND" | "OR" |
"NOT", "conditions": [...]}`` (``NOT`` negates the AND of its conditions). Fields:
``meta.<path>`` becomes ``metadata.<path>``, ``id`` the document's key (stored as
its title), and a bare name not a Document attribute is a metadata key (Haystack's
legacy form). ``content``, ``embedding`` and the other Document attributes cannot
be filtered on in repokit.

Where Haystack's semantics differ from repokit's, the translation follows
Haystack's (``docs/integrations.md`` lists the differences left):

* ``>``, ``>=``, ``<``, ``<=`` with ``None`` match nothing (repokit refuses them);
* an ordering comparison with a list, or with a string that is not an ISO 8601
  date, raises ``FilterError`` as Haystack does; ISO dates compare as strings,
  which agrees with Haystack's date comparison when the stored dates are written
  in the same ISO format and time zone;
* ``in``/``not in`` take a ``list`` only (Haystack refuses tuples too);
* an ``AND`` with no conditions matches everything, ``OR`` and ``NOT`` with none
  match nothing, as Haystack's ``all``/``any`` do.

Every error is a :class:`HaystackFilterError`: Haystack's ``FilterError`` and
repokit's ``InvalidQueryError`` at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from repokit.domain.errors import InvalidQueryError
from repokit.domain.query import Filter, parse_filter
from repokit.integrations.codec import EXTRAS_KEY
from repokit.integrations.haystack.errors import HaystackFilterError

_COMPARISONS = {"==": "$eq", "!=": "$ne", ">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte"}
_ORDERING = frozenset({">", ">=", "<", "<="})
_UNFILTERABLE = frozenset({"content", "blob", "score", "embedding", "sparse_embedding", "meta"})

NOTHING: dict[str, Any] = {f"metadata.{EXTRAS_KEY}": {"$in": []}}
"""A filter no document matches (``$in`` of no value)."""
EVERYTHING: dict[str, Any] = {"$not": NOTHING}
"""A filter every document matches."""


def translate_filter(filters: Mapping[str, Any] | None) -> Filter | None:
    """The repokit filter for Haystack ``filters`` (None or ``{}``: no filter).

    Raises:
        HaystackFilterError: a malformed filter, or one repokit cannot express.
    """
    if not filters:
        return None
    if not isinstance(filters, Mapping):
        raise HaystackFilterError(f"filters must be a dict, got {type(filters).__name__}")
    translated = _node(filters)
    try:
        parse_filter(translated)
    except InvalidQueryError as exc:
        raise HaystackFilterError(str(exc)) from exc
    return translated


def _node(node: Any) -> dict[str, Any]:
    if not isinstance(node, Mapping):
        raise HaystackFilterError(f"a filter condition must be a dict, got {node!r}")
    if "field" in node:
        return _comparison(node)
    if "operator" not in node:
        raise HaystackFilterError(f"'operator' key missing in {dict(node)}")
    if "conditions" not in node:
        raise HaystackFilterError(f"'conditions' key missing in {dict(node)}")
    operator, conditions = node["operator"], node["conditions"]
    if not isinstance(conditions, list):
        raise HaystackFilterError(f"'conditions' must be a list, got {conditions!r}")
    clauses = [_node(condition) for condition in conditions]
    if operator == "AND":
        return {"$and": clauses} if clauses else EVERYTHING
    if operator == "OR":
        return {"$or": clauses} if clauses else NOTHING
    if operator == "NOT":
        return {"$not": {"$and": clauses}} if clauses else NOTHING
    raise HaystackFilterError(
        f"unknown logical operator {operator!r}; valid operators are AND, NOT, OR"
    )


def _comparison(node: Mapping[str, Any]) -> dict[str, Any]:
    for key in ("operator", "value"):
        if key not in node:
            raise HaystackFilterError(f"{key!r} key missing in {dict(node)}")
    field, operator, value = _field(node["field"]), node["operator"], node["value"]
    if operator in ("in", "not in"):
        if not isinstance(value, list):
            raise HaystackFilterError(
                f"filter value must be a list when using operator {operator!r}, "
                f"got {type(value).__name__}"
            )
        values = [_scalar(item, operator) for item in value]
        return {field: {"$in" if operator == "in" else "$nin": values}}
    if operator not in _COMPARISONS:
        raise HaystackFilterError(
            f"unknown comparison operator {operator!r}; valid operators are "
            f"{', '.join(sorted([*_COMPARISONS, 'in', 'not in']))}"
        )
    if operator in _ORDERING:
        if value is None:
            return NOTHING  # Haystack: None is not comparable, nothing matches
        return {field: {_COMPARISONS[operator]: _ordered(value, operator)}}
    return {field: {_COMPARISONS[operator]: _scalar(value, operator)}}


def _field(field: Any) -> str:
    if not isinstance(field, str) or not field:
        raise HaystackFilterError(f"'field' must be a non-empty string, got {field!r}")
    if field.startswith("meta."):
        return f"metadata.{field[len('meta.') :]}"
    if field == "id":
        return "title"
    if field.split(".")[0] in _UNFILTERABLE:
        raise HaystackFilterError(
            f"field {field!r} cannot be filtered on in repokit: filter on 'id' or 'meta.*'"
        )
    return f"metadata.{field}"


def _scalar(value: Any, operator: str) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | dict | set):
        raise HaystackFilterError(
            f"operator {operator!r} takes a single value here, got {type(value).__name__}: "
            "repokit does not compare whole lists or objects"
        )
    return value


def _ordered(value: Any, operator: str) -> Any:
    if isinstance(value, list):
        raise HaystackFilterError(
            f"filter value can't be of type list using operator {operator!r}"
        )
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and not _is_iso_date(value):
        raise HaystackFilterError(
            f"can't compare strings using operator {operator!r}: strings are only "
            "comparable when they are ISO 8601 dates"
        )
    return _scalar(value, operator)


def _is_iso_date(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return len(value) >= 10 and value[4] == "-" and value[7] == "-"


__all__ = ["EVERYTHING", "NOTHING", "translate_filter"]

"""Random filters over a declared entity's fields, for the entity filter property tests.

Every field gets conditions with every operator its type allows, operands drawn
from the same pools as the stored dataset (:func:`~.entity_samples.pool_of`),
plus near misses: an int where a float is stored, a datetime a microsecond off
or as ISO text, an enum member or its raw value, null. JSON fields get paths
into their dicts and nested models, ``$exists`` and the JSON operands of
document metadata. Invalid filters name an unknown field, a wrong operand type
or an ordering a type does not have.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from repokit.domain.entity_spec import EntitySpec, FieldKind, FieldSpec, JsonShape
from repokit.testing.entity_samples import annotation_of, pool_of
from repokit.testing.filter_strategies import (
    METADATA_FIELDS,
    NUMBERS,
    OPERANDS,
    STRINGS,
    Filter,
    condition,
    logical_filters,
    operator_dicts,
    pick,
)


def entity_filters(spec: EntitySpec, stored: Sequence[BaseModel]) -> st.SearchStrategy[Filter]:
    """Random valid filters over every field of ``spec``, nested with logic.

    ``stored`` is the dataset: its values join the operand pools, so equality
    filters hit stored rows.
    """
    leaves = [_field_conditions(spec, f, stored) for f in spec.fields]
    return logical_filters(st.one_of(*leaves))


def field_conditions(spec: EntitySpec, field: FieldSpec) -> st.SearchStrategy[Filter]:
    """Conditions on one field (no dataset values): what the per-field tests draw from."""
    return _field_conditions(spec, field, ())


def _field_conditions(
    spec: EntitySpec, field: FieldSpec, stored: Sequence[BaseModel]
) -> st.SearchStrategy[Filter]:
    if field.is_json:
        return _json_conditions(spec, field)
    values = _scalar_operands(field, stored)
    ordered = values.filter(lambda v: v is not None)
    if field.kind is FieldKind.BOOL:
        ops = operator_dicts(values, st.nothing(), exists=False).filter(_no_ordering)
    else:
        ops = operator_dicts(values, ordered, exists=False)
    return condition(st.just(field.name), values, ops)


def _no_ordering(operators: Filter) -> bool:
    inner = operators.get("$not", operators)
    return not any(op in ("$gt", "$gte", "$lt", "$lte") for op in inner)


def _scalar_operands(field: FieldSpec, stored: Sequence[BaseModel]) -> st.SearchStrategy[Any]:
    pool = list(pool_of(field))
    seen = [row.__dict__[field.name] for row in stored[:40]]
    pool.extend(value for value in seen if value is not None)
    base = pick(pool)
    variants: list[st.SearchStrategy[Any]] = [base, base, st.just(None)]
    kind = field.kind
    if kind is FieldKind.DATETIME:
        shifted = st.builds(
            lambda m, us: m + timedelta(microseconds=us), base, st.sampled_from([-1000, -1, 1, 500])
        )
        variants += [shifted, base.map(lambda m: m.isoformat())]
    elif kind is FieldKind.DATE:
        variants.append(base.map(lambda d: d.isoformat()))
    elif kind in (FieldKind.INT, FieldKind.FLOAT):
        variants.append(pick((0, 1, 1.0, 2, 2.5, -1)))
    elif kind is FieldKind.DECIMAL:
        variants.append(pick((0, 1, 2, -3, Decimal("1.00"), Decimal("2.5"))))
    elif kind is FieldKind.ENUM:
        variants.append(base.map(lambda member: member.value))
    elif kind is FieldKind.UUID:
        variants.append(base.map(str))
    return st.one_of(*variants)


def _json_conditions(spec: EntitySpec, field: FieldSpec) -> st.SearchStrategy[Filter]:
    values = pick(OPERANDS)
    ordered = pick((*NUMBERS, *STRINGS))
    whole = condition(st.just(field.name), values, operator_dicts(values, ordered, exists=False))
    paths = json_paths(spec, field)
    if not paths:
        return whole
    inside = condition(pick(paths), values, operator_dicts(values, ordered, exists=True))
    return st.one_of(whole, inside, inside)


def json_paths(spec: EntitySpec, field: FieldSpec) -> tuple[str, ...]:
    """Dotted paths into a JSON field that filters address (none for a list field)."""
    if field.shape is JsonShape.LIST:
        return ()
    if field.shape is JsonShape.MODEL and field.model is not None:
        return tuple(f"{field.name}.{path}" for path in _model_paths(field.model))
    annotation = annotation_of(spec, field)
    value = typing.get_args(annotation)[1] if typing.get_args(annotation) else Any
    if field.shape is JsonShape.DICT and getattr(value, "__name__", None) != "JsonValue":
        return (f"{field.name}.a", f"{field.name}.b", f"{field.name}.missing")
    return tuple(path.replace("metadata.", f"{field.name}.", 1) for path in METADATA_FIELDS)


def _model_paths(model: type[BaseModel], prefix: str = "", depth: int = 0) -> list[str]:
    paths: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.append(path)
        nested = [
            a
            for a in (info.annotation, *typing.get_args(info.annotation))
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if nested and depth < 2:
            paths.extend(_model_paths(nested[0], f"{path}.", depth + 1))
    return paths


def invalid_entity_filters(spec: EntitySpec) -> st.SearchStrategy[Any]:
    """Filters every backend must refuse with ``InvalidQueryError``."""
    names = [f.name for f in spec.fields]
    unknown = st.text(min_size=1, max_size=10).filter(
        lambda key: key.partition(".")[0] not in names and not key.startswith("$")
    )
    bad: list[st.SearchStrategy[Any]] = [
        st.builds(lambda key: {key: 1}, unknown),
        st.just({"$where": "1 == 1"}),
        st.just({f"{names[0]}": {"$regex": ".*"}}),
    ]
    for field in spec.fields:
        wrong = _wrong_operands(field)
        if wrong:
            bad.append(
                st.builds(
                    lambda op, v, name=field.name: {name: {op: v}},
                    st.sampled_from(["$eq", "$ne", "$in"]).filter(lambda op: op != "$in"),
                    pick(wrong),
                )
            )
        if field.kind is FieldKind.BOOL:
            bad.append(st.just({field.name: {"$gt": True}}))
        if not field.is_json:
            bad.append(st.just({f"{field.name}.x": 1}))
            bad.append(st.just({field.name: {"$exists": True}}))
            bad.append(st.just({field.name: {"$gt": None}}))
    return st.one_of(*bad)


def _wrong_operands(field: FieldSpec) -> tuple[Any, ...]:
    kind = field.kind
    table: dict[FieldKind, tuple[Any, ...]] = {
        FieldKind.STR: (1, True, [1], {"x": 1}),
        FieldKind.INT: ("1", True, [1], 2**64),
        FieldKind.FLOAT: ("1.5", False, {"x": 1}, float("nan")),
        FieldKind.BOOL: (1, "true", 0.0),
        FieldKind.DECIMAL: (1.5, "1.5", True, Decimal("NaN")),
        FieldKind.UUID: ("not-a-uuid", 7, True),
        FieldKind.DATETIME: ("yesterday", 12, True),
        FieldKind.DATE: ("31/12/1999", 12, True),
        FieldKind.ENUM: ("no-such-member", 999_999, True),
        FieldKind.LITERAL: ("no-such-choice", 999_999, True),
        FieldKind.JSON: ([1], {"x": 1}, 2**64),
    }
    return table[kind]


__all__ = ["entity_filters", "field_conditions", "invalid_entity_filters", "json_paths"]

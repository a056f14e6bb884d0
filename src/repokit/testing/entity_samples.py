"""Sample values of declared entities, derived from their field types.

Three sources, each for its own kind of test:

* :func:`sample_value` - a deterministic value for field ``n``: distinct for
  distinct ``n``, so samples never clash on a unique field;
* :func:`random_entities` - a seeded dataset whose values come from small pools
  of edge cases per field type (equal ints and floats, near-equal decimals,
  empty and unicode strings, nulls, JSON of every shape), so random filters
  select something;
* :func:`field_values` - hypothesis strategies over each type's whole domain
  (64-bit extremes, any finite float, 34-digit decimals, any unicode text
  without NUL), for round trips.

:class:`Samples` stores samples with their ``Ref`` targets first.
"""

from __future__ import annotations

import random
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar
from uuid import UUID

from hypothesis import strategies as st
from pydantic import BaseModel

from repokit.domain.entity import MAX_DECIMAL_DIGITS, Entity
from repokit.domain.entity_spec import EntitySpec, FieldKind, FieldSpec, spec_of
from repokit.domain.ports import StorePort
from repokit.testing.filter_strategies import STRINGS, random_metadata

E = TypeVar("E", bound=Entity)

BASE_MOMENT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
BASE_DATE = date(2024, 3, 1)
_TEXTS = ("", "a", "b", "B", "ab", "é", "10", "2", "日本", "a b")
_INTS = (-(2**63), -1, 0, 1, 2, 2**40, 2**63 - 1)
_FLOATS = (-1.5, 0.0, 1.0, 2.0, 2.5, 1e300, -1e-300)
_DECIMALS = (
    Decimal("0"),
    Decimal("1"),
    Decimal("1.0"),
    Decimal("1.10"),
    Decimal("-2.5"),
    Decimal("3.14159"),
    Decimal("1E+10"),
    Decimal("12345678901234567890.12345678901234"),
)
_UUIDS = tuple(UUID(int=(7 << 76) | (0b10 << 62) | n) for n in (1, 2, 3))
_MOMENTS = tuple(BASE_MOMENT + timedelta(milliseconds=ms) for ms in (0, 1, 1000, 86_400_000))
_DATES = (date(1999, 12, 31), BASE_DATE, BASE_DATE + timedelta(days=1), date(2100, 1, 1))


def entity_fields(spec: EntitySpec) -> tuple[FieldSpec, ...]:
    """The fields a caller sets: every field but ``id`` and ``version``."""
    return tuple(f for f in spec.fields if f.name not in ("id", "version"))


def annotation_of(spec: EntitySpec, field: FieldSpec) -> Any:
    """The declared type of ``field`` (``X | None`` and ``Annotated`` removed)."""
    return _bare(spec.model.model_fields[field.name].annotation)


def _bare(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    if args and type(None) in args and typing.get_origin(annotation) is not Literal:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _bare(rest[0])
    return annotation


# -- deterministic values ---------------------------------------------------------------


def sample_value(spec: EntitySpec, field: FieldSpec, n: int) -> Any:
    """A valid value of ``field`` for sample number ``n``; distinct ``n`` give distinct
    values wherever the type has enough of them."""
    kind = field.kind
    if kind is FieldKind.STR:
        return f"{_TEXTS[n % len(_TEXTS)]}#{n}"
    if kind is FieldKind.INT:
        return n * 7 - 20
    if kind is FieldKind.FLOAT:
        return n * 0.5 - 3.25
    if kind is FieldKind.BOOL:
        return n % 2 == 0
    if kind is FieldKind.DECIMAL:
        return Decimal(n * 3 - 10) / Decimal(4) + Decimal("0.10")
    if kind is FieldKind.UUID:
        return UUID(int=(n + 1) * 0x1000_0000_0000_0000_0001)
    if kind is FieldKind.DATETIME:
        return BASE_MOMENT + timedelta(seconds=n, milliseconds=n % 7)
    if kind is FieldKind.DATE:
        return BASE_DATE + timedelta(days=n)
    if kind is FieldKind.ENUM:
        assert field.enum is not None
        return list(field.enum)[n % len(field.choices)]
    if kind is FieldKind.LITERAL:
        return field.choices[n % len(field.choices)]
    return json_sample(annotation_of(spec, field), n)


def json_sample(annotation: Any, n: int) -> Any:
    """A deterministic JSON value of ``annotation`` (a list, dict, nested model, ...)."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is str:
        return f"{STRINGS[n % len(STRINGS)]}{n}"
    if annotation is bool:
        return n % 2 == 1
    if annotation is int:
        return n * 3 - 4
    if annotation is float:
        return n / 4
    if origin is Literal:
        return args[n % len(args)]
    if origin is list:
        item = args[0] if args else Any
        return [json_sample(item, n), json_sample(item, n + 1)]
    if origin is dict:
        value = args[1] if args else Any
        return {"k": json_sample(value, n), "m": json_sample(value, n + 2)}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation(
            **{
                name: json_sample(info.annotation, n + index)
                for index, (name, info) in enumerate(annotation.model_fields.items())
            }
        )
    return {"n": n, "s": f"v{n}", "flag": n % 2 == 0, "list": [n, f"{n}"]}


class Samples:
    """Makes and stores samples in one store, each with a number of its own."""

    def __init__(self, store: StorePort) -> None:
        self.store = store
        self.count = 0

    def values(self, model: type[Entity], **overrides: Any) -> dict[str, Any]:
        """Field values of a new sample (references unset unless given)."""
        spec = spec_of(model)
        self.count += 1
        values = {
            f.name: sample_value(spec, f, self.count) for f in entity_fields(spec) if f.ref is None
        }
        values.update(overrides)
        return values

    async def new(self, model: type[E], **overrides: Any) -> E:
        """An unsaved sample whose references point at stored samples of their targets."""
        spec = spec_of(model)
        values = self.values(model, **overrides)
        for ref in spec.refs:
            if ref.field not in values:
                values[ref.field] = (await self.stored(ref.target)).id
        return model(**values)

    async def stored(self, model: type[E], **overrides: Any) -> E:
        """A saved sample (its references' targets saved first)."""
        entity = await self.new(model, **overrides)
        return await self.store.repository(model).save(entity)


# -- the random dataset of the filter tests -----------------------------------------------


def pool_of(field: FieldSpec) -> tuple[Any, ...]:
    """The edge-case values a scalar field's random samples and filter operands draw from."""
    kind = field.kind
    pools: Mapping[FieldKind, tuple[Any, ...]] = {
        FieldKind.STR: _TEXTS,
        FieldKind.INT: _INTS,
        FieldKind.FLOAT: _FLOATS,
        FieldKind.BOOL: (True, False),
        FieldKind.DECIMAL: _DECIMALS,
        FieldKind.UUID: _UUIDS,
        FieldKind.DATETIME: _MOMENTS,
        FieldKind.DATE: _DATES,
    }
    if kind is FieldKind.ENUM:
        assert field.enum is not None
        return tuple(field.enum)
    if kind is FieldKind.LITERAL:
        return field.choices
    return pools[kind]


def random_json(annotation: Any, rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value of ``annotation`` from small pools (metadata-like for free JSON)."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is str:
        return rng.choice(STRINGS)
    if annotation is bool:
        return rng.random() < 0.5
    if annotation is int:
        return rng.choice((-1, 0, 1, 2, 2**40))
    if annotation is float:
        return rng.choice((-1.5, 0.0, 1.0, 2.5))
    if origin is Literal:
        return rng.choice(args)
    if origin is list:
        item = args[0] if args else Any
        return [random_json(item, rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if origin is dict:
        value = args[1] if args else Any
        if depth == 0 and _free_json(value):
            return random_metadata(rng)
        return {key: random_json(value, rng, depth + 1) for key in ("a", "b") if rng.random() < 0.7}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        values: dict[str, Any] = {}
        for name, info in annotation.model_fields.items():
            optional = not info.is_required()
            if optional and rng.random() < 0.3:
                continue
            if type(None) in typing.get_args(info.annotation) and rng.random() < 0.2:
                values[name] = None
            else:
                values[name] = random_json(info.annotation, rng, depth + 1)
        return annotation(**values)
    return random_metadata(rng) if depth == 0 else rng.choice((*STRINGS, 1, 2.5, True, None))


def _free_json(annotation: Any) -> bool:
    return getattr(annotation, "__name__", None) == "JsonValue" or annotation is Any


def random_entities(
    model: type[E],
    count: int,
    references: Mapping[str, Sequence[UUID | None]],
    seed: int = 20_241_206,
) -> list[E]:
    """``count`` unsaved entities drawn from the pools, the same for the same arguments.

    Unique groups get distinct values (the pool value with the entity's number),
    so the dataset can be stored; ``references`` gives the ids each ``Ref`` field
    draws from.
    """
    spec = spec_of(model)
    rng = random.Random(seed)
    unique = {name for group in spec.unique for name in group}
    entities: list[E] = []
    for n in range(count):
        values: dict[str, Any] = {}
        for field in entity_fields(spec):
            if field.ref is not None:
                values[field.name] = rng.choice(list(references[field.name]))
            elif field.name in unique:
                values[field.name] = sample_value(spec, field, 1000 + n)
            elif field.nullable and rng.random() < 0.2:
                values[field.name] = None
            elif field.is_json:
                values[field.name] = random_json(annotation_of(spec, field), rng)
            else:
                values[field.name] = rng.choice(pool_of(field))
        entities.append(model(**values))
    return entities


# -- hypothesis strategies over whole domains --------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
"""Any text without NUL (which PostgreSQL cannot store) or lone surrogates (not UTF-8)."""


def field_values(spec: EntitySpec, field: FieldSpec) -> st.SearchStrategy[Any]:
    """Any value ``field`` stores exactly (null included when it is optional)."""
    json = field.is_json
    base = json_strategy(annotation_of(spec, field)) if json else _scalar_strategy(field)
    return st.one_of(st.none(), base) if field.nullable else base


def _scalar_strategy(field: FieldSpec) -> st.SearchStrategy[Any]:
    kind = field.kind
    builders: Mapping[FieldKind, Callable[[], st.SearchStrategy[Any]]] = {
        FieldKind.STR: lambda: _TEXT,
        FieldKind.INT: lambda: st.integers(-(2**63), 2**63 - 1),
        FieldKind.FLOAT: lambda: st.floats(allow_nan=False, allow_infinity=False),
        FieldKind.BOOL: st.booleans,
        FieldKind.DECIMAL: _decimals,
        FieldKind.UUID: st.uuids,
        FieldKind.DATETIME: lambda: st.datetimes(
            min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
        ),
        FieldKind.DATE: lambda: st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
    }
    if kind in (FieldKind.ENUM, FieldKind.LITERAL):
        return st.sampled_from(pool_of(field))
    return builders[kind]()


def _decimals() -> st.SearchStrategy[Decimal]:
    digits = st.integers(-(10**MAX_DECIMAL_DIGITS) + 1, 10**MAX_DECIMAL_DIGITS - 1)
    return st.builds(
        lambda value, exponent: Decimal(value).scaleb(exponent), digits, st.integers(-40, 40)
    )


def json_strategy(annotation: Any) -> st.SearchStrategy[Any]:
    """Any JSON value of ``annotation`` (64-bit ints, finite floats, text without NUL)."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    leaves: Mapping[Any, st.SearchStrategy[Any]] = {
        str: _TEXT,
        bool: st.booleans(),
        int: st.integers(-(2**63), 2**63 - 1),
        float: st.floats(allow_nan=False, allow_infinity=False),
        type(None): st.none(),
    }
    if annotation in leaves:
        return leaves[annotation]
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(json_strategy(args[0] if args else Any), max_size=4)
    if origin is dict:
        return st.dictionaries(_TEXT, json_strategy(args[1] if args else Any), max_size=4)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {
            name: st.one_of(st.none(), json_strategy(info.annotation))
            if type(None) in typing.get_args(info.annotation)
            else json_strategy(info.annotation)
            for name, info in annotation.model_fields.items()
        }
        return st.builds(annotation, **fields)
    scalars = st.one_of(st.none(), st.booleans(), leaves[int], leaves[float], _TEXT)
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)
        ),
        max_leaves=8,
    )


def entity_values(model: type[Entity]) -> st.SearchStrategy[dict[str, Any]]:
    """Field values for ``model`` over each type's whole domain (references left out)."""
    spec = spec_of(model)
    return st.fixed_dictionaries(
        {f.name: field_values(spec, f) for f in entity_fields(spec) if f.ref is None}
    )


__all__ = [
    "BASE_MOMENT",
    "Samples",
    "annotation_of",
    "entity_fields",
    "entity_values",
    "field_values",
    "json_sample",
    "json_strategy",
    "pool_of",
    "random_entities",
    "random_json",
    "sample_value",
]

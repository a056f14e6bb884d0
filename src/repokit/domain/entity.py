"""``repokit.Entity``: declare what a service stores, once, for every backend.

::

    class Order(Entity, collection="orders", unique=[("tenant_id", "number")]):
        tenant_id: UUID
        number: int
        sku: Annotated[str, Unique()]
        status: Annotated[str, Indexed()]
        customer_id: Annotated[UUID, Ref(Customer, on_delete="cascade")]
        total: Decimal
        placed_at: datetime

The class keywords: ``collection`` names the table or collection (a class
without it is an abstract base that others extend); ``unique`` lists compound
unique constraints and ``indexes`` compound indexes, each a tuple of field names.
The spec (:mod:`.entity_spec`) is derived when the class is defined; a declaration
some backend could not store exactly raises :class:`DeclarationError` right there.

Every instance is validated as every backend stores it: integers 64-bit, floats
finite, decimals of at most 34 significant digits, text without NUL, datetimes
aware UTC with millisecond precision (naive ones are taken as UTC), JSON fields
made of JSON values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PydanticUndefinedAnnotation,
    TypeAdapter,
    model_validator,
)

from repokit.domain.clock import normalize_timestamp
from repokit.domain.entity_spec import (
    EntitySpec,
    FieldKind,
    FieldSpec,
    check_collection,
    derive_spec,
)
from repokit.domain.errors import DeclarationError
from repokit.domain.ids import uuid7
from repokit.domain.json_values import check_float, check_int, check_json, check_text

MAX_DECIMAL_DIGITS = 34
"""Significant digits a ``Decimal`` field holds (MongoDB's Decimal128 keeps 34)."""
_DECIMAL_EXPONENTS = (-6143, 6144)
"""Adjusted exponents a Decimal128 holds."""
MAX_INDEXES = 5
"""Indexes one entity may declare (``Indexed`` fields, references, compound indexes):
DynamoDB serves each from one of a fixed pool of global secondary indexes."""
_CLASS_KEYWORDS = ("collection", "unique", "indexes")

ValueCheck = Callable[[dict[str, Any]], None]


class StoredModel(BaseModel):
    """Base of every stored model: an ``id``, validated on assignment, no unknown fields."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    id: UUID = Field(default_factory=uuid7)


class VersionedModel(StoredModel):
    """A stored model that can be updated, guarded by optimistic locking (``version``)."""

    version: int = Field(default=0, ge=0)


class Entity(VersionedModel):
    """Base of a declared entity: ``id`` (a UUIDv7) and ``version`` (optimistic locking).

    ``version`` 0 means "never stored"; ``save`` returns the entity at its stored
    version. Subclass it with ``collection="..."`` to declare an entity (see the
    module docs); every repokit backend stores it, async and sync.
    """

    __entity_spec__: ClassVar[EntitySpec | None] = None
    __entity_declaration__: ClassVar[_Declaration | None] = None
    __value_checks__: ClassVar[tuple[ValueCheck, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The declaration keywords are read once the fields exist, in
        # __pydantic_init_subclass__; object.__init_subclass__ accepts none.
        for keyword in _CLASS_KEYWORDS:
            kwargs.pop(keyword, None)
        super().__init_subclass__(**kwargs)

    @classmethod
    def __pydantic_init_subclass__(
        cls,
        *,
        collection: str | None = None,
        unique: Sequence[Sequence[str]] = (),
        indexes: Sequence[Sequence[str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if collection is not None:
            check_collection(cls.__name__, collection)
        cls.__entity_declaration__ = _Declaration(collection, unique, indexes)
        cls.__entity_spec__ = None
        cls.__value_checks__ = ()
        if cls.__pydantic_complete__:
            cls.__entity_spec_now__()
        # Otherwise a field names a type defined later in its module: pydantic
        # resolves it on first use, and so does the spec (see __entity_spec_now__).
        if collection is not None:
            _register(cls, collection)

    @classmethod
    def __entity_spec_now__(cls) -> EntitySpec:
        """The class's spec, derived on the first call (once every field type resolves)."""
        spec = cls.__dict__.get("__entity_spec__")
        if spec is not None:
            return spec  # type: ignore[no-any-return]
        declaration = cls.__dict__.get("__entity_declaration__")
        if declaration is None:
            raise DeclarationError(f"{cls.__name__} is not a declared repokit.Entity subclass")
        if not cls.__pydantic_complete__:
            try:
                cls.model_rebuild(raise_errors=True)
            except PydanticUndefinedAnnotation as exc:
                raise DeclarationError(
                    f"{cls.__name__}: a field refers to {exc.name!r}, which is not defined"
                ) from exc
        spec = derive_spec(
            cls,
            collection=declaration.collection,
            unique=declaration.unique,
            indexes=declaration.indexes,
        )
        if len(spec.indexes) > MAX_INDEXES:
            beyond = ", ".join("+".join(group) for group in spec.indexes[MAX_INDEXES:])
            raise DeclarationError(
                f"{cls.__name__} declares {len(spec.indexes)} indexes (Indexed fields, "
                f"references and compound indexes); at most {MAX_INDEXES} are allowed, "
                "because DynamoDB serves each from one of a fixed pool of global "
                f"secondary indexes: none is left for {beyond}"
            )
        cls.__value_checks__ = tuple(_value_check(cls, f) for f in spec.fields)
        cls.__entity_spec__ = spec
        return spec

    @model_validator(mode="after")
    def _as_stored(self) -> Self:
        """Check (and normalise) every value the way each backend stores it."""
        model = type(self)
        if model.__dict__.get("__entity_spec__") is None and model is not Entity:
            model.__entity_spec_now__()
        values = self.__dict__
        for check in model.__value_checks__:
            check(values)
        return self


@dataclass(frozen=True, slots=True)
class _Declaration:
    """The class keywords of a declaration, kept until the spec is derived."""

    collection: str | None
    unique: Sequence[Sequence[str]]
    indexes: Sequence[Sequence[str]]


_DECLARED: dict[str, type[Entity]] = {}


def _register(model: type[Entity], collection: str) -> None:
    earlier = _DECLARED.get(collection)
    if earlier is not None and _identity(earlier) != _identity(model):
        raise DeclarationError(
            f"{model.__name__}: collection {collection!r} is already declared by "
            f"{earlier.__module__}.{earlier.__qualname__}; each entity needs its own collection"
        )
    # The same class declared again (a module reloaded) replaces the earlier one.
    _DECLARED[collection] = model


def _identity(model: type) -> tuple[str, str]:
    return model.__module__, model.__qualname__


def declared_entities() -> tuple[type[Entity], ...]:
    """Every storable entity class declared so far in this process, in declaration order."""
    return tuple(_DECLARED.values())


def forget_entity(model: type[Entity]) -> None:
    """Take ``model`` out of :func:`declared_entities` (for tests that declare throwaways)."""
    declaration = model.__dict__.get("__entity_declaration__")
    collection = None if declaration is None else declaration.collection
    if collection is not None and _DECLARED.get(collection) is model:
        del _DECLARED[collection]


def _value_check(model: type[Entity], spec: FieldSpec) -> ValueCheck:
    """The check of one field's values, as every backend stores them."""
    name, where = spec.name, f"{model.__name__}.{spec.name}"
    if spec.kind is FieldKind.DATETIME:

        def normalize(values: dict[str, Any]) -> None:
            moment = values[name]
            if moment is not None:
                values[name] = normalize_timestamp(moment)

        return normalize
    test = _SCALAR_TESTS.get(spec.kind)
    if spec.kind is FieldKind.JSON:
        test = _json_test(model.model_fields[name].annotation or Any)
    if test is None:
        return _no_check
    known: Callable[[Any, str], None] = test

    def check(values: dict[str, Any]) -> None:
        value = values[name]
        if value is not None:
            known(value, where)

    return check


def _json_test(annotation: Any) -> Callable[[Any, str], None]:
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def test(value: Any, where: str) -> None:
        check_json(adapter.dump_python(value, mode="json"), where, text=True)

    return test


def _no_check(values: dict[str, Any]) -> None:
    return None


def check_decimal(value: Decimal, where: str) -> None:
    """Reject a Decimal that is not finite or does not fit a Decimal128."""
    if not value.is_finite():
        raise ValueError(f"{where}: {value} is not a finite decimal")
    digits = len(value.as_tuple().digits)
    if digits > MAX_DECIMAL_DIGITS:
        raise ValueError(
            f"{where}: {value} has {digits} significant digits; at most {MAX_DECIMAL_DIGITS} "
            "are stored exactly on every backend"
        )
    low, high = _DECIMAL_EXPONENTS
    if value and not low <= value.adjusted() <= high:
        raise ValueError(f"{where}: {value} is outside the range of a Decimal128")


_SCALAR_TESTS: dict[FieldKind, Callable[[Any, str], None]] = {
    FieldKind.STR: check_text,
    FieldKind.INT: check_int,
    FieldKind.FLOAT: check_float,
    FieldKind.DECIMAL: check_decimal,
}


__all__ = [
    "MAX_DECIMAL_DIGITS",
    "MAX_INDEXES",
    "Entity",
    "StoredModel",
    "VersionedModel",
    "check_decimal",
    "declared_entities",
    "forget_entity",
]

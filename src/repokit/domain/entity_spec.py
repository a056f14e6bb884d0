"""The frozen description of a declared entity, derived once when its class is defined.

:func:`derive_spec` reads a ``repokit.Entity`` subclass (field types, the
``Unique``/``Indexed``/``Ref``/``Immutable`` markers, the class keywords) and
returns an :class:`EntitySpec`. Every backend builds its table, indexes, keys,
codec and filter compiler from the spec and never looks at the class again.

A declaration that some backend could not store exactly fails here, with a
:class:`~repokit.domain.errors.DeclarationError` naming the class and the field:

========================  ======================================================
field type                stored as
========================  ======================================================
``str``                   text (no NUL character)
``int``                   a 64-bit integer
``float``                 a finite double
``bool``                  a boolean
``Decimal``               an exact decimal (at most 34 significant digits)
``UUID``                  a UUID
``datetime``              aware UTC, millisecond precision (naive is taken as UTC)
``date``                  a calendar date
``enum.Enum``             its value (all ``str`` or all ``int`` values)
``Literal[...]``          the value (all ``str`` or all ``int``)
``X | None``              any of the above, or null
``list``/``dict``/model   JSON: lists, ``dict[str, ...]`` and nested pydantic models
                          of JSON values (str, int, float, bool, null, lists, dicts)
========================  ======================================================
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Union
from uuid import UUID

from pydantic import BaseModel, JsonValue
from pydantic.fields import FieldInfo

from repokit.domain.errors import DeclarationError
from repokit.domain.markers import ON_DELETE, Immutable, Indexed, OnDelete, Ref, Unique

if TYPE_CHECKING:
    from repokit.domain.entity import Entity


class FieldKind(enum.Enum):
    """How a field is stored and compared."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DECIMAL = "decimal"
    UUID = "uuid"
    DATETIME = "datetime"
    DATE = "date"
    ENUM = "enum"
    LITERAL = "literal"
    JSON = "json"


class JsonShape(enum.Enum):
    """What a JSON field holds at its root."""

    LIST = "list"
    DICT = "dict"
    MODEL = "model"
    ANY = "any"


_SCALARS: dict[type, FieldKind] = {
    str: FieldKind.STR,
    bool: FieldKind.BOOL,
    int: FieldKind.INT,
    float: FieldKind.FLOAT,
    Decimal: FieldKind.DECIMAL,
    UUID: FieldKind.UUID,
    datetime: FieldKind.DATETIME,
    date: FieldKind.DATE,
}
_COLLECTION = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
RESERVED_COLLECTIONS = frozenset(
    {
        "documents",
        "chunks",
        "workspace_acl",
        "audit_events",
        "chat_messages",
        "schema_settings",
        "alembic_version",
        "alembic_version_app",
        "repokit_meta",
        "repokit_probe",
    }
)
"""Names of repokit's own tables and collections, which no declaration may take."""


@dataclass(frozen=True, slots=True)
class RefSpec:
    """Field ``field`` holds the id of a ``target`` entity; ``on_delete`` says what a
    delete of the target does."""

    field: str
    target: type[Entity]
    on_delete: OnDelete

    @property
    def target_spec(self) -> EntitySpec:
        """The target's spec."""
        return spec_of(self.target)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a declared entity.

    Attributes:
        name: the field's name (also its column, attribute or key).
        kind: how it is stored and compared.
        nullable: it may hold null (``X | None``).
        unique: it carries ``Unique()``.
        indexed: it carries ``Indexed()`` or a ``Ref``, or starts a compound index.
        immutable: it carries ``Immutable()``: kept from the stored row on update.
        ref: the reference it holds, when it is a ``Ref``.
        choices: the values of an ``ENUM`` or ``LITERAL`` field.
        enum: the enum class of an ``ENUM`` field.
        shape: what a ``JSON`` field holds at its root.
        model: the nested model of a ``JSON`` field of shape ``MODEL``.
        default: the static default (for columns added later); see ``has_default``.
        has_default: the field has a static default (not a factory).
    """

    name: str
    kind: FieldKind
    nullable: bool = False
    unique: bool = False
    indexed: bool = False
    immutable: bool = False
    ref: RefSpec | None = None
    choices: tuple[str | int, ...] = ()
    enum: type[enum.Enum] | None = None
    shape: JsonShape | None = None
    model: type[BaseModel] | None = None
    default: Any = None
    has_default: bool = False

    @property
    def is_json(self) -> bool:
        """The field holds JSON (a list, a dict, a nested model)."""
        return self.kind is FieldKind.JSON

    @property
    def choice_type(self) -> type | None:
        """``str`` or ``int`` for ``ENUM``/``LITERAL`` fields, else None."""
        if not self.choices:
            return None
        return str if isinstance(self.choices[0], str) else int

    @property
    def numeric(self) -> bool:
        """Compared as a number (``int``, ``float``, ``Decimal``, int-valued choices)."""
        if self.kind in (FieldKind.INT, FieldKind.FLOAT, FieldKind.DECIMAL):
            return True
        return self.choice_type is int


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """Everything a backend needs to know about one declared entity.

    Attributes:
        model: the entity class.
        collection: its table/collection name; None for an abstract base (not storable).
        fields: every field in declaration order (``id`` and ``version`` included).
        unique: the unique groups: each ``Unique()`` field alone, then the compound ones.
        indexes: the non-unique indexes: ``Indexed()`` fields and references alone, then
            the compound ones.
        refs: the references this entity holds.
    """

    model: type[Entity]
    collection: str | None
    fields: tuple[FieldSpec, ...]
    unique: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    refs: tuple[RefSpec, ...] = ()
    by_name: Mapping[str, FieldSpec] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """The class name, for messages."""
        return self.model.__name__

    @property
    def noun(self) -> str:
        """How messages name one entity, e.g. ``"Order"``."""
        return self.model.__name__

    def field(self, name: str) -> FieldSpec:
        """The field called ``name`` (KeyError when there is none)."""
        return self.by_name[name]

    @property
    def immutable(self) -> tuple[str, ...]:
        """Fields kept from the stored row on update."""
        return tuple(f.name for f in self.fields if f.immutable)

    @property
    def storable(self) -> bool:
        """The class names a collection (abstract bases do not)."""
        return self.collection is not None

    def table(self) -> str:
        """The collection name; ``DeclarationError`` for an abstract base."""
        if self.collection is None:
            raise DeclarationError(
                f"{self.name} declares no collection, so it cannot be stored: "
                f'declare it as class {self.name}(Entity, collection="...")'
            )
        return self.collection


def spec_of(model: type[Any]) -> EntitySpec:
    """The spec of a declared entity class (``DeclarationError`` for anything else)."""
    derive = getattr(model, "__entity_spec_now__", None) if isinstance(model, type) else None
    if derive is None:
        name = getattr(model, "__name__", repr(model))
        raise DeclarationError(f"{name} is not a declared repokit.Entity subclass")
    spec: EntitySpec = derive()
    return spec


def derive_spec(
    model: type[Entity],
    *,
    collection: str | None,
    unique: Sequence[Sequence[str]] = (),
    indexes: Sequence[Sequence[str]] = (),
) -> EntitySpec:
    """Read the declaration of ``model``; ``DeclarationError`` naming what cannot be stored."""
    owner = model.__name__
    if collection is not None:
        check_collection(owner, collection)
    fields = tuple(_field_spec(owner, name, info) for name, info in model.model_fields.items())
    by_name = {f.name: f for f in fields}
    compound_unique = _groups(owner, "unique", unique, by_name)
    compound_indexes = _groups(owner, "indexes", indexes, by_name)
    for group in compound_unique:
        for name in group:
            if by_name[name].nullable:
                raise DeclarationError(
                    f"{owner}: compound unique {group} includes the optional field {name!r}; "
                    "members of a compound unique must be required (not None)"
                )
    starts = {group[0] for group in compound_indexes}
    fields = tuple(
        _replace(f, indexed=True) if f.name in starts and not f.indexed else f for f in fields
    )
    by_name = {f.name: f for f in fields}
    single_unique = tuple((f.name,) for f in fields if f.unique)
    single_indexes = tuple((f.name,) for f in fields if f.indexed and f.name not in starts)
    refs = tuple(f.ref for f in fields if f.ref is not None)
    return EntitySpec(
        model=model,
        collection=collection,
        fields=fields,
        unique=_distinct((*single_unique, *compound_unique)),
        indexes=_distinct((*single_indexes, *compound_indexes)),
        refs=refs,
        by_name=by_name,
    )


def check_collection(owner: str, collection: str) -> None:
    """Refuse a collection name some backend could not use, or one of repokit's own."""
    if not isinstance(collection, str) or not _COLLECTION.match(collection):
        raise DeclarationError(
            f"{owner}: collection {collection!r} must be 1-48 characters of lower-case "
            "letters, digits and '_', starting with a letter"
        )
    if collection in RESERVED_COLLECTIONS:
        raise DeclarationError(
            f"{owner}: collection {collection!r} is one of repokit's own; choose another name"
        )


def _groups(
    owner: str, keyword: str, groups: Sequence[Sequence[str]], fields: Mapping[str, FieldSpec]
) -> tuple[tuple[str, ...], ...]:
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise DeclarationError(
            f"{owner}: {keyword}= takes a list of field-name tuples, e.g. [('tenant_id', 'number')]"
        )
    result: list[tuple[str, ...]] = []
    for group in groups:
        if isinstance(group, str) or not isinstance(group, Sequence) or len(group) < 2:
            raise DeclarationError(
                f"{owner}: each {keyword}= entry is a tuple of two or more field names, "
                f"got {group!r} (mark a single field with Annotated[..., "
                f"{'Unique' if keyword == 'unique' else 'Indexed'}()])"
            )
        names = tuple(group)
        if len(set(names)) != len(names):
            raise DeclarationError(f"{owner}: {keyword}= entry {names} repeats a field")
        for name in names:
            spec = fields.get(name)
            if spec is None:
                raise DeclarationError(f"{owner}: {keyword}= names {name!r}, which is no field")
            if spec.is_json:
                raise DeclarationError(
                    f"{owner}.{name}: a list, dict or nested-model field cannot be part of "
                    f"a compound {'unique constraint' if keyword == 'unique' else 'index'}"
                )
        result.append(names)
    return tuple(result)


def _distinct(groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(dict.fromkeys(groups))


def _replace(spec: FieldSpec, **changes: Any) -> FieldSpec:
    values = {name: getattr(spec, name) for name in FieldSpec.__dataclass_fields__}
    values.update(changes)
    return FieldSpec(**values)


def _field_spec(owner: str, name: str, info: FieldInfo) -> FieldSpec:
    where = f"{owner}.{name}"
    markers = list(info.metadata)
    annotation, nullable = _unwrap_optional(info.annotation, markers, where)
    unique = any(isinstance(m, Unique) for m in markers)
    indexed = any(isinstance(m, Indexed) for m in markers)
    immutable = any(isinstance(m, Immutable) for m in markers)
    refs = [m for m in markers if isinstance(m, Ref)]
    kind, extra = _kind(annotation, where)
    ref: RefSpec | None = None
    if refs:
        if len(refs) > 1:
            raise DeclarationError(f"{where}: only one Ref per field")
        ref = _ref_spec(where, name, refs[0], kind)
        indexed = True
    if unique and kind is FieldKind.JSON:
        raise DeclarationError(
            f"{where}: a list, dict or nested-model field cannot be Unique; "
            "declare a scalar field (str, int, UUID, ...) unique instead"
        )
    if name in ("id", "version") and (unique or ref is not None):
        raise DeclarationError(f"{where}: the {name!r} field takes no Unique or Ref marker")
    default, has_default = _static_default(info)
    return FieldSpec(
        name=name,
        kind=kind,
        nullable=nullable,
        unique=unique,
        indexed=indexed,
        immutable=immutable,
        ref=ref,
        default=default,
        has_default=has_default,
        **extra,
    )


def _static_default(info: FieldInfo) -> tuple[Any, bool]:
    if info.is_required() or info.default_factory is not None:
        return None, False
    return info.default, True


def _unwrap_optional(annotation: Any, markers: list[Any], where: str) -> tuple[Any, bool]:
    """``(the type, nullable)``; markers of nested ``Annotated`` are collected into ``markers``."""
    annotation = _strip_annotated(annotation, markers)
    if _is_union(annotation):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(typing.get_args(annotation))
        if len(members) != 1:
            raise DeclarationError(
                f"{where}: a union of several types ({_type_name(annotation)}) cannot be "
                "stored exactly on every backend; use one type, optionally with | None"
            )
        return _strip_annotated(members[0], markers), nullable
    return annotation, False


def _strip_annotated(annotation: Any, markers: list[Any]) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        markers.extend(metadata)
        annotation = base
    return annotation


def _is_union(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin is Union or origin is types.UnionType


def _kind(annotation: Any, where: str) -> tuple[FieldKind, dict[str, Any]]:
    if isinstance(annotation, type) and annotation in _SCALARS:
        return _SCALARS[annotation], {}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return FieldKind.ENUM, {
            "choices": _choices(where, [member.value for member in annotation]),
            "enum": annotation,
        }
    if typing.get_origin(annotation) is Literal:
        return FieldKind.LITERAL, {"choices": _choices(where, list(typing.get_args(annotation)))}
    shape, model = _json_root(annotation, where)
    return FieldKind.JSON, {"shape": shape, "model": model}


def _choices(where: str, values: list[Any]) -> tuple[str | int, ...]:
    if values and all(isinstance(v, str) for v in values):
        return tuple(values)
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return tuple(values)
    raise DeclarationError(
        f"{where}: enum and Literal values must be all strings or all integers, got {values!r}"
    )


def _json_root(annotation: Any, where: str) -> tuple[JsonShape, type[BaseModel] | None]:
    """The shape of a JSON field, after checking everything inside it is a JSON value."""
    origin = typing.get_origin(annotation)
    if origin is list:
        _check_json_type(annotation, where)
        return JsonShape.LIST, None
    if origin is dict:
        _check_json_type(annotation, where)
        return JsonShape.DICT, None
    if _is_json_value(annotation):
        return JsonShape.ANY, None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        _check_json_type(annotation, where)
        return JsonShape.MODEL, annotation
    raise DeclarationError(_unsupported(annotation, where))


def _is_json_value(annotation: Any) -> bool:
    return annotation is JsonValue or getattr(annotation, "__name__", None) == "JsonValue"


_JSON_LEAVES = (str, int, float, bool, type(None))


def _check_json_type(annotation: Any, where: str, seen: frozenset[type] = frozenset()) -> None:
    """Raise unless ``annotation`` holds only JSON values (what every backend stores exactly)."""
    annotation = _strip_annotated(annotation, [])
    if annotation in _JSON_LEAVES or _is_json_value(annotation):
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if _is_union(annotation):
        for member in args:
            _check_json_type(member, where, seen)
        return
    if origin is Literal:
        _choices(where, list(args))
        return
    if origin is list:
        _check_json_type(args[0] if args else Any, f"{where}[]", seen)
        return
    if origin is dict:
        key, value = args if args else (str, Any)
        if key is not str:
            raise DeclarationError(f"{where}: dict keys must be str, got {_type_name(key)}")
        _check_json_type(value, f"{where}{{}}", seen)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if hasattr(annotation, "__entity_spec_now__"):
            raise DeclarationError(
                f"{where}: a declared entity ({annotation.__name__}) cannot be nested; "
                "store its id in a field marked Ref(...) instead"
            )
        if annotation in seen:
            return
        for name, info in annotation.model_fields.items():
            _check_json_type(info.annotation, f"{where}.{name}", seen | {annotation})
        return
    raise DeclarationError(
        f"{where}: {_type_name(annotation)} inside a list, dict or nested model is not a JSON "
        "value; only str, int, float, bool, None, lists, dicts and nested models of them are "
        "stored exactly there (keep Decimal, UUID, datetime and enum fields at the top level)"
    )


def _unsupported(annotation: Any, where: str) -> str:
    return (
        f"{where}: {_type_name(annotation)} cannot be stored exactly on every backend; "
        "supported: str, int, float, bool, Decimal, UUID, datetime, date, enums, Literal, "
        "X | None, and lists, dicts and nested models of JSON values"
    )


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return repr(annotation).replace("typing.", "")


def _ref_spec(where: str, name: str, marker: Ref, kind: FieldKind) -> RefSpec:
    if kind is not FieldKind.UUID:
        raise DeclarationError(f"{where}: a Ref field holds an id, so its type must be UUID")
    target = marker.target
    declared = isinstance(target, type)
    declaration = target.__dict__.get("__entity_declaration__") if declared else None
    if declaration is None:
        raise DeclarationError(
            f"{where}: Ref({getattr(target, '__name__', target)!r}) must name a declared "
            "repokit.Entity class"
        )
    if declaration.collection is None:
        raise DeclarationError(
            f"{where}: Ref({target.__name__}) names an abstract entity (no collection=)"
        )
    if marker.on_delete not in ON_DELETE:
        raise DeclarationError(
            f"{where}: on_delete must be one of {', '.join(ON_DELETE)}, got {marker.on_delete!r}"
        )
    return RefSpec(field=name, target=target, on_delete=marker.on_delete)


__all__ = [
    "RESERVED_COLLECTIONS",
    "EntitySpec",
    "FieldKind",
    "FieldSpec",
    "JsonShape",
    "RefSpec",
    "check_collection",
    "derive_spec",
    "spec_of",
]

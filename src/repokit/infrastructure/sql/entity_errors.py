"""What a constraint failure means for a declared entity: the :class:`ErrorContext` of each call.

* a unique index (``uq_<table>_<fields>``) -> ``DuplicateError`` naming the
  field(s); PostgreSQL names the index, SQLite the columns
  (``UNIQUE constraint failed: t.a, t.b``), and both are recognised;
* a foreign key on save -> ``NotFoundError`` naming the reference (PostgreSQL
  names the key; on SQLite, which does not, the message lists the entity's
  references when it has several);
* a foreign key on delete -> ``InUseError``: a ``Ref(..., on_delete="restrict")``
  still points at the entity, or at one its delete cascades to.

Every message is written here from the declaration, never copied from the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from repokit.domain.entity import declared_entities
from repokit.domain.entity_spec import EntitySpec, RefSpec, spec_of
from repokit.domain.errors import InUseError, NotFoundError, RepokitError
from repokit.infrastructure.sql.entity_tables import object_name
from repokit.infrastructure.sql.errors import ErrorContext


class EntityErrors:
    """The error contexts of one declared entity's calls."""

    def __init__(self, spec: EntitySpec) -> None:
        self._spec = spec
        table = spec.table()
        keys: dict[str, tuple[str, ...]] = {}
        for group in spec.unique:
            # PostgreSQL: "<index name> <driver text>"; SQLite: "... failed: t.a, t.b".
            keys[object_name("uq", table, *group) + " "] = group
            keys["failed: " + ", ".join(f"{table}.{name}" for name in group)] = group
        # Longest first: a key found in the text is then the failing group's own.
        self._unique = dict(sorted(keys.items(), key=lambda item: -len(item[0])))
        self._refs = {
            object_name("fk", table, ref.field, ref.target_spec.table()) + " ": ref
            for ref in spec.refs
        }
        self._batch = self._batch_context()
        self._restricting: dict[str, tuple[EntitySpec, RefSpec]] | None = None

    def save(self, entity: Any) -> ErrorContext:
        """The context of saving ``entity``."""
        values = entity.__dict__
        noun = self._spec.noun
        return ErrorContext(
            duplicate=f"{noun} {values['id']} already exists",
            unique=self._taken(
                lambda group: f"{self._fields(group)} {self._values(group, values)}"
            ),
            foreign_key=self._missing_target(values),
            foreign_keys={
                key: _error(NotFoundError, self._missing(ref, values[ref.field]))
                for key, ref in self._refs.items()
            },
        )

    def batch(self) -> ErrorContext:
        """The context of saving a batch."""
        return self._batch

    def _batch_context(self) -> ErrorContext:
        noun = self._spec.noun
        return ErrorContext(
            duplicate=f"{_a(noun)} of the batch already exists",
            unique=self._taken(lambda group: f"{self._fields(group)} of {_a(noun)} in the batch"),
            foreign_key=_error(
                NotFoundError,
                f"{_a(noun)} of the batch refers to an entity that does not exist "
                f"({_ref_list((self._spec, ref) for ref in self._spec.refs)})",
            ),
            foreign_keys={
                key: _error(
                    NotFoundError,
                    f"{_a(ref.target_spec.noun)} named by {noun}.{ref.field} in the batch "
                    "does not exist",
                )
                for key, ref in self._refs.items()
            },
        )

    def delete(self, id: UUID) -> ErrorContext:
        """The context of deleting the entity ``id``."""
        noun = self._spec.noun
        if self._restricting is None:
            # Read at the first delete: every entity that may refer to this one is declared.
            self._restricting = {
                object_name("fk", child.table(), ref.field, ref.target_spec.table()) + " ": (
                    child,
                    ref,
                )
                for child, ref in _restricting_refs()
            }
        restricting = self._restricting
        return ErrorContext(
            foreign_key=_error(
                InUseError,
                f"{noun} {id} is still referenced by an entity whose Ref does not let it go "
                f"(on_delete='restrict': {_ref_list(restricting.values())}); "
                "delete or reassign that entity first",
            ),
            foreign_keys={
                key: _error(
                    InUseError,
                    f"{noun} {id} cannot be deleted: {_a(child.noun)} still refers to "
                    f"{'it' if ref.target is self._spec.model else 'an entity it cascades to'} "
                    f"({child.noun}.{ref.field}, on_delete='restrict'); delete or reassign "
                    f"that {child.noun} first",
                )
                for key, (child, ref) in restricting.items()
            },
        )

    def _taken(self, subject: Callable[[tuple[str, ...]], str]) -> dict[str, str]:
        """Per unique-violation key: "<subject> is already used by another <noun>"."""
        noun = self._spec.noun
        return {
            key: f"{subject(group)} {'is' if len(group) == 1 else 'are'} already used by "
            f"another {noun}"
            for key, group in self._unique.items()
        }

    def _missing_target(self, values: dict[str, Any]) -> Callable[[], RepokitError]:
        refs = self._spec.refs
        if len(refs) == 1:
            return _error(NotFoundError, self._missing(refs[0], values[refs[0].field]))
        named = ", ".join(f"{self._spec.noun}.{ref.field}={values[ref.field]}" for ref in refs)
        return _error(
            NotFoundError, f"{self._spec.noun} refers to an entity that does not exist ({named})"
        )

    def _missing(self, ref: RefSpec, value: Any) -> str:
        return f"{ref.target_spec.noun} {value} does not exist ({self._spec.noun}.{ref.field})"

    def _fields(self, group: Sequence[str]) -> str:
        names = ", ".join(f"{self._spec.noun}.{name}" for name in group)
        return names if len(group) == 1 else f"({names})"

    @staticmethod
    def _values(group: Sequence[str], values: dict[str, Any]) -> str:
        shown = ", ".join(_shown(values[name]) for name in group)
        return shown if len(group) == 1 else f"({shown})"


def _ref_list(refs: Iterable[tuple[EntitySpec, RefSpec]]) -> str:
    return ", ".join(f"{owner.noun}.{ref.field}" for owner, ref in refs) or "none declared"


def _restricting_refs() -> list[tuple[EntitySpec, RefSpec]]:
    """Every ``restrict`` reference among the declared entities, with its owner."""
    found: list[tuple[EntitySpec, RefSpec]] = []
    for model in declared_entities():
        spec = spec_of(model)
        found.extend((spec, ref) for ref in spec.refs if ref.on_delete == "restrict")
    return found


def _a(noun: str) -> str:
    """``noun`` with its indefinite article, e.g. ``"an Order"``."""
    return f"{'an' if noun[:1].upper() in 'AEIOU' else 'a'} {noun}"


def _shown(value: Any) -> str:
    text = repr(getattr(value, "value", value))
    return text if len(text) <= 60 else text[:57] + "..."


def _error(kind: type[RepokitError], message: str) -> Callable[[], RepokitError]:
    def build() -> RepokitError:
        return kind(message)

    return build


__all__ = ["EntityErrors"]

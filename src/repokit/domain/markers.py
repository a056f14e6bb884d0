"""What a declared entity's fields say beyond their type: ``Unique``, ``Indexed``, ``Ref``.

Markers go inside ``typing.Annotated``::

    sku: Annotated[str, Unique()]
    status: Annotated[str, Indexed()]
    customer_id: Annotated[UUID, Ref(Customer, on_delete="cascade")]
    created_at: Annotated[datetime, Immutable()]

They only describe; :mod:`repokit.domain.entity_spec` reads them once, when the
class is defined, and every backend builds its constraints and indexes from that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OnDelete = Literal["cascade", "restrict"]
ON_DELETE: tuple[OnDelete, ...] = ("cascade", "restrict")


@dataclass(frozen=True, slots=True)
class Unique:
    """No two stored entities share this field's value (nulls excepted: several may be null)."""


@dataclass(frozen=True, slots=True)
class Indexed:
    """Filters and orderings on this field must be fast: every backend indexes it."""


@dataclass(frozen=True, slots=True)
class Immutable:
    """Written on insert and kept on update: ``save`` of an update returns the stored value.

    The field's given value is ignored on update, as a ``created_at`` is.
    """


@dataclass(frozen=True, slots=True)
class Ref:
    """This UUID field holds the id of a stored ``target`` entity (or null, when optional).

    Saving requires the target to exist (``NotFoundError``); deleting the target
    deletes this entity too (``on_delete="cascade"``) or is refused with
    ``InUseError`` while this entity refers to it (``"restrict"``). A reference is
    also an index, so finding the entities that refer to a target is fast.
    """

    target: type
    on_delete: OnDelete = "restrict"


__all__ = ["ON_DELETE", "Immutable", "Indexed", "OnDelete", "Ref", "Unique"]

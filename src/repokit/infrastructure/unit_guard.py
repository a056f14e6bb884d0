"""The life of a unit of work, the same on every backend: entered once, never nested.

A unit is *new* until its ``async with`` block is entered, *open* inside it and
*closed* after it, and it can be entered only once. Each store keeps the unit
open in the current context in a :class:`UnitSlot`: a context variable, which
asyncio tasks inherit from the task that created them. The unit records its
*owner*, the caller that entered it, so only an open unit of the *same* owner
counts as nesting; units of other tasks or threads are concurrent units.

The owner is passed in (each adapter knows how it tells callers apart: the
current task, or the current thread in the sync form), so this module has no
async code and serves the async adapters and their sync twins as it is.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Generic, Literal, Protocol, TypeVar

from repokit.domain.errors import UnitOfWorkError

UnitState = Literal["new", "open", "closed"]


class OwnedUnit(Protocol):
    """What the slot asks of a unit of work."""

    @property
    def is_open(self) -> bool: ...

    @property
    def owner(self) -> object | None: ...


U = TypeVar("U", bound=OwnedUnit)


class UnitSlot(Generic[U]):
    """The unit of work open on one store in the current context, if any (one per store)."""

    def __init__(self, name: str) -> None:
        self._var: ContextVar[U | None] = ContextVar(name, default=None)

    def held_by(self, owner: object | None) -> U | None:
        """The open unit that ``owner`` entered, seen from this context, or None."""
        unit = self._var.get()
        if unit is not None and unit.is_open and unit.owner is owner:
            return unit
        return None

    def occupy(self, unit: U) -> Token[U | None]:
        """Make ``unit`` the open unit of this context (and of the tasks it starts)."""
        return self._var.set(unit)

    def vacate(self, token: Token[U | None], unit: U) -> None:
        """Undo :meth:`occupy`; from another context, clear the slot if it still holds ``unit``."""
        try:
            self._var.reset(token)
        except ValueError:
            if self._var.get() is unit:
                self._var.set(None)


class UnitGuard(Generic[U]):
    """Where one unit of work is in its life, and its place in its store's slot."""

    def __init__(self, slot: UnitSlot[U]) -> None:
        self._slot = slot
        self.state: UnitState = "new"
        self.owner: object | None = None
        self._unit: U | None = None
        self._token: Token[U | None] | None = None

    @property
    def is_open(self) -> bool:
        """True between entering and leaving the block."""
        return self.state == "open"

    def check_enter(self, owner: object | None) -> None:
        """Raise ``UnitOfWorkError`` unless ``owner`` may enter the unit now.

        A unit is entered only once, and not while ``owner`` has another unit of
        the same store open (units do not nest).
        """
        if self.state != "new":
            raise UnitOfWorkError(
                "a unit of work can be entered only once; open a new one with store.unit_of_work()"
            )
        if self._slot.held_by(owner) is not None:
            raise UnitOfWorkError(
                "another unit of work of this store is already open in this task or thread; "
                "units do not nest (no implicit savepoints)"
            )

    def enter(self, unit: U, owner: object | None) -> None:
        """Mark ``unit`` open, entered by ``owner``: the store's open unit in this context.

        Call it after :meth:`check_enter`, once whatever the unit holds was acquired.
        """
        self.owner = owner
        self._unit = unit
        self._token = self._slot.occupy(unit)
        self.state = "open"

    def check_usable(self) -> None:
        """Raise ``UnitOfWorkError`` unless the unit is inside its block (new or closed)."""
        if self.state == "new":
            raise UnitOfWorkError("use the unit of work inside 'async with store.unit_of_work()'")
        if self.state == "closed":
            raise UnitOfWorkError("this unit of work has ended; open a new one")

    def close(self) -> None:
        """Mark the unit closed and take it out of the slot."""
        self.state = "closed"
        token, self._token = self._token, None
        unit, self._unit = self._unit, None
        if token is not None and unit is not None:
            self._slot.vacate(token, unit)


def closed_unit_error() -> UnitOfWorkError:
    """The error for a unit used outside its ``async with`` block (SQL, MongoDB)."""
    return UnitOfWorkError("this unit of work is not open: use it inside its `async with` block")


__all__ = ["OwnedUnit", "UnitGuard", "UnitSlot", "UnitState", "closed_unit_error"]

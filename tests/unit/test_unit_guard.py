"""The unit-of-work lifecycle every adapter shares (infrastructure/unit_guard.py)."""

from __future__ import annotations

import contextvars

import pytest

from repokit.domain.errors import UnitOfWorkError
from repokit.infrastructure.unit_guard import UnitGuard, UnitSlot


class Unit:
    """A unit of work reduced to its guard."""

    def __init__(self, slot: UnitSlot[Unit]) -> None:
        self.guard = UnitGuard(slot)

    @property
    def is_open(self) -> bool:
        return self.guard.is_open

    @property
    def owner(self) -> object | None:
        return self.guard.owner

    def enter(self, owner: object) -> None:
        self.guard.check_enter(owner)
        self.guard.enter(self, owner)


def test_a_unit_goes_from_new_to_open_to_closed() -> None:
    slot: UnitSlot[Unit] = UnitSlot("test")
    unit, owner = Unit(slot), object()
    states = [unit.guard.state]
    unit.enter(owner)
    states.append(unit.guard.state)
    assert (unit.owner, slot.held_by(owner)) == (owner, unit)
    unit.guard.close()
    states.append(unit.guard.state)
    assert states == ["new", "open", "closed"]
    assert slot.held_by(owner) is None


def test_a_unit_is_entered_only_once() -> None:
    slot: UnitSlot[Unit] = UnitSlot("test")
    unit, owner = Unit(slot), object()
    unit.enter(owner)
    with pytest.raises(UnitOfWorkError, match="only once"):
        unit.enter(owner)
    unit.guard.close()
    with pytest.raises(UnitOfWorkError, match="only once"):
        unit.enter(owner)


def test_units_of_one_owner_do_not_nest_and_follow_each_other() -> None:
    slot: UnitSlot[Unit] = UnitSlot("test")
    owner = object()
    outer = Unit(slot)
    outer.enter(owner)
    inner = Unit(slot)
    with pytest.raises(UnitOfWorkError, match="do not nest"):
        inner.enter(owner)
    assert inner.guard.state == "new"
    assert slot.held_by(owner) is outer
    outer.guard.close()
    after = Unit(slot)
    after.enter(owner)
    assert slot.held_by(owner) is after


def test_a_unit_of_another_owner_is_concurrent_not_nested() -> None:
    slot: UnitSlot[Unit] = UnitSlot("test")
    parent, child = object(), object()
    outer = Unit(slot)
    outer.enter(parent)

    def in_child_context() -> None:  # a child task inherits the parent's context
        assert slot.held_by(parent) is outer
        concurrent = Unit(slot)
        concurrent.enter(child)
        assert slot.held_by(child) is concurrent
        concurrent.guard.close()
        assert slot.held_by(parent) is outer

    contextvars.copy_context().run(in_child_context)
    assert slot.held_by(parent) is outer


def test_a_unit_left_from_another_context_is_cleared_there() -> None:
    slot: UnitSlot[Unit] = UnitSlot("test")
    owner = object()
    unit = Unit(slot)
    contextvars.copy_context().run(unit.enter, owner)  # entered elsewhere
    leaving = contextvars.copy_context()
    leaving.run(unit.guard.close)
    assert unit.guard.state == "closed"
    assert leaving.run(slot.held_by, owner) is None


def test_a_unit_is_usable_only_inside_its_block() -> None:
    slot: UnitSlot[Unit] = UnitSlot("test")
    unit = Unit(slot)
    with pytest.raises(UnitOfWorkError, match="inside 'async with"):
        unit.guard.check_usable()
    unit.enter(object())
    unit.guard.check_usable()
    unit.guard.close()
    with pytest.raises(UnitOfWorkError, match="has ended"):
        unit.guard.check_usable()

"""The guard against weakened suites: a test class must run every contract test it inherits.

A backend inherits a contract (:class:`~repokit.testing.StoreContract`, a
service its :class:`~repokit.testing.EntityContract`, or single capability
classes) and may override a contract test only to mark it with
:func:`~repokit.testing.contract_xfail` or :func:`~repokit.testing.contract_fold`
and a reason. The guard reports a
contract test that is dropped (set to ``None`` or to a non-callable), replaced
without that mark, or skipped by a mark added to the class or to the shared
contract function itself. A class owes each whole suite (store, entity; async,
sync) one of whose capability classes it inherits; a class of the user's own
tests built on ``ContractMixin`` alone owes nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from repokit.testing.markers import contract_fold_reason, contract_xfail_reason

_SKIPPING_MARKS = frozenset({"skip", "skipif", "xfail"})
"""Marks that weaken a test when added to a contract class or a shared contract function."""


def contract_tests(contract: type) -> dict[str, Callable[..., Any]]:
    """The contract's test methods by name, as defined on the contract classes."""
    tests: dict[str, Callable[..., Any]] = {}
    for name in dir(contract):
        if name.startswith("test_"):
            value = inspect.getattr_static(contract, name)
            if callable(value):
                tests[name] = value
    return tests


def suites() -> list[tuple[type, tuple[type, ...]]]:
    """Each whole suite with its capability classes: the store and entity contracts, async
    and sync."""
    from repokit.testing.entity_contract import ENTITY_CAPABILITIES, EntityContract
    from repokit.testing.suite import CAPABILITIES, StoreContract
    from repokit.testing.sync.entity_contract import ENTITY_CAPABILITIES as SYNC_ENTITY
    from repokit.testing.sync.entity_contract import EntityContract as SyncEntityContract
    from repokit.testing.sync.suite import CAPABILITIES as SYNC_CAPABILITIES
    from repokit.testing.sync.suite import StoreContract as SyncStoreContract

    return [
        (StoreContract, CAPABILITIES),
        (SyncStoreContract, SYNC_CAPABILITIES),
        (EntityContract, ENTITY_CAPABILITIES),
        (SyncEntityContract, SYNC_ENTITY),
    ]


def owed_suites(test_class: type) -> list[type]:
    """The whole suites ``test_class`` owes: each one of whose capability classes it inherits.

    A class of the user's own tests built on ``ContractMixin`` alone owes none.
    """
    return [
        suite
        for suite, capabilities in suites()
        if any(issubclass(test_class, capability) for capability in capabilities)
    ]


def contract_violations(test_class: type, contract: type | None = None) -> list[str]:
    """Every way ``test_class`` weakens its contract, one line each.

    The contract is ``contract`` when given, else every whole suite of which
    ``test_class`` inherits a capability class (see :func:`owed_suites`).
    """
    problems: list[str] = []
    name_of = test_class.__qualname__
    contracts = [contract] if contract is not None else owed_suites(test_class)
    problems.extend(
        f"{name_of} does not inherit {suite.__qualname__}"
        for suite in contracts
        if not issubclass(test_class, suite)
    )
    if getattr(test_class, "__test__", True) is False:
        problems.append(f"{name_of} sets __test__ = False, so pytest collects none of its tests")
    problems.extend(
        f"{name_of} carries a class-level {mark.name!r} mark; mark single tests with contract_xfail"
        for mark in _own_marks(test_class)
        if mark.name in _SKIPPING_MARKS
    )
    owed: dict[str, Callable[..., Any]] = {}
    for suite in contracts:
        owed.update(contract_tests(suite))
    for name, original in sorted(owed.items()):
        current = inspect.getattr_static(test_class, name, None)
        if current is None or not callable(current):
            problems.append(f"{name_of}.{name} is dropped (contract test missing)")
            continue
        shared = [mark.name for mark in _marks(original) if mark.name in _SKIPPING_MARKS]
        if shared:
            problems.append(
                f"contract test {name} was given {', '.join(shared)} marks in place; "
                "override it with contract_xfail instead"
            )
        if (
            current is not original
            and contract_xfail_reason(current) is None
            and contract_fold_reason(current) is None
        ):
            problems.append(
                f"{name_of}.{name} overrides a contract test without "
                '@contract_xfail(reason="...") or @contract_fold(reason="...")'
            )
    return problems


def assert_contract_complete(test_class: type, contract: type | None = None) -> None:
    """Fail unless ``test_class`` runs every test of ``contract`` (see :func:`contract_violations`).

    Raises:
        AssertionError: listing each dropped, unmarked-overridden or skipped contract test.
    """
    problems = contract_violations(test_class, contract)
    assert not problems, "the contract suite was weakened:\n  " + "\n  ".join(problems)


def _marks(obj: object) -> list[pytest.Mark]:
    marks = getattr(obj, "pytestmark", [])
    if not isinstance(marks, list):
        marks = [marks]
    return [mark if isinstance(mark, pytest.Mark) else mark.mark for mark in marks]


def _own_marks(cls: type) -> list[pytest.Mark]:
    """Marks written on ``cls`` itself (``pytestmark`` in its own body or via a decorator)."""
    own = cls.__dict__.get("pytestmark", [])
    if not isinstance(own, list):
        own = [own]
    return [mark if isinstance(mark, pytest.Mark) else mark.mark for mark in own]

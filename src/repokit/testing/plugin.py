"""The repokit pytest plugin (entry point ``pytest11: repokit``).

Loaded by pytest in every project where repokit is installed, so it imports
nothing but pytest and the standard library, and does nothing to projects that
do not use the contract suite:

* registers the ``contract_xfail(reason)`` marker, and turns a bare
  ``@pytest.mark.contract_xfail(reason=...)`` into a strict ``xfail``;
* tells the contract's property tests when the running test is a known failure
  (:func:`known_failure`: a strict ``xfail``), so they do not shrink it;
* adds one ``contract_guard`` item to every collected test class that inherits
  the contract suite; it fails when the class drops a contract test or
  overrides one without ``@contract_xfail(reason="...")``
  (see :func:`repokit.testing.guard.assert_contract_complete`). Runs that
  name single tests by node id (``path::Class::test``) get no guard items.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import pytest

_MARKER = "contract_xfail"
_BASE_MODULE = "repokit.testing.base"
_KNOWN_FAILURE: ContextVar[bool] = ContextVar("repokit_known_failure", default=False)


def known_failure() -> bool:
    """True while the running test is marked as an expected failure (strict ``xfail``)."""
    return _KNOWN_FAILURE.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Run the test with :func:`known_failure` telling whether it is a strict xfail."""
    mark = item.get_closest_marker("xfail")
    token = _KNOWN_FAILURE.set(mark is not None and bool(mark.kwargs.get("strict")))
    try:
        return (yield)
    finally:
        _KNOWN_FAILURE.reset(token)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so ``--strict-markers`` accepts it."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(reason): a contract test this backend is known to fail, with the reason",
    )
    config.addinivalue_line(
        "markers",
        "contract_fold(reason): a contract test another class runs on the same code path, "
        "with the reason",
    )


class ContractGuardItem(pytest.Item):
    """Checks that its parent class runs the whole contract suite."""

    def __init__(self, *, test_class: type, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test_class = test_class

    def runtest(self) -> None:
        from repokit.testing.guard import assert_contract_complete

        assert_contract_complete(self.test_class)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return str(self.path), None, f"contract guard of {self.test_class.__qualname__}"


def _is_contract_class(obj: object) -> bool:
    base = sys.modules.get(_BASE_MODULE)
    # A class can inherit the contract only once the contract module is imported.
    return base is not None and isinstance(obj, type) and issubclass(obj, base.ContractMixin)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append a guard to each contract class; make bare ``contract_xfail`` marks strict xfails.

    Runs first, so ``-k`` and ``-m`` selection see the guard items like any other.
    """
    if sys.modules.get(_BASE_MODULE) is None:
        return
    # Asked for single tests by node id (``path::Class::test``): run just those.
    single_tests = any(str(arg).count("::") >= 2 for arg in config.args)
    guarded: dict[pytest.Class, int] = {}
    for index, item in enumerate(items):
        mark = item.get_closest_marker(_MARKER)
        if mark is not None and item.get_closest_marker("xfail") is None:
            reason = mark.kwargs.get("reason", mark.args[0] if mark.args else "")
            item.add_marker(pytest.mark.xfail(strict=True, reason=str(reason)))
        parent = item.getparent(pytest.Class)
        if not single_tests and parent is not None and _is_contract_class(parent.obj):
            guarded[parent] = index
    for parent, last in sorted(guarded.items(), key=lambda pair: pair[1], reverse=True):
        guard = ContractGuardItem.from_parent(parent, name="contract_guard", test_class=parent.obj)
        items.insert(last + 1, guard)

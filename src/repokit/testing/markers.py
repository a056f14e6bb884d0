"""The accepted ways for a test class to run a contract test differently.

``contract_xfail``: the backend is known to fail it. ``contract_fold``: the class
runs nothing of it because another class runs the very same code path (a cached
store's listings are the backend's own: see ``docs/testing.md``, "Folded tests").
Both need a reason, and the contract guard accepts no other override.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

F = TypeVar("F", bound=Callable[..., Any])

MARKER = "contract_xfail"
MARKER_HELP = (
    "contract_xfail(reason): a contract test this backend is known to fail, with the reason"
)
FOLD_MARKER = "contract_fold"
FOLD_MARKER_HELP = (
    "contract_fold(reason): a contract test another class runs on the same code path, "
    "with the reason"
)


def contract_xfail(*, reason: str) -> Callable[[F], F]:
    """Mark an overriding contract test as an expected failure of this backend.

    Applies ``pytest.mark.xfail(strict=True, reason=reason)`` (so the mark must be
    removed once the backend passes) and the ``contract_xfail`` marker that the
    contract guard looks for. Use it on an override that calls the contract test::

        class TestMyStore(StoreContract):
            @contract_xfail(reason="no unicode collation yet")
            async def test_list_orders_titles_by_code_point(self, store):
                await super().test_list_orders_titles_by_code_point(store)

    A parametrized contract test keeps its parameters only if the override repeats
    the contract test's ``@pytest.mark.parametrize`` marks (marks belong to the
    function object, and the override is a new function).

    Raises:
        ValueError: when ``reason`` is empty or blank.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("contract_xfail needs a non-empty reason explaining the failure")

    def apply(test: F) -> F:
        marked: F = pytest.mark.xfail(strict=True, reason=reason)(test)
        return pytest.mark.contract_xfail(reason=reason)(marked)  # type: ignore[no-any-return]

    return apply


def contract_xfail_reason(test: object) -> str | None:
    """The reason of a usable ``contract_xfail`` mark on ``test``, or None.

    Usable means a non-blank reason and a strict ``xfail`` mark beside it, which is
    what :func:`contract_xfail` applies.
    """
    marks = [mark for mark in getattr(test, "pytestmark", []) if isinstance(mark, pytest.Mark)]
    reason = next(
        (
            mark.kwargs.get("reason", mark.args[0] if mark.args else None)
            for mark in marks
            if mark.name == MARKER
        ),
        None,
    )
    if not isinstance(reason, str) or not reason.strip():
        return None
    strict = any(mark.name == "xfail" and mark.kwargs.get("strict") is True for mark in marks)
    return reason if strict else None


def contract_fold(*, reason: str) -> Callable[[F], F]:
    """Mark an overriding contract test as folded into another class's run of it.

    For a test whose code path this class shares exactly with another class that
    runs it (a cache that passes ``list``, ``count`` and ``page`` straight to the
    backend, beside the backend's plain class): the override is skipped, with
    ``reason`` in the report, and carries the ``contract_fold`` marker the guard
    accepts. Use it on an override that takes no fixtures::

        class TestCachedMyStore(StoreContract):
            @contract_fold(reason="the cache passes listings through; TestMyStore runs it")
            def test_random_filters_select_what_the_reference_evaluator_selects(self) -> None:
                ...

    Raises:
        ValueError: when ``reason`` is empty or blank.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("contract_fold needs a non-empty reason naming where the test runs")

    def apply(test: F) -> F:
        skipped: F = pytest.mark.skip(reason=f"folded: {reason}")(test)
        return pytest.mark.contract_fold(reason=reason)(skipped)  # type: ignore[no-any-return]

    return apply


def contract_fold_reason(test: object) -> str | None:
    """The reason of a ``contract_fold`` mark on ``test``, or None."""
    marks = [mark for mark in getattr(test, "pytestmark", []) if isinstance(mark, pytest.Mark)]
    for mark in marks:
        if mark.name == FOLD_MARKER:
            reason = mark.kwargs.get("reason")
            return reason if isinstance(reason, str) and reason.strip() else None
    return None

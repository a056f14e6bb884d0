"""``contract_xfail``: the one accepted way for a backend to mark a contract test as failing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

F = TypeVar("F", bound=Callable[..., Any])

MARKER = "contract_xfail"
MARKER_HELP = (
    "contract_xfail(reason): a contract test this backend is known to fail, with the reason"
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

"""What the MongoDB contract runs share: the stand-in's gap marks.

A helper module, not a test module: ``test_mongo.py`` and ``test_entities_mongo.py``
import it. Their stores come from the ``stores`` fixture (``stores.py``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from repokit.testing import contract_xfail
from repokit.testing.entity_contract import entity_cases
from repokit.testing.markers import MARKER


def with_standin_gaps(gaps: Mapping[str, str]) -> Callable[[type], type]:
    """A class decorator marking the contract tests ``gaps`` names as ``contract_xfail``
    with their reasons, by override (the stand-in classes only)."""

    def mark(cls: type) -> type:
        for name, reason in gaps.items():
            setattr(cls, name, contract_xfail(reason=reason)(_override(cls, name)))
        return cls

    return mark


def _override(contract: type, name: str) -> Callable[..., Any]:
    """A method that runs the contract test ``name`` (same signature, same marks)."""
    original = getattr(contract, name)
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await original(self, *args, **kwargs)

        return run_async

    @functools.wraps(original)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        return original(self, *args, **kwargs)

    return run


def with_standin_case_gaps(gaps: Mapping[str, Mapping[str, str]]) -> Callable[[type], type]:
    """A class decorator for an ``EntityContract`` class: the cases ``gaps`` names (test
    name -> case id -> reason) are marked as ``contract_xfail`` marks them (strict), the
    other cases of the same test run as they are.

    For a parametrized entity test that fails on the stand-in for some cases only
    (a datetime ordering, an entity with a boolean in its JSON), where marking the
    whole test would hide the cases that pass.
    """

    def generate(self: Any, metafunc: pytest.Metafunc) -> None:
        test_gaps = gaps.get(metafunc.function.__name__, {})
        for fixture, params in entity_cases(self.entities).items():
            if fixture in metafunc.fixturenames:
                unknown = set(test_gaps) - {label for _, label in params}
                if unknown:
                    raise ValueError(f"{metafunc.function.__name__} has no cases {unknown}")
                metafunc.parametrize(
                    fixture,
                    [
                        pytest.param(value, id=label, marks=_gap_marks(test_gaps.get(label)))
                        for value, label in params
                    ],
                )

    def mark(cls: type) -> type:
        cls.pytest_generate_tests = generate  # type: ignore[attr-defined]
        return cls

    return mark


def _gap_marks(reason: str | None) -> list[pytest.MarkDecorator]:
    if reason is None:
        return []
    return [
        pytest.mark.xfail(strict=True, reason=reason),
        getattr(pytest.mark, MARKER)(reason=reason),
    ]

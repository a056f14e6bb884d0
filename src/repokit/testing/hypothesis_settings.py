"""The hypothesis settings of the contract's property tests.

Every property test is deterministic (``derandomize=True``: the examples come from
the test's source), remembers nothing between runs and has no deadline; each test
names its number of examples. A test marked ``contract_xfail`` (a backend's known
gap) stops at its first failing example: hypothesis would otherwise shrink it and
explain it, tens of seconds spent on a failure the mark already expects. Unmarked
tests shrink as usual, so a new failure is reported at its smallest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings

from repokit.testing.plugin import known_failure

F = TypeVar("F", bound=Callable[..., Any])

NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)
"""The phases of a known failure: find a failing example, do not minimise it."""


class PropertySettings:
    """A decorator applying the contract's settings for the test that runs now.

    Used like hypothesis's ``settings`` on the ``@given`` function a contract test
    defines in its body, where the running test's marks are known.
    """

    def __init__(self, max_examples: int, *suppress: HealthCheck) -> None:
        self.settings = settings(
            max_examples=max_examples,
            derandomize=True,
            database=None,
            deadline=None,
            print_blob=False,
            suppress_health_check=list(suppress),
        )

    def now(self) -> settings:
        """The settings for the running test (no shrinking for a known failure)."""
        return settings(self.settings, phases=NO_SHRINKING) if known_failure() else self.settings

    def __call__(self, test: F) -> F:
        applied: F = self.now()(test)
        return applied


__all__ = ["NO_SHRINKING", "PropertySettings"]

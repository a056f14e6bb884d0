"""Contract tests a cached class folds into the plain class of the same backend.

The Redis cache passes ``list``, ``count`` and ``page`` of documents and of
every declared entity straight to the backend's repository
(``CachedDocumentRepository`` inherits them from ``DocumentRepositoryDecorator``'s
pass-throughs; ``CachedEntityRepository`` has one ``return await self._inner...``
each), so the random-filter property tests, which check only
those three calls against the reference evaluator, would run the backend's own
code a second time in each cached class. The plain class of the same backend
and form runs them; every other contract test, the fixed-example filter,
paging and invalid-filter tests included, still runs in the cached classes.
See ``docs/testing.md``, "Folded tests".
"""

from __future__ import annotations

from repokit.testing import contract_fold

LISTINGS_PASS_THROUGH = (
    "the cache passes list, count and page straight to the backend; "
    "the plain class of this backend and form runs it"
)


class CachedStoreFolds:
    """Listed first among a cached store class's bases (async or sync)."""

    @contract_fold(reason=LISTINGS_PASS_THROUGH)
    def test_random_filters_select_what_the_reference_evaluator_selects(self) -> None:
        """Folded (see the module docs)."""


class CachedEntityFolds:
    """Listed first among a cached entity class's bases (async or sync)."""

    @contract_fold(reason=LISTINGS_PASS_THROUGH)
    def test_random_filters_select_what_the_reference_selects(self) -> None:
        """Folded (see the module docs)."""

"""Contract tests a class folds into another class that runs the same code path.

Cached classes fold into the plain class of the same backend and form:

The Redis cache passes ``list``, ``count`` and ``page`` of documents and of
every declared entity straight to the backend's repository
(``CachedDocumentRepository`` inherits them from ``DocumentRepositoryDecorator``'s
pass-throughs; ``CachedEntityRepository`` has one ``return await self._inner...``
each), so the random-filter property tests, which check only
those three calls against the reference evaluator, would run the backend's own
code a second time in each cached class. The plain class of the same backend
and form runs them; every other contract test, the fixed-example filter,
paging and invalid-filter tests included, still runs in the cached classes.

Sync classes of MongoDB, DynamoDB and Firestore fold the same property tests into
the async class of the same backend: the sync repositories are generated from
the async source (``scripts/generate_sync.py --check`` proves they agree), the
filter compilers and plans are shared modules, and the two drivers share their
codec (PyMongo's async and sync clients encode with the one ``bson``; aioboto3
and boto3 serialise with the one botocore; google-cloud-firestore's ``Client``
and ``AsyncClient`` build the same protobuf requests), so a random filter
reaches the server as the same request in both forms. Every other sync test, the fixed-example
tests of every operator on every field included, still runs the sync driver
layer. PostgreSQL and MySQL keep them in both forms: there the sync drivers
(psycopg, PyMySQL) are other libraries than the async ones and bind values
their own way.

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


SAME_REQUESTS_AS_ASYNC = (
    "the sync twin is generated from the async source and its driver shares the async "
    "driver's codec; the async class of this backend runs it"
)


class SyncTwinStoreFolds:
    """Listed first among the bases of a MongoDB, DynamoDB or Firestore sync store class."""

    @contract_fold(reason=SAME_REQUESTS_AS_ASYNC)
    def test_random_filters_select_what_the_reference_evaluator_selects(self) -> None:
        """Folded (see the module docs)."""


class SyncTwinEntityFolds:
    """Listed first among the bases of a MongoDB, DynamoDB or Firestore sync entity class."""

    @contract_fold(reason=SAME_REQUESTS_AS_ASYNC)
    def test_random_filters_select_what_the_reference_selects(self) -> None:
        """Folded (see the module docs)."""

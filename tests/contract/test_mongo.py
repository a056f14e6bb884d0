"""The contract suite against MongoDB, async and sync.

* ``stand-in``: the nx-27017 wire-protocol server (PyPI, in the ``dev`` extra),
  started once per worker on a free port and stopped by its process id; each
  test empties the worker's database (every collection, indexes kept) and
  migrates it (``stores.py``). It answers as a standalone server, so the store
  has no transactions and the suite checks the non-transactional path (units
  of work raise ``CapabilityError``; the use cases undo their own writes).
  Where the stand-in differs from MongoDB the override below is marked
  ``contract_xfail`` with the reason (listed in ``docs/backends.md``); the
  adapter is written for MongoDB.
* ``server``: the MongoDB of ``REPOKIT_TEST_MONGO_URL`` (a replica set runs the
  transactional path; each worker uses a database of its own there, emptied
  before each test and dropped at the end); skipped with one named test when
  it is not set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedStoreFolds, SyncTwinStoreFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract

pytest.importorskip("pymongo")

from mongo_support import with_standin_gaps

SERVER_URL = os.environ.get("REPOKIT_TEST_MONGO_URL")


# Where nx-27017 0.8.1 answers differently from MongoDB. The adapter sends what
# MongoDB needs; these contract tests are expected to fail on the stand-in only.
BOOLEANS_ARE_NUMBERS = (
    "nx-27017 compares booleans as the numbers 1 and 0 (SQLite has no boolean type): "
    "{n: 1} and {n: {$lte: 1}} match true, {n: true} matches 1 and 1.0; MongoDB keeps "
    "booleans apart from numbers"
)
NO_TYPE_BRACKETS = (
    "nx-27017 compares values of different BSON types: {n: {$gt: 1}} matches the string "
    "'3', {info: {$gt: 0}} matches objects, [2, '5'] satisfies {$gt: 8}; MongoDB compares "
    "only within a type bracket (numbers with numbers, strings with strings)"
)
ARRAY_COMPARISONS = (
    "nx-27017 compares an array as a whole: [1, 5, 9] fails {$lt: 2} and an empty array "
    "satisfies {$gte: ''}; MongoDB matches a comparison when an element does"
)
EXISTS_NULL = (
    "nx-27017 treats a stored null as a missing field under $exists; MongoDB counts a "
    "stored null as existing"
)
NULL_IN_ARRAY = (
    "nx-27017: {f: null} does not match an array holding null (['green', null]); MongoDB matches it"
)
DATE_ORDER = (
    "nx-27017 orders dates a millisecond off once a collection holds several documents: "
    "{created_at: {$gte: 03:04:05.007}} matches 03:04:05.006; MongoDB compares BSON dates "
    "exactly"
)
PROPERTIES = (
    "the random filters hit the stand-in's comparison gaps (booleans as numbers, no type "
    "brackets, arrays compared whole, $exists on null); see the other marks"
)
STANDIN_GAPS: dict[str, str] = {
    "test_eq_treats_int_and_float_as_one_number": BOOLEANS_ARE_NUMBERS,
    "test_booleans_match_only_booleans": BOOLEANS_ARE_NUMBERS,
    "test_booleans_are_not_numbers_in_comparisons": BOOLEANS_ARE_NUMBERS,
    "test_lte_on_numbers": BOOLEANS_ARE_NUMBERS,
    "test_several_operators_on_one_field_combine_with_and": BOOLEANS_ARE_NUMBERS,
    "test_gt_on_numbers": NO_TYPE_BRACKETS,
    "test_gte_on_numbers": NO_TYPE_BRACKETS,
    "test_a_number_operand_compares_only_with_numbers": NO_TYPE_BRACKETS,
    "test_an_array_matches_a_comparison_when_any_element_does": ARRAY_COMPARISONS,
    "test_an_empty_array_matches_no_element_condition": ARRAY_COMPARISONS,
    "test_exists_true_counts_a_stored_null": EXISTS_NULL,
    "test_exists_false_matches_missing_fields": EXISTS_NULL,
    "test_eq_null_matches_an_array_holding_null": NULL_IN_ARRAY,
    "test_datetime_operands_keep_their_microseconds": DATE_ORDER,
    "test_random_filters_select_what_the_reference_evaluator_selects": PROPERTIES,
}
"""Contract tests the stand-in classes expect to fail, with the reason."""


@with_standin_gaps(STANDIN_GAPS)
class TestStandInMongoStore(StoreContract):
    """The async store on the nx-27017 stand-in (standalone: no transactions)."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mongo") as store:
            yield store


@with_standin_gaps(STANDIN_GAPS)
class TestStandInMongoSyncStore(SyncTwinStoreFolds, sync_contract.StoreContract):
    """The sync store (``MongoClient``) on the same stand-in."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mongo") as store:
            yield store


@with_standin_gaps(STANDIN_GAPS)
class TestCachedStandInMongoStore(CachedStoreFolds, StoreContract):
    """The stand-in behind the Redis cache (``cache_url``), async."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mongo", cached=True) as store:
            yield store


@with_standin_gaps(STANDIN_GAPS)
class TestCachedStandInMongoSyncStore(CachedStoreFolds, sync_contract.StoreContract):
    """The stand-in behind the Redis cache (``cache_url``), sync."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mongo", cached=True) as store:
            yield store


NO_SERVER = (
    "REPOKIT_TEST_MONGO_URL is not set: set it to mongodb://host:port/?replicaSet=rs0 (a "
    "replica set runs the transactional path; docker compose up mongo starts one) to run "
    "the contract suite against that server (each worker uses a database of its own, emptied "
    "before each test and dropped at the end)"
)

if SERVER_URL is None:
    # One clear skip instead of a skip per contract test.

    def test_contract_against_a_mongodb_of_your_own() -> None:
        pytest.skip(NO_SERVER)

else:

    class TestServerMongoStore(StoreContract):
        """The MongoDB of ``REPOKIT_TEST_MONGO_URL``."""

        @pytest.fixture
        async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
            async with stores.open("mongo", server=SERVER_URL) as store:
                yield store

    class TestServerMongoSyncStore(sync_contract.StoreContract):
        """The same server through ``repokit.connect_sync`` (``MongoClient``)."""

        @pytest.fixture
        def store(self, stores: Stores) -> Iterator[SyncStorePort]:
            with stores.open_sync("mongo", server=SERVER_URL) as store:
                yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestStandInMongoStore,
        TestStandInMongoSyncStore,
        TestCachedStandInMongoStore,
        TestCachedStandInMongoSyncStore,
    ],
)
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)

"""The entity contract against MongoDB, async and sync: the example entities.

* ``stand-in``: the worker's nx-27017 server, its database emptied per test
  (``stores``), plain and behind the Redis cache. Standalone, so units of work
  raise ``CapabilityError`` and deletes and batches keep themselves whole without
  transactions. Where the
  stand-in differs from MongoDB the contract test is marked ``contract_xfail``
  with the reason (``STANDIN_GAPS``); the adapter is written for MongoDB.
* ``server``: the MongoDB of ``REPOKIT_TEST_MONGO_URL`` (a replica set runs the
  transactional path); one named skip when it is not set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from folds import CachedEntityFolds, SyncTwinEntityFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import EntityContract, assert_contract_complete
from repokit.testing import sync as sync_contract
from repokit.testing.examples import EXAMPLE_ENTITIES

pytest.importorskip("pymongo")

from mongo_support import with_standin_case_gaps, with_standin_gaps

SERVER_URL = os.environ.get("REPOKIT_TEST_MONGO_URL")

# Where nx-27017 0.8.1 answers differently from MongoDB (see also test_mongo.py).
DATES_BY_THE_SECOND = (
    "nx-27017 compares BSON dates by the second (SQLite's datetime()): {t: 12:00:00.000} "
    "matches 12:00:00.001 and {t: {$gt: 12:00:00.000}} does not (it sorts them exactly); "
    "MongoDB compares BSON dates to the millisecond"
)
JSON_COMPARISONS = (
    "nx-27017 compares booleans as the numbers 1 and 0 ({details.a: 1} matches true), "
    "values of different types, and arrays as a whole ({parcels: {$gt: 0}} matches a list "
    "of objects); MongoDB keeps booleans, numbers and objects apart and matches an array "
    "when an element does"
)
KEYSET_DATES = (
    "a keyset page resumes after (t, id) with {t: {$gt: v}} or {t: v, _id: {$gt: id}}, "
    f"and {DATES_BY_THE_SECOND}"
)
STANDIN_GAPS: dict[str, str] = {
    # Customer and Order filter their datetime fields; Shipment its list of parcels.
    "test_each_operator_on_each_field_selects_what_the_reference_selects": (
        f"{DATES_BY_THE_SECOND}; {JSON_COMPARISONS}"
    ),
}
"""Entity contract tests the stand-in classes expect to fail for every case, with the reason."""
STANDIN_CASE_GAPS: dict[str, dict[str, str]] = {
    "test_random_filters_select_what_the_reference_selects": {
        "Customer": DATES_BY_THE_SECOND,
        "Order": f"{DATES_BY_THE_SECOND}; {JSON_COMPARISONS}",
    },
    "test_lists_and_pages_order_by_the_field_then_id": {
        f"{entity}-{field}-{direction}": KEYSET_DATES
        for entity, field in (("Customer", "signed_up"), ("Order", "placed_at"))
        for direction in ("asc", "desc")
    },
}
"""Cases of parametrized entity tests the stand-in classes expect to fail (the others run)."""


def standin_gaps(cls: type) -> type:
    """The stand-in's gaps, marked on an entity contract class (whole tests and cases)."""
    return with_standin_gaps(STANDIN_GAPS)(with_standin_case_gaps(STANDIN_CASE_GAPS)(cls))


@standin_gaps
class TestStandInMongoEntities(EntityContract):
    """The example entities on the nx-27017 stand-in, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mongo") as store:
            yield store


@standin_gaps
class TestStandInMongoSyncEntities(SyncTwinEntityFolds, sync_contract.EntityContract):
    """The example entities on the same stand-in through ``repokit.connect_sync``."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mongo") as store:
            yield store


@standin_gaps
class TestCachedStandInMongoEntities(CachedEntityFolds, EntityContract):
    """The example entities on the stand-in behind the Redis cache, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mongo", cached=True) as store:
            yield store


@standin_gaps
class TestCachedStandInMongoSyncEntities(CachedEntityFolds, sync_contract.EntityContract):
    """The example entities on the stand-in behind the Redis cache, sync."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mongo", cached=True) as store:
            yield store


if SERVER_URL is None:

    def test_the_entity_contract_against_a_mongodb_of_your_own() -> None:
        pytest.skip(
            "REPOKIT_TEST_MONGO_URL is not set: set it to a MongoDB (a replica set, e.g. "
            "mongodb://host:port/?replicaSet=rs0, runs the transactional path) to run the "
            "entity contract against it"
        )

else:

    class TestServerMongoEntities(EntityContract):
        """The example entities on the MongoDB of ``REPOKIT_TEST_MONGO_URL``."""

        entities = EXAMPLE_ENTITIES

        @pytest.fixture
        async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
            async with stores.open("mongo", server=SERVER_URL) as store:
                yield store

    class TestServerMongoSyncEntities(sync_contract.EntityContract):
        """The same server through ``repokit.connect_sync``."""

        entities = EXAMPLE_ENTITIES

        @pytest.fixture
        def store(self, stores: Stores) -> Iterator[SyncStorePort]:
            with stores.open_sync("mongo", server=SERVER_URL) as store:
                yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestStandInMongoEntities,
        TestStandInMongoSyncEntities,
        TestCachedStandInMongoEntities,
        TestCachedStandInMongoSyncEntities,
    ],
)
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)

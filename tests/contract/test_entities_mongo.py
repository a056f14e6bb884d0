"""The entity contract against MongoDB, async and sync: the example entities.

* ``stand-in``: the nx-27017 server of the session (``standin``), a fresh database
  per test, dropped after. Standalone, so units of work raise ``CapabilityError``
  and deletes and batches keep themselves whole without transactions. Where the
  stand-in differs from MongoDB the contract test is marked ``contract_xfail``
  with the reason (``STANDIN_GAPS``); the adapter is written for MongoDB.
* ``server``: the MongoDB of ``REPOKIT_TEST_MONGO_URL`` (a replica set runs the
  transactional path); one named skip when it is not set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings
from repokit.testing import EntityContract, assert_contract_complete
from repokit.testing import sync as sync_contract
from repokit.testing.examples import EXAMPLE_ENTITIES

pytest.importorskip("pymongo")

from mongo_support import (
    drop_database,
    fresh_store,
    fresh_sync_store,
    with_standin_case_gaps,
    with_standin_gaps,
)

from repokit.infrastructure.mongo.standin import StandInServer

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


@with_standin_gaps(STANDIN_GAPS)
@with_standin_case_gaps(STANDIN_CASE_GAPS)
class TestStandInMongoEntities(EntityContract):
    """The example entities on the nx-27017 stand-in, async."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    async def store(
        self, standin: StandInServer, contract_settings: Settings
    ) -> AsyncIterator[StorePort]:
        url, store = await fresh_store(standin.url(), contract_settings)
        yield store
        await store.close()
        drop_database(url)


@with_standin_gaps(STANDIN_GAPS)
@with_standin_case_gaps(STANDIN_CASE_GAPS)
class TestStandInMongoSyncEntities(sync_contract.EntityContract):
    """The example entities on the same stand-in through ``repokit.connect_sync``."""

    entities = EXAMPLE_ENTITIES

    @pytest.fixture
    def store(self, standin: StandInServer, contract_settings: Settings) -> Iterator[SyncStorePort]:
        url, store = fresh_sync_store(standin.url(), contract_settings)
        with store:
            yield store
        drop_database(url)


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
        async def store(self, contract_settings: Settings) -> AsyncIterator[StorePort]:
            assert SERVER_URL is not None
            url, store = await fresh_store(SERVER_URL, contract_settings)
            yield store
            await store.close()
            drop_database(url)

    class TestServerMongoSyncEntities(sync_contract.EntityContract):
        """The same server through ``repokit.connect_sync``."""

        entities = EXAMPLE_ENTITIES

        @pytest.fixture
        def store(self, contract_settings: Settings) -> Iterator[SyncStorePort]:
            assert SERVER_URL is not None
            url, store = fresh_sync_store(SERVER_URL, contract_settings)
            with store:
                yield store
            drop_database(url)


@pytest.mark.parametrize("backend", [TestStandInMongoEntities, TestStandInMongoSyncEntities])
def test_the_backend_runs_the_whole_entity_contract(backend: type) -> None:
    assert_contract_complete(backend)

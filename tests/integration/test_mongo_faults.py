"""MongoDB: errors, capabilities and the save rules under concurrency, on the nx-27017 stand-in.

The server-side unique indexes, not a read-then-write, decide duplicates, and
the version-conditional replace decides optimistic locking: many concurrent
writers, exactly one winner.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

import repokit
from repokit.domain.entities import Document, User
from repokit.domain.errors import (
    BackendUnavailableError,
    CapabilityError,
    ConcurrencyError,
    ConfigurationError,
    DuplicateError,
    InvalidQueryError,
)
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings

pytest.importorskip("pymongo")

from repokit.infrastructure.mongo.standin import StandInServer, free_port

SETTINGS = Settings(embedding_dim=8, pool_timeout_s=0.5)


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInServer]:
    with StandInServer() as server:
        yield server


@pytest.fixture
async def store(standin: StandInServer) -> AsyncIterator[StorePort]:
    store = await repokit.connect(standin.url(f"faults_{uuid.uuid4().hex[:10]}"), settings=SETTINGS)
    await store.migrate()
    yield store
    await store.close()


async def test_a_standalone_server_has_no_transactions(store: StorePort) -> None:
    assert store.capabilities.backend == "mongodb"
    assert store.capabilities.transactions is False
    assert store.capabilities.concurrent_units is False
    with pytest.raises(CapabilityError, match="standalone"):
        store.unit_of_work()


async def test_without_an_atlas_index_every_search_is_exact(store: StorePort) -> None:
    assert store.capabilities.vector_index is False
    assert store.capabilities.vector_search == "exact"


async def test_an_unreachable_server_raises_backend_unavailable_without_the_password() -> None:
    url = f"mongodb://ann:s3cret-pw@127.0.0.1:{free_port()}/db"
    with pytest.raises(BackendUnavailableError) as caught:
        await repokit.connect(url, settings=SETTINGS)
    assert "s3cret-pw" not in str(caught.value)
    assert "s3cret-pw" not in repr(caught.value)


async def test_a_malformed_url_raises_configuration_error_without_the_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        await repokit.connect("mongodb://ann:s3cret-pw@host:notaport/db", settings=SETTINGS)
    assert "s3cret-pw" not in str(caught.value)


async def test_credentials_the_server_cannot_check_never_show(standin: StandInServer) -> None:
    # The stand-in has no authentication: the handshake fails, and says so without the password.
    url = standin.url("creds").replace("mongodb://", "mongodb://ann:s3cret-pw@")
    with pytest.raises(BackendUnavailableError) as caught:
        await repokit.connect(url, settings=SETTINGS)
    assert "s3cret-pw" not in str(caught.value)
    assert "ann:***@" in str(caught.value)


async def test_the_store_repr_names_the_database(standin: StandInServer) -> None:
    store = await repokit.connect(standin.url("repr"), settings=SETTINGS)
    try:
        assert repr(store) == f"MongoStore({standin.url('repr')!r}, open)"
    finally:
        await store.close()
    assert repr(store).endswith("closed)")


async def test_a_server_that_goes_away_raises_backend_unavailable() -> None:
    with StandInServer() as server:
        store = await repokit.connect(server.url("gone"), settings=SETTINGS)
        await store.migrate()
        await store.documents.save(Document(title="t", content=""))
    try:
        with pytest.raises(BackendUnavailableError):
            await store.documents.count()
    finally:
        await store.close()


async def test_concurrent_registrations_of_one_email_leave_exactly_one(store: StorePort) -> None:
    emails = ["same@example.com", "SAME@Example.com"]
    users = [User(email=emails[n % 2], display_name=str(n)) for n in range(12)]
    results = await asyncio.gather(*(store.users.save(u) for u in users), return_exceptions=True)
    winners = [r for r in results if isinstance(r, User)]
    assert len(winners) == 1
    assert all(isinstance(r, DuplicateError) for r in results if not isinstance(r, User))
    assert await store.users.find_by_email("same@example.com") == winners[0]


async def test_concurrent_updates_of_one_version_have_one_winner(store: StorePort) -> None:
    saved = await store.documents.save(Document(title="v1", content=""))
    edits = [saved.model_copy(update={"title": f"edit {n}"}) for n in range(12)]
    results = await asyncio.gather(
        *(store.documents.save(e) for e in edits), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, Document)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if not isinstance(r, Document))
    stored = await store.documents.get_by_id(saved.id)
    assert stored is not None
    assert (stored.title, stored.version) == (winners[0].title, 2)


async def test_metadata_keys_with_dots_and_dollars_are_data(store: StorePort) -> None:
    metadata = {"$where": "sleep(1000)", "a.b": {"$gt": ""}, "100%": {"$x.y": [1]}}
    saved = await store.documents.save(Document(title="t", content="", metadata=metadata))
    assert (await store.documents.get_by_id(saved.id)) == saved
    assert (await store.documents.get_by_id(saved.id)).metadata == metadata  # type: ignore[union-attr]
    assert await store.documents.count(where={"metadata.a": {"$exists": True}}) == 0


@pytest.mark.parametrize(
    "where",
    [
        {"metadata.$where": "1"},
        {"$where": "this.title == 't'"},
        {"metadata.a": {"$regex": ".*"}},
        {"metadata.a": {"$eq": {"$gt": ""}}},
        {"title": {"$function": {}}},
    ],
)
async def test_operator_injection_is_refused_before_the_server(
    store: StorePort, where: dict[str, object]
) -> None:
    with pytest.raises(InvalidQueryError):
        await store.documents.list(where=where)


async def test_a_string_that_looks_like_an_operator_is_matched_as_a_string(
    store: StorePort,
) -> None:
    saved = await store.documents.save(Document(title="$where", content="", metadata={"op": "$ne"}))
    found = await store.documents.list(where={"title": "$where", "metadata.op": "$ne"})
    assert [d.id for d in found] == [saved.id]

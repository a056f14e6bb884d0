"""DynamoDB behaviour only a real endpoint shows, on a private moto_server.

Large items split into parts, transactions at DynamoDB's 100-item limit,
conditional writes under concurrency (one email, one document), cascades that
outgrow one transaction (batched, and finished by a retried delete), users and
workspaces of the earlier layout moved by ``migrate``, errors of an unreachable
endpoint, and secrets kept out of messages and reprs.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from uuid import UUID

import pytest

import repokit
from repokit.domain.entities import Chunk, Document, Role, User, Workspace
from repokit.domain.errors import (
    BackendUnavailableError,
    CapabilityError,
    ConcurrencyError,
    ConfigurationError,
    DuplicateError,
)
from repokit.infrastructure.config import Settings

pytest.importorskip("aioboto3")

from repokit.domain.query import parse_filter
from repokit.infrastructure.dynamodb.emulator import MotoServer, free_port
from repokit.infrastructure.dynamodb.filters import compile_prefilter
from repokit.infrastructure.dynamodb.items import GONE, Item, encode_body, n, position
from repokit.infrastructure.dynamodb.layout import document_key, workspace_key
from repokit.infrastructure.dynamodb.scope import AutocommitScope
from repokit.infrastructure.dynamodb.store import DynamoStore
from repokit.infrastructure.dynamodb.url import parse_dynamodb_url
from repokit.infrastructure.dynamodb.writes import ABSENT, put

DIM = 4
SETTINGS = Settings(database_url=None, cache_url=None, embedding_dim=DIM)


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
async def store(moto: MotoServer) -> AsyncIterator[DynamoStore]:
    moto.reset()
    opened = await repokit.connect(moto.url("integration"), settings=SETTINGS)
    assert isinstance(opened, DynamoStore)
    await opened.migrate()
    yield opened
    await opened.close()


def chunks_of(document: Document, count: int, start: int = 0) -> list[Chunk]:
    return [
        Chunk(
            document_id=document.id,
            ordinal=start + i,
            content=f"chunk {start + i}",
            embedding=[1.0, float(i), 0.0, 0.5],
        )
        for i in range(count)
    ]


async def item_count(store: DynamoStore) -> int:
    response = await store.client.call("scan", TableName=store.client.table, Select="COUNT")
    return int(response["Count"])


async def test_a_body_too_large_even_compressed_is_split_into_parts(store: DynamoStore) -> None:
    content = secrets.token_hex(700_000)  # 1.4 MB of hex: about 700 KB compressed
    saved = await store.documents.save(Document(title="huge", content=content))
    parts = await store.client.call(
        "query",
        TableName=store.client.table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :part)",
        ExpressionAttributeValues={":pk": {"S": f"DOC#{saved.id}"}, ":part": {"S": "PART#"}},
    )
    assert parts["Count"] >= 2
    fetched = await store.documents.get_by_id(saved.id)
    assert fetched is not None
    assert fetched.content == content
    listed = await store.documents.list()
    assert [doc.content for doc in listed] == [content]

    smaller = await store.documents.save(saved.model_copy(update={"content": "small now"}))
    assert (await store.documents.get_by_id(saved.id)) == smaller
    assert await item_count(store) == 1  # the stale parts went with the update

    assert await store.documents.delete(saved.id)
    assert await item_count(store) == 0


async def test_a_unit_of_more_than_100_items_raises_capability_error_and_writes_nothing(
    store: DynamoStore,
) -> None:
    with pytest.raises(CapabilityError):  # noqa: PT012 - the block is what is tested
        async with store.unit_of_work() as uow:
            for index in range(101):
                await uow.documents.save(Document(title=f"d{index}", content=""))
    assert await store.documents.count() == 0


async def test_a_unit_of_exactly_100_items_commits(store: DynamoStore) -> None:
    async with store.unit_of_work() as uow:
        for index in range(100):
            await uow.documents.save(Document(title=f"d{index}", content=""))
    assert await store.documents.count() == 100


async def test_two_concurrent_sign_ups_with_one_email_never_both_land(store: DynamoStore) -> None:
    async def sign_up(name: str) -> User | Exception:
        async with store.unit_of_work() as uow:
            user = await uow.users.save(User(email="Same@Example.com", display_name=name))
            await asyncio.sleep(0.05)  # both units hold their pending guard item now
            return user

    outcomes = await asyncio.gather(sign_up("a"), sign_up("b"), return_exceptions=True)
    landed = [o for o in outcomes if isinstance(o, User)]
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(landed) == 1
    assert len(failed) == 1
    assert isinstance(failed[0], ConcurrencyError | DuplicateError)
    assert await store.users.find_by_email("same@example.com") == landed[0]


async def test_two_units_updating_one_document_first_commit_wins(store: DynamoStore) -> None:
    saved = await store.documents.save(Document(title="v1", content=""))
    both_pending = asyncio.Barrier(2)

    async def update(title: str, delay: float) -> None:
        async with store.unit_of_work() as uow:
            await uow.documents.save(saved.model_copy(update={"title": title}))
            await both_pending.wait()
            await asyncio.sleep(delay)

    outcomes = await asyncio.gather(
        update("first", 0.0), update("second", 0.2), return_exceptions=True
    )
    assert outcomes[0] is None
    assert isinstance(outcomes[1], ConcurrencyError)
    stored = await store.documents.get_by_id(saved.id)
    assert stored is not None
    assert (stored.title, stored.version) == ("first", 2)


async def test_add_chunks_beyond_one_transaction_is_all_or_nothing(store: DynamoStore) -> None:
    document = await store.documents.save(Document(title="many", content=""))
    await store.documents.add_chunks(document.id, chunks_of(document, 120))
    assert len(await store.documents.get_chunks(document.id)) == 120

    clash = chunks_of(document, 80, start=200) + chunks_of(document, 1, start=119)
    with pytest.raises(DuplicateError):
        await store.documents.add_chunks(document.id, clash)
    assert len(await store.documents.get_chunks(document.id)) == 120


async def test_deleting_a_large_workspace_batches_and_leaves_nothing(store: DynamoStore) -> None:
    owner = await store.users.save(User(email="o@example.com", display_name="o"))
    space = await store.workspaces.save(Workspace(name="big", owner_id=owner.id))
    await store.acl.grant(space.id, owner.id, Role.OWNER)
    for batch in range(3):
        documents = [
            Document(title=f"{batch}-{i}", content="", workspace_id=space.id) for i in range(25)
        ]
        saved = await store.documents.save_many(documents)
        for document in saved[:5]:
            await store.documents.add_chunks(document.id, chunks_of(document, 10))
    before = await item_count(store)
    assert before > 100

    assert await store.workspaces.delete(space.id)

    assert await store.workspaces.get_by_id(space.id) is None
    assert await store.documents.count() == 0
    assert await store.acl.members(space.id) == []
    assert await item_count(store) == 2  # the owner and their email guard


async def test_a_retried_delete_finishes_an_interrupted_cascade(store: DynamoStore) -> None:
    owner = await store.users.save(User(email="o@example.com", display_name="o"))
    space = await store.workspaces.save(Workspace(name="w", owner_id=owner.id))
    document = await store.documents.save(Document(title="d", content="", workspace_id=space.id))
    await store.documents.add_chunks(document.id, chunks_of(document, 60))
    # What an interrupted delete leaves: the parent marked, its children still there.
    for key in (workspace_key(space.id),):
        await store.client.call(
            "update_item",
            TableName=store.client.table,
            Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
            UpdateExpression="SET #gone = :yes",
            ExpressionAttributeNames={"#gone": GONE},
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )
    assert await store.workspaces.get_by_id(space.id) is None  # readers see it deleted
    assert await store.workspaces.list() == []

    assert await store.workspaces.delete(space.id) is False  # it was already gone for readers
    assert await store.documents.get_by_id(document.id) is None
    assert await item_count(store) == 2
    raw = await store.client.call(
        "get_item",
        TableName=store.client.table,
        Key={"PK": {"S": document_key(document.id)[0]}, "SK": {"S": "DOC"}},
    )
    assert "Item" not in raw


def legacy_item(key: tuple[str, str], entity: User | Workspace, listed_in: str) -> Item:
    """An item as the earlier layout wrote it: the body, the version, a GSI1 listing."""
    body, parts = encode_body(entity)
    assert not parts
    return {
        "PK": {"S": key[0]},
        "SK": {"S": key[1]},
        **body,
        "v": n(entity.version),
        "G1PK": {"S": listed_in},
        "G1SK": {"S": position(entity.created_at, entity.id)},
    }


async def test_migrate_moves_users_and_workspaces_of_the_earlier_layout(
    store: DynamoStore,
) -> None:
    owner = User(email="old@example.com", display_name="old", version=3)
    gone = User(email="gone@example.com", display_name="gone", version=1)
    space = Workspace(name="old space", owner_id=owner.id, version=2)
    earlier = [
        legacy_item((f"USER#{owner.id}", "USER"), owner, "USERS"),
        {"PK": {"S": f"EMAIL#{owner.email}"}, "SK": {"S": "EMAIL"}, "user": {"S": str(owner.id)}},
        {**legacy_item((f"USER#{gone.id}", "USER"), gone, "USERS"), GONE: {"BOOL": True}},
        legacy_item((f"WS#{space.id}", "WS"), space, "WORKSPACES"),
    ]
    for item in earlier:
        await store.client.call("put_item", TableName=store.client.table, Item=item)

    await store.migrate()
    await store.migrate()  # nothing left to move: a no-op

    assert await store.users.find_by_email("OLD@example.com") == owner
    assert await store.users.get_by_id(gone.id) is None  # still marked deleted
    assert await store.users.list() == [owner]
    assert await store.workspaces.list(owner_id=owner.id) == [space]
    assert await store.workspaces.get_by_id(space.id) == space
    moved = await store.users.save(owner.model_copy(update={"display_name": "renamed"}))
    assert moved.version == 4
    await store.acl.grant(space.id, owner.id, Role.OWNER)
    assert await store.users.delete(gone.id) is False  # finishes the interrupted delete
    assert await store.workspaces.delete(space.id)
    assert await store.users.delete(owner.id)
    assert await item_count(store) == 0


async def test_an_unreachable_endpoint_raises_backend_unavailable_error() -> None:
    url = f"dynamodb://key:s3cr3t@127.0.0.1:{free_port()}?region=us-east-1&table=unreachable&max_attempts=1"
    store = await repokit.connect(url, settings=SETTINGS)
    try:
        with pytest.raises(BackendUnavailableError) as caught:
            await store.documents.get_by_id(UUID(int=1))
        assert "s3cr3t" not in str(caught.value)
        assert "s3cr3t" not in repr(store)
    finally:
        await store.close()


def test_url_options_are_checked_and_secrets_never_shown() -> None:
    target = parse_dynamodb_url(
        "dynamodb://AKIA:top-secret@localhost:8000?table=app&region=eu-west-1"
    )
    assert target.endpoint_url == "http://localhost:8000"
    assert target.table == "app"
    assert target.region == "eu-west-1"
    assert "top-secret" not in repr(target)
    assert "top-secret" not in target.redacted
    for bad in (
        "dynamodb://localhost:8000?tabel=x",
        "dynamodb://localhost:8000?retry_mode=eager",
        "dynamodb://localhost:8000/path",
        "dynamodb://localhost:8000?table=a",
    ):
        with pytest.raises(ConfigurationError):
            parse_dynamodb_url(bad)
    with pytest.raises(ConfigurationError) as caught:
        parse_dynamodb_url("dynamodb://AKIA:top-secret@localhost:8000?bogus=1")
    assert "top-secret" not in str(caught.value)
    assert parse_dynamodb_url("dynamodb://?table=app").endpoint_url is None


def test_a_local_endpoint_without_credentials_gets_keys_dynamodb_local_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # DynamoDB Local (1.23+) answers UnrecognizedClientException to an access key id
    # with anything but letters and digits.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    target = parse_dynamodb_url("dynamodb://127.0.0.1:8000?table=app")
    assert target.access_key is not None
    assert target.access_key.isalnum()
    assert target.secret_key


def test_filters_compile_to_placeholders_only() -> None:
    node = parse_filter(
        {
            "created_at": {"$gte": "2024-01-01T00:00:00Z"},
            "workspace_id": {"$in": [UUID(int=7)]},
            "metadata.tag": "x'); DROP",
        }
    )
    prefilter = compile_prefilter(node)
    assert prefilter is not None
    assert "2024" not in prefilter.expression
    assert "DROP" not in prefilter.expression
    assert prefilter.expression == "#ca >= :f0 AND #ws IN (:f1_0)"
    assert prefilter.values == {
        ":f0": {"S": "2024-01-01T00:00:00.000Z"},
        ":f1_0": {"S": str(UUID(int=7))},
    }


async def test_a_resent_put_that_had_landed_is_not_reported_as_a_duplicate(
    store: DynamoStore,
) -> None:
    # What botocore does after a lost response: the same conditional PutItem again.
    scope = AutocommitScope(store.client)
    write = put(("X#1", "X"), {"d": {"S": "body"}}, "item 1", ABSENT)
    await scope.apply([write])
    await scope.apply([write])  # identical item stored: our own first attempt
    with pytest.raises(DuplicateError):
        await scope.apply([put(("X#1", "X"), {"d": {"S": "other"}}, "item 1", ABSENT)])

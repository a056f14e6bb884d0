"""Contract: values read back exactly — unicode, large texts, nested JSON, decimals, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

from repokit.domain.entities import AuditEvent, ChatMessage
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.stored import stored_document, stored_user

UNICODE = (
    "Grüße, naïve café — 日本語 · עברית · \U0001f680\U0001f469\u200d\U0001f4bb"
    " · e\u0301 · \u200b · \U0001d518\U0001d52b\U0001d526"
)

NESTED: dict[str, Any] = {
    "string": UNICODE,
    "empty_string": "",
    "int": 42,
    "negative": -7,
    "int64_max": 2**63 - 1,
    "int64_min": -(2**63),
    "beyond_double": 2**53 + 1,
    "float": 0.1,
    "whole_float": 2.0,
    "tiny": 5e-324,
    "huge": 1.7976931348623157e308,
    "true": True,
    "false": False,
    "null": None,
    "empty_list": [],
    "empty_object": {},
    "list": [1, "two", 3.5, None, True, [4, [5]], {"six": 6}],
    "a": {"b": {"c": {"d": {"e": {"f": ["deep"]}}}}},
    "quote\"and'apostrophe": 'it\'s "quoted"',
    "dotted.key": "dots in a key are data, not paths",
    "日本": {"キー": "値"},
}


def assert_same_json(actual: Any, expected: Any, path: str = "$") -> None:
    """Equal JSON values of the same types (``True`` is not ``1``, ``2.0`` is not ``2``)."""
    assert type(actual) is type(expected), f"{path}: {actual!r} is not {expected!r}"
    if isinstance(expected, dict):
        assert sorted(actual) == sorted(expected), f"{path}: keys {sorted(actual)}"
        for key, value in expected.items():
            assert_same_json(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), f"{path}: {actual!r} is not {expected!r}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_same_json(got, want, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} is not {expected!r}"


class ValueContract(ContractMixin):
    """What goes in comes out: text, JSON metadata, decimals and timestamps."""

    async def test_unicode_title_content_and_metadata_round_trip(self, store: StorePort) -> None:
        saved = await stored_document(store, UNICODE, content=UNICODE * 3, metadata={"u": UNICODE})
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert (fetched.title, fetched.content) == (UNICODE, UNICODE * 3)
        assert fetched.metadata == {"u": UNICODE}

    async def test_empty_title_and_content_round_trip(self, store: StorePort) -> None:
        saved = await stored_document(store, "", content="")
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert (fetched.title, fetched.content) == ("", "")

    async def test_one_megabyte_content_round_trips(self, store: StorePort) -> None:
        content = ("0123456789abcdef" * 65_536)[:1_048_570] + "€ 日本"
        assert len(content.encode()) > 1_048_576
        saved = await stored_document(store, "big", content=content)
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert fetched.content == content

    async def test_nested_metadata_round_trips_with_its_types(self, store: StorePort) -> None:
        saved = await stored_document(store, "nested", metadata=NESTED)
        assert_same_json(saved.metadata, NESTED)
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert_same_json(fetched.metadata, NESTED)

    async def test_listed_documents_carry_their_metadata(self, store: StorePort) -> None:
        await stored_document(store, "nested", metadata=NESTED)
        (listed,) = await store.documents.list()
        assert_same_json(listed.metadata, NESTED)

    async def test_audit_payload_round_trips_with_its_types(self, store: StorePort) -> None:
        await store.audit.append(
            AuditEvent(action="a", entity_type="t", entity_id="1", payload=NESTED)
        )
        (event,) = (await store.audit.page()).items
        assert_same_json(event.payload, NESTED)

    async def test_decimal_cost_round_trips_with_its_scale(self, store: StorePort) -> None:
        session = uuid4()
        costs = ["1.10", "0", "0.000001", "-3.50", "12345678901234567890.123456789"]
        for index, cost in enumerate(costs):
            await store.chats.append(
                ChatMessage(
                    session_id=session,
                    role="assistant",
                    content=str(index),
                    cost_usd=Decimal(cost),
                    created_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=index),
                )
            )
        messages = await store.chats.list_session(session)
        assert [str(message.cost_usd) for message in messages] == costs

    async def test_timestamps_read_back_as_aware_utc_milliseconds(self, store: StorePort) -> None:
        plus_two = timezone(timedelta(hours=2))
        written = datetime(2024, 5, 6, 9, 8, 7, 654321, tzinfo=plus_two)
        saved = await stored_document(store, created_at=written)
        fetched = await store.documents.get_by_id(saved.id)
        assert fetched is not None
        assert fetched.created_at == datetime(2024, 5, 6, 7, 8, 7, 654000, tzinfo=UTC)
        assert fetched.created_at.utcoffset() == timedelta(0)

    async def test_naive_timestamps_are_taken_as_utc(self, store: StorePort) -> None:
        saved = await stored_user(store, created_at=datetime(2024, 5, 6, 7, 8, 9, 1500))
        fetched = await store.users.get_by_id(saved.id)
        assert fetched is not None
        assert fetched.created_at == datetime(2024, 5, 6, 7, 8, 9, 1000, tzinfo=UTC)

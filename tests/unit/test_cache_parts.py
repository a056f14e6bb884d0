"""The cache's pure parts: codec, keys, TTLs, the circuit breaker and the counters."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from repokit.domain.entities import Document, User, Workspace
from repokit.domain.errors import DeclarationError
from repokit.infrastructure.cache.breaker import CircuitBreaker
from repokit.infrastructure.cache.codec import (
    EntityDecoder,
    encode_entity,
    entity_codec,
    schema_token,
    stamp,
)
from repokit.infrastructure.cache.keys import CacheKeys
from repokit.infrastructure.cache.options import CacheOptions
from repokit.infrastructure.cache.stats import CacheCounters


@pytest.mark.parametrize(
    "entity",
    [
        Document(
            title="Ünïcode 日本",
            content="x" * 1000,
            metadata={"n": 2**62, "f": 0.1, "none": None, "nested": {"list": [1, "a", True]}},
            version=7,
        ),
        User(email="Ann@Example.com", display_name="Ann", version=2),
        Workspace(name="w", owner_id=User(email="o@example.com", display_name="O").id),
    ],
)
def test_entities_round_trip_exactly(entity: Any) -> None:
    decoded = EntityDecoder(type(entity))(encode_entity(entity))
    validated = type(entity).model_validate_json(encode_entity(entity))
    assert decoded == entity == validated
    # The same instance pydantic's own parser builds, down to the field types and zones.
    assert decoded.__dict__ == validated.__dict__
    assert [type(value) for value in decoded.__dict__.values()] == [
        type(value) for value in validated.__dict__.values()
    ]
    assert decoded.model_fields_set == validated.model_fields_set
    assert decoded.model_dump_json() == entity.model_dump_json()
    # Still a live model: assignment validates, copies work.
    assert decoded.model_copy(update={"version": 9}).version == 9
    with pytest.raises(ValidationError):
        decoded.version = -1


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        b'"a string"',
        b"{}",
        b'{"id": 5, "version": 0, "email": "a@b.c", "display_name": "A", "created_at": 1}',
        b'{"id": "no-uuid", "version": 0, "email": "a@b.c", "display_name": "A",'
        b' "created_at": "2026-01-01T00:00:00+00:00"}',
        b'{"id": "01a2095a-a0b4-7120-89fb-ba2a62c9dc72", "version": "0", "email": "a@b.c",'
        b' "display_name": "A", "created_at": "2026-01-01T00:00:00+00:00"}',
    ],
)
def test_a_payload_this_release_did_not_write_is_a_value_error(payload: bytes) -> None:
    # ValueError is what the read-through path turns into "reload and cache again".
    with pytest.raises(ValueError, match="not a cached User"):
        EntityDecoder(User)(payload)


def test_a_key_the_model_does_not_have_is_ignored() -> None:
    user = User(email="a@b.c", display_name="A")
    payload = encode_entity(user)[:-1] + b',"extra":1}'
    assert EntityDecoder(User)(payload) == user


def test_the_decoder_refuses_a_model_whose_fields_it_cannot_rebuild() -> None:
    class Tagged(BaseModel):
        tags: set[str]

    with pytest.raises(DeclarationError, match=r"Tagged\.tags"):
        EntityDecoder(Tagged)


def test_a_value_is_stamped_with_its_shape_token() -> None:
    token = schema_token({"a": 1})
    assert stamp(token, b"a|b") == token + b"|a|b"
    assert entity_codec(Document).stamp == stamp(schema_token(Document.model_json_schema()), b"")
    assert entity_codec(User).stamp != entity_codec(Document).stamp


def test_keys_carry_the_namespace() -> None:
    document = Document(title="t", content="c")
    key = CacheKeys("svc").document(document.id)
    assert key.value == f"svc:doc:{document.id}"
    assert key.generation == f"svc:gen:doc:{document.id}"


def test_ttls_are_per_entity_and_jittered_within_bounds() -> None:
    options = CacheOptions(ttl_s=100, ttls={"acl": 10, "users": 1}, jitter=0.2, negative_ttl_s=5)
    documents = {options.ttl_ms("doc", found=True) for _ in range(200)}
    assert all(80_000 <= ttl <= 120_000 for ttl in documents)
    assert len(documents) > 50
    assert all(8_000 <= options.ttl_ms("role", found=True) <= 12_000 for _ in range(50))
    assert all(4_000 <= options.ttl_ms("doc", found=False) <= 6_000 for _ in range(50))
    # A declared entity's lookups (by id, by unique values) use its collection's setting.
    for kind in ("users", "users:email"):
        assert all(800 <= options.ttl_ms(kind, found=True) <= 1_200 for _ in range(50))
    assert all(80_000 <= options.ttl_ms("orders:sku", found=True) <= 120_000 for _ in range(50))
    assert options.generation_ttl_ms > 120_000


def test_the_breaker_opens_on_a_failure_and_lets_one_probe_through_after_the_cool_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="repokit.cache")
    breaker = CircuitBreaker(cool_down_s=0.05)
    assert breaker.allow()
    breaker.failed(TimeoutError())
    breaker.failed(TimeoutError())
    assert not breaker.allow()
    time.sleep(0.06)
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # everyone else waits for it
    breaker.succeeded()
    assert breaker.allow()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "unavailable (TimeoutError)" in messages[0]
    assert "reachable again" in messages[1]


class RecordingCounter:
    def __init__(self, name: str, log: list[tuple[str, int, dict[str, str]]]) -> None:
        self.name = name
        self.log = log

    def add(self, amount: int, attributes: dict[str, str]) -> None:
        self.log.append((self.name, amount, attributes))


class RecordingMeter:
    """The part of an OpenTelemetry meter the counters use."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int, dict[str, str]]] = []

    def create_counter(self, name: str, unit: str, description: str) -> RecordingCounter:
        return RecordingCounter(name, self.log)


def test_counters_snapshot_and_publish_to_a_meter() -> None:
    meter = RecordingMeter()
    counters = CacheCounters(meter=meter)
    counters.add("hits", "doc")
    counters.add("misses", "user")
    counters.add("invalidations", "write", 3)
    stats = counters.snapshot()
    assert (stats.hits, stats.misses, stats.errors, stats.invalidations) == (1, 1, 0, 3)
    assert stats.hit_ratio == 0.5
    assert meter.log == [
        ("repokit.cache.hits", 1, {"repokit.cache.kind": "doc"}),
        ("repokit.cache.misses", 1, {"repokit.cache.kind": "user"}),
        ("repokit.cache.invalidations", 3, {"repokit.cache.kind": "write"}),
    ]

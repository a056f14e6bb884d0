"""Repository calls on PostgreSQL: one span each (with a stand-in tracer) once a tracer
provider is set, none before; slow calls logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import repokit
from repokit.domain.entities import Document
from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql import telemetry

pytest.importorskip("asyncpg")


class RecordingSpan:
    def __init__(self, name: str, attributes: dict[str, Any]) -> None:
        self.name = name
        self.attributes = dict(attributes)

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value


class RecordingTracer:
    """Quacks like an OpenTelemetry tracer for ``start_as_current_span``."""

    def __init__(self) -> None:
        self.spans: list[RecordingSpan] = []

    @contextmanager
    def start_as_current_span(
        self, name: str, *, kind: Any, attributes: dict[str, Any]
    ) -> Iterator[RecordingSpan]:
        span = RecordingSpan(name, attributes)
        self.spans.append(span)
        yield span


async def test_each_repository_call_is_one_span_without_parameter_values(
    pg_database: str, pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracer = RecordingTracer()
    monkeypatch.setattr(telemetry, "_TRACER", tracer)
    monkeypatch.setattr(telemetry, "_span_kind_client", lambda: "CLIENT")
    monkeypatch.setattr(telemetry, "spans_recorded", lambda: True)  # a provider is set
    store = await repokit.connect(pg_database, settings=pg_settings)
    try:
        secret = "top-secret-title"
        await store.documents.save_many(
            [Document(title=secret, content=""), Document(title="b", content="")]
        )
        assert len(await store.documents.list()) == 2
    finally:
        await store.close()
    assert [span.name for span in tracer.spans] == [
        "repokit documents.save_many",
        "repokit documents.list",
    ]
    save_many = tracer.spans[0].attributes
    assert save_many == {
        "db.system": "postgresql",
        "db.operation": "save_many",
        "db.collection.name": "documents",
        "repokit.rows": 2,
    }
    assert all(secret not in repr(span.attributes) for span in tracer.spans)


async def test_no_span_is_started_while_no_tracer_provider_is_set(
    pg_database: str, pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = pytest.importorskip("opentelemetry.trace")
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    assert not telemetry.spans_recorded()
    tracer = RecordingTracer()
    monkeypatch.setattr(telemetry, "_TRACER", tracer)
    monkeypatch.setattr(telemetry, "_span_kind_client", lambda: "CLIENT")
    store = await repokit.connect(pg_database, settings=pg_settings)
    try:
        await store.documents.save(Document(title="t", content=""))
        assert await store.documents.count() == 1
    finally:
        await store.close()
    assert tracer.spans == []  # the API alone: its spans would be no-ops, and cost


async def test_slow_calls_are_logged_with_name_and_duration_only(
    pg_database: str, pg_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = pg_settings.model_copy(update={"slow_query_s": 0.0})
    store = await repokit.connect(pg_database, settings=settings)
    try:
        with caplog.at_level(logging.WARNING, logger="repokit.sql.slow"):
            await store.documents.save(Document(title="top-secret-title", content=""))
    finally:
        await store.close()
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("slow repokit call documents.save took") for message in messages)
    assert all("top-secret" not in message for message in messages)

"""The embedded default: ``embedded:///path`` starts PostgreSQL 18 + pgvector there."""

from __future__ import annotations

from pathlib import Path

import pytest

import repokit
from repokit.domain.entities import Chunk, Document
from repokit.infrastructure.config import Settings

pytest.importorskip("pgserver", reason="the embedded extra is not installed")


async def test_an_embedded_url_opens_a_postgres_store_in_its_folder(
    tmp_path: Path, pg_settings: Settings
) -> None:
    folder = tmp_path / "embedded-pg"
    store = await repokit.connect(f"embedded://{folder}", settings=pg_settings)
    try:
        assert store.capabilities.backend == "postgresql"
        assert store.capabilities.vector_index is True
        assert store.capabilities.vector_search == "hnsw"
        await store.migrate()
        saved = await store.documents.save(Document(title="kept", content="", metadata={"a": 1}))
        embedding = [1.0] + [0.0] * (pg_settings.embedding_dim - 1)
        await store.documents.add_chunks(
            saved.id,
            [Chunk(document_id=saved.id, ordinal=0, content="c", embedding=embedding)],
        )
        hits = await store.documents.search_similar(embedding, k=1)
        assert [hit.chunk.document_id for hit in hits] == [saved.id]
        assert hits[0].score == pytest.approx(1.0)
    finally:
        await store.close()
    assert (folder / "PG_VERSION").exists()


async def test_the_embedded_server_keeps_its_data_between_stores(
    tmp_path: Path, pg_settings: Settings
) -> None:
    url = f"embedded://{tmp_path / 'embedded-pg'}"
    first = await repokit.connect(url, settings=pg_settings)
    try:
        await first.migrate()
        saved = await first.documents.save(Document(title="persisted", content=""))
    finally:
        await first.close()
    second = await repokit.connect(url, settings=pg_settings)
    try:
        assert await second.documents.get_by_id(saved.id) == saved
    finally:
        await second.close()

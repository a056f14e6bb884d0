"""PostgreSQL: the server stops in the middle of a unit of work, then comes back."""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import repokit
from repokit.domain.entities import Document
from repokit.domain.errors import BackendUnavailableError
from repokit.infrastructure.config import Settings

pytest.importorskip("asyncpg")


def stop(server: Any) -> None:
    """Fast shutdown (SIGINT to the postmaster): sessions are cut, nothing is committed."""
    process = server.get_postmaster_info().process
    process.send_signal(signal.SIGINT)
    process.wait(30)


async def test_a_server_stopped_mid_unit_raises_backend_unavailable_and_the_store_recovers(
    private_pg_cluster: Any,
    migrate_new_database: Callable[[Any], Awaitable[str]],
    pg_settings: Settings,
) -> None:
    server = private_pg_cluster.server
    url = await migrate_new_database(private_pg_cluster)
    store = await repokit.connect(url, settings=pg_settings)
    try:
        kept = await store.documents.save(Document(title="committed before", content=""))
        lost = Document(title="written in the unit", content="")
        with pytest.raises(BackendUnavailableError) as caught:  # noqa: PT012 - the unit is the test
            async with store.unit_of_work() as uow:
                await uow.documents.save(lost)
                await uow.documents.save(kept.model_copy(update={"title": "changed"}))
                stop(server)
                await uow.documents.count()
        assert caught.value.__cause__ is not None
        assert "password" not in str(caught.value)

        with pytest.raises(BackendUnavailableError):
            await store.documents.count()

        server.ensure_postgres_running()
        # Nothing of the unit was written, and the store works again on new connections.
        assert await store.documents.get_by_id(lost.id) is None
        again = await store.documents.get_by_id(kept.id)
        assert again == kept
        await store.documents.save(Document(title="after the restart", content=""))
        assert await store.documents.count() == 2
    finally:
        await store.close()


async def test_an_unreachable_server_raises_backend_unavailable_on_connect(
    tmp_path: Path, pg_settings: Settings
) -> None:
    missing = tmp_path / "no-server-here"
    missing.mkdir()
    url = f"postgresql://app:s3cret@/repokit?host={missing}"
    with pytest.raises(BackendUnavailableError) as caught:
        await repokit.connect(url, settings=pg_settings)
    assert "s3cret" not in str(caught.value)
    assert caught.value.__cause__ is not None


async def test_an_unknown_database_raises_backend_unavailable_on_connect(
    pg_cluster: Any, pg_settings: Settings
) -> None:
    with pytest.raises(BackendUnavailableError, match="3D000"):
        await repokit.connect(pg_cluster.url("no_such_database"), settings=pg_settings)

"""repokit.integrations.fastapi: the lifespan, the dependencies and the error mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated
from uuid import UUID

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

import repokit  # noqa: E402
from repokit import Entity, Unique  # noqa: E402
from repokit.domain.errors import (  # noqa: E402
    BackendUnavailableError,
    ConfigurationError,
    NotFoundError,
    StoreClosedError,
)
from repokit.integrations.fastapi import (  # noqa: E402
    Store,
    SyncStore,
    UnitOfWork,
    add_error_handlers,
    lifespan,
    stores_of,
)


class FastapiNote(Entity, collection="fastapi_notes"):
    slug: Annotated[str, Unique()]
    text: Annotated[str, Field(max_length=20)]


class NewNote(BaseModel):
    slug: str
    text: str


def make_app(url: str, *, sync: bool = False) -> FastAPI:
    app = FastAPI(lifespan=lifespan(url, migrate=True, sync=sync))
    add_error_handlers(app)

    @app.post("/notes", status_code=201)
    async def create(body: NewNote, uow: UnitOfWork) -> FastapiNote:
        return await uow.repository(FastapiNote).save(FastapiNote(slug=body.slug, text=body.text))

    @app.post("/notes/twice")
    async def create_then_fail(body: NewNote, uow: UnitOfWork) -> None:
        await uow.repository(FastapiNote).save(FastapiNote(slug=body.slug, text=body.text))
        raise NotFoundError("something else is missing")

    @app.put("/notes/{note_id}")
    async def update(note_id: UUID, body: NewNote, version: int, store: Store) -> FastapiNote:
        note = FastapiNote(id=note_id, slug=body.slug, text=body.text, version=version)
        return await store.repository(FastapiNote).save(note)

    @app.get("/notes/{slug}")
    async def read(slug: str, store: Store) -> FastapiNote:
        note = await store.repository(FastapiNote).get_by(slug=slug)
        if note is None:
            raise NotFoundError(f"no note {slug!r}")
        return note

    @app.get("/notes")
    async def listing(store: Store, field: str = "slug") -> list[FastapiNote]:
        return await store.repository(FastapiNote).list(where={field: "x"})

    @app.get("/sync/notes/{slug}")
    def read_sync(slug: str, store: SyncStore) -> FastapiNote | None:
        return store.repository(FastapiNote).get_by(slug=slug)

    @app.get("/down")
    async def down() -> None:
        raise BackendUnavailableError("postgresql://app:s3cret@db/x refused the connection")

    return app


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/api.db"


@pytest.fixture
def client(url: str) -> Iterator[TestClient]:
    with TestClient(make_app(url, sync=True)) as client:
        yield client


def test_the_lifespan_opens_a_migrated_store_and_closes_it(url: str) -> None:
    app = make_app(url)
    with TestClient(app) as client:
        assert client.post("/notes", json={"slug": "a", "text": "one"}).status_code == 201
        store = stores_of(app).store
    with pytest.raises(ConfigurationError, match="no repokit store"):
        stores_of(app)
    with pytest.raises(StoreClosedError):
        asyncio.run(store.repository(FastapiNote).count())


def test_a_unit_of_work_commits_before_the_response(client: TestClient) -> None:
    created = client.post("/notes", json={"slug": "a", "text": "one"})
    assert created.status_code == 201
    assert created.json()["version"] == 1
    assert client.get("/notes/a").json()["text"] == "one"


def test_an_error_in_the_endpoint_rolls_the_unit_back(client: TestClient) -> None:
    response = client.post("/notes/twice", json={"slug": "b", "text": "two"})
    assert response.status_code == 404
    assert client.get("/notes/b").status_code == 404


def test_not_found_is_404_with_the_message(client: TestClient) -> None:
    response = client.get("/notes/missing")
    assert response.status_code == 404
    assert response.json() == {"detail": "no note 'missing'"}


def test_a_duplicate_unique_value_is_409(client: TestClient) -> None:
    assert client.post("/notes", json={"slug": "a", "text": "one"}).status_code == 201
    response = client.post("/notes", json={"slug": "a", "text": "again"})
    assert response.status_code == 409
    assert "slug" in response.json()["detail"]


def test_a_stale_version_is_409(client: TestClient) -> None:
    note = client.post("/notes", json={"slug": "a", "text": "one"}).json()
    body = {"slug": "a", "text": "two"}
    assert client.put(f"/notes/{note['id']}?version=1", json=body).status_code == 200
    response = client.put(f"/notes/{note['id']}?version=1", json=body)
    assert response.status_code == 409


def test_an_invalid_filter_is_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/notes?field=colour")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "invalid_query"
    assert "colour" in error["msg"]


def test_an_entity_built_from_bad_values_is_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/notes", json={"slug": "a", "text": "x" * 21})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["text"]
    assert error["type"] == "string_too_long"


def test_an_unavailable_backend_is_503_without_its_message(client: TestClient) -> None:
    response = client.get("/down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "s3cret" not in response.text


def test_a_def_endpoint_gets_the_sync_store(client: TestClient) -> None:
    client.post("/notes", json={"slug": "s", "text": "sync"})
    assert client.get("/sync/notes/s").json()["text"] == "sync"


def test_the_sync_store_needs_the_lifespan_to_open_it(url: str) -> None:
    with (
        TestClient(make_app(url)) as client,
        pytest.raises(ConfigurationError, match="sync=True"),
    ):
        client.get("/sync/notes/s")


async def test_the_lifespan_runs_under_an_asgi_transport(url: str) -> None:
    app = make_app(url)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        created = await client.post("/notes", json={"slug": "t", "text": "three"})
        assert created.status_code == 201
        assert (await client.get("/notes/t")).json()["id"] == created.json()["id"]


def test_the_url_is_read_when_the_app_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    app = FastAPI(lifespan=lifespan(migrate=True))
    monkeypatch.setenv("REPOKIT_DATABASE_URL", "memory://")
    with TestClient(app):
        store = stores_of(app).store
        assert isinstance(store, repokit.StorePort)
        assert store.capabilities.entities

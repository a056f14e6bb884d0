"""The service ``repokit new`` writes, generated into a temporary folder and exercised.

* its own checks, as a user runs them: its tests (use cases, the entity contract
  on memory, SQLite and an embedded PostgreSQL, the API), ``mypy --strict`` and
  ``ruff``, each in a subprocess on this working tree's repokit;
* its API on the embedded PostgreSQL, in this process: 100 concurrent updates of
  one ticket each land or get 409 (and retry from a fresh read), and none is lost:
  they make 100 successive versions; a request while the server is down gets 503
  and the service recovers when the server is back; invalid input gets 422 naming
  the field;
* the README's run command: uvicorn serves the app.

The generated package is imported under a name of its own and its entities are
forgotten afterwards (``forget_entity``), so no other test's ``migrate()`` sees them.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from repokit.domain.entity import declared_entities, forget_entity
from repokit.service_template import MAX_NAME, write_service

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

NAME = "ticket-desk-check"
PACKAGE = "ticket_desk_check"


@pytest.fixture(scope="module")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("service") / NAME
    write_service(NAME, folder)
    return folder


def service_env(service_dir: Path) -> dict[str, str]:
    """The environment of a subprocess in the service: its sources importable, no
    ``REPOKIT_*`` of the caller's (the service's tests name their URLs)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("REPOKIT_")}
    env["PYTHONPATH"] = str(service_dir / "src")
    return env


def run_in(service_dir: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=service_dir,
        env=service_env(service_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_generated_service_passes_its_own_tests(service_dir: Path) -> None:
    # A --basetemp of its own: a pytest session resets its default base folder
    # (/tmp/pytest-of-<user>) to 0700 when it starts, which would lock this
    # session's embedded PostgreSQL servers out of their tmp_path folders.
    basetemp = service_dir.parent / "pytest-tmp"
    result = run_in(
        service_dir,
        *("pytest", "-p", "no:cacheprovider", "-q", "-x", "--basetemp", str(basetemp)),
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # The use cases, the API, and the entity contract on three backends (~160 each).
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None, result.stdout[-2000:]
    assert int(passed.group(1)) > 400, result.stdout[-2000:]


def test_the_generated_service_is_mypy_strict_clean(service_dir: Path) -> None:
    result = run_in(
        service_dir, "mypy", "--cache-dir", str(service_dir / ".mypy_cache"), timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_generated_service_is_ruff_clean(service_dir: Path) -> None:
    result = run_in(service_dir, "ruff", "check", "--no-cache", ".", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_service_of_the_longest_name_is_ruff_clean(tmp_path: Path) -> None:
    longest = "a" * (MAX_NAME - 2) + "-b"
    write_service(longest, tmp_path / longest)
    result = run_in(tmp_path / longest, "ruff", "check", "--no-cache", ".", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def service(service_dir: Path) -> Iterator[ModuleType]:
    """The generated package's ``api`` module, imported here; forgotten afterwards."""
    source = str(service_dir / "src")
    sys.path.insert(0, source)
    before = set(declared_entities())
    try:
        yield importlib.import_module(f"{PACKAGE}.api")
    finally:
        for model in set(declared_entities()) - before:
            forget_entity(model)
        for module in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[module]
        sys.path.remove(source)


@asynccontextmanager
async def serving(service: ModuleType, url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The generated app on ``url``, started, behind an in-process httpx client."""
    app = service.create_app(url)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client,
    ):
        yield client


async def test_concurrent_updates_through_the_api_land_or_conflict_and_none_is_lost(
    service: ModuleType, pg_cluster: Any
) -> None:
    async with serving(service, pg_cluster.new_database()) as client:
        await client.post("/projects", json={"key": "OPS", "name": "Operations"})
        await client.post("/projects/OPS/tickets", json={"title": "Disk full"})
        statuses: list[int] = []

        async def assign(n: int) -> dict[str, Any]:
            """Assign the ticket to user<n> from the version just read; on 409, read again."""
            while True:
                seen = (await client.get("/tickets/OPS-1")).json()
                body = {"assignee": f"user{n}", "version": seen["version"]}
                response = await client.post("/tickets/OPS-1/assignment", json=body)
                statuses.append(response.status_code)
                if response.status_code != 409:
                    assert response.status_code == 200, response.text
                    landed: dict[str, Any] = response.json()
                    return landed

        landed = await asyncio.gather(*(assign(n) for n in range(100)))

        # Each update landed or got 409 (and was retried); each that landed made a
        # version of its own: 100 updates, versions 2..101, none overwritten.
        assert set(statuses) == {200, 409}
        assert sorted(ticket["version"] for ticket in landed) == list(range(2, 102))
        assert {ticket["assignee"] for ticket in landed} == {f"user{n}" for n in range(100)}
        final = (await client.get("/tickets/OPS-1")).json()
        last = max(landed, key=lambda ticket: ticket["version"])
        assert (final["version"], final["assignee"]) == (101, last["assignee"])


def stop(server: Any) -> None:
    """Fast shutdown (SIGINT to the postmaster): every session is cut."""
    process = server.get_postmaster_info().process
    process.send_signal(signal.SIGINT)
    process.wait(30)


async def test_a_request_while_the_database_is_down_gets_503_and_the_service_recovers(
    service: ModuleType, private_pg_cluster: Any
) -> None:
    async with serving(service, private_pg_cluster.new_database()) as client:
        await client.post("/projects", json={"key": "OPS", "name": "Operations"})
        assert (await client.get("/tickets")).status_code == 200

        stop(private_pg_cluster.server)
        down = await client.get("/tickets")
        assert down.status_code == 503
        assert down.headers["retry-after"] == "1"
        assert down.json() == {"detail": "the storage backend is unavailable; retry later"}

        private_pg_cluster.server.ensure_postgres_running()
        deadline = time.monotonic() + 30
        while (response := await client.get("/tickets")).status_code != 200:
            assert response.status_code == 503, response.text
            assert time.monotonic() < deadline, "the service did not recover"
            await asyncio.sleep(0.2)
        opened = await client.post("/projects/OPS/tickets", json={"title": "After"})
        assert (opened.status_code, opened.json()["key"]) == (201, "OPS-1")


async def test_invalid_input_gets_422_naming_the_field(
    service: ModuleType, tmp_path: Path
) -> None:
    async with serving(service, f"sqlite:///{tmp_path}/api.db") as client:
        await client.post("/projects", json={"key": "OPS", "name": "Operations"})
        cases = [
            (client.post("/projects/OPS/tickets", json={"title": ""}), ["body", "title"]),
            (client.post("/projects", json={"key": "ops", "name": "x"}), ["body", "key"]),
            (client.get("/tickets", params={"status": "lost"}), ["query", "status"]),
            (client.get("/tickets", params={"limit": 0}), ["query", "limit"]),
        ]
        for request, field in cases:
            response = await request
            assert response.status_code == 422
            assert [error["loc"] for error in response.json()["detail"]] == [field]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_uvicorn_serves_the_app_as_the_readme_says(service_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    env = service_env(service_dir) | {"REPOKIT_DATABASE_URL": f"sqlite:///{tmp_path}/run.db"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"{PACKAGE}.api.app:app", "--port", str(port)],
        cwd=service_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "uvicorn did not answer"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["info"]["title"] == NAME
    finally:
        server.terminate()
        server.wait(30)

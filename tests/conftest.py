"""Shared test configuration.

The repokit pytest plugin (``repokit.testing.plugin``) is loaded through its
``pytest11`` entry point; ``pytester`` is enabled here for the tests that run
pytest on generated test files (the contract guard's own tests).
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

GC_THRESHOLDS = (5_000, 20, 20)
"""The collector's thresholds while the tests run (Python's defaults: 700, 10, 10).

A worker holds hundreds of thousands of objects that live for the whole session
(the collected tests, the imported libraries), and each full collection walks all
of them: with the defaults, two thirds of the SQLite and PostgreSQL contract classes'
collector time (12.6 of 18.7 s) went to 33 full collections of about 0.4 s each. Measured on those
classes with the memory entity class (2,988 tests, one process): time in the
collector 18.7 s with the defaults, 10.0 s with these thresholds after a
``gc.freeze()``; the run 127 s, then 113 s. See docs/testing.md."""


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection made out of the collector's way, and collect less often."""
    gc.collect()
    gc.freeze()  # everything alive now stays for the session: no collection walks it again
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.fixture(scope="session")
def pg_data_root() -> Path:
    """A folder for embedded PostgreSQL servers, outside pytest's ``tmp_path`` tree.

    pgserver runs the server as another user and opens up the folders above its
    data directory; pytest resets its own base folder to mode 0700 whenever a
    pytest session starts, which would lock a running server out. Removed at exit,
    after pgserver's own exit hooks (registered later, so run earlier) stop the servers.
    """
    root = Path(tempfile.mkdtemp(prefix="repokit-test-pg-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


class RedisServer:
    """A ``redis-server`` of a test's own on a free port, which the test may stop and restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian: apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis for cache tests: ``REPOKIT_TEST_REDIS_URL``, else the machine's on
    127.0.0.1:6379, else a ``redis-server`` started for the session. Tests keep
    apart by cache namespace, so nothing is flushed."""
    configured = os.environ.get("REPOKIT_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    if port_open(6379):
        yield "redis://127.0.0.1:6379/0"
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A started ``redis-server`` of this test's own (stopped at the end)."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cache_namespace() -> str:
    """A cache namespace no other test uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def firestore_emulator_host() -> Iterator[str]:
    """This worker's Firestore emulator, stopped at the end; its ``host:port`` is put in
    ``FIRESTORE_EMULATOR_HOST`` for the worker's clients (each test has a project of its own)."""
    pytest.importorskip("google.cloud.firestore")
    from repokit.infrastructure.firestore.emulator import FirestoreEmulator

    saved = os.environ.get("FIRESTORE_EMULATOR_HOST")
    with FirestoreEmulator() as emulator:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
        try:
            yield emulator.host
        finally:
            if saved is None:
                os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
            else:
                os.environ["FIRESTORE_EMULATOR_HOST"] = saved

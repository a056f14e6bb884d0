"""A local ``moto_server`` (PyPI ``moto[server]``) for tests, the benchmark and trying things out.

It runs through :mod:`.emulator_server`, which fixes moto's cost of transactions.

Started on a free 127.0.0.1 port as a child process and stopped by its process
id; :meth:`MotoServer.reset` empties it (moto's ``POST /moto-api/reset``). Its
URLs carry dummy credentials and a region, so nothing is taken from the
developer's AWS configuration.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request

from repokit.domain.errors import BackendUnavailableError, ConfigurationError

DUMMY_KEY = "testing"
REGION = "us-east-1"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_command() -> list[str]:
    """The command that runs moto_server (with :mod:`.emulator_server`'s fix) on this Python."""
    if importlib.util.find_spec("moto") is None:
        raise ConfigurationError("moto_server is not installed: pip install 'moto[server]'")
    return [sys.executable, "-m", "repokit.infrastructure.dynamodb.emulator_server"]


class MotoServer:
    """One ``moto_server`` process; use as a context manager or call start/stop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """The HTTP endpoint, for raw boto3/aioboto3 clients."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, table: str = "repokit") -> str:
        """A ``dynamodb://`` URL of a table on this server, with dummy credentials."""
        return f"dynamodb://{DUMMY_KEY}:{DUMMY_KEY}@127.0.0.1:{self.port}?region={REGION}&table={table}"

    def start(self, timeout_s: float = 30.0) -> MotoServer:
        """Start the server and wait until it answers."""
        env = {**os.environ, "AWS_ACCESS_KEY_ID": DUMMY_KEY, "AWS_SECRET_ACCESS_KEY": DUMMY_KEY}
        self.process = subprocess.Popen(
            [*server_command(), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BackendUnavailableError("moto_server exited while starting")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise BackendUnavailableError(f"moto_server did not answer within {timeout_s}s")

    def reset(self) -> None:
        """Drop every table and item (moto's reset API)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        """Stop the server process (by its id) and wait for it.

        Killed, not asked to exit: its tables live only in its memory, so there is
        nothing to save, and a graceful exit first frees every object it made (seconds
        after a long test run).
        """
        if self.process is None:
            return
        self.process.kill()
        self.process.wait()
        self.process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

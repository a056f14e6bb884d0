"""Start and stop the nx-27017 stand-in server (a MongoDB wire-protocol server on SQLite).

For tests and ``repokit bench mongo`` when no real MongoDB is at hand: no
``mongod`` can be installed everywhere, while ``nx-27017`` is a PyPI package
(in the ``dev`` extra). It answers ``hello`` as a standalone server, so stores
on it have no transactions. See ``docs/backends.md`` for where it differs from
MongoDB.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from repokit.domain.errors import BackendUnavailableError, ConfigurationError

_START_TIMEOUT_S = 20.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _executable() -> str:
    beside = Path(sys.executable).with_name("nx-27017")
    if beside.exists():
        return str(beside)
    found = shutil.which("nx-27017")
    if found is None:
        raise ConfigurationError(
            "the nx-27017 stand-in is not installed: pip install -e '.[dev]' (or nx-27017)"
        )
    return found


class StandInServer:
    """``with StandInServer() as server: server.url("db")``: an in-memory stand-in on a free port.

    The server keeps every database in memory and is stopped (by its process
    id) when the block ends.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._folder = Path(tempfile.mkdtemp(prefix="repokit-nx27017-"))
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "repokit") -> str:
        """The ``mongodb://`` URL of ``database`` on this server."""
        return f"mongodb://127.0.0.1:{self.port}/{database}"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return None if self._process is None else self._process.pid

    def start(self) -> Self:
        """Start the server and wait until it accepts connections."""
        command = [
            _executable(),
            "--data-dir", "memory",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--pid-file", str(self._folder / "nx.pid"),
            "--log-file", str(self._folder / "nx.log"),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            cwd=self._folder,  # anything it writes lands in its own folder
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BackendUnavailableError(f"the nx-27017 stand-in did not start on port {self.port}")

    def stop(self) -> None:
        """Stop the server by its process id (idempotent) and remove its folder.

        Killed, not asked to exit: its databases live only in its memory, so there is
        nothing to save, and a graceful exit first frees every object it made.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["StandInServer", "free_port"]

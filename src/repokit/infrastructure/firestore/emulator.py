"""Google's Firestore emulator for tests, the benchmark and ``repokit demo``.

The emulator ships with the Google Cloud CLI (Debian package
``google-cloud-cli-firestore-emulator``; ``gcloud components install
cloud-firestore-emulator`` elsewhere) and runs on Java 17 or later. It is started on
a free 127.0.0.1 port in a process group of its own (the launcher is a shell
script that starts Java), and stopped by killing that group, so the Java child
goes too. :meth:`FirestoreEmulator.reset` deletes every document of a project
with the emulator's ``DELETE .../documents`` endpoint.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from repokit.domain.errors import BackendUnavailableError, ConfigurationError

LAUNCHER = "cloud_firestore_emulator"
KNOWN_PLACES = (
    Path("/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator"),
    Path("/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator"),
)
ENVIRONMENT = "REPOKIT_FIRESTORE_EMULATOR"
"""Names the launcher when it is somewhere else."""


def find_launcher() -> str:
    """The emulator's launcher, or ``ConfigurationError`` saying how to install it."""
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        return configured
    found = shutil.which(LAUNCHER)
    if found:
        return found
    for place in KNOWN_PLACES:
        candidate = place / LAUNCHER
        if candidate.exists():
            return str(candidate)
    raise ConfigurationError(
        "the Firestore emulator is not installed: apt-get install "
        "google-cloud-cli-firestore-emulator (or gcloud components install "
        f"cloud-firestore-emulator), or set {ENVIRONMENT} to its launcher"
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class FirestoreEmulator:
    """One emulator process group; use as a context manager or call start/stop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        """``host:port``, the value of ``FIRESTORE_EMULATOR_HOST``."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> FirestoreEmulator:
        """Start the emulator and wait until it answers."""
        self.process = subprocess.Popen(
            [find_launcher(), "start", "--host=127.0.0.1", f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BackendUnavailableError(
                    "the Firestore emulator exited while starting (it needs Java 17 or later)"
                )
            try:
                with urllib.request.urlopen(f"http://{self.host}/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise BackendUnavailableError(f"the Firestore emulator did not answer within {timeout_s}s")

    def reset(self, project: str, database: str = "(default)") -> None:
        """Delete every document of ``project``'s database."""
        url = f"http://{self.host}/emulator/v1/projects/{project}/databases/{database}/documents"
        with urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30):
            pass

    def stop(self) -> None:
        """Stop the launcher and its Java child (the process group) and wait."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def __enter__(self) -> FirestoreEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["FirestoreEmulator", "find_launcher", "free_port"]

"""Shared test configuration.

The repokit pytest plugin (``repokit.testing.plugin``) is loaded through its
``pytest11`` entry point; ``pytester`` is enabled here for the tests that run
pytest on generated test files (the contract guard's own tests).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


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

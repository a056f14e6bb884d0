"""Shared test configuration.

The repokit pytest plugin (``repokit.testing.plugin``) is loaded through its
``pytest11`` entry point; ``pytester`` is enabled here for the tests that run
pytest on generated test files (the contract guard's own tests).
"""

pytest_plugins = ["pytester"]

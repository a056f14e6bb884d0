"""``StoreContract``: every capability class of the contract suite in one class.

A backend's test module inherits it and provides one ``store`` fixture::

    import pytest
    from repokit.testing import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        async def store(self, tmp_path):
            store = await open_my_store(...)
            await store.migrate()
            yield store
            await store.close()

The fixture yields a connected, migrated, empty store and closes it afterwards
(``close`` is idempotent: some tests close the store themselves). The plugin
adds a ``contract_guard`` item to the class; see :mod:`repokit.testing.guard`.
"""

from __future__ import annotations

from repokit.testing.acl import AclContract
from repokit.testing.audit import AuditContract
from repokit.testing.chat import ChatContract
from repokit.testing.chunks import ChunkContract
from repokit.testing.documents import DocumentContract
from repokit.testing.filter_logic import FilterLogicContract
from repokit.testing.filters import FilterContract
from repokit.testing.invalid_filters import InvalidFilterContract
from repokit.testing.lifecycle import LifecycleContract
from repokit.testing.pagination import PaginationContract
from repokit.testing.properties import FilterPropertyContract
from repokit.testing.search import SearchContract
from repokit.testing.search_stats import SearchStatsContract
from repokit.testing.unit_of_work import UnitOfWorkContract
from repokit.testing.use_cases import UseCaseContract
from repokit.testing.users import UserContract
from repokit.testing.values import ValueContract
from repokit.testing.workspaces import WorkspaceContract


class StoreContract(
    DocumentContract,
    ValueContract,
    FilterContract,
    FilterLogicContract,
    InvalidFilterContract,
    FilterPropertyContract,
    PaginationContract,
    ChunkContract,
    SearchContract,
    SearchStatsContract,
    UserContract,
    WorkspaceContract,
    AclContract,
    AuditContract,
    ChatContract,
    UnitOfWorkContract,
    UseCaseContract,
    LifecycleContract,
):
    """The whole contract: inherit it in a ``Test...`` class that provides ``store``."""


CAPABILITIES: tuple[type, ...] = StoreContract.__bases__
"""The capability classes, in the order their tests run."""

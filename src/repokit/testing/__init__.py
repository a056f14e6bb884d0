"""The repokit contract suite, shipped as a pytest plugin for any adapter and any entity.

``StoreContract`` combines one capability class per concern (documents,
filters, pagination, vectors, users, workspaces and ACL, audit, chat, units of
work, errors). A backend inherits it and provides a ``store`` fixture; see
:mod:`repokit.testing.suite`. ``EntityContract`` checks a service's own
declared entities on any store (:mod:`repokit.testing.entity_contract`).
``contract_xfail`` marks a known failure of a backend, ``contract_fold`` a test
another class runs on the same code path;
``assert_contract_complete`` is the guard against weakened suites.

Names are imported lazily: the pytest plugin (:mod:`repokit.testing.plugin`) is
loaded in every project with repokit installed and must stay light, and
importing it runs this module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from repokit.testing.acl import AclContract
    from repokit.testing.audit import AuditContract
    from repokit.testing.base import ContractMixin
    from repokit.testing.chat import ChatContract
    from repokit.testing.chunks import ChunkContract
    from repokit.testing.documents import DocumentContract
    from repokit.testing.entity_contract import EntityContract
    from repokit.testing.filter_logic import FilterLogicContract
    from repokit.testing.filters import FilterContract
    from repokit.testing.guard import assert_contract_complete, contract_violations
    from repokit.testing.invalid_filters import InvalidFilterContract
    from repokit.testing.lifecycle import LifecycleContract
    from repokit.testing.markers import contract_fold, contract_xfail
    from repokit.testing.pagination import PaginationContract
    from repokit.testing.properties import FilterPropertyContract
    from repokit.testing.search import SearchContract
    from repokit.testing.search_stats import SearchStatsContract
    from repokit.testing.suite import CAPABILITIES, StoreContract
    from repokit.testing.unit_of_work import UnitOfWorkContract
    from repokit.testing.use_cases import UseCaseContract
    from repokit.testing.users import UserContract
    from repokit.testing.values import ValueContract
    from repokit.testing.workspaces import WorkspaceContract

_EXPORTS = {
    "AclContract": "acl",
    "AuditContract": "audit",
    "CAPABILITIES": "suite",
    "ChatContract": "chat",
    "ChunkContract": "chunks",
    "ContractMixin": "base",
    "DocumentContract": "documents",
    "EntityContract": "entity_contract",
    "FilterContract": "filters",
    "FilterLogicContract": "filter_logic",
    "FilterPropertyContract": "properties",
    "InvalidFilterContract": "invalid_filters",
    "LifecycleContract": "lifecycle",
    "PaginationContract": "pagination",
    "SearchContract": "search",
    "SearchStatsContract": "search_stats",
    "StoreContract": "suite",
    "UnitOfWorkContract": "unit_of_work",
    "UseCaseContract": "use_cases",
    "UserContract": "users",
    "ValueContract": "values",
    "WorkspaceContract": "workspaces",
    "assert_contract_complete": "guard",
    "contract_violations": "guard",
    "contract_fold": "markers",
    "contract_xfail": "markers",
}

__all__ = [
    "CAPABILITIES",
    "AclContract",
    "AuditContract",
    "ChatContract",
    "ChunkContract",
    "ContractMixin",
    "DocumentContract",
    "EntityContract",
    "FilterContract",
    "FilterLogicContract",
    "FilterPropertyContract",
    "InvalidFilterContract",
    "LifecycleContract",
    "PaginationContract",
    "SearchContract",
    "SearchStatsContract",
    "StoreContract",
    "UnitOfWorkContract",
    "UseCaseContract",
    "UserContract",
    "ValueContract",
    "WorkspaceContract",
    "assert_contract_complete",
    "contract_fold",
    "contract_violations",
    "contract_xfail",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

"""The common base of every contract mixin, so the guard can recognise contract classes."""

from __future__ import annotations


class ContractMixin:
    """Base of the capability classes of the contract suite.

    A capability class is a plain class of ``async def test_*`` methods that use
    one fixture, ``store``: a connected, migrated, empty ``StorePort``. It holds
    no state and defines no fixtures, so any backend's test module can inherit it.
    """

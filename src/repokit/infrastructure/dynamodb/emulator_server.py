"""``python -m repokit.infrastructure.dynamodb.emulator_server``: moto_server, five fixes applied.

It is the server :class:`~.emulator.MotoServer` starts, for tests, the benchmark
and trying things out. Never imported by the adapter itself.

1. **Transactions undo what they wrote, not the whole table.** moto 5.2's
   ``TransactWriteItems`` deep-copies every table it touches before it starts
   (once per *action*, in fact), so that a cancelled transaction can put the
   copy back. Every write of the adapter is a transaction, so each one cost a
   copy of the whole table: seconds for a transaction of 100 actions on a table
   of 1,500 items, and a suite whose time grew with the size of its tables.
   Here the items a transaction names are saved first (a copy of each, or
   "absent"), moto's own copy is skipped, and a cancelled transaction restores
   just those items.
2. **One transaction at a time.** The server serves requests on threads; a
   transaction cancelled while another one committed must not undo the
   other's writes (with moto's table copies it did), so transactions run one
   after the other, as DynamoDB makes them appear.
3. **Responses are serialized faster.** moto serializes every response by
   walking the botocore model and, for each member of each attribute value
   (``S``, ``N``, ``M``, ...), tries up to six spellings of its name on the
   object (``AttributePicker``). A DynamoDB response is already a dict in the
   wire's spelling: the spellings moto tries for a member of a dict are the
   same every time, so they are worked out once per model member, and the
   bytes sent do not change. An attribute value (``{"S": "x"}``, ``{"M": {...}}``),
   the most frequent structure of every response, is written straight from its
   dict by its member types instead of member by member through the picker
   (:func:`fast_attribute_values`): moto's walk of the ten members of each one
   was half of the server's time under the contract suite.
4. **Items are sorted by their key values.** A ``Query`` sorts the table's items
   (all of them, before picking the partition) and then the partition's, each
   comparison of two keys converting both values again (a ``Decimal`` per
   number): most of the server's remaining time. The same orders come from
   sorting on the converted values, once per item (:func:`all_items_by_values`,
   :func:`sorted_items_by_values`): the types of one key attribute are the same
   on every item of a table or index.
5. **Results become plain values in one pass.** Before serializing, moto turns
   each result into dicts and lists (``dynamo_to_dict``), asking every value,
   strings and numbers included, whether it has a ``to_json`` method and which
   of five types it is: the largest part of the server's time left after fix 4.
   :func:`plain_results` goes by the value's exact type, and hands anything it
   does not know (binary values, datetimes, moto's model objects) to moto's own
   function, so the result is the same.

Nothing else changes.
"""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from enum import Enum
from typing import Any

_IN_TRANSACTION: ContextVar[bool] = ContextVar("repokit_moto_in_transaction", default=False)
_ONE_TRANSACTION_AT_A_TIME = threading.Lock()

Saved = list[tuple[str, dict[str, Any], dict[str, Any] | None]]
"""Per item a transaction names: its table, its key, and its attributes before (or None)."""


def _table_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    """Inside a transaction, moto's backup copy of a table is the table itself: the
    transaction keeps its own undo log (see the module docs)."""
    if _IN_TRANSACTION.get():
        return self
    cls, args, state, listiter, dictiter = self.__reduce_ex__(4)[:5]
    return copy._reconstruct(  # type: ignore[attr-defined]
        self, memo, cls, args, state, listiter, dictiter
    )


def _saved_items(backend: Any, transact_items: list[dict[str, Any]]) -> Saved:
    """The items ``transact_items`` write, as they are before the transaction."""
    saved: Saved = []
    for action in transact_items:
        (kind, op), *_ = action.items()
        name = op.get("TableName")
        if kind == "ConditionCheck" or name not in backend.tables:
            continue
        table = backend.tables[name]
        if kind == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        current = backend.get_item(name, key)
        saved.append((name, key, None if current is None else current.to_json()["Attributes"]))
    return saved


def _restore(backend: Any, saved: Saved) -> None:
    """Put the saved items back as they were, last write first."""
    for name, key, before in reversed(saved):
        if before is None:
            if backend.get_item(name, key) is not None:
                backend.delete_item(name, key)
        else:
            backend.put_item(name, before)


def dict_first_picker() -> type:
    """moto's attribute picker, with the names it tries for a dict's member worked out
    once per model member (see the module docs)."""
    from moto.core.serialize import XFormedAttributePicker
    from moto.core.utils import get_value

    class DictFirstPicker(XFormedAttributePicker):
        # For a dict, the spellings moto tries depend only on the member (its shape and
        # name): a dict has no ``Meta`` and its class name is always "dict".
        _spellings: dict[tuple[int, str], tuple[Any, tuple[str, ...]]] = {}

        def __call__(self, context: Any) -> Any:
            obj = context.obj
            if type(obj) is not dict or self.response_transformers:
                return super().__call__(context)
            for spelling in self._spellings_of(context):
                if spelling in obj:
                    return obj[spelling]
                if "." in spelling:
                    value = get_value(obj, spelling, _MISSING)
                    if value is not _MISSING:
                        return value
            return None

        def _spellings_of(self, context: Any) -> tuple[str, ...]:
            member = (id(context.shape), context.key)
            known = self._spellings.get(member)
            if known is None or known[0] is not context.shape:
                known = (context.shape, tuple(self.get_possible_keys(context)))
                self._spellings[member] = known
            return known[1]

    return DictFirstPicker


_MISSING = object()


def fast_attribute_values(original: Callable[..., None]) -> Callable[..., None]:
    """moto's JSON ``_serialize_type_structure`` with attribute values written directly:
    the same JSON as moto's member-by-member walk (strings through ``str``, blobs
    base64, ``None`` members left out), from the dict in one pass."""

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and type(value) is dict:
            serialized[self.get_serialized_name(shape, key)] = _attribute_value(
                value, shape, self._base64
            )
            return
        original(self, serialized, value, shape, key)

    return serialize_structure


def _attribute_value(value: dict[str, Any], shape: Any, b64: Callable[[Any], str]) -> Any:
    members = shape.members
    # One member is the rule; several (never valid) go in the model's order, as moto's.
    names = value if len(value) == 1 else [name for name in members if name in value]
    out: dict[str, Any] = {}
    for name in names:
        member = members.get(name)
        item = value[name]
        if member is not None and item is not None:
            out[name] = _member_value(item, member, b64)
    return out


def _member_value(item: Any, shape: Any, b64: Callable[[Any], str]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _attribute_value(item, shape, b64)
    if kind == "string":
        if isinstance(item, Enum):
            item = item.value
        return str(item) if item not in (None, {}, []) else item
    if kind == "blob":
        return b64(item)
    if kind == "list":
        return [None if x is None else _member_value(x, shape.member, b64) for x in item]
    if kind == "map":
        values = ((k, v) for k, v in item.items() if v is not None)
        return {k: _member_value(v, shape.value, b64) for k, v in values}
    return item  # boolean


def plain_results(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """moto's ``dynamo_to_dict`` dispatched on exact types (fix 5); ``original`` does the rest."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    as_is = frozenset({str, int, float, bool, type(None), bytes, Decimal})
    binary = frozenset({"B", "BS"})

    def convert(value: Any) -> Any:
        kind = type(value)
        if kind in as_is:
            return value
        if kind is dict:
            return {key: convert(item) for key, item in value.items()}
        if kind is list:
            return [convert(item) for item in value]
        if kind is DynamoType and value.type not in binary:
            return {value.type: convert(value.value)}
        if kind is Item:  # what Query and Scan return: its JSON form, converted as above
            return convert(value.to_json())
        return original(value)

    return convert


def all_items_by_values(table: Any) -> list[Any]:
    """moto's ``Table.all_items``, sorted on the key values (fix 4)."""
    items: list[Any] = []
    for hash_set in table.items.values():
        if table.range_key_attr:
            items.extend(hash_set.values())
        else:
            items.append(hash_set)
    return sorted(items, key=_table_key)


def sorted_items_by_values(
    table: Any, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Any]
) -> list[Any]:
    """moto's ``Table.sorted_items`` (an index's order), sorted on the key values (fix 4)."""
    names = table._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
    items.sort(key=lambda item: tuple(item.attrs[name].cast_value for name in names))
    return items


def _table_key(item: Any) -> Any:
    # moto's key: (hash_key, range_key) if range_key else hash_key, compared as DynamoTypes
    if item.range_key:
        return (item.hash_key.cast_value, item.range_key.cast_value)
    return item.hash_key.cast_value


def patch_moto() -> None:
    """Apply the fixes of the module docs to moto's classes in this process."""
    from moto.core import responses
    from moto.core.serialize import BaseJSONSerializer
    from moto.dynamodb import responses as dynamodb_responses
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: Any) -> Any:
        with _ONE_TRANSACTION_AT_A_TIME:
            saved = _saved_items(self, transact_items) if len(transact_items) <= 100 else []
            token = _IN_TRANSACTION.set(True)
            try:
                return original(self, transact_items)
            except BaseException:
                _restore(self, saved)
                raise
            finally:
                _IN_TRANSACTION.reset(token)

    setattr(Table, "__deepcopy__", _table_deepcopy)  # noqa: B010 (moto's class, patched)
    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
    setattr(responses, "XFormedAttributePicker", dict_first_picker())  # noqa: B010
    structure = fast_attribute_values(BaseJSONSerializer._serialize_type_structure)
    setattr(BaseJSONSerializer, "_serialize_type_structure", structure)  # noqa: B010
    setattr(Table, "all_items", all_items_by_values)  # noqa: B010
    setattr(Table, "sorted_items", sorted_items_by_values)  # noqa: B010
    results = plain_results(getattr(dynamodb_responses, "dynamo_to_dict"))  # noqa: B009
    setattr(dynamodb_responses, "dynamo_to_dict", results)  # noqa: B010


def main() -> int:
    """Run moto_server with the arguments given (``-H host -p port``)."""
    patch_moto()
    from moto.server import main as moto_main

    sys.argv[0] = "moto_server"
    moto_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

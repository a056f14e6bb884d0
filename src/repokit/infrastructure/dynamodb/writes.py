"""Conditional writes: what a repository asks a scope to write, and the rule each condition keeps.

Save rules are enforced by DynamoDB conditions, not by reading first: a new
item is written with ``attribute_not_exists``, an update with a condition on
its ``v`` (version), a reference (owner, workspace, document) with a
``ConditionCheck``. The same :class:`Condition` is evaluated in-process by a
unit of work against what it sees, so a broken rule surfaces at the call, and
again by DynamoDB at commit, so a concurrent commit cannot slip past it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from repokit.domain.errors import ConcurrencyError, DuplicateError, NotFoundError, RepokitError
from repokit.infrastructure.dynamodb.items import GONE, Item, Key, key_attrs, version_of

MAX_TRANSACTION_ITEMS = 100
"""DynamoDB's limit of actions in one ``TransactWriteItems``."""


class Rule(enum.Enum):
    """What a condition requires of the stored item."""

    ABSENT = "absent"
    PRESENT = "present"
    VERSION = "version"


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule on the stored item, as a DynamoDB expression and as an in-process check."""

    rule: Rule
    version: int = 0

    def holds(self, stored: Item | None) -> bool:
        """True when ``stored`` (None: no item) satisfies the rule."""
        if self.rule is Rule.ABSENT:
            return stored is None
        if stored is None or GONE in stored:
            return False
        return self.rule is Rule.PRESENT or version_of(stored) == self.version

    def expression(self) -> dict[str, Any]:
        """``ConditionExpression`` and its placeholders."""
        if self.rule is Rule.ABSENT:
            return {"ConditionExpression": "attribute_not_exists(#pk)", "names": {"#pk": "PK"}}
        names = {"#pk": "PK", "#gone": GONE}
        if self.rule is Rule.PRESENT:
            return {
                "ConditionExpression": "attribute_exists(#pk) AND attribute_not_exists(#gone)",
                "names": names,
            }
        return {
            "ConditionExpression": "#v = :v AND attribute_not_exists(#gone)",
            "names": {"#v": "v", "#gone": GONE},
            "values": {":v": {"N": str(self.version)}},
        }

    def error(self, what: str, stored: Item | None) -> RepokitError:
        """The error for a failed check, given the item stored now."""
        if self.rule is Rule.ABSENT:
            return DuplicateError(f"{what} already exists")
        if stored is None or GONE in stored:
            return NotFoundError(f"{what} does not exist")
        if self.rule is Rule.VERSION and version_of(stored) != self.version:
            return ConcurrencyError(
                f"{what} is at version {version_of(stored)}, not {self.version}"
            )
        return ConcurrencyError(f"{what} was changed by a concurrent write; retry")


ABSENT = Condition(Rule.ABSENT)
PRESENT = Condition(Rule.PRESENT)


def at_version(version: int) -> Condition:
    """The item must be stored at ``version`` (and not being deleted)."""
    return Condition(Rule.VERSION, version)


@dataclass(frozen=True, slots=True)
class Write:
    """One action on one item: put ``item``, delete, or only check a condition.

    ``what`` names the item in error messages ("document 0190...").
    """

    key: Key
    what: str
    item: Item | None = None
    delete: bool = False
    condition: Condition | None = None

    @property
    def check_only(self) -> bool:
        """True for a ``ConditionCheck``: nothing is written."""
        return self.item is None and not self.delete

    def action(self, table: str) -> dict[str, Any]:
        """This write as one ``TransactWriteItems`` action."""
        body: dict[str, Any] = {"TableName": table}
        if self.item is not None:
            body["Item"] = {**self.item, **key_attrs(self.key)}
            kind = "Put"
        else:
            body["Key"] = key_attrs(self.key)
            kind = "Delete" if self.delete else "ConditionCheck"
        if self.condition is not None:
            body.update(condition_params(self.condition))
        return {kind: body}


def condition_params(condition: Condition) -> dict[str, Any]:
    """The request parameters of ``condition`` (expression, names, values)."""
    parts = condition.expression()
    params: dict[str, Any] = {
        "ConditionExpression": parts["ConditionExpression"],
        "ExpressionAttributeNames": parts["names"],
    }
    if "values" in parts:
        params["ExpressionAttributeValues"] = parts["values"]
    return params


def put(key: Key, item: Item, what: str, condition: Condition | None = None) -> Write:
    """Put ``item`` under ``key``."""
    return Write(key, what, item=item, condition=condition)


def delete(key: Key, what: str, condition: Condition | None = None) -> Write:
    """Delete the item under ``key`` (a no-op when it is absent and there is no condition)."""
    return Write(key, what, delete=True, condition=condition)


def check(key: Key, what: str, condition: Condition) -> Write:
    """Only check ``condition`` on the item under ``key``."""
    return Write(key, what, condition=condition)

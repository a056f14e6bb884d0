"""Random documents and random filters for the filter property tests.

The documents come from a seeded :class:`random.Random`, so every run stores
the same dataset; hypothesis draws the filters. Values are drawn from small
pools shared by documents and filters, so filters actually select something,
and the pools hold the edge cases: ints and floats that are equal, booleans
beside 0 and 1, strings that look like numbers, unicode, nulls, lists and
objects where scalars are expected, and missing keys.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from hypothesis import strategies as st

from repokit.domain.entities import Document
from repokit.domain.query import OPERATORS
from repokit.testing.invalid_filters import INJECTIONS, MALFORMED
from repokit.testing.samples import at, document, uid

Filter = dict[str, Any]
T = TypeVar("T")

NUMBERS: tuple[int | float, ...] = (-1, 0, 1, 2, 2**40, -1.5, 0.0, 1.0, 2.0, 2.5)
STRINGS = ("", "a", "b", "B", "ab", "é", "10", "2")
SCALARS: tuple[Any, ...] = (*NUMBERS, *STRINGS, True, False, None)
OPERANDS: tuple[Any, ...] = (*SCALARS, None, None, None, True, 1, 1.0, "B", "b")
"""Filter operands: the scalars, with nulls and near-misses (1 and 1.0, "b" and "B") weighted up."""
TITLES = ("alpha", "Alpha", "alpha2", "beta", "", "ß", "日本", "a b")
KEYS = ("a", "b")
SUBKEYS = ("x", "y")
METADATA_FIELDS = (
    "metadata.a",
    "metadata.a",
    "metadata.b",
    "metadata.b",
    "metadata.tags",
    "metadata.n",
    "metadata.n.x",
    "metadata.n.deep.z",
    "metadata.a.x",
    "metadata.missing",
)
CREATED_OFFSETS = (0.0, 0.001, 1.0, 1.0, 60.0, 86_400.0)


def random_scalar(rng: random.Random) -> Any:
    """One value of the scalar pool."""
    return rng.choice(SCALARS)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value: mostly scalars, sometimes a short list of scalars or a small object."""
    roll = rng.random()
    if roll < 0.15:
        return [random_scalar(rng) for _ in range(rng.randint(0, 3))]
    if roll < 0.25 and depth < 2:
        return {key: random_value(rng, depth + 1) for key in SUBKEYS if rng.random() < 0.7}
    return random_scalar(rng)


def random_metadata(rng: random.Random) -> dict[str, Any]:
    """Metadata over the keys the filters address, each present three times in four."""
    metadata: dict[str, Any] = {key: random_value(rng) for key in KEYS if rng.random() < 0.75}
    if rng.random() < 0.75:
        metadata["tags"] = rng.sample(STRINGS, rng.randint(0, 3)) + (
            [None] if rng.random() < 0.1 else []
        )
    roll = rng.random()
    if roll < 0.6:
        nested: dict[str, Any] = {key: random_scalar(rng) for key in SUBKEYS if rng.random() < 0.7}
        if rng.random() < 0.5:
            nested["deep"] = {"z": random_scalar(rng)} if rng.random() < 0.8 else random_scalar(rng)
        metadata["n"] = nested
    elif roll < 0.8:
        metadata["n"] = random_value(rng)
    return metadata


def random_documents(
    count: int, workspaces: Sequence[UUID | None], seed: int = 20_240_611
) -> list[Document]:
    """``count`` unsaved documents, the same for the same arguments."""
    rng = random.Random(seed)
    return [
        document(
            rng.choice(TITLES),
            metadata=random_metadata(rng),
            workspace_id=rng.choice(list(workspaces)),
            created_at=at(rng.choice(CREATED_OFFSETS)),
        )
        for _ in range(count)
    ]


class FilterPools:
    """The values filters on top-level fields draw from, taken from the stored dataset."""

    __slots__ = ("moments", "workspace_ids")

    def __init__(self, moments: Sequence[datetime], workspace_ids: Sequence[UUID | None]) -> None:
        self.moments = tuple(moments)
        self.workspace_ids = tuple(workspace_ids)

    def __repr__(self) -> str:
        # Short on purpose: hypothesis prints the strategy (and so this) in its reports.
        return f"FilterPools(<{len(self.moments)} moments>, <{len(self.workspace_ids)} workspaces>)"


def pick(values: Sequence[T]) -> st.SearchStrategy[T]:
    """Like ``sampled_from``, but with a short repr (hypothesis reprs strategies as it works)."""
    choices = tuple(values)
    return st.integers(0, len(choices) - 1).map(choices.__getitem__)


def _maybe_not(ops: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
    return st.one_of(ops, ops.map(lambda op: {"$not": op}))


def _combined(ops: st.SearchStrategy[Filter]) -> st.SearchStrategy[Filter]:
    """One operator dict, or two with different operators merged into one dict."""
    pair = st.tuples(ops, ops).map(lambda two: {**two[1], **two[0]})
    return st.one_of(ops, pair)


_ORDERING = ("$gt", "$gte", "$lt", "$lte")


@st.composite
def _operator(
    draw: st.DrawFn, values: st.SearchStrategy[Any], ordered: st.SearchStrategy[Any], exists: bool
) -> Filter:
    """One operator with an operand of the right kind, every operator about as likely."""
    ops = ["$eq", "$ne", *_ORDERING, "$in", "$nin", *(["$exists", "$exists"] if exists else [])]
    op = draw(st.sampled_from(ops))
    if op in _ORDERING:
        return {op: draw(ordered)}
    if op in ("$in", "$nin"):
        return {op: draw(st.lists(values, max_size=4))}
    if op == "$exists":
        return {op: draw(st.booleans())}
    return {op: draw(values)}


def operator_dicts(
    values: st.SearchStrategy[Any], ordered: st.SearchStrategy[Any], *, exists: bool
) -> st.SearchStrategy[Filter]:
    """Operator dicts (one or two operators, maybe under ``$not``) over ``values``;
    orderings take ``ordered``, ``$exists`` only when ``exists``."""
    return _maybe_not(_combined(_operator(values, ordered, exists)))


def condition(
    fields: st.SearchStrategy[str], values: st.SearchStrategy[Any], ops: st.SearchStrategy[Filter]
) -> st.SearchStrategy[Filter]:
    """``{field: value}`` or ``{field: {operators}}``, the operator form twice as often."""
    bare = st.builds(lambda f, v: {f: v}, fields, values)
    with_ops = st.builds(lambda f, op: {f: op}, fields, ops)
    return st.one_of(bare, with_ops, with_ops)


def _moment_operands(pools: FilterPools) -> st.SearchStrategy[Any]:
    base = pick(pools.moments)
    shifted = st.builds(
        lambda m, us: m + timedelta(microseconds=us), base, st.sampled_from([-1000, -1, 1, 500])
    )
    exact = st.one_of(base, shifted)
    return st.one_of(
        exact,
        exact.map(lambda m: m.isoformat()),
        exact.map(lambda m: m.replace(tzinfo=None)),
    )


def _leaf_filters(pools: FilterPools) -> st.SearchStrategy[Filter]:
    """One condition on one field: metadata (most often), title, a timestamp or workspace_id."""
    metadata_values = pick(OPERANDS)
    ordered_metadata = pick((*NUMBERS, *STRINGS))
    metadata = condition(
        pick(METADATA_FIELDS),
        metadata_values,
        operator_dicts(metadata_values, ordered_metadata, exists=True),
    )
    title_values = pick((*TITLES, "alp", "zz", "A"))
    title = condition(
        st.just("title"), title_values, operator_dicts(title_values, title_values, exists=False)
    )
    moments = _moment_operands(pools)
    times = condition(
        st.sampled_from(["created_at", "updated_at"]),
        moments,
        operator_dicts(moments, moments, exists=False),
    )
    workspace_values = pick((*pools.workspace_ids, uid(77)))
    workspace_ops = _maybe_not(
        st.one_of(
            st.builds(lambda op, v: {op: v}, st.sampled_from(["$eq", "$ne"]), workspace_values),
            st.builds(
                lambda op, vs: {op: vs},
                st.sampled_from(["$in", "$nin"]),
                st.lists(workspace_values, max_size=3),
            ),
        )
    )
    workspace = condition(st.just("workspace_id"), workspace_values, workspace_ops)
    return st.one_of(metadata, metadata, metadata, title, times, workspace)


def valid_filters(pools: FilterPools) -> st.SearchStrategy[Filter]:
    """Random valid document filters: every operator on every kind of field, nested with logic."""
    return logical_filters(_leaf_filters(pools))


@st.composite
def logical_filters(draw: st.DrawFn, leaves: st.SearchStrategy[Filter], depth: int = 0) -> Filter:
    """Filters of ``leaves`` nested under ``$and``, ``$or``, ``$not`` and implicit ANDs.

    A composite (not ``st.recursive``) so that the strategy's repr stays short:
    hypothesis reprs strategies as it works, and these would run to tens of kB.
    """
    shape = draw(st.sampled_from(["leaf", "leaf", "and", "or", "not", "merge"]))
    if shape == "leaf" or depth >= 3:
        return draw(leaves)
    if shape in ("and", "or"):
        count = draw(st.integers(1, 3))
        return {f"${shape}": [draw(logical_filters(leaves, depth + 1)) for _ in range(count)]}
    if shape == "not":
        return {"$not": draw(logical_filters(leaves, depth + 1))}
    pair = (draw(logical_filters(leaves, depth + 1)), draw(logical_filters(leaves, depth + 1)))
    return merge_filters(pair)


def merge_filters(two: tuple[Filter, Filter]) -> Filter:
    """Two filters in one dict when their keys differ (an implicit AND), else ``$and``."""
    first, second = two
    if set(first).isdisjoint(second):
        return {**first, **second}
    return {"$and": [first, second]}


_VALID_FIELD = re.compile(
    r"^(title|created_at|updated_at|workspace_id|metadata(\.[A-Za-z0-9_-]+)+)$"
)


def _bad_field_names() -> st.SearchStrategy[str]:
    outside_path = st.text(min_size=1, max_size=12).filter(
        lambda t: re.search(r"[^A-Za-z0-9_.\-]", t) is not None
    )
    return st.one_of(
        outside_path.map(lambda t: f"metadata.{t}"),
        outside_path.map(lambda t: f"metadata.a{t}"),
        st.text(max_size=12).filter(lambda t: _VALID_FIELD.match(t) is None),
        st.sampled_from(["metadata", "metadata.", "metadata..a", "metadata.a.", "id", "content"]),
    )


def _bad_operators() -> st.SearchStrategy[str]:
    letters = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
    return letters.map(lambda t: f"${t}").filter(lambda op: op not in OPERATORS)


def _bad_leaves() -> st.SearchStrategy[Any]:
    return st.one_of(
        pick(INJECTIONS + MALFORMED),
        st.builds(lambda f: {f: 1}, _bad_field_names()),
        st.builds(lambda op: {"metadata.a": {op: 1}}, _bad_operators()),
        st.builds(lambda op: {op: [{"metadata.a": 1}]}, _bad_operators()),
        st.builds(
            lambda op, v: {"metadata.a": {op: v}},
            st.sampled_from(["$gt", "$gte", "$lt", "$lte"]),
            st.sampled_from([True, False, None, [1], {"x": 1}]),
        ),
        st.builds(
            lambda op, v: {"metadata.a": {op: v}},
            st.sampled_from(["$eq", "$ne"]),
            st.sampled_from([[1], [], {"x": 1}, 2**64, -(2**63) - 1]),
        ),
        st.builds(
            lambda op, v: {"metadata.a": {op: v}},
            st.sampled_from(["$in", "$nin"]),
            pick([[[1]], {"x": 1}, "not a list", 2**64, [{"x": 1}], [2**64]]),
        ),
    )


@st.composite
def invalid_filters(draw: st.DrawFn, pools: FilterPools) -> Any:
    """Random invalid filters: a bad part alone or hidden inside a valid filter."""
    bad = draw(_bad_leaves())
    shape = draw(st.sampled_from(["alone", "and", "or", "not"]))
    if shape == "and":
        return {"$and": [draw(valid_filters(pools)), bad]}
    if shape == "or":
        return {"$or": [bad, draw(valid_filters(pools))]}
    if shape == "not":
        return {"$not": bad}
    return bad

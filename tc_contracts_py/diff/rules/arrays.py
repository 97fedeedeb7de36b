"""Array rules: item counts, uniqueness, contains, item positions and item schemas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tc_contracts_py.diff.model import Direction
from tc_contracts_py.diff.nodes import Simple, is_any, is_forbidden
from tc_contracts_py.diff.rules.bounds import count_bound
from tc_contracts_py.diff.rules.registry import NR, Family, Finding, InstanceMaker, Pair, narrowing
from tc_contracts_py.diff.rules.support import WILD_VALUES, array_of, plain

count_bound(
    family=Family.ARRAY,
    keyword="minItems",
    attribute="min_items",
    lower=True,
    narrowed=("array-min-items-increased", "minItems raised: shorter arrays are rejected"),
    widened=("array-min-items-decreased", "minItems lowered: shorter arrays are accepted"),
    witnesses=lambda w, _bound: array_of(w, w.min_items),
)
count_bound(
    family=Family.ARRAY,
    keyword="maxItems",
    attribute="max_items",
    lower=False,
    narrowed=("array-max-items-decreased", "maxItems lowered or added: longer arrays are rejected"),
    widened=("array-max-items-increased", "maxItems raised or removed: longer arrays are accepted"),
    witnesses=lambda w, bound: array_of(w, bound + 1),
)


@narrowing(
    family=Family.ARRAY,
    applies_to="array",
    narrowed=("array-unique-items-added", "uniqueItems added: arrays with duplicates are rejected"),
    widened=(
        "array-unique-items-removed",
        "uniqueItems removed: arrays with duplicates are accepted",
    ),
)
def _unique(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)) or not r.unique or w.unique:
        return

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        base = maker.array_of_length(w, max(2, w.min_items))
        if isinstance(base, list) and len(base) >= 2:
            return [[base[0], base[0], *base[2:]]]
        return []

    verb = "added" if d is NR else "removed"
    yield Finding(f"uniqueItems {verb}", candidates={d: candidates})


@narrowing(
    family=Family.ARRAY,
    applies_to="array",
    narrowed=("array-contains-narrowed", "'contains' added, or it asks for more or other items"),
    widened=(
        "array-contains-widened",
        "'contains' removed, or it asks for fewer or more kinds of items",
    ),
)
def _contains(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)):
        return
    for wanted, minimum in r.contains:
        if minimum <= 0:
            continue
        if any(
            have >= minimum and pair.oracle.includes((mine,), (wanted,), d)
            for mine, have in w.contains
        ):
            continue
        verb = "narrowed" if d is NR else "widened"
        yield Finding(
            f"'contains' {verb} (at least {minimum} matching item(s))",
            subject=wanted.pointer,
            candidates={d: lambda maker: [[], maker.array_of_length(w, max(w.min_items, 1))]},
        )


def _positions(w: Simple, r: Simple) -> Iterator[tuple[int, bool]]:
    """Item positions to compare: each prefix index, then the first "rest" index."""
    count = max(len(w.prefix), len(r.prefix))
    for index in range(count):
        yield index, False
    yield count, True


@narrowing(
    family=Family.ARRAY,
    applies_to="array",
    narrowed=("array-items-closed", "item positions the old schema allowed are no longer allowed"),
    widened=("array-items-opened", "item positions the old schema forbade are now allowed"),
)
def _items_closed(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)):
        return
    for index, _rest in _positions(w, r):
        if w.max_items is not None and index >= w.max_items:
            return
        if is_forbidden(w.item_schema(index)) or not is_forbidden(r.item_schema(index)):
            continue
        length = index + 1
        verb = "no longer" if d is NR else "now"
        yield Finding(
            f"arrays of {length} or more items {verb} allowed",
            subject=str(index),
            candidates={d: array_of(w, length)},
        )
        return


@narrowing(
    family=Family.ARRAY,
    applies_to="array",
    narrowed=("array-items-restricted", "items that could be anything now need a schema"),
    widened=("array-items-unrestricted", "items that needed a schema can now be anything"),
)
def _items_restricted(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)):
        return
    for index, rest in _positions(w, r):
        if w.max_items is not None and index >= w.max_items:
            return
        writer_items, reader_items = w.item_schema(index), r.item_schema(index)
        if not is_any(writer_items) or is_any(reader_items) or is_forbidden(reader_items):
            continue
        where = "items" if rest else f"item {index}"
        verb = "added" if d is NR else "removed"

        def candidates(maker: InstanceMaker, at: int = index) -> Iterable[Any]:
            base = maker.array_of_length(w, at + 1)
            if not isinstance(base, list):
                return []
            return [[*base[:at], wild, *base[at + 1 :]] for wild in WILD_VALUES]

        yield Finding(f"schema for {where} {verb}", subject=str(index), candidates={d: candidates})


# -- object ---------------------------------------------------------------------------

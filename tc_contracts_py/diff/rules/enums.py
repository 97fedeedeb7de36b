"""Enum and const rules: values allowed, values lost, a restriction added or removed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tc_contracts_py.diff.model import Direction
from tc_contracts_py.diff.nodes import Simple, canonical, is_integral, json_type, pattern_search
from tc_contracts_py.diff.rules.registry import NR, Family, Finding, InstanceMaker, Pair, narrowing
from tc_contracts_py.diff.rules.support import WILD_VALUES, is_multiple, show, values


def simple_accepts(simple: Simple, value: Any) -> bool | None:
    """Whether a primitive value passes a slice's own keywords; None when it cannot tell."""
    if json_type(value) != simple.type:
        return False
    if simple.enum is not None and canonical(value) not in {canonical(v) for v in simple.enum}:
        return False
    if simple.nots or simple.opaque:
        return None
    if simple.type == "string":
        if len(value) < simple.min_length:
            return False
        if simple.max_length is not None and len(value) > simple.max_length:
            return False
        for pattern in simple.patterns:
            found = pattern_search(pattern, value)
            if found is None:
                return None
            if not found:
                return False
        return None if simple.formats else True
    if simple.type == "number":
        if simple.integer and not is_integral(value):
            return False
        if simple.lower and (
            value < simple.lower[0] or (value == simple.lower[0] and simple.lower[1])
        ):
            return False
        if simple.upper and (
            value > simple.upper[0] or (value == simple.upper[0] and simple.upper[1])
        ):
            return False
        return all(is_multiple(value, m) for m in simple.multiple_of)
    if simple.type in ("null", "boolean"):
        return True
    return None


@narrowing(
    family=Family.ENUM,
    applies_to=None,
    narrowed=(
        "enum-value-removed",
        "a value the old schema allowed (enum or const) is no longer allowed",
    ),
    widened=(
        "enum-value-added",
        "a value the old schema did not allow (enum or const) is now allowed",
    ),
)
def _enumvalues(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if w.enum is None:
        return
    lost = [v for v in w.enum if simple_accepts(r, v) is not True]
    if not lost:
        return
    verb = "no longer allowed" if d is NR else "now allowed"
    yield Finding(
        f"{show(lost[0]) if len(lost) == 1 else show(lost)} {verb}",
        candidates={d: values(*lost)},
    )


@narrowing(
    family=Family.ENUM,
    applies_to=None,
    narrowed=("enum-added", "an enum or const now restricts a value that was free"),
    widened=("enum-removed", "an enum or const that restricted a value was removed"),
)
def _enum_introduced(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if w.enum is not None or r.enum is None or w.type in ("null",):
        return
    if w.type == "boolean" and {canonical(v) for v in r.enum} >= {"true", "false"}:
        return
    verb = "added" if d is NR else "removed"
    allowed = r.enum

    def candidates(maker: InstanceMaker) -> Iterable[Any]:
        return [v for v in (*WILD_VALUES, "other", -1, 12345) if v not in allowed]

    yield Finding(f"enum {show(list(allowed))} {verb}", candidates={d: candidates})


# -- array ----------------------------------------------------------------------------

"""Number rules: integer-ness, range bounds, multipleOf."""

from __future__ import annotations

from collections.abc import Iterator

from tc_contracts_py.diff.model import Direction
from tc_contracts_py.diff.nodes import Simple, canonical, is_integral
from tc_contracts_py.diff.rules.bounds import number_bound
from tc_contracts_py.diff.rules.registry import Family, Finding, Pair, narrowing
from tc_contracts_py.diff.rules.support import changed, is_multiple, old_new, plain, show, values


@narrowing(
    family=Family.NUMBER,
    applies_to="number",
    narrowed=(
        "number-narrowed-to-integer",
        "number became integer: fractional values are rejected",
    ),
    widened=("integer-widened-to-number", "integer became number: fractional values are accepted"),
)
def _integer(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if w.integer or not r.integer or not (plain(w) and plain(r)):
        return
    low = w.lower[0] if w.lower else 0
    old, new = old_new(d, "number", "integer")
    yield Finding(
        f"type changed from {old} to {new}",
        candidates={d: values(0.5, low + 0.5, low + 0.25, 1.5)},
    )


number_bound(
    lower=True,
    narrowed=("number-minimum-increased", "lower bound raised, added or made exclusive"),
    widened=("number-minimum-decreased", "lower bound lowered, removed or made inclusive"),
)
number_bound(
    lower=False,
    narrowed=("number-maximum-decreased", "upper bound lowered, added or made exclusive"),
    widened=("number-maximum-increased", "upper bound raised, removed or made inclusive"),
)


@narrowing(
    family=Family.NUMBER,
    applies_to="number",
    narrowed=(
        "number-multiple-of-narrowed",
        "multipleOf added or changed to one the old values miss",
    ),
    widened=("number-multiple-of-widened", "multipleOf removed or changed to a finer one"),
)
def _multiple_of(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)):
        return
    for divisor in r.multiple_of:
        if any(is_multiple(m, divisor) for m in w.multiple_of):
            continue
        if w.integer and divisor <= 1 and is_integral(1 / divisor):
            continue
        candidates = [*w.multiple_of, 1, 0.5, 0.1, divisor / 2, divisor * 1.5]
        yield Finding(
            changed(d, "multipleOf", show(list(w.multiple_of) or None), show(divisor)),
            subject=canonical(divisor),
            candidates={d: values(*candidates)},
        )

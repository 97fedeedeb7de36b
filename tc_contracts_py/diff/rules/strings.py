"""String rules: length bounds, patterns, formats."""

from __future__ import annotations

from collections.abc import Iterator

from tc_contracts_py.diff.model import Direction
from tc_contracts_py.diff.nodes import Simple
from tc_contracts_py.diff.rules.bounds import count_bound
from tc_contracts_py.diff.rules.registry import NR, Family, Finding, Pair, narrowing
from tc_contracts_py.diff.rules.support import plain, values
from tc_contracts_py.ecma_fsm import strings_outside

# Tried where a pattern has no automaton (lookbehind, backreferences, ``\\b``).
_GUESSES = ("", "a", "0", "-", " ", "A" * 10)

count_bound(
    family=Family.STRING,
    keyword="maxLength",
    attribute="max_length",
    lower=False,
    narrowed=(
        "string-max-length-decreased",
        "maxLength lowered or added: longer strings are rejected",
    ),
    widened=(
        "string-max-length-increased",
        "maxLength raised or removed: longer strings are accepted",
    ),
    witnesses=lambda w, bound: values("a" * (bound + 1), "a" * (w.max_length or bound + 1)),
)
count_bound(
    family=Family.STRING,
    keyword="minLength",
    attribute="min_length",
    lower=True,
    narrowed=(
        "string-min-length-increased",
        "minLength raised or added: shorter strings are rejected",
    ),
    widened=(
        "string-min-length-decreased",
        "minLength lowered or removed: shorter strings are accepted",
    ),
    witnesses=lambda w, bound: values("a" * w.min_length, "a" * (bound - 1)),
)


@narrowing(
    family=Family.STRING,
    applies_to="string",
    narrowed=("string-pattern-added", "a pattern is required that was not (added or replaced)"),
    widened=("string-pattern-removed", "a pattern is no longer required (removed or replaced)"),
)
def _pattern(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)):
        return
    for pattern in r.patterns:
        if pattern in w.patterns:
            continue
        # Decided on automata where both sides can be read as one: a reader pattern that
        # every writer string already matches (``\\d`` for ``[0-9]``, a narrower
        # writer) breaks nobody, and the strings outside it are the witnesses.
        outside = strings_outside(
            w.patterns, pattern, min_length=w.min_length, max_length=w.max_length
        )
        if outside == []:
            continue
        verb = "added" if d is NR else "removed"
        yield Finding(
            f"pattern {pattern!r} {verb}",
            subject=pattern,
            candidates={d: values(*(outside or ()), *_GUESSES)},
        )


@narrowing(
    family=Family.STRING,
    applies_to="string",
    narrowed=("string-format-added", "a format is required that was not (added or replaced)"),
    widened=("string-format-removed", "a format is no longer required (removed or replaced)"),
)
def _format(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
    if not (plain(w) and plain(r)):
        return
    for fmt in r.formats:
        if fmt in w.formats:
            continue
        verb = "added" if d is NR else "removed"
        yield Finding(
            f"format {fmt!r} {verb}",
            subject=fmt,
            candidates={d: values("not a valid value", "a", "")},
        )

"""The two shapes every bound rule has: a count bound and a number bound.

``minLength``/``maxLength``, ``minItems``/``maxItems`` and ``minProperties``/
``maxProperties`` differ only in the attribute they read and in the payloads that
prove a change; ``minimum``/``maximum`` differ only in the side of the range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tc_contracts_py.diff.model import Direction
from tc_contracts_py.diff.nodes import Bound, Simple
from tc_contracts_py.diff.rules.registry import (
    CandidateSource,
    Family,
    Finding,
    Pair,
    narrowing,
)
from tc_contracts_py.diff.rules.support import bound_text, changed, plain, show, values

# (writer, the reader's bound) -> the payloads to try as a witness that the reader is narrower.
CountWitnesses = Callable[[Simple, int], CandidateSource]


def _count_narrower(writer: int | None, reader: int | None, lower: bool) -> bool:
    if lower:
        return (reader or 0) > (writer or 0)
    return reader is not None and (writer is None or writer > reader)


def count_bound(
    *,
    family: Family,
    keyword: str,
    attribute: str,
    lower: bool,
    narrowed: tuple[str, str],
    widened: tuple[str, str],
    witnesses: CountWitnesses,
) -> None:
    """Declare the rule pair of one count keyword (``attribute`` on ``Simple``)."""

    def check(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
        mine, theirs = getattr(w, attribute), getattr(r, attribute)
        if not (plain(w) and plain(r)) or not _count_narrower(mine, theirs, lower):
            return
        yield Finding(
            changed(d, keyword, show(mine), show(theirs)), candidates={d: witnesses(w, theirs)}
        )

    narrowing(family=family, applies_to=family.value, narrowed=narrowed, widened=widened)(check)


def _range_narrower(writer: Bound | None, reader: Bound | None, lower: bool) -> bool:
    if reader is None:
        return False
    if writer is None:
        return True
    stricter_edge = writer[0] > reader[0] if lower else writer[0] < reader[0]
    same_edge_as_strict = writer[0] == reader[0] and (writer[1] or not reader[1])
    return not (stricter_edge or same_edge_as_strict)


def number_bound(*, lower: bool, narrowed: tuple[str, str], widened: tuple[str, str]) -> None:
    """Declare the rule pair of the lower (``minimum``) or upper (``maximum``) bound."""
    attribute, label, step = ("lower", "lower bound", -1) if lower else ("upper", "upper bound", 1)

    def check(w: Simple, r: Simple, pair: Pair, d: Direction) -> Iterator[Finding]:
        mine, theirs = getattr(w, attribute), getattr(r, attribute)
        if not (plain(w) and plain(r)) or not _range_narrower(mine, theirs, lower):
            return
        edge = theirs[0]
        candidates: list[Any] = [edge, edge + step, edge + step / 2]
        if mine is not None and not mine[1]:
            candidates.insert(0, mine[0])
        yield Finding(
            changed(d, label, bound_text(mine, lower), bound_text(theirs, lower)),
            candidates={d: values(*candidates)},
        )

    narrowing(family=Family.NUMBER, applies_to="number", narrowed=narrowed, widened=widened)(check)
